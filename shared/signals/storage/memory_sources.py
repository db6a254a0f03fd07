"""``source_records.DynamoSourceStore`` in memory: the ingest's ``SourceStateStore`` for unit tests."""

from __future__ import annotations

from collections.abc import Iterable

from signals.models.source import SeenEntry, SourceState


class InMemorySourceStore:
    """The same port in memory (unit tests of ingest)."""

    def __init__(self) -> None:
        self.states: dict[str, SourceState] = {}
        self.seen: dict[str, SeenEntry] = {}

    def load_states(self, source_ids: Iterable[str]) -> dict[str, SourceState]:
        return {s: self.states[s] for s in source_ids if s in self.states}

    def save_state(self, state: SourceState) -> None:
        self.states[state.source_id] = state

    def load_seen(self, item_ids: Iterable[str]) -> dict[str, SeenEntry]:
        return {i: self.seen[i] for i in item_ids if i in self.seen}

    def save_seen(self, entries: list[SeenEntry]) -> None:
        self.seen.update((e.item_id, e) for e in entries)
