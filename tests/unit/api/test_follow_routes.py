"""Following an entity or a tag (issue 16 part 4): ``entity=`` on the JSON API and the feeds,
``/entities/<slug>`` and ``/tags/<tag>`` pages, ``/v1/entities`` and ``/v1/opml``."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from fabricate import body, event, make_signal
from signals.models import Category

NOW = datetime(2026, 6, 3, tzinfo=UTC)
ENTITIES = [["Anthropic", "Claude"], ["Open AI"], ["OpenAI", "Anthropic"], ["EU AI Act"], []]
SIGNALS = [
    make_signal(
        n,
        score=3 + n % 7,
        published=NOW - timedelta(days=9 * n),  # across several months
        entities=ENTITIES[n % len(ENTITIES)],
        tags=["safety"] if n % 2 else ["chips"],
    )
    for n in range(20)
]


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Any:
    import time

    from signals.api import reading
    from signals.api.app import app
    from signals.storage.memory_timeline import InMemoryFeedIndex

    monkeypatch.setattr(time, "time", lambda: NOW.timestamp())
    index = InMemoryFeedIndex(SIGNALS, now=NOW)
    reading.use_index(index)
    app.index = index  # type: ignore[attr-defined]
    yield app
    reading.use_index(None)


def get(app: Any, path: str, params: Any = None) -> dict[str, Any]:
    return app.resolve(event(path, params), None)


def about(slug: str) -> list[str]:
    from signals.models.entity_slug import entity_slugs

    ordered = sorted(SIGNALS, key=lambda s: s.published_at, reverse=True)
    return [s.id for s in ordered if slug in entity_slugs(s.entities)]


def test_entity_filter_lists_that_entitys_signals_newest_first(api: Any) -> None:
    response = get(api, "/v1/signals", {"entity": "anthropic", "limit": 50})
    assert response["statusCode"] == 200, response["body"]
    assert [s["id"] for s in body(response)["items"]] == about("anthropic")
    # "Open AI" and "OpenAI" are one entity, whichever spelling the reader sends
    for spelling in ("OpenAI", "open ai", "openai"):
        items = body(get(api, "/v1/signals", {"entity": spelling, "limit": 50}))["items"]
        assert [s["id"] for s in items] == about("openai")


def test_repeated_entities_are_any_of_them_and_combine_with_other_filters(api: Any) -> None:
    items = body(get(api, "/v1/signals", [("entity", "anthropic"), ("entity", "eu-ai-act"), ("limit", 50)]))
    assert {s["id"] for s in items["items"]} == set(about("anthropic")) | set(about("eu-ai-act"))
    items = body(get(api, "/v1/signals", {"entity": "anthropic", "min_score": 7, "tag": "safety"}))["items"]
    expected = [
        i for i in about("anthropic") if (s := api.index.signals[i]).score >= 7 and "safety" in s.tags
    ]
    assert [s["id"] for s in items] == expected


def test_entity_reads_only_its_postings(api: Any) -> None:
    api.index.reads = api.index.calls = 0
    items = body(get(api, "/v1/signals", {"entity": "eu-ai-act", "limit": 50}))["items"]
    assert len(items) == len(about("eu-ai-act")) == 4
    assert api.index.reads == len(items)  # no signal read that is not returned


def test_an_entity_with_no_letter_is_a_clear_400(api: Any) -> None:
    response = get(api, "/v1/signals", {"entity": "--"})
    assert response["statusCode"] == 400
    problem = body(response)
    assert problem["code"] == "invalid_parameter" and "entity" in problem["detail"]


def test_feeds_carry_the_entity_filter(api: Any) -> None:
    response = get(api, "/v1/feed.json", {"entity": "Anthropic"})
    assert response["statusCode"] == 200
    feed = body(response)
    assert [i["id"].rsplit("/", 1)[-1] for i in feed["items"]] == about("anthropic")[: len(feed["items"])]
    assert "about anthropic" in feed["title"]
    rss = get(api, "/v1/feed.rss", {"entity": "eu-ai-act"})["body"]
    assert rss.count("<item>") == 4


def test_entity_list_counts(api: Any) -> None:
    items = body(get(api, "/v1/entities"))["items"]
    counts = {i["slug"]: i["count"] for i in items}
    assert counts == {"anthropic": 8, "openai": 8, "claude": 4, "eu-ai-act": 4}
    assert items[0]["name"] in {"Anthropic", "OpenAI"}


def test_entity_page_lists_the_thread_with_its_feeds(api: Any) -> None:
    response = get(api, "/entities/anthropic", {"limit": 3})
    assert response["statusCode"] == 200
    page = response["body"]
    assert re.findall(r'<h2><a href="/signals/(\w+)">', page) == about("anthropic")[:3]
    assert "<h1>Anthropic</h1>" in page
    assert 'type="application/rss+xml"' in page and "/v1/feed.rss?entity=anthropic" in page
    assert 'href="/entities/openai"' in page or 'href="/entities/claude"' in page
    next_url = html.unescape(re.search(r'href="(\?[^"]*)" rel="next"', page).group(1))
    following = get(api, "/entities/anthropic", dict(re.findall(r"(\w+)=([^&]+)", next_url)))["body"]
    assert re.findall(r'<h2><a href="/signals/(\w+)">', following) == about("anthropic")[3:6]


def test_entity_page_names_redirect_to_the_slug(api: Any) -> None:
    response = get(api, "/entities/Open AI")
    assert response["statusCode"] == 308
    assert response["headers"]["Location"] == "/entities/openai"


def test_unknown_entity_is_a_404_page_and_a_vocabulary_entity_an_empty_thread(api: Any) -> None:
    response = get(api, "/entities/no-such-thing")
    assert response["statusCode"] == 404
    assert "text/html" in response["headers"]["Content-Type"] and "no-such-thing" in response["body"]
    response = get(api, "/entities/cohere")  # in the vocabulary, not in any signal yet
    assert response["statusCode"] == 200
    assert "No signal about Cohere yet" in response["body"]
    assert "/v1/feed.rss?entity=cohere" in response["body"]


def test_tag_page(api: Any) -> None:
    page = get(api, "/tags/safety", {"limit": 50})["body"]
    expected = [
        s.id for s in sorted(SIGNALS, key=lambda s: s.published_at, reverse=True) if "safety" in s.tags
    ]
    assert re.findall(r'<h2><a href="/signals/(\w+)">', page) == expected
    assert "/v1/feed.atom?tag=safety" in page
    assert get(api, "/tags/nothing-here")["statusCode"] == 404


def test_cards_and_signal_page_link_tags_and_entities_to_their_pages(api: Any) -> None:
    front = get(api, "/", {"show": "all", "sort": "time", "limit": 50})["body"]
    assert 'href="/tags/safety"' in front and 'href="/entities/anthropic"' in front
    from signals.rendering.pages import signal_page as render_signal_page

    signal_page = render_signal_page(SIGNALS[0])
    assert 'href="/tags/chips"' in signal_page and 'href="/entities/claude"' in signal_page


def test_front_page_takes_entity(api: Any) -> None:
    page = get(api, "/", {"entity": "eu-ai-act", "show": "all", "sort": "time"})["body"]
    assert re.findall(r'<h2><a href="/signals/(\w+)">', page) == about("eu-ai-act")
    assert "/v1/feed.rss?entity=eu-ai-act" in html.unescape(page)


def test_opml_lists_the_category_tag_and_entity_feeds(api: Any) -> None:
    response = get(api, "/v1/opml")
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"].startswith("text/x-opml")
    root = ET.fromstring(response["body"].encode())
    assert root.tag == "opml" and root.get("version") == "2.0"
    groups = {o.get("text"): o for o in root.find("body")}
    urls = {g: [o.get("xmlUrl") for o in outline] for g, outline in groups.items()}
    assert len(urls["Categories"]) == len(Category)
    base = "https://api.signals.example/v1/feed.rss"
    assert urls["Tags"] == [f"{base}?tag=chips", f"{base}?tag=safety"]
    assert urls["Entities"][:2] == [f"{base}?entity=anthropic", f"{base}?entity=openai"]
    assert all(o.get("type") == "rss" and o.get("htmlUrl") for g in groups.values() for o in g)


def test_opml_is_bounded(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from signals.config import get_settings

    monkeypatch.setattr(get_settings(), "opml_entities_max", 1)
    monkeypatch.setattr(get_settings(), "opml_tags_max", 1)
    from signals.api import follow_routes

    monkeypatch.setattr(follow_routes, "_settings", get_settings())
    root = ET.fromstring(get(api, "/v1/opml")["body"].encode())
    groups = {o.get("text"): len(o) for o in root.find("body")}
    assert groups["Tags"] == 1 and groups["Entities"] == 1
