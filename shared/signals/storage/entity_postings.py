"""Entity postings for signals stored before they existed: ``signals migrate entity-postings``.

Signals written by this version carry ``entities_indexed`` (``signal_records.to_record``) and get
their entity postings (``ENT#<slug>#<month>``) and ``ent:`` counts in the scorer's transaction.
Older signal records lack the attribute: a paginated Scan finds them (an admin job, like the other
migrations) and one small transaction per signal writes its postings and counts and marks it, on
the condition that the record is still the version read and still unmarked. A signal the scorer
changes meanwhile fails the condition and is skipped (its new version was written with its
postings and the mark), a second run finds nothing: idempotent and safe beside live traffic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from signals.config import get_settings
from signals.models import Signal
from signals.models.entity_slug import entity_slugs
from signals.storage import key_schema
from signals.storage.aws import client
from signals.storage.signal_records import (
    ENTITIES_INDEXED,
    SIGNAL_SK,
    counter_shard,
    entity_posting_pks,
    from_record,
    posting_item,
)


def unindexed_signals(page_size: int, mark: str = ENTITIES_INDEXED) -> list[Signal]:
    """Signal records without ``mark`` (``entities_indexed``, or ``terms_indexed`` for
    ``storage/term_postings.py``): a paginated Scan, for the one-off migrations."""
    request: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "FilterExpression": "sk = :sk AND attribute_not_exists(#m)",
        "ExpressionAttributeNames": {"#m": mark},
        "ExpressionAttributeValues": {":sk": {"S": SIGNAL_SK}},
        "Limit": page_size,
    }
    found: list[Signal] = []
    while True:
        response = client("dynamodb").scan(**request)
        found += [from_record(item) for item in response.get("Items", [])]
        if "LastEvaluatedKey" not in response:
            return found
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def index_entities(signal: Signal) -> bool:
    """Write an old signal's entity postings and counts and mark it; False when it changed or was done."""
    table = get_settings().table_name
    counts: list[dict[str, Any]] = []
    slugs = entity_slugs(signal.entities)
    if slugs:
        counts.append(
            {
                "Update": {
                    "TableName": table,
                    "Key": {
                        "pk": {"S": key_schema.COUNTS_PK},
                        "sk": {"S": key_schema.counts_sk(counter_shard(signal.id))},
                    },
                    "UpdateExpression": "ADD " + ", ".join(f"#e{i} :one" for i in range(len(slugs))),
                    "ExpressionAttributeNames": {f"#e{i}": f"ent:{slug}" for i, slug in enumerate(slugs)},
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        )
    return write_marked(signal, ENTITIES_INDEXED, entity_posting_pks(signal), counts)


def write_marked(signal: Signal, mark: str, pks: list[str], extra: Sequence[dict[str, Any]] = ()) -> bool:
    """One transaction: set ``mark`` on the signal record (if it is still the version read and
    unmarked), put its postings under ``pks`` and run ``extra`` actions; False when the condition
    failed (changed meanwhile, or done). Shared by the index backfills (``term_postings.py``)."""
    table = get_settings().table_name
    marking = {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": key_schema.signal_pk(signal.id)}, "sk": {"S": SIGNAL_SK}},
            "UpdateExpression": "SET #m = :one",
            "ConditionExpression": "#v = :v AND attribute_not_exists(#m)",
            "ExpressionAttributeNames": {"#m": mark, "#v": "version"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":v": {"N": str(signal.version)}},
        }
    }
    body = signal.model_dump_json()
    actions: list[dict[str, Any]] = [marking]
    actions += [{"Put": {"TableName": table, "Item": posting_item(pk, signal, body)}} for pk in pks]
    actions += extra
    dynamodb = client("dynamodb")
    try:
        dynamodb.transact_write_items(TransactItems=actions)
    except dynamodb.exceptions.TransactionCanceledException:
        return False
    return True
