"""AWS calls per item over the whole path an item takes, on bundled demo feeds (issue 14: "AWS
calls per scored item stay <= 3"), counted call by call on the clients the code uses:

* the scheduled ingest: one archive write per item; sends, seen records and source records batched;
* scoring as the event source mapping plays it: receive and delete per batch, then the scorer's
  read, story transaction, batch reads, event send, outbox clear and counters.

``test_scorer.py`` pins the scorer's share on a hand-made batch; this counts the real path."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import yaml

FEED_IDS = ["anthropic-news-recent", "aisi-blog", "stanford-hai", "allenai"]


@pytest.fixture
def demo_feeds(aws, monkeypatch: pytest.MonkeyPatch):
    from signals.config import reset_settings
    from signals.feeds.sources import Source
    from signals.local.feed_server import FeedServer
    from signals.local.runner import CORPUS_FILE, DEMO_DIR

    monkeypatch.setenv("SIGNALS_FETCH_ALLOW_LOOPBACK", "true")
    reset_settings()
    server = FeedServer(DEMO_DIR / "feeds").start()
    entries = [e for e in yaml.safe_load(CORPUS_FILE.read_text())["sources"] if e["id"] in FEED_IDS]
    try:
        yield [
            Source(id=e["id"], name=e["name"], url=f"{server.url}/{e['path']}", poll_interval_s=900)
            for e in entries
        ]
    finally:
        server.stop()


def test_aws_calls_per_item_from_feed_to_signal(aws, demo_feeds):
    from signals.feeds.ingest import run_ingest
    from signals.local.functions import load_handler
    from signals.local.sqs_source import SqsEventSource
    from signals.storage.aws import client

    calls: dict[str, Counter[str]] = {"ingest": Counter(), "scoring": Counter()}
    stage = "ingest"

    def count(event_name: str, **_: Any) -> None:
        calls[stage][event_name.split(".")[-1]] += 1

    sqs = client("sqs")
    source = SqsEventSource(sqs, aws.queue_urls["ScoreQueue"], load_handler("scorer"), function="scorer")
    for service in ("s3", "dynamodb", "sqs"):
        client(service).meta.events.register("before-call", count)

    # When four bundled feeds are ingested and their score queue drained as the event source does
    report = run_ingest(demo_feeds)
    stage = "scoring"
    scored = 0
    while outcome := source.poll_once():
        if not outcome.received:
            break
        assert outcome.failed == 0
        scored += outcome.received

    # Then every new item was scored; ingest costs about one call per item (its archive write) and
    # scoring at most three per scored item, everything included
    assert report.items_new > 30 and scored == report.items_new
    per_item = {name: sum(counted.values()) / scored for name, counted in calls.items()}
    print(f"AWS calls per item: {per_item} {calls}")
    assert calls["ingest"]["PutObject"] == report.items_new + report.fetched  # items + raw feeds
    assert per_item["ingest"] <= 1.35, calls["ingest"]  # + per feed: raw, seen, state, counters
    assert per_item["scoring"] <= 3, calls["scoring"]
