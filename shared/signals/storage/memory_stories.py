"""``StoryRecords``' in-memory twin: the same ``StoryStore`` port, and the same races, in a dict.

It keeps what the table's transaction guarantees (the item-seen condition first, then the
signal's version; all or nothing) so unit tests of the scorer run in milliseconds without moto.
Index records and counters are the table's business and are not kept here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from signals.models import Signal, SignalEvent
from signals.models.story import DuplicateItem, SeenItem, StoryState, VersionConflict

TRANSACT_LIMIT = 100  # as the table: one "call" per 100 records cleared


class InMemoryStories:
    """Signals, item-seen records and candidate keys held in memory (``writes`` counts stories written)."""

    def __init__(self) -> None:
        self.signals: dict[str, Signal] = {}
        self.seen: dict[str, SeenItem] = {}
        self.stories_by_key: dict[str, set[str]] = {}
        self.writes = 0

    def read_state(self, item_ids: Iterable[str], story_keys: Iterable[str]) -> StoryState:
        state = StoryState()
        for item_id in item_ids:
            if item_id in self.seen:
                state.seen[item_id] = self.seen[item_id]
        for key in story_keys:
            if key in self.stories_by_key:
                state.stories_by_key[key] = set(self.stories_by_key[key])
        return state

    def read_signals(self, signal_ids: Iterable[str]) -> dict[str, Signal]:
        return {
            i: self.signals[i].model_copy(deep=True) for i in dict.fromkeys(signal_ids) if i in self.signals
        }

    def write_story(
        self,
        *,
        item_id: str,
        content_hash: str,
        signal: Signal,
        previous: Signal | None,
        story_keys: Sequence[str],
        pending: Sequence[SignalEvent] = (),
    ) -> None:
        earlier = self.seen.get(item_id)
        if earlier is not None and earlier.content_hash == content_hash:
            raise DuplicateItem(earlier)
        stored = self.signals.get(signal.id)
        if (stored.version if stored else None) != (previous.version if previous else None):
            raise VersionConflict()
        self.seen[item_id] = SeenItem(item_id, signal.id, content_hash, tuple(pending))
        self.signals[signal.id] = signal.model_copy(deep=True)
        for key in story_keys:
            self.stories_by_key.setdefault(key, set()).add(signal.id)
        self.writes += 1

    def clear_pending(self, seen: Iterable[SeenItem]) -> int:
        todo = [s for s in seen if s.pending]
        calls = 0
        for start in range(0, len(todo), TRANSACT_LIMIT):
            chunk = todo[start : start + TRANSACT_LIMIT]
            current = [s for s in chunk if self._holds(s)]
            calls += 1 if len(current) == len(chunk) or not current else 2  # a cancelled try, then the rest
            for s in current:
                self.seen[s.item_id] = replace(self.seen[s.item_id], pending=())
        return calls

    def _holds(self, sent: SeenItem) -> bool:
        """The record still has the content whose events were sent (an edit since keeps its marks)."""
        record = self.seen.get(sent.item_id)
        return record is not None and record.content_hash == sent.content_hash
