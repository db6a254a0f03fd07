"""Issue 12 finding 5: only http(s) links survive normalisation (hostile schemes never leave us).

An entry whose link is hostile keeps its item (nothing is lost): it is treated as an entry with no
link, so the item links to its http(s) guid when it has one, else to the feed itself.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from signals.feeds.normalize import normalize_entry
from signals.feeds.parser import ParsedEntry
from signals.feeds.sources import Source
from signals.feeds.urls import canonical_url
from signals.models.links import safe_url

NOW = datetime(2026, 6, 2, 17, 0, tzinfo=UTC)
SOURCE = Source(id="lab", name="Lab", url="https://lab.example.com/feed.xml", authority=1.0)

HOSTILE = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://files.example.com/a",
    "mailto:a@example.com",
    "//evil.example/relative-scheme",  # fine once resolved against the feed (https), checked below
    "https:alert(1)",
    "http://",
]


@pytest.mark.parametrize("link", HOSTILE)
def test_canonical_url_keeps_only_http_links(link: str) -> None:
    out = canonical_url(link)
    assert out == "" or (out.startswith(("http://", "https://")) and safe_url(out) == out)
    resolved = canonical_url(link, SOURCE.url)
    assert resolved == "" or safe_url(resolved) == resolved


@pytest.mark.parametrize("link", HOSTILE)
def test_an_entry_with_a_hostile_link_keeps_its_item_with_a_safe_url(link: str) -> None:
    entry = ParsedEntry(guid="urn:1", link=link, title="Hostile", summary="x")
    item = normalize_entry(entry, source=SOURCE, base_url=SOURCE.url, fetched_at=NOW)
    assert safe_url(item.url) == item.url
    assert not item.url.lower().startswith(("javascript", "data", "vbscript", "file", "ftp", "mailto"))


def test_a_hostile_link_falls_back_to_the_http_guid_then_the_feed() -> None:
    with_guid = ParsedEntry(guid="https://lab.example.com/p/1", link="javascript:alert(1)", title="t")
    item = normalize_entry(with_guid, source=SOURCE, base_url=SOURCE.url, fetched_at=NOW)
    assert item.url == "https://lab.example.com/p/1"
    no_guid = ParsedEntry(guid="urn:1", link="data:text/html,x", title="t")
    assert normalize_entry(no_guid, source=SOURCE, base_url=SOURCE.url, fetched_at=NOW).url == SOURCE.url
    hostile_guid = ParsedEntry(guid="javascript:alert(1)", link=None, title="t")
    assert normalize_entry(hostile_guid, source=SOURCE, base_url=SOURCE.url, fetched_at=NOW).url == SOURCE.url


def test_http_links_are_unchanged() -> None:
    assert safe_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
    assert canonical_url("HTTPS://Example.com/a") == "https://example.com/a"
