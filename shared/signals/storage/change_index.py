"""The change postings (``UPD#<month>``): signals in the order they were scored or last changed.

What ``updated_since`` reads (``ranking/changes.py``): one strongly consistent Query of one month
partition of change times, oldest first, within a sort-key range. The scorer writes the postings
with the signal (``signal_records.change_posting``) and deletes the one at the old time in the same
transaction, so a signal has exactly one posting, at its ``updated_at``. Why postings and not a
GSI: ``storage/key_schema.py``.
"""

from __future__ import annotations

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
