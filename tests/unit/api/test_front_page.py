"""The front page for ten minutes a day (issue 15): the top of the last days by default, off-topic
and low scores hidden unless asked (and said so), filters whose links keep each other, publishers
and tag links on cards, date-only times, and feed links that keep the page's filters."""

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
    make_signal(0, score=9, category=Category.SAFETY_POLICY, published=NOW - timedelta(hours=3)),
    make_signal(1, score=1, category=Category.OFF_TOPIC, published=NOW - timedelta(hours=4)),
    make_signal(2, score=2, category=Category.SECURITY, published=NOW - timedelta(hours=5)),
    make_signal(
        3,
        score=5,
        category=Category.SECURITY,
        published=datetime(2026, 6, 1, tzinfo=UTC),
        published_date_only=True,
    ),
    make_signal(4, score=10, category=Category.BUSINESS, published=NOW - timedelta(days=40)),
    *[make_signal(n, score=7, published=NOW - timedelta(hours=10 + n)) for n in range(5, 30)],
]


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


def page(app: Any, params: Any = None) -> str:
    response = app.resolve(event("/", params), None)
    assert response["statusCode"] == 200, response["body"]
    return response["body"]


def cards(markup: str) -> list[str]:
    return re.findall(r'<h2><a href="/signals/(\w+)">', markup)


def links(markup: str) -> list[list[tuple[str, str]]]:
    """The query of every link to the front page."""
    return [parse_qsl(urlsplit(html.unescape(h)).query) for h in re.findall(r'href="(/\?[^"]*|/)"', markup)]


def test_the_default_view_is_the_top_of_the_last_days_without_off_topic_or_low_scores(api: Any) -> None:
    markup = page(api)
    shown = cards(markup)
    assert shown[0] == "sig00000" and "sig00001" not in shown and "sig00002" not in shown  # 9/10 first
    assert "sig00004" not in shown  # 40 days old: outside the hot window
    assert "Hidden: off-topic stories and scores 1–2." in html.unescape(markup)
    everything = page(api, {"show": "all", "limit": 40})
    assert {"sig00001", "sig00002"} <= set(cards(everything)) and 'href="/?show=all"' not in markup.split(
        "Hidden"
    )[0]
    assert "/?show=all" in markup


def test_sort_category_score_tag_and_source_are_filters_whose_links_keep_each_other(api: Any) -> None:
    params = [
        ("sort", "time"),
        ("category", "security"),
        ("min_score", "5"),
        ("tag", "policy"),
        ("source", "src3"),
    ]
    markup = page(api, params)
    assert cards(markup) == ["sig00003"]
    for query in links(markup):
        keys = dict(query)
        if not query or "cursor" in keys:
            continue
        changed = {k for k, v in params if (k, v) not in query}
        assert len(changed) <= 1, query  # each link changes one filter and keeps the others
    assert [
        ("sort", "score"),
        ("category", "security"),
        ("min_score", "5"),
        ("tag", "policy"),
        ("source", "src3"),
    ] in links(markup)


def test_cards_name_the_publisher_link_tags_and_read_a_date_only_time_as_a_date(api: Any) -> None:
    markup = page(api, {"sort": "time", "category": "security", "min_score": 5})
    card = next(c for c in markup.split('<article class="card">') if "/signals/sig00003" in c)
    assert (
        ">Source 3</a>" in card
        and ">Wire</a>" in card
        and "source" not in re.sub(r"<[^>]+>", "", card).split("From")[0]
    )
    assert 'href="/tags/policy"' in card  # a tag's own page (issue 16: follow a tag)
    assert "1 Jun 2026</time>" in card and "00:00 UTC" not in card


def test_feed_links_and_autodiscovery_keep_the_filters_and_say_them(api: Any) -> None:
    markup = page(api, {"category": "safety-policy", "min_score": 7})
    alternates = re.findall(r'<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)">', markup)
    assert [t for t, _, _ in alternates] == [
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
    ]
    for _, title, href in alternates:
        assert html.unescape(title).startswith("Signals: Safety & Policy, 7+")
        assert html.unescape(href).endswith("?category=safety-policy&min_score=7")
    assert markup.count("?category=safety-policy&amp;min_score=7") >= 6  # head and footer
    default = page(api)
    assert "Signals: on-topic, 3+ (RSS)" in html.unescape(default)


@pytest.mark.parametrize("tracking", [{"utm_source": "newsletter"}, {"fbclid": "x"}, {"ref": "hn"}])
def test_tracking_parameters_are_ignored(api: Any, tracking: dict[str, str]) -> None:
    assert cards(page(api, {**tracking, "sort": "hot"})) == cards(page(api, {"sort": "hot"}))
