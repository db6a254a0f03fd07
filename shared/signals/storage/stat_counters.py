"""Daily aggregate records behind ``/v1/stats`` and ``/ops``: counters, never a Scan.

Writers (ingest, scorer, deliverer) add to small per-day items with ``UpdateItem ... ADD``; the
API reads a window of days with BatchGetItem. Each day is spread over ``stats_shards`` items so
a burst of writers never concentrates on one partition key:

| record | pk | sk |
|---|---|---|
| daily stats shard | ``STATS#<yyyy-mm-dd>#<shard>`` | ``STATS`` |

Attributes are plain counters (``cat:<category>``, ``score:<n>``, ``lag_fetch:<bound>``,
``ingest:failed`` ...; ``signals.ops.pipeline_stats`` names them). A shard item carries ``expires_at``
(TTL) so old days disappear on their own.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any

from signals.config import get_settings
from signals.storage import key_schema
from signals.storage.aws import client

STATS_SK = key_schema.STATS_SK
BATCH_GET_LIMIT = 100  # DynamoDB's BatchGetItem limit
STATS_RETENTION_S = 400 * 24 * 3600  # a bit over a year of daily figures
_UNPROCESSED_ROUNDS = 5  # BatchGetItem retries of throttled keys before giving up on them


def stats_pk(day: str, shard: int) -> str:
    """Partition key of one shard of one day's counters."""
    return key_schema.stats_pk(day, shard)


def add_counters(day: str, deltas: Mapping[str, int], *, expires_at: int, shard: int | None = None) -> None:
    """Add ``deltas`` to the day's counters in one UpdateItem (a random shard unless given)."""
    changed = {name: int(value) for name, value in deltas.items() if value}
    if not changed:
        return
    shards = max(1, get_settings().stats_shards)
    shard = random.randrange(shards) if shard is None else shard % shards
    names = {f"#c{i}": name for i, name in enumerate(changed)}
    values: dict[str, Any] = {f":c{i}": {"N": str(v)} for i, v in enumerate(changed.values())}
    names["#ttl"] = "expires_at"
    values[":ttl"] = {"N": str(expires_at)}
    client("dynamodb").update_item(
        TableName=get_settings().table_name,
        Key={"pk": {"S": stats_pk(day, shard)}, "sk": {"S": STATS_SK}},
        UpdateExpression="ADD "
        + ", ".join(f"#c{i} :c{i}" for i in range(len(changed)))
        + " SET #ttl = if_not_exists(#ttl, :ttl)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def _counters(item: Mapping[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, value in item.items():
        if name in ("pk", "sk", "expires_at") or "N" not in value:
            continue
        out[name] = int(value["N"])
    return out


def read_days(days: Iterable[str]) -> dict[str, dict[str, int]]:
    """Counters of each day (shards summed); days with no record map to ``{}``.

    One BatchGetItem per 100 keys (days x shards); throttled keys are retried a few times.
    """
    settings = get_settings()
    day_list = list(dict.fromkeys(days))
    totals: dict[str, dict[str, int]] = {day: {} for day in day_list}
    keys = [
        {"pk": {"S": stats_pk(day, shard)}, "sk": {"S": STATS_SK}}
        for day in day_list
        for shard in range(max(1, settings.stats_shards))
    ]
    dynamodb = client("dynamodb")
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        pending: dict[str, Any] = {settings.table_name: {"Keys": keys[start : start + BATCH_GET_LIMIT]}}
        for _ in range(_UNPROCESSED_ROUNDS):
            response = dynamodb.batch_get_item(RequestItems=pending)
            for item in response.get("Responses", {}).get(settings.table_name, []):
                day = item["pk"]["S"].split("#")[1]
                bucket = totals.setdefault(day, {})
                for name, value in _counters(item).items():
                    bucket[name] = bucket.get(name, 0) + value
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                break
    return totals


# --------------------------------------------------------------------------- per-source daily items
# One small item per source, ``SRCSTATS#<source_id>`` / ``DAILY``, with one counter per day
# (``d:<yyyy-mm-dd>``); each write removes a few expired days so the item stays small.

SOURCE_STATS_SK = key_schema.SOURCE_STATS_SK


def source_stats_pk(source_id: str) -> str:
    return key_schema.source_stats_pk(source_id)


def add_source_items(source_id: str, day: str, count: int, *, expired_days: Iterable[str] = ()) -> None:
    """Add ``count`` new items to a source's day, dropping the counters of ``expired_days``."""
    names = {"#d": f"d:{day}"}
    expression = "ADD #d :n"
    removed = [d for d in expired_days if d != day]
    if removed:
        names |= {f"#x{i}": f"d:{d}" for i, d in enumerate(removed)}
        expression += " REMOVE " + ", ".join(f"#x{i}" for i in range(len(removed)))
    client("dynamodb").update_item(
        TableName=get_settings().table_name,
        Key={"pk": {"S": source_stats_pk(source_id)}, "sk": {"S": SOURCE_STATS_SK}},
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={":n": {"N": str(int(count))}},
    )


def read_source_days(source_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """Per source id, its day -> new items counters (sources with no record are absent)."""
    settings = get_settings()
    ids = list(dict.fromkeys(source_ids))
    out: dict[str, dict[str, int]] = {}
    dynamodb = client("dynamodb")
    for start in range(0, len(ids), BATCH_GET_LIMIT):
        keys = [
            {"pk": {"S": source_stats_pk(s)}, "sk": {"S": SOURCE_STATS_SK}}
            for s in ids[start : start + BATCH_GET_LIMIT]
        ]
        pending: dict[str, Any] = {settings.table_name: {"Keys": keys}}
        for _ in range(_UNPROCESSED_ROUNDS):
            response = dynamodb.batch_get_item(RequestItems=pending)
            for item in response.get("Responses", {}).get(settings.table_name, []):
                source_id = item["pk"]["S"].removeprefix(key_schema.source_stats_pk(""))
                out[source_id] = {
                    name.removeprefix("d:"): count
                    for name, count in _counters(item).items()
                    if name.startswith("d:")
                }
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                break
    return out
