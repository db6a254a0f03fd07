"""A feed that gives a day and no time of day is recorded as such (the pages then show the date alone)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from signals.config import Settings
from signals.feeds.ingest import items_from_feed
from signals.feeds.sources import Source

SOURCE = Source(id="t", name="T", url="https://example.com/feed.xml")
NOW = datetime(2026, 6, 3, 17, 0, tzinfo=UTC)


def rss(date: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://example.com/</link>'
        f"<item><title>A</title><link>https://example.com/a</link><pubDate>{date}</pubDate></item>"
        "</channel></rss>"
    ).encode()


def json_feed(date: str) -> bytes:
    return (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": '
        f'[{{"id": "1", "url": "https://example.com/a", "title": "A", "date_published": "{date}"}}]}}'
    ).encode()


def item(document: bytes):
    items, _warning, _fmt = items_from_feed(
        document, source=SOURCE, base_url=SOURCE.url, fetched_at=NOW, settings=Settings()
    )
    return items[0]


@pytest.mark.parametrize(
    ("document", "date_only"),
    [
        (rss("Mon, 01 Jun 2026 00:00:00 GMT"), True),  # what date-only feeds write (1,634 demo items)
        (rss("Mon, 01 Jun 2026 00:00:00 +0000"), True),
        (rss("Mon, 01 Jun 2026"), True),
        (rss("Mon, 01 Jun 2026 17:01:00 GMT"), False),
        (rss("Mon, 01 Jun 2026 00:30:00 GMT"), False),
        (json_feed("2026-06-01"), True),
        (json_feed("2026-06-01T00:00:00Z"), True),
        (json_feed("2026-06-01T17:01:00Z"), False),
        (rss("not a date"), False),  # no usable date: the fetch time stands, flagged as not from the feed
    ],
)
def test_the_item_records_whether_the_feed_gave_a_time(document: bytes, date_only: bool) -> None:
    assert item(document).published_date_only is date_only
