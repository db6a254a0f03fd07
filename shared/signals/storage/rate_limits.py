"""Fixed-window rate limits in DynamoDB: one counter item per scope and window
(``RATE#<scope>#<window_start_epoch>`` / ``RATE``, expiring by the table's TTL).

``hit`` is one conditional ``UpdateItem``: ``ADD n 1`` if ``n < limit``, so concurrent callers on
any number of Lambda containers never pass the limit together; a refused hit counts nothing.
``DynamoRateLimits`` implements ``webhooks.ports.RateLimits``; its twin is
``storage/memory_rate_limits.py``.
"""

from __future__ import annotations

import math
from datetime import datetime

from signals.config import get_settings
from signals.models import as_utc
from signals.storage import key_schema
from signals.storage.aws import client


def window_of(now: datetime, window_s: int) -> tuple[int, float]:
    """The fixed window holding ``now``: its first second (epoch) and the seconds left in it."""
    epoch = as_utc(now).timestamp()
    start = int(epoch // window_s) * window_s
    return start, start + window_s - epoch


def retry_after_s(left: float) -> int:
    """Whole seconds to wait for the window's end (at least one)."""
    return max(1, math.ceil(left))


class DynamoRateLimits:
    """``RateLimits`` over the single table (one UpdateItem per hit)."""

    def hit(self, scope: str, limit: int, window_s: int, now: datetime) -> int | None:
        """Count one use of ``scope`` in the window holding ``now``: None if it was within ``limit``,
        else the seconds until the window ends (and nothing counted)."""
        from botocore.exceptions import ClientError

        start, left = window_of(now, window_s)
        try:
            client("dynamodb").update_item(
                TableName=get_settings().table_name,
                Key={"pk": {"S": key_schema.rate_pk(scope, start)}, "sk": {"S": key_schema.RATE_SK}},
                UpdateExpression="ADD n :one SET expires_at = if_not_exists(expires_at, :expires)",
                ConditionExpression="attribute_not_exists(n) OR n < :limit",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit)},
                    ":expires": {"N": str(start + 2 * window_s)},  # a window later: TTL lags
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return retry_after_s(left)
            raise
        return None


__all__ = ["DynamoRateLimits", "retry_after_s", "window_of"]
