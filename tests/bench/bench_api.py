"""Warm handler time for a 20-item feed page vs a bare boto3 Query of the same items (same moto table).

Run: ``.venv/bin/python tests/bench/bench_api.py`` (``make bench``). Prints both medians and the ratio.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "api"))
os.environ.update(
    AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1", POWERTOOLS_METRICS_NAMESPACE="SignalsBench", POWERTOOLS_LOG_LEVEL="WARNING",
    SIGNALS_CURSOR_SECRET="bench-cursor-key-of-at-least-32-characters",
)  # fmt: skip
os.environ.pop("AWS_ENDPOINT_URL", None)

ROUNDS = 60


def median_ms(action, rounds: int = ROUNDS) -> float:
    for _ in range(5):  # warm up
        action()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    import boto3
    from fabricate import event, make_signal, store
    from moto import mock_aws
    from signals.config import reset_settings
    from signals.local.template import create_resources
    from signals.storage.aws import reset_clients

    with mock_aws():
        dynamodb, s3, sqs = (boto3.client(n, region_name="us-east-1") for n in ("dynamodb", "s3", "sqs"))
        resources = create_resources(dynamodb=dynamodb, s3=s3, sqs=sqs, visibility_override=1)
        os.environ.update(resources.environment())
        reset_settings()
        reset_clients()
        # All in the current month, a second apart: the feed reads that month first (it always
        # includes the current month), so both sides read the same partition. (With a fixed month
        # in the past the handler also read the empty current month: one more Query per page, and
        # moto's Query costs as much as a whole page here.) In a month's first five minutes a few
        # items fall in the previous month; the page still comes from this one.
        now = datetime.now(UTC).replace(microsecond=0)
        month = now.strftime("%Y-%m")
        store(
            dynamodb,
            resources.table_name,
            [make_signal(n, published=now - timedelta(seconds=n)) for n in range(300)],
        )

        from signals.api.app import app
        from signals.storage.aws import client

        request = event("/v1/signals", {"limit": 20})
        first = app.resolve(request, None)
        assert first["statusCode"] == 200, first["body"]
        bare_client = client("dynamodb")

        def bare_query() -> None:  # the same 20 items, straight from the time index
            bare_client.query(
                TableName=resources.table_name, IndexName="gsi1",
                KeyConditionExpression="gsi1pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"FEED#{month}"}},
                ScanIndexForward=False, Limit=20,
            )  # fmt: skip

        handler_ms = median_ms(lambda: app.resolve(request, None))
        bare_ms = median_ms(bare_query)
        print(f"handler 20-item page: {handler_ms:.2f} ms (median of {ROUNDS}, warm)")
        print(f"bare boto3 Query:     {bare_ms:.2f} ms")
        print(f"ratio: {handler_ms / bare_ms:.2f}x (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
