"""Benchmark (not collected by pytest): enrichment items/s on one core (CPU time, so a busy
machine does not skew it) vs feedparser's parse rate over the same feed bytes, and AWS calls per
scored item through the scorer handler on moto.

The corpus is every feed under ``demo/feeds`` (or the files given), parsed and normalised as the
ingest does. feedparser reads XML only, so the comparison with it is over the XML feeds' bytes
and items; the all-feeds enrichment rate includes the JSON feeds too.

Run: .venv/bin/python tests/bench/bench_scoring.py [--per-feed] [FEED_FILE...]
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_FEEDS = ROOT / "demo" / "feeds"
DEFAULT_FEED = DEMO_FEEDS / "labs" / "anthropic-news__olshansk__2026-08-22.xml"
TARGET_RATE = 2000.0  # issue 4: items/s on one core, and faster than feedparser


@dataclass
class Feed:
    path: Path
    data: bytes
    items: list  # list[Item]
    xml: bool  # feedparser can read it (JSON Feed is parsed by our own code)


def items_of(path: Path):
    from signals.cli.score import items_from

    return items_from(str(path), now=datetime(2026, 8, 22, tzinfo=UTC))


def demo_feed_paths() -> list[Path]:
    """Every feed document under demo/feeds (not the notes or the dedupe hints)."""
    return sorted(
        p
        for p in DEMO_FEEDS.rglob("*")
        if p.is_file() and p.suffix != ".md" and p.name != "dedupe-hints.json"
    )


def load_feeds(paths: list[Path]) -> list[Feed]:
    from signals.cli.usage import UsageError
    from signals.feeds.parser import _looks_like_json

    feeds = []
    for path in paths:
        data = path.read_bytes()
        try:
            items = items_of(path)
        except UsageError as error:  # e.g. the arXiv cache, a JSON dump that is not a JSON Feed
            print(f"skipped (not a feed): {path.relative_to(ROOT)}: {error}", file=sys.stderr)
            continue
        feeds.append(Feed(path, data, items, xml=not _looks_like_json(data)))
    return [f for f in feeds if f.items]


def enrich_rate(items: list, seconds: float, analyst_name: str = "judge") -> float:
    """Items/s of ``enrich`` over ``items`` by the learned judge (the scorer's default) or the rules
    alone (CPU time, whole passes, at least one)."""
    from signals.scoring.enrichers import build_analyst

    analyst = build_analyst(enricher=analyst_name)
    analyst.enrich(items[0])  # rubric compiled and model loaded outside the timing
    done, start = 0, time.process_time()
    while True:
        for item in items:
            analyst.enrich(item)
        done += len(items)
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            return done / elapsed


def feedparser_rate(documents: list[bytes], seconds: float) -> float:
    """Entries/s of feedparser.parse over ``documents`` (CPU time, whole passes, at least one)."""
    import feedparser

    parsed, start = 0, time.process_time()
    while True:
        for data in documents:
            parsed += len(feedparser.parse(io.BytesIO(data)).entries)
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            return parsed / elapsed


def bench_enrichment(feeds: list[Feed], seconds: float = 3.0) -> dict[str, float]:
    xml = [f for f in feeds if f.xml]
    all_items = [item for f in feeds for item in f.items]
    xml_items = [item for f in xml for item in f.items]
    return {
        "feeds": len(feeds),
        "items": len(all_items),
        "xml_items": len(xml_items),
        "xml_bytes": sum(len(f.data) for f in xml),
        "enrich_all": enrich_rate(all_items, seconds),
        "enrich_xml": enrich_rate(xml_items, seconds),
        "rules_all": enrich_rate(all_items, seconds, "rules"),
        "feedparser_xml": feedparser_rate([f.data for f in xml], seconds),
    }


def bench_aws_calls(batches: int = 5, batch_size: int = 10) -> tuple[float, Counter[str]]:
    import importlib.util

    import boto3
    from moto import mock_aws

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "SignalsBench",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }.items():
        os.environ[key] = value
    from signals.config import reset_settings
    from signals.local.lambda_context import LambdaContext
    from signals.local.template import create_resources
    from signals.models import ScoreRequest
    from signals.storage.archive import write_item
    from signals.storage.aws import client, reset_clients

    with mock_aws():
        clients = {n: boto3.client(n, region_name="us-east-1") for n in ("dynamodb", "s3", "sqs")}
        resources = create_resources(**clients, visibility_override=1)
        os.environ.update(resources.environment())
        reset_settings()
        reset_clients()
        spec = importlib.util.spec_from_file_location("scorer_app", ROOT / "functions/scorer/app.py")
        app = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(app)
        items = items_of(DEFAULT_FEED)[: batches * batch_size]
        bodies = []
        for item in items:
            key, _ = write_item(item)
            bodies.append(
                ScoreRequest(
                    item_key=key,
                    item_id=item.id,
                    source_id=item.source_id,
                    enqueued_at=item.fetched_at + timedelta(seconds=1),
                ).model_dump_json()
            )
        calls: Counter[str] = Counter()
        for service in ("s3", "dynamodb", "sqs"):
            client(service).meta.events.register(
                "before-call", lambda event_name, **_: calls.update([event_name.split(".")[-1]])
            )
        for start in range(0, len(bodies), batch_size):
            records = [
                {
                    "messageId": hashlib.md5(b.encode()).hexdigest(),
                    "receiptHandle": "r",
                    "body": b,
                    "attributes": {},
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:1:q",
                    "awsRegion": "us-east-1",
                    "md5OfBody": "",
                }
                for b in bodies[start : start + batch_size]
            ]
            app.handler({"Records": records}, LambdaContext("scorer"))
        return sum(calls.values()) / len(items), calls


def main(argv: list[str]) -> int:
    per_feed = "--per-feed" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or demo_feed_paths()
    feeds = load_feeds(paths)
    r = bench_enrichment(feeds)
    ratio = r["enrich_xml"] / r["feedparser_xml"]
    print(
        f"corpus: {r['feeds']} feeds, {r['items']} items "
        f"({r['xml_items']} in XML feeds, {r['xml_bytes']:,} bytes)"
    )
    print(f"enrichment (JudgeAnalyst.enrich, one core), all feeds: {r['enrich_all']:,.0f} items/s")
    print(f"enrichment, XML feeds:                                  {r['enrich_xml']:,.0f} items/s")
    print(f"the rules alone (RuleAnalyst.enrich), all feeds:        {r['rules_all']:,.0f} items/s")
    print(f"feedparser.parse, same XML bytes:                      {r['feedparser_xml']:,.0f} items/s")
    met = min(r["enrich_all"], r["enrich_xml"]) >= TARGET_RATE and ratio > 1.0
    print(
        f"ratio enrichment / feedparser: {ratio:.2f}x  "
        f"(target: >= {TARGET_RATE:,.0f}/s and > 1x: {'met' if met else 'NOT met'})"
    )
    if per_feed:
        print("per feed (items, avg summary chars, enrich items/s, feedparser items/s):")
        for f in feeds:
            avg = sum(len(i.summary) for i in f.items) / len(f.items)
            fp = f"{feedparser_rate([f.data], 0.3):8,.0f}" if f.xml else "       -"
            print(
                f"  {len(f.items):4d} {avg:5.0f} {enrich_rate(f.items, 0.3):8,.0f} {fp}  "
                f"{f.path.relative_to(ROOT)}"
            )
    per_item, calls = bench_aws_calls()
    print(f"AWS calls per scored item (batches of 10): {per_item:.2f}  {dict(calls)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
