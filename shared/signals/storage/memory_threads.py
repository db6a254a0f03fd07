"""``thread_records.DynamoThreadIndex``'s in-memory twin: the same threads over a dict of signals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from signals.config import get_settings
from signals.models import Signal
from signals.models.thread import RelatedSignal, related_entry, thread_names
from signals.storage import key_schema


class InMemoryThreadIndex:
    """Story threads of the signals given (``calls`` counts reads, one per thread, like Queries)."""

    def __init__(self, signals: Iterable[Signal] = ()) -> None:
        self.signals: dict[str, Signal] = {}
        self.calls = 0
        self.add(signals)

    def add(self, signals: Iterable[Signal]) -> None:
        """Store or replace signals (by id), as the scorer's writes do."""
        self.signals.update((s.id, s) for s in signals)

    def earlier(self, thread: str, published_at: datetime, signal_id: str, limit: int) -> list[RelatedSignal]:
        self.calls += 1
        before = key_schema.time_sort_key(published_at, signal_id)
        most = get_settings().story_threads_per_signal_max
        found = [
            (key_schema.time_sort_key(s.published_at, s.id), related_entry(s, thread))
            for s in self.signals.values()
            if thread in thread_names(s, most) and key_schema.time_sort_key(s.published_at, s.id) < before
        ]
        return [entry for _, entry in sorted(found, key=lambda pair: pair[0], reverse=True)[:limit]]
