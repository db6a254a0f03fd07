"""Ingest end to end against moto and a loopback feed server: what is stored, sent and counted."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from signals.config import reset_settings
from signals.feeds.ingest import run_ingest
from signals.storage.archive import read_item
from signals.storage.aws import client
from signals.storage.source_records import load_states

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 2, 17, 0, tzinfo=UTC)
sys.path.insert(0, str(ROOT / "tests" / "unit" / "feeds"))
from feed_server import LAST_MODIFIED, FeedServer, etag_of, rss  # noqa: E402


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
    if (ROOT / "functions/ingest/sources.json").exists():
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
