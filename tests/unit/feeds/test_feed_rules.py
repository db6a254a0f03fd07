"""Sources validation, canonical URLs, normalisation, and the politeness rules of the fetcher."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from signals.config import Settings
from signals.feeds.fetcher import backoff_seconds, conditional_headers, parse_retry_after, user_agent
from signals.feeds.normalize import normalize_entry, plain_text
from signals.feeds.parser import ParsedEntry
from signals.feeds.sources import Source, SourcesError, load_sources, parse_sources
from signals.feeds.urls import canonical_url
from signals.models.source import SourceState

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 6, 2, 17, 0, tzinfo=UTC)
SOURCE = Source(
    id="lab", name="Lab", url="https://Lab.example.com:443/feed.xml?utm_medium=rss", authority=1.5
)


def test_shipped_sources_file_is_valid_and_broad() -> None:
    sources = load_sources(ROOT / "sources.yaml")
    assert len(sources) >= 25
    assert {"lab", "research", "policy", "security", "aggregator", "news"} <= {s.kind for s in sources}


def test_bundled_sources_json_is_sources_yaml() -> None:
    # the ingest function bundles sources.json (functions/ingest/sources.json links to it)
    from signals.feeds.sources import sources_json

    committed = (ROOT / "sources.json").read_text(encoding="utf-8")
    assert committed == sources_json(ROOT / "sources.yaml"), "sources.yaml changed: run make sources"
    assert load_sources(ROOT / "functions" / "ingest" / "sources.json") == load_sources(ROOT / "sources.yaml")


def test_reading_the_bundled_json_does_not_import_pyyaml() -> None:
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, sys\nfrom signals.feeds.sources import load_sources\n"
        f"n = len(load_sources({str(ROOT / 'functions/ingest/sources.json')!r}))\n"
        "print(json.dumps([n, 'yaml' in sys.modules]))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert json.loads(out.stdout) == [len(load_sources(ROOT / "sources.yaml")), False]


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("s.json", '{"sources": [', ["s.json", "cannot read"]),
        ("s.yaml", "sources: [", ["s.yaml", "cannot read"]),
        ("s.json", '{"sources": [{"id": "x", "name": "A", "url": "ftp://a"}]}', ["s.json", "'x'", "url"]),
    ],
)
def test_an_unreadable_sources_file_names_the_file(
    tmp_path: Path, name: str, text: str, words: list[str]
) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(SourcesError) as err:
        load_sources(tmp_path / name)
    assert all(word in str(err.value) for word in words)


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"id": "ok-1", "name": "A", "url": "https://a", "authority": 3}, ["entry 1", "'ok-1'", "authority"]),
        ({"id": "Bad Id", "name": "A", "url": "https://a"}, ["entry 1", "id"]),
        ({"id": "x", "name": "A", "url": "ftp://a"}, ["'x'", "url"]),
        ({"id": "x", "name": "A", "url": "https://a", "colour": "red"}, ["colour"]),
    ],
)
def test_a_bad_source_names_the_entry_and_the_field(entry: dict, words: list[str]) -> None:
    with pytest.raises(SourcesError) as err:
        parse_sources({"sources": [entry]})
    assert all(word in str(err.value) for word in words)


def test_duplicate_ids_are_rejected() -> None:
    entry = {"id": "x", "name": "A", "url": "https://a"}
    with pytest.raises(SourcesError, match=r"entry 2.*duplicate"):
        parse_sources([entry, entry])


@pytest.mark.parametrize(
    ("raw", "base", "expected"),
    [
        ("HTTPS://Example.COM:443/a?utm_source=x&id=3&fbclid=9#top", None, "https://example.com/a?id=3"),
        ("http://example.com:80", None, "http://example.com/"),
        ("http://example.com:8080/x?gclid=1", None, "http://example.com:8080/x"),
        ("../post/1", "https://blog.example.com/feeds/rss.xml", "https://blog.example.com/post/1"),
        ("  /p?b=2&a=1 ", "https://e.com/f", "https://e.com/p?b=2&a=1"),
    ],
)
def test_canonical_url(raw: str, base: str | None, expected: str) -> None:
    assert canonical_url(raw, base) == expected


def test_plain_text_strips_markup_and_decodes_entities() -> None:
    html = "<p>Hello&nbsp;<b>world</b> &amp; <script>alert(1)</script>friends</p><!-- c -->\n\n<li>x</li>"
    assert plain_text(html) == "Hello world & friends x"
    assert plain_text("a < b &amp; c", "text/plain") == "a < b &amp; c"


def _entry(**fields: object) -> ParsedEntry:
    base = {"guid": "urn:1", "link": "/posts/1?utm_campaign=z", "title": "<b>Big</b>  news", "summary": "x"}
    return ParsedEntry(**{**base, **fields})  # type: ignore[arg-type]


def test_normalised_item() -> None:
    item = normalize_entry(
        _entry(
            summary="<p>" + "word " * 500 + "</p>",
            authors=["Ann", "ann", ""],
            categories=["AI", " Policy "],
            published=datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
        ),
        source=SOURCE,
        base_url="https://lab.example.com/feed.xml",
        fetched_at=NOW,
    )
    assert item.url == "https://lab.example.com/posts/1"
    assert item.title == "Big news" and item.authors == ["Ann"] and item.categories == ["AI", "Policy"]
    assert len(item.summary) <= 1000 and item.summary.endswith("…")
    assert item.published_at == datetime(2026, 6, 1, 9, 0, tzinfo=UTC) and item.published_from_feed
    assert item.authority == 1.5


def test_the_same_entry_gets_the_same_id_and_an_edit_changes_only_the_hash() -> None:
    first = normalize_entry(_entry(), source=SOURCE, base_url=SOURCE.url, fetched_at=NOW)
    again = normalize_entry(_entry(), source=SOURCE, base_url=SOURCE.url, fetched_at=NOW + timedelta(hours=1))
    edited = normalize_entry(_entry(summary="y"), source=SOURCE, base_url=SOURCE.url, fetched_at=NOW)
    no_guid = normalize_entry(_entry(guid=None), source=SOURCE, base_url=SOURCE.url, fetched_at=NOW)
    other = normalize_entry(_entry(guid="urn:2"), source=SOURCE, base_url=SOURCE.url, fetched_at=NOW)
    assert first.id == again.id == edited.id and first.content_hash == again.content_hash
    assert edited.content_hash != first.content_hash
    assert len({first.id, no_guid.id, other.id}) == 3


@pytest.mark.parametrize("published", [None, NOW + timedelta(days=30), datetime(1970, 1, 1, tzinfo=UTC)])
def test_missing_or_implausible_dates_fall_back_to_first_seen(published: datetime | None) -> None:
    item = normalize_entry(_entry(published=published), source=SOURCE, base_url=SOURCE.url, fetched_at=NOW)
    assert (item.published_at, item.published_from_feed) == (NOW, False)


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after("Tue, 02 Jun 2026 18:00:00 GMT", NOW) == 3600
    assert parse_retry_after("Tue, 02 Jun 2026 16:00:00 GMT", NOW) == 0
    assert parse_retry_after("soon", NOW) is None


def test_backoff_grows_then_stays_at_the_ceiling_forever() -> None:
    settings = Settings()
    waits = [backoff_seconds(n, settings) for n in range(1, 40)]
    assert waits[0] == settings.backoff_base_s and waits[1] == 2 * settings.backoff_base_s
    assert waits == sorted(waits) and waits[-1] == settings.backoff_ceiling_s


def test_validators_are_sent_back_exactly() -> None:
    state = SourceState(source_id="x", etag='W/"a b"', last_modified="Tue, 02 Jun 2026 16:00:00 GMT")
    headers = conditional_headers(state, Settings())
    assert (headers["If-None-Match"], headers["If-Modified-Since"]) == (state.etag, state.last_modified)
    assert user_agent(Settings()) == "Signals/0.1.0 (+https://github.com/signals-news/signals)"
