"""The front page's search (``q``): the box keeps the other filters, every link and feed keeps the
search, the results line counts what the page shows, and an empty search says what to try."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fabricate import event, make_signal
from signals.models import Category

NOW = datetime(2026, 6, 3, tzinfo=UTC)
SIGNALS = [
    make_signal(0, title="Introducing Claude Opus 5", score=9, category=Category.MODELS_RESEARCH,
                published=NOW - timedelta(days=30)),
    make_signal(1, title="Claude Opus pricing", score=4, category=Category.BUSINESS,
                published=NOW - timedelta(hours=2)),
    make_signal(2, title="Claude Sonnet", score=8, category=Category.MODELS_RESEARCH, published=NOW),
]  # fmt: skip


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Any:
    import time

    from signals.api import reading
    from signals.api.app import app
    from signals.storage.memory_timeline import InMemoryFeedIndex

    monkeypatch.setattr(time, "time", lambda: NOW.timestamp())
    reading.use_index(InMemoryFeedIndex(SIGNALS, now=NOW))
    yield app
    reading.use_index(None)


def page(app: Any, params: Any) -> str:
    response = app.resolve(event("/", params), None)
    assert response["statusCode"] == 200, response["body"]
    return html.unescape(response["body"])


def test_the_search_box_sends_the_other_filters_again_and_best_matches_first(api: Any) -> None:
    markup = page(api, {"category": "business", "min_score": 3})
    form = re.search(r'<form class="search".*?</form>', markup, re.S)
    assert form, markup[:500]
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(0))
    assert fields == [("sort", "score"), ("category", "business"), ("min_score", "3")]
    assert 'name="q" value=""' in form.group(0)


def test_a_search_lists_matches_best_first_and_every_link_keeps_it(api: Any) -> None:
    markup = page(api, {"q": "claude opus", "sort": "score", "show": "all"})
    assert re.findall(r'<h2><a href="/signals/(\w+)">', markup) == ["sig00000", "sig00001"]
    assert "2 results for “claude opus”" in markup
    alternates = re.findall(r'<link rel="alternate" type="[^"]+" title="[^"]+" href="([^"]+)">', markup)
    assert alternates and all(dict(parse_qsl(urlsplit(h).query))["q"] == "claude opus" for h in alternates)
    filters = re.search(r'<nav class="filters".*?</nav>', markup, re.S)
    assert filters and all("q=claude+opus" in h for h in re.findall(r'href="(/\?[^"]*)"', filters.group(0)))


def test_a_search_without_matches_says_what_to_try(api: Any) -> None:
    markup = page(api, {"q": "quantum", "sort": "score", "category": "security"})
    assert "No signals have every word of “quantum” with these filters" in markup
    assert 'href="/?sort=score&q=quantum">search everything' in markup
