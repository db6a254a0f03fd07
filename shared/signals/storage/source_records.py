"""Source health records and "seen entry" records in the single table (keys: ``storage/key_schema.py``).

* source state: ``SOURCE#<id>`` / ``STATE``, listed through gsi1 (``SOURCES`` / ``<id>``);
* seen entry: ``SEEN#<item_id>`` / ``SEEN`` with the content hash last enqueued, so an unchanged
  entry is never enqueued twice and an edited one is enqueued once as an update.

Reads are BatchGetItem (100 keys a call); never Scan.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from signals.config import get_settings
from signals.models import iso
from signals.models.source import SeenEntry, SourceState
from signals.storage import key_schema
from signals.storage.aws import client

STATE_SK = key_schema.SOURCE_STATE_SK
SEEN_SK = key_schema.SEEN_SK
SOURCES_INDEX_PK = key_schema.SOURCES_INDEX_PK
_BATCH_GET = 100
_BATCH_WRITE = 25
_MAX_ROUNDS = 8


def _state_record(state: SourceState) -> dict[str, Any]:
    record = {
        "pk": key_schema.source_pk(state.source_id),
        "sk": STATE_SK,
        "gsi1pk": SOURCES_INDEX_PK,
        "gsi1sk": state.source_id,
        "body": state.model_dump_json(),
    }
    if state.next_fetch_at is not None:
        record["next_fetch_at"] = iso(state.next_fetch_at)
    return {name: {"S": value} for name, value in record.items()}


def _batch_get(pks: list[str], sk: str) -> Iterator[dict[str, Any]]:
    table = get_settings().table_name
    dynamodb = client("dynamodb")
    unique = list(dict.fromkeys(pks))
    for start in range(0, len(unique), _BATCH_GET):
        request: dict[str, Any] = {
            table: {
                "Keys": [{"pk": {"S": pk}, "sk": {"S": sk}} for pk in unique[start : start + _BATCH_GET]],
                "ProjectionExpression": "pk, body",
            }
        }
        for _ in range(_MAX_ROUNDS):
            response = dynamodb.batch_get_item(RequestItems=request)
            yield from response.get("Responses", {}).get(table, [])
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise RuntimeError("DynamoDB left keys unprocessed after retries")


def _batch_put(records: list[dict[str, Any]]) -> None:
    table = get_settings().table_name
    dynamodb = client("dynamodb")
    for start in range(0, len(records), _BATCH_WRITE):
        request: dict[str, Any] = {
            table: [{"PutRequest": {"Item": r}} for r in records[start : start + _BATCH_WRITE]]
        }
        for _ in range(_MAX_ROUNDS):
            response = dynamodb.batch_write_item(RequestItems=request)
            request = response.get("UnprocessedItems") or {}
            if not request:
                break
        else:
            raise RuntimeError("DynamoDB left writes unprocessed after retries")


def load_states(source_ids: Iterable[str]) -> dict[str, SourceState]:
    """Stored states by source id (sources never fetched are absent)."""
    out: dict[str, SourceState] = {}
    for record in _batch_get([key_schema.source_pk(s) for s in source_ids], STATE_SK):
        state = SourceState.model_validate_json(record["body"]["S"])
        out[state.source_id] = state
    return out


def save_state(state: SourceState) -> None:
    """Store one source's state (ingest runs one at a time: last writer is the only writer)."""
    client("dynamodb").put_item(TableName=get_settings().table_name, Item=_state_record(state))


def list_states(*, limit: int = 1000) -> list[SourceState]:
    """Every stored source state, through gsi1 (for the sources-health view)."""
    paginator = client("dynamodb").get_paginator("query")
    out: list[SourceState] = []
    pages = paginator.paginate(
        TableName=get_settings().table_name,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": SOURCES_INDEX_PK}},
    )
    for page in pages:
        for record in page.get("Items", []):
            out.append(SourceState.model_validate_json(record["body"]["S"]))
            if len(out) >= limit:
                return out
    return out


def load_seen(item_ids: Iterable[str]) -> dict[str, SeenEntry]:
    """The seen records of these item ids (unseen ids are absent)."""
    out: dict[str, SeenEntry] = {}
    for record in _batch_get([key_schema.seen_pk(i) for i in item_ids], SEEN_SK):
        entry = SeenEntry.model_validate(json.loads(record["body"]["S"]))
        out[entry.item_id] = entry
    return out


def save_seen(entries: list[SeenEntry]) -> None:
    """Record these entry versions as enqueued (BatchWriteItem, 25 a call)."""
    records = [
        {
            "pk": {"S": key_schema.seen_pk(e.item_id)},
            "sk": {"S": SEEN_SK},
            "content_hash": {"S": e.content_hash},
            "body": {"S": e.model_dump_json()},
        }
        for e in entries
    ]
    _batch_put(records)


class DynamoSourceStore:
    """``feeds.ports.SourceStateStore`` over the single table (the functions above)."""

    def load_states(self, source_ids: Iterable[str]) -> dict[str, SourceState]:
        return load_states(source_ids)

    def save_state(self, state: SourceState) -> None:
        save_state(state)

    def load_seen(self, item_ids: Iterable[str]) -> dict[str, SeenEntry]:
        return load_seen(item_ids)

    def save_seen(self, entries: list[SeenEntry]) -> None:
        save_seen(entries)
