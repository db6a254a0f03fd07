"""``timeline_index.DynamoFeedIndex`` in memory: the same lanes and positions over a list of signals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from signals.models import Signal
from signals.models.entity_slug import entity_slugs
from signals.models.timeline import Counts, Lane, LaneChunk
from signals.storage import key_schema
from signals.storage.timeline_index import counts_from, lane_bounds, months_within


class InMemoryFeedIndex:
    """The same lanes over a list of signals, with the same positions (for unit tests).

    ``reads`` counts the signals handed out and ``calls`` the reads, like Query calls and items.
    """

    def __init__(self, signals: Iterable[Signal] = (), *, now: datetime | None = None) -> None:
        self.signals: dict[str, Signal] = {}
        self.now = now
        self.reads = 0
        self.calls = 0
        self.add(signals)

    def add(self, signals: Iterable[Signal]) -> None:
        """Store or replace signals (by id), as the scorer's writes do."""
        self.signals.update((s.id, s) for s in signals)

    def months(self, since: datetime | None, until: datetime | None) -> list[str]:
        current = key_schema.month(self.now or datetime.now(UTC))
        return months_within(
            [*(key_schema.month(s.published_at) for s in self.signals.values()), current], since, until
        )

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
        low, high = lane_bounds(lane, since, until)
        if after is not None:
            high = min(high, after)
        entries = sorted(
            (
                (position, signal)
                for signal in self.signals.values()
                if key_schema.month(signal.published_at) == month and lane.holds(signal)
                for position in [self._position(lane, signal)]
                if low <= position <= high and position != after
            ),
            key=lambda entry: entry[0],
            reverse=True,
        )
        self.calls += 1
        self.reads += min(len(entries), limit)
        return LaneChunk(entries[:limit], len(entries) > limit)

    def read_changes(self, month: str, *, low: str, high: str, limit: int) -> LaneChunk:
        entries = sorted(
            (position, signal)
            for signal in self.signals.values()
            if key_schema.month(signal.updated_at) == month
            for position in [key_schema.time_sort_key(signal.updated_at, signal.id)]
            if low < position <= high
        )
        self.calls += 1
        self.reads += min(len(entries), limit)
        return LaneChunk(entries[:limit], len(entries) > limit)

    @staticmethod
    def _position(lane: Lane, signal: Signal) -> str:
        if lane.kind == "by_score":
            return key_schema.score_sort_key(signal.score, signal.published_at, signal.id)
        return key_schema.time_sort_key(signal.published_at, signal.id)

    def counts(self) -> Counts:
        totals: dict[str, int] = {}
        for signal in self.signals.values():
            names = [f"cat:{signal.category.value}", *(f"tag:{t}" for t in dict.fromkeys(signal.tags))]
            names += [f"ent:{slug}" for slug in entity_slugs(signal.entities)]
            for name in names:
                totals[name] = totals.get(name, 0) + 1
        return counts_from(totals)

    def get_signal(self, signal_id: str) -> Signal | None:
        return self.signals.get(signal_id)

    def source_ids(self) -> list[str]:
        return sorted({s.source_id for signal in self.signals.values() for s in signal.sources})
