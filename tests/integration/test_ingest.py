"""Ingest end to end against moto and a loopback feed server: what is stored, sent and counted."""

from __future__ import annotations

import importlib.util
import json
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from signals.config import reset_settings
from signals.feeds.ingest import run_ingest
from signals.feeds.sources import Source
from signals.storage.archive import read_item
from signals.storage.aws import client
from signals.storage.source_records import load_states

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 2, 17, 0, tzinfo=UTC)


def etag_of(body: bytes) -> str:
    return f'W/"{zlib.crc32(body):08x}"'


LAST_MODIFIED = "Tue, 02 Jun 2026 16:00:00 GMT"


def rss(entries: list[tuple[str, str, str]]) -> bytes:
    items = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://example.com/{guid}?utm_source=rss</link>"
        f"<description>{body}</description><pubDate>Tue, 02 Jun 2026 12:00:00 GMT</pubDate></item>"
        for guid, title, body in entries
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()
    )


class FeedServer:
    """Serves per-path documents with validators; records request headers; can stall or fail."""

    def __init__(self) -> None:
        self.docs: dict[str, bytes] = {}
        self.status: dict[str, tuple[int, dict[str, str]]] = {}
        self.stall: set[str] = set()
        self.requests: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.requests.append((self.path, dict(self.headers.items())))
                if self.path in outer.stall:
                    time.sleep(3)
                    return
                if self.path in outer.status:
                    code, headers = outer.status[self.path]
                    self.send_response(code)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = outer.docs.get(self.path, b"")
                if self.headers.get("If-None-Match") == etag_of(body):
                    self.send_response(304)
                    self.send_header("ETag", etag_of(body))
                    self.end_headers()
                    return
                self.send_response(200 if self.path in outer.docs else 404)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag_of(body))
                self.send_header("Last-Modified", LAST_MODIFIED)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def source(self, sid: str, path: str) -> Source:
        return Source(id=sid, name=sid.title(), url=f"http://127.0.0.1:{self.server.server_address[1]}{path}")


