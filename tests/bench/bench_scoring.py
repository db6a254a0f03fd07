"""Benchmark (not collected by pytest): enrichment items/s on one core (CPU time, so a busy
machine does not skew it) vs feedparser's parse rate
of the same feed, and AWS calls per scored item through the scorer handler on moto.

Run: .venv/bin/python tests/bench/bench_scoring.py [FEED_FILE]
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FEED = ROOT / "demo" / "feeds" / "labs" / "anthropic-news__olshansk__2026-08-22.xml"


def items_of(path: Path):
    from signals.cli.score import items_from

    return items_from(str(path), now=datetime(2026, 8, 22, tzinfo=UTC))


def bench_enrichment(path: Path, seconds: float = 2.0) -> tuple[float, float, int]:
    import feedparser
    from signals.scoring.analyst import RuleAnalyst

    data = path.read_bytes()
    items = items_of(path)
    analyst = RuleAnalyst()
    analyst.enrich(items[0])  # rubric compiled outside the timing
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for item in items:
            analyst.enrich(item)
        done += len(items)
    enrich_rate = done / (time.process_time() - start)
    parsed, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        parsed += len(feedparser.parse(io.BytesIO(data)).entries)
    parse_rate = parsed / (time.process_time() - start)
    return enrich_rate, parse_rate, len(items)


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


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FEED
    enrich_rate, parse_rate, n = bench_enrichment(path)
    print(f"feed: {path.name} ({n} items)")
    print(f"enrichment (RuleAnalyst.enrich, one core): {enrich_rate:,.0f} items/s")
    print(f"feedparser.parse of the same feed:         {parse_rate:,.0f} items/s")
    per_item, calls = bench_aws_calls()
    print(f"AWS calls per scored item (batches of 10): {per_item:.2f}  {dict(calls)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
