"""The change postings (``UPD#<month>``): signals in the order they were scored or last changed.

What ``updated_since`` reads (``ranking/changes.py``): one strongly consistent Query of one month
partition of change times, oldest first, within a sort-key range. The scorer writes the postings
with the signal (``signal_records.change_posting``) and deletes the one at the old time in the same
transaction, so a signal has exactly one posting, at its ``updated_at``. Why postings and not a
GSI: ``storage/key_schema.py``. Signals stored before the postings existed get theirs from
``signals migrate change-postings`` (the backfill below).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from signals.config import get_settings
from signals.models import Signal
from signals.models.timeline import LaneChunk
from signals.storage import key_schema
from signals.storage.aws import client


def read_changes(month: str, *, low: str, high: str, limit: int) -> LaneChunk:
    """Up to ``limit`` changes of ``month`` with ``low`` < position <= ``high``, oldest first (one
    Query; ``ConsistentRead``: every committed change is seen)."""
    request: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
        "ExpressionAttributeNames": {"#b": "body"},
        "ExpressionAttributeValues": {
            ":pk": {"S": key_schema.change_pk(month)},
            ":lo": {"S": low},
            ":hi": {"S": high},
        },
        "ProjectionExpression": "sk, #b",
        "ScanIndexForward": True,
        "ConsistentRead": True,
        # BETWEEN includes ``low``; starting past it (a key need not exist to start past it) reads
        # no item twice, so a page reads what it returns and one more
        "ExclusiveStartKey": {"pk": {"S": key_schema.change_pk(month)}, "sk": {"S": low}},
        "Limit": limit,
    }
    response = client("dynamodb").query(**request)
    entries = [
        (item["sk"]["S"], Signal.model_validate_json(item["body"]["S"])) for item in response.get("Items", [])
    ]
    return LaneChunk(entries, "LastEvaluatedKey" in response)


# --------------------------------------------------------------------------- backfill (one-off)


def stored_signals(page_size: int) -> Iterator[Signal]:
    """Every stored signal: a paginated Scan, for the one-off ``signals migrate change-postings``."""
    kwargs: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "FilterExpression": "sk = :sk",
        "ExpressionAttributeValues": {":sk": {"S": key_schema.SIGNAL_SK}},
        "Limit": page_size,
    }
    while True:
        response = client("dynamodb").scan(**kwargs)
        yield from (Signal.model_validate_json(item["body"]["S"]) for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def lacks_change_posting(signal: Signal) -> bool:
    """Whether the signal has no change posting at its ``updated_at`` (one consistent GetItem)."""
    from signals.storage.signal_records import change_key

    found = client("dynamodb").get_item(
        TableName=get_settings().table_name, Key=change_key(signal), ConsistentRead=True
    )
    return "Item" not in found


def put_change_posting(signal: Signal) -> bool:
    """Write a signal's missing change posting, in one transaction with a check that the signal is
    still at this version (a live write meanwhile wrote its own posting and deleted none of ours);
    False when it changed or the posting exists."""
    from botocore.exceptions import ClientError

    from signals.storage.signal_records import change_posting

    table = get_settings().table_name
    check = {
        "TableName": table,
        "Key": {"pk": {"S": key_schema.signal_pk(signal.id)}, "sk": {"S": key_schema.SIGNAL_SK}},
        "ConditionExpression": "#v = :v",
        "ExpressionAttributeNames": {"#v": "version"},
        "ExpressionAttributeValues": {":v": {"N": str(signal.version)}},
    }
    put = {
        "TableName": table,
        "Item": change_posting(signal, signal.model_dump_json()),
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    try:
        client("dynamodb").transact_write_items(TransactItems=[{"ConditionCheck": check}, {"Put": put}])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            return False
        raise
    return True