@pytest.fixture
def feeds(aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    monkeypatch.setenv("SIGNALS_FETCH_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("SIGNALS_FETCH_TOTAL_DEADLINE_S", "1.0")
    monkeypatch.setenv("SIGNALS_FETCH_READ_TIMEOUT_S", "0.5")
    reset_settings()
    server = FeedServer()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def calls(aws) -> Counter[str]:
    """Every S3 and SQS operation made through the shared clients, by name."""
    counted: Counter[str] = Counter()

    def count(model, **kwargs):  # type: ignore[no-untyped-def]
        counted[model.name] += 1

    for service in ("s3", "sqs"):
        client(service).meta.events.register(f"before-call.{service}", count)
    return counted


def score_messages(aws) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(m["Body"]) for m in aws.drain("ScoreQueue")]


def test_new_items_are_archived_and_enqueued_once_then_304_costs_nothing(aws, feeds, calls) -> None:
    # Given a feed with 23 entries
    doc = rss([(f"g{n}", f"Title {n}", f"<p>Body <b>{n}</b> &amp; more</p>") for n in range(23)])
    feeds.docs["/a.xml"] = doc
    source = feeds.source("alpha", "/a.xml")

    # When ingest runs
    report = run_ingest([source], now=NOW)

    # Then one raw write, 23 item writes, ceil(23/10)=3 batches, 23 "new" messages
    assert (report.fetched, report.items_new, report.failed) == (1, 23, 0)
    assert calls["PutObject"] == 1 + 23
    assert calls["SendMessageBatch"] == 3
    messages = score_messages(aws)
    assert len(messages) == 23 and {m["reason"] for m in messages} == {"new"}
    item = read_item(messages[0]["item_key"])
    assert (
        item.source_id == "alpha" and item.url.startswith("https://example.com/g") and "utm_" not in item.url
    )
    assert "<" not in item.summary and "&amp;" not in item.summary
    state = load_states(["alpha"])["alpha"]
    assert (state.etag, state.last_modified, state.items_seen) == (etag_of(doc), LAST_MODIFIED, 23)

    # When it runs again once the source is due, the stored validators go back byte-for-byte
    calls.clear()
    report = run_ingest([source], now=NOW + timedelta(hours=2))
    _path, headers = feeds.requests[-1]
    assert (headers["If-None-Match"], headers["If-Modified-Since"]) == (etag_of(doc), LAST_MODIFIED)
    assert headers["User-Agent"].startswith("Signals/") and "(+http" in headers["User-Agent"]
    # Then the 304 makes no S3 or SQS call at all
    assert (report.not_modified, report.items_new) == (1, 0)
    assert sum(calls.values()) == 0
    assert score_messages(aws) == []


def test_not_due_sources_are_not_fetched(aws, feeds) -> None:
    feeds.docs["/a.xml"] = rss([("g1", "One", "x")])
    source = feeds.source("alpha", "/a.xml")
    run_ingest([source], now=NOW)
    report = run_ingest([source], now=NOW + timedelta(minutes=5))
    assert (report.skipped_not_due, report.fetched, len(feeds.requests)) == (1, 0, 1)


def test_edited_entry_is_enqueued_as_update_and_unchanged_ones_are_not(aws, feeds, calls) -> None:
    source = feeds.source("alpha", "/b.xml")
    feeds.docs["/b.xml"] = rss([("g1", "One", "first"), ("g2", "Two", "second")])
    run_ingest([source], now=NOW)
    score_messages(aws)
    calls.clear()
    # Given the publisher edits g2 and adds g3 (new bytes, new ETag)
    feeds.docs["/b.xml"] = rss(
        [("g1", "One", "first"), ("g2", "Two", "second, corrected"), ("g3", "Three", "x")]
    )
    report = run_ingest([source], now=NOW + timedelta(hours=2))
    assert (report.items_new, report.items_updated) == (1, 1)
    assert calls["PutObject"] == 1 + 2 and calls["SendMessageBatch"] == 1
    assert sorted(m["reason"] for m in score_messages(aws)) == ["new", "update"]


def test_failures_back_off_and_honour_retry_after(aws, feeds) -> None:
    feeds.status["/down"] = (500, {})
    feeds.status["/busy"] = (503, {"Retry-After": "7200"})
    feeds.status["/slow"] = (429, {"Retry-After": "Tue, 02 Jun 2026 20:00:00 GMT"})
    down, busy, slow = (
        feeds.source("down", "/down"),
        feeds.source("busy", "/busy"),
        feeds.source("slow", "/slow"),
    )
    report = run_ingest([down, busy, slow], now=NOW)
    assert report.failed == 3 and any("http_500" in e for e in report.errors)
    states = load_states(["down", "busy", "slow"])
    assert states["down"].consecutive_failures == 1 and states["down"].last_error == "http_500"
    assert states["down"].next_fetch_at >= NOW + timedelta(minutes=15)
    assert states["busy"].next_fetch_at >= NOW + timedelta(seconds=7200)
    assert states["slow"].next_fetch_at >= datetime(2026, 6, 2, 20, 0, tzinfo=UTC)


def test_a_stalled_feed_does_not_hold_up_the_others(aws, feeds) -> None:
    feeds.stall.add("/tarpit")
    feeds.docs["/ok.xml"] = rss([("g1", "One", "x")])
    report = run_ingest([feeds.source("tarpit", "/tarpit"), feeds.source("ok", "/ok.xml")], now=NOW)
    assert (report.fetched, report.failed, report.items_new) == (1, 1, 1)
    assert "timeout" in report.errors[0]


def test_a_run_short_of_time_starts_nothing_and_those_sources_go_first_next_time(aws, feeds) -> None:
    feeds.docs["/a.xml"] = rss([("g1", "One", "x")])
    feeds.docs["/b.xml"] = rss([("g2", "Two", "x")])
    fresh, waiting = feeds.source("fresh", "/a.xml"), feeds.source("waiting", "/b.xml")
    report = run_ingest([fresh, waiting], now=NOW, remaining_ms=lambda: 1000)
    assert (report.not_reached, report.fetched, feeds.requests) == (2, 0, [])
    report = run_ingest([fresh, waiting], now=NOW)
    assert report.fetched == 2


def test_bozo_feed_keeps_parsed_entries_and_records_the_warning(aws, feeds) -> None:
    feeds.docs["/bozo.xml"] = rss([("g1", "One", "x"), ("g2", "Two &nbsp; y", "z")])  # undefined entity
    report = run_ingest([feeds.source("bozo", "/bozo.xml")], now=NOW)
    assert report.items_new == 2
    assert load_states(["bozo"])["bozo"].last_warning


def test_handler_returns_the_report_and_replay_reenqueues(aws, feeds, tmp_path, monkeypatch) -> None:
    feeds.docs["/h.xml"] = rss([("g1", "One", "x"), ("g2", "Two", "y")])
    source = feeds.source("handled", "/h.xml")
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text(json.dumps({"sources": [source.model_dump()]}))
    monkeypatch.setenv("SIGNALS_SOURCES_FILE", str(sources_file))
    reset_settings()
    spec = importlib.util.spec_from_file_location("ingest_app", ROOT / "functions/ingest/app.py")
    assert spec and spec.loader
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    if (ROOT / "functions/ingest/sources.yaml").exists():
        monkeypatch.setattr(app, "_BUNDLED_SOURCES", sources_file)
    context = SimpleNamespace(
        function_name="ingest",
        memory_limit_in_mb=512,
        invoked_function_arn="arn:aws:lambda:us-east-1:1:function:x",
        aws_request_id="req-1",
        get_remaining_time_in_millis=lambda: 300_000,
    )
    event = json.loads((ROOT / "events/schedule.json").read_text())
    result = app.handler(event, context)
    assert (result["fetched"], result["items_new"]) == (1, 2)
    assert len(score_messages(aws)) == 2

    from signals.cli import main

    assert main(["replay", "--since", "2000-01-01", "--source", "handled"]) == 0
    replayed = score_messages(aws)
    assert len(replayed) == 2 and {m["reason"] for m in replayed} == {"replay"}
    assert {read_item(m["item_key"]).title for m in replayed} == {"One", "Two"}
