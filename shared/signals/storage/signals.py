"""The signal record in DynamoDB: how a Signal is stored, indexed and read back by id.

The feed indexes (gsi1..gsi4, tag postings) are derived from the signal here and nowhere else,
so the writer (scorer) and the readers (API) cannot disagree. Key shapes: ``storage/keys.py``.
"""

from __future__ import annotations

import json
from typing import Any

from signals.models import Signal
from signals.storage import keys
from signals.storage.aws import client
from signals.config import get_settings

SIGNAL_SK = "SIGNAL"


def index_attributes(signal: Signal) -> dict[str, str]:
    """The GSI key attributes that place a signal in the feed orders (time, category, score, tier)."""
    month = keys.month(signal.published_at)
    by_time = keys.time_sort_key(signal.published_at, signal.id)
    return {
        "gsi1pk": f"FEED#{month}",
        "gsi1sk": by_time,
        "gsi2pk": f"CAT#{signal.category.value}#{month}",
        "gsi2sk": by_time,
        "gsi3pk": f"SCORE#{month}",
        "gsi3sk": f"{signal.score:02d}#{by_time}",
        "gsi4pk": f"TIER#{signal.score:02d}#{month}",
        "gsi4sk": by_time,
    }


def to_record(signal: Signal) -> dict[str, Any]:
    """The DynamoDB item (low-level attribute-value form) for a signal."""
    attributes = {
        "pk": keys.signal_pk(signal.id),
        "sk": SIGNAL_SK,
        **index_attributes(signal),
        "published_at": keys.iso(signal.published_at),
        "score": signal.score,
        "category": signal.category.value,
        "version": signal.version,
        "body": signal.model_dump_json(),
    }
    return {
        name: {"N": str(value)} if isinstance(value, int) else {"S": value}
        for name, value in attributes.items()
    }


def from_record(record: dict[str, Any]) -> Signal:
    """The Signal stored in a DynamoDB item (low-level form)."""
    return Signal.model_validate_json(record["body"]["S"])


def get_signal(signal_id: str, *, consistent: bool = False) -> Signal | None:
    """One signal by id (one GetItem), or None."""
    response = client("dynamodb").get_item(
        TableName=get_settings().table_name,
        Key={"pk": {"S": keys.signal_pk(signal_id)}, "sk": {"S": SIGNAL_SK}},
        ConsistentRead=consistent,
    )
    record = response.get("Item")
    return from_record(record) if record else None


def decode_body(body: str) -> dict[str, Any]:
    """The JSON body of a record as a dict (for projections that skip model validation)."""
    return json.loads(body)


def records_for(signal: Signal) -> list[dict[str, Any]]:
    """Every record a signal needs written: the signal itself, then any index postings.

    Writers (the scorer) put all of these; readers (the API) rely on them. Owned by the feed API.
    """
    return [to_record(signal)]
