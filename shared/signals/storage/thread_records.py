"""Story-thread entries in the table: written with the signal, read for "Earlier in this story".

Record (``storage/key_schema.py``): ``pk = THREAD#<kind>#<entity>``, ``sk = <iso>#<signal id>``,
``entry`` = the :class:`~signals.models.thread.RelatedSignal` as JSON (~200 bytes, 1 WRU). A signal
has at most ``story_threads_per_signal_max`` of them (``models.thread.thread_names``); they are part
of ``signal_records.records_for`` (so the scorer's transaction writes them with the signal and
deletes those an update no longer has). A thread's partition is not time-bucketed: it holds one
company's rounds or one model family's releases, a few entries a month, so its size follows the
story, not the feed. ``ranking.story_thread.ThreadIndex`` over DynamoDB: one Query per thread,
``sk`` below the signal's own, newest first, ``Limit`` the list's length.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from signals.config import get_settings
from signals.models import Signal
from signals.models.thread import RelatedSignal, related_entry, thread_names
from signals.storage import key_schema
from signals.storage.aws import client


def thread_records(signal: Signal) -> list[dict[str, Any]]:
    """The signal's entries in its threads (low-level attribute-value form)."""
    sk = key_schema.time_sort_key(signal.published_at, signal.id)
    return [
        {
            "pk": {"S": key_schema.thread_pk(thread)},
            "sk": {"S": sk},
            "entry": {"S": related_entry(signal, thread).model_dump_json()},
        }
        for thread in thread_names(signal, get_settings().story_threads_per_signal_max)
    ]


class DynamoThreadIndex:
    """Story threads over the table (``ranking.story_thread.ThreadIndex``); ``calls`` counts Queries."""

    def __init__(self) -> None:
        self.calls = 0

    def earlier(self, thread: str, published_at: datetime, signal_id: str, limit: int) -> list[RelatedSignal]:
        """Up to ``limit`` entries of ``thread`` before (``published_at``, ``signal_id``), newest first."""
        self.calls += 1
        response = client("dynamodb").query(
            TableName=get_settings().table_name,
            KeyConditionExpression="pk = :pk AND sk < :before",
            ExpressionAttributeValues={
                ":pk": {"S": key_schema.thread_pk(thread)},
                ":before": {"S": key_schema.time_sort_key(published_at, signal_id)},
            },
            ScanIndexForward=False,
            Limit=limit,
        )
        return [RelatedSignal.model_validate_json(item["entry"]["S"]) for item in response.get("Items", [])]
