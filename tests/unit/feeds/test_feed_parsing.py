"""Parsing bytes: every tricky fixture, hostile XML, JSON Feed; feedparser never touches the network."""

from __future__ import annotations

import socket
import time
import tracemalloc
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from signals.config import Settings
from signals.feeds.ingest import items_from_feed
from signals.feeds.parser import parse_feed
from signals.feeds.sources import Source

ROOT = Path(__file__).resolve().parents[3]
TRICKY = sorted(p for p in (ROOT / "tests/data/feeds-tricky").rglob("*") if p.is_file() and p.suffix != ".md")
DEMO = sorted(
    p for p in (ROOT / "demo/feeds").rglob("*") if p.is_file() and p.suffix in (".xml", ".rss", ".atom")
)
SOURCE = Source(id="t", name="T", url="https://example.com/feed.xml")
NOW = datetime(2026, 6, 2, 17, 0, tzinfo=UTC)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsing tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def test_corpus_is_present() -> None:
    assert len(TRICKY) > 250 and len(DEMO) > 30


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("path", TRICKY + DEMO, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_fixture_goes_through_parse_and_normalise(path: Path) -> None:
    items, _warning, _fmt = items_from_feed(
        path.read_bytes(), source=SOURCE, base_url=SOURCE.url, fetched_at=NOW, settings=Settings()
    )
    for item in items:
        assert item.title and item.url and item.published_at.tzinfo is not None


def test_real_feeds_yield_their_entries() -> None:
    feed = parse_feed((ROOT / "demo/feeds/labs/anthropic-news__olshansk__2026-08-22.xml").read_bytes())
    assert (feed.format, len(feed.entries), feed.warning) == ("rss20", 255, None)
    atom = parse_feed((ROOT / "demo/feeds/formats/daringfireball__netnewswire__2017-06.atom").read_bytes())
    assert atom.format == "atom10" and atom.entries[0].authors == ["John Gruber"]


def test_json_feed_is_read_by_our_own_code() -> None:
    feed = parse_feed((ROOT / "demo/feeds/formats/daringfireball__netnewswire__2017-06.json").read_bytes())
    assert feed.format == "json1" and len(feed.entries) == 48
    first = feed.entries[0]
    assert first.link and first.published and first.authors == ["John Gruber"]
    v11 = (
        b'{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[{"id":1,"url":"/a","title":"A",'
        b'"content_text":"hi","date_published":"2026-06-01T10:00:00Z",'
        b'"authors":[{"name":"Ann"}],"tags":["ai"]}, 7]}'
    )
    parsed = parse_feed(v11)
    assert (parsed.format, parsed.entries[0].guid, parsed.entries[0].categories) == ("json11", "1", ["ai"])
    assert parsed.warning  # the non-object item is reported, the good one kept
    assert parse_feed(b'{"not": "a feed"}').entries == []


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<rss version="2.0"><channel><title>t</title>
<item><guid>1</guid><title>boom &g;</title><description>&g;</description></item></channel></rss>"""
ONE_LINE_LAUGHS = BILLION_LAUGHS.replace(b"\n<!ENTITY", b"<!ENTITY")
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "' + b"x" * 20_000 + b'">]><rss version="2.0"><channel>'
    b"<item><guid>1</guid><title>q</title><description>"
    + b"&x;" * 10_000
    + b"</description></item></channel></rss>"
)


def _xxe(system: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{system}">]>'
        '<rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>x &xxe; y</title>'
        "<description>&xxe;</description></item></channel></rss>"
    ).encode()


EXTERNAL_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://169.254.169.254/evil.dtd">'
    b'<rss version="2.0"><channel><title>t</title>'
    b"<item><guid>1</guid><title>ok</title></item></channel></rss>"
)


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    "document",
    [
        BILLION_LAUGHS,
        ONE_LINE_LAUGHS,
        QUADRATIC,
        _xxe("file:///etc/passwd"),
        _xxe("http://169.254.169.254/"),
        EXTERNAL_DTD,
    ],
    ids=["billion-laughs", "one-line-laughs", "quadratic", "xxe-file", "xxe-http", "external-dtd"],
)
def test_hostile_xml_is_harmless(document: bytes) -> None:
    tracemalloc.start()
    started = time.process_time()
    try:
        items, _warning, _ = items_from_feed(
            document, source=SOURCE, base_url=SOURCE.url, fetched_at=NOW, settings=Settings()
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.process_time() - started < 2.0  # R-14's bound, on CPU time
    assert peak < 64 << 20
    passwd = Path("/etc/passwd").read_text(errors="ignore").splitlines()[0]
    for item in items:
        text = item.title + item.summary
        assert passwd not in text and "root:" not in text
        assert len(text) < 5000  # nothing expanded past the caps
