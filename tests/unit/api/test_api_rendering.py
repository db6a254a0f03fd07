"""Display text, feed documents and pages, without AWS."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import feedparser
from fabricate import make_signal
from signals.models import Category
from signals.rendering import pages, syndication
from signals.rendering.display import category_label, display_score, display_time

BASE = "https://signals.example"


def test_display_helpers() -> None:
    assert display_time(datetime(2026, 6, 2, 17, 1, tzinfo=UTC)) == "2 Jun 2026, 17:01 UTC"
    assert display_score(8) == "8/10"
    assert category_label(Category.SAFETY_POLICY) == "Safety & Policy" == category_label("safety-policy")


def test_feeds_escape_markup_and_use_absolute_links() -> None:
    signals = [make_signal(0, title='Less < more & "quotes" ]]>'), make_signal(1)]
    now = datetime(2026, 6, 3, tzinfo=UTC)
    for document in (
        syndication.rss(signals, base_url=BASE, self_url=f"{BASE}/v1/feed.rss", now=now),
        syndication.atom(signals, base_url=BASE, self_url=f"{BASE}/v1/feed.atom", now=now),
    ):
        parsed = feedparser.parse(document.encode())
        assert parsed.bozo == 0
        assert parsed.entries[0].title == 'Less < more & "quotes" ]]>'
        assert parsed.entries[0].link == "https://news.example/0"  # the publisher; our page is the permalink
    data = json.loads(syndication.json_feed(signals, base_url=BASE, self_url=f"{BASE}/v1/feed.json"))
    assert data["items"][0]["title"] == 'Less < more & "quotes" ]]>'


def test_signal_page_layout() -> None:
    signal = make_signal(
        2,
        score=8,
        category=Category.SAFETY_POLICY,
        published=datetime(2026, 6, 2, 17, 1, tzinfo=UTC),
        tags=["policy", "regulation", "frontier-models", "compliance"],
    )
    html = pages.signal_page(signal)
    assert '8/10</span> · <span class="category">Safety &amp; Policy</span> · ' in html
    assert "2 Jun 2026, 17:01 UTC" in html
    for text in (
        "Technical Impact",
        "Why It Matters",
        "What to Watch Next",
        "compliance",
        "Source 2",
        "Wire",
    ):
        assert text in html
    assert "<script" not in html and "style=" not in html


def test_feed_page_cards_and_filter_links() -> None:
    from signals.rendering.feed_view import FeedView

    view = FeedView(sort="time", categories=(Category.SECURITY,), min_score=7)
    html = pages.feed_page([make_signal(3)], view=view, next_url="/?cursor=x")
    assert 'href="/signals/sig00003"' in html and ">Source 3</a>, <a" in html and ">Wire</a>" in html
    assert 'href="/?sort=time&amp;category=security&amp;min_score=9"' in html and 'rel="next"' in html


def test_date_only_items_read_as_a_date() -> None:
    from signals.rendering.display import display_published

    dated = make_signal(1, published=datetime(2026, 6, 2, tzinfo=UTC), published_date_only=True)
    assert display_published(dated) == "2 Jun 2026"
    midnight = make_signal(1, published=datetime(2026, 6, 2, tzinfo=UTC))
    assert display_published(midnight) == "2 Jun 2026, 00:00 UTC"  # a real time of day, shown
