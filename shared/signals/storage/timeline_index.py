"""The stored pages of signals: ``ranking.ports.FeedIndex`` over DynamoDB, and in memory.

A ranking lane (``ranking.query.Lane``) maps to one index partition per month
(``storage/key_schema.py``): every signal (gsi1), one category (gsi2), score order (gsi3), or a
posting partition (min score, category + min score, tag, source, entity) that holds body copies. A read is
one Query of one partition; no Scan anywhere. ``InMemoryFeedIndex`` holds the same lanes over a
list of signals (``storage/memory_timeline.py``), for unit tests of ranking.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from signals.config import get_settings
from signals.models import Signal
from signals.models.timeline import Counts, Lane, LaneChunk
from signals.storage import key_schema
from signals.storage.aws import client
from signals.storage.signal_records import get_signal


def lane_bounds(lane: Lane, since: datetime | None, until: datetime | None) -> tuple[str, str]:
    """The sort-key range of a lane: a time range, or from the lane's minimum score up (score order)."""
    if lane.kind == "by_score":
        return f"{lane.threshold:02d}#", key_schema.TOP
    low = key_schema.iso(since) if since else "0"
    high = key_schema.iso(until) + "#" + key_schema.TOP if until else key_schema.TOP
    return low, high


def lane_partition(lane: Lane, month: str) -> tuple[str | None, str]:
    """(index name or None for the table, partition key value) of a lane's month."""
    value = lane.value or ""
    match lane.kind:
        case "all":
            return "gsi1", key_schema.time_index_pk(month)
        case "category":
            return "gsi2", key_schema.category_index_pk(value, month)
        case "by_score":
            return "gsi3", key_schema.score_index_pk(month)
        case "at_least":
            return None, key_schema.min_score_pk(lane.threshold, month)
        case "category_at_least":
            return None, key_schema.min_score_pk(lane.threshold, month, value)
        case "tag":
            return None, key_schema.tag_pk(value, month)
        case "source":
            return None, key_schema.source_posting_pk(value, month)
        case "entity":
            return None, key_schema.entity_pk(value, month)
        case "term":
            return None, key_schema.term_pk(value, month)
    raise ValueError(f"unknown lane {lane.kind!r}")


def months_within(months: Iterable[str], since: datetime | None, until: datetime | None) -> list[str]:
    low = key_schema.month(since) if since else "0000-00"
    high = key_schema.month(until) if until else "9999-99"
    return sorted((m for m in set(months) if low <= m <= high), reverse=True)


class DynamoFeedIndex:
    """The feed indexes of the single table (one per container: it caches the month registry)."""

    def __init__(self) -> None:
        self._months: tuple[Any, float, list[str]] | None = None  # (client, read at, months)

    def months(self, since: datetime | None, until: datetime | None) -> list[str]:
        """Months that hold signals within the bounds, newest first.

        The month registry is read once per cache period (``cache_max_age_s``) and client (a new
        client starts afresh); the current month is always included, so a new month is never missed.
        """
        dynamodb = client("dynamodb")
        cached = self._months
        if (
            cached is None
            or cached[0] is not dynamodb
            or time.monotonic() - cached[1] > get_settings().cache_max_age_s
        ):
            cached = (dynamodb, time.monotonic(), self._registry_months())
            self._months = cached
        return months_within([*cached[2], key_schema.month(datetime.now(UTC))], since, until)

    def _registry_months(self) -> list[str]:
        """Every month in the registry (one Query; a few hundred bytes for decades of months)."""
        months: list[str] = []
        request: dict[str, Any] = {
            "TableName": get_settings().table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": key_schema.MONTHS_PK}},
            "ScanIndexForward": False,
            "ProjectionExpression": "sk",
        }
        while True:
            response = client("dynamodb").query(**request)
            months.extend(item["sk"]["S"].split("#", 1)[0] for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return sorted(set(months), reverse=True)
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def read(
        self,
        lane: Lane,
        month: str,
        *,
        since: datetime | None,
        until: datetime | None,
        after: str | None,
        limit: int,
    ) -> LaneChunk:
        """One Query of the lane's month partition, newest first, strictly below position ``after``.

        ``after`` bounds the range (it need not be a position of this partition: a page resumes
        every lane below the one position where the merge stopped); the entry at ``after`` itself,
        when this partition holds it, is read and dropped (one more item asked for).
        """
        index, pk = lane_partition(lane, month)
        pk_name, sk_name = (f"{index}pk", f"{index}sk") if index else ("pk", "sk")
        low, high = lane_bounds(lane, since, until)
        if after is not None:
            if after <= low:
                return LaneChunk([], False)
            high = min(high, after)
        request: dict[str, Any] = {
            "TableName": get_settings().table_name,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :lo AND :hi",
            "ExpressionAttributeNames": {"#pk": pk_name, "#sk": sk_name, "#b": "body"},
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":lo": {"S": low}, ":hi": {"S": high}},
            "ProjectionExpression": "#pk, #sk, #b",
            "ScanIndexForward": False,
            "Limit": limit + (after is not None),
        }
        if index:
            request["IndexName"] = index
            request["ProjectionExpression"] += ", pk, sk"
        response = client("dynamodb").query(**request)
        entries = [
            (item[sk_name]["S"], Signal.model_validate_json(item["body"]["S"]))
            for item in response.get("Items", [])
            if item[sk_name]["S"] != after
        ]
        return LaneChunk(entries[:limit], len(entries) > limit or "LastEvaluatedKey" in response)

    def read_changes(self, month: str, *, low: str, high: str, limit: int) -> LaneChunk:
        """The change postings of a month, oldest first (``storage/change_index.py``)."""
        from signals.storage.change_index import read_changes

        return read_changes(month, low=low, high=high, limit=limit)

    def counts(self) -> Counts:
        """Signals per category and per tag: one BatchGetItem over the counter shards the writer keeps."""
        settings = get_settings()
        shard_keys = [
            {"pk": {"S": key_schema.COUNTS_PK}, "sk": {"S": key_schema.counts_sk(n)}}
            for n in range(settings.counter_shards)
        ]
        request: dict[str, Any] = {settings.table_name: {"Keys": shard_keys}}
        shards: list[dict[str, Any]] = []
        while request:
            response = client("dynamodb").batch_get_item(RequestItems=request)
            shards.extend(response.get("Responses", {}).get(settings.table_name, []))
            request = response.get("UnprocessedKeys") or {}
        totals: dict[str, int] = {}
        for shard in shards:
            for name, value in shard.items():
                if "N" in value:
                    totals[name] = totals.get(name, 0) + int(value["N"])
        return counts_from(totals)

    def get_signal(self, signal_id: str) -> Signal | None:
        """One signal by id (one GetItem)."""
        return get_signal(signal_id)

    def source_ids(self) -> list[str]:
        """The sources ingest keeps a state for (one Query of their index), sorted."""
        from signals.storage.source_records import list_states

        return sorted({state.source_id for state in list_states()})


def counts_from(totals: dict[str, int]) -> Counts:
    categories = {name[4:]: n for name, n in totals.items() if name.startswith("cat:") and n > 0}
    tags = {name[4:]: n for name, n in totals.items() if name.startswith("tag:") and n > 0}
    entities = {name[4:]: n for name, n in totals.items() if name.startswith("ent:") and n > 0}
    return Counts(categories, tags, entities)
