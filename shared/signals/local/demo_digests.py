"""The demo's daily digests: after its first cycle, the digests of the corpus's last
``demo_digest_days`` complete UTC days with signals, as the daily schedule would have built them
(``ops/digest_schedule.py``). Not every day: the bundled corpus spans ten years (about 480 days
with signals), and building and announcing each took the demo four minutes.

The days come from the time index (one Query per month of the registry, keys only): a demo-sized
walk, not something the deployed schedule does (it builds yesterday only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from signals.config import get_settings
from signals.models import utcnow
from signals.ranking.daily_digest import day_of
from signals.storage import key_schema
from signals.storage.aws import client
from signals.storage.timeline_index import DynamoFeedIndex


def corpus_days(today: str) -> list[str]:
    """Days before ``today`` that hold signals, oldest first."""
    days: set[str] = set()
    for month in DynamoFeedIndex().months(None, None):
        request: dict[str, Any] = {
            "TableName": get_settings().table_name,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": key_schema.time_index_pk(month)}},
            "ProjectionExpression": "gsi1sk",
        }
        while True:
            response = client("dynamodb").query(**request)
            days.update(item["gsi1sk"]["S"][:10] for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return sorted(d for d in days if d < today)


def build_demo_digests(now: datetime | None = None) -> list[str]:
    """Build (once each) and announce (``digest.daily``) the digests of the corpus's last complete
    days (at most ``demo_digest_days``), oldest first; the days built."""
    from signals.ops.digest_schedule import run_digest
    from signals.webhooks.digest_announce import announce_digest

    most = get_settings().demo_digest_days
    days = corpus_days(day_of(now or utcnow()))[-most:] if most > 0 else []
    for day in days:
        announce_digest(run_digest(day, now=now).digest)  # the demo subscriber gets one per day
    return days
