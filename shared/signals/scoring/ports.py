"""What scoring needs from the outside world, as small Protocols (ports).

``storage/`` implements them over DynamoDB, S3 and SQS (``StoryRecords``, ``ItemArchive``,
``SqsEventQueue``, ``DynamoAnalyses``), with in-memory twins for unit tests; the scorer's
composition root (``scoring/wiring.py``) wires the real ones. The types they carry live in
``signals.models`` (``models/story.py``, ``models/analysis.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from signals.models import Item, Signal, SignalEvent
from signals.models.analysis import CachedAnalysis, Spend
from signals.models.story import SeenItem, StoryState


class StoryStore(Protocol):
    """Stories, item-seen records (the outbox) and candidate keys, read per batch, written per item."""

    def read_state(self, item_ids: Iterable[str], story_keys: Iterable[str]) -> StoryState:
        """Item-seen records of ``item_ids`` and the story ids under each of ``story_keys``."""
        ...

    def read_signals(self, signal_ids: Iterable[str]) -> dict[str, Signal]:
        """The stored signals among ``signal_ids``, by id."""
        ...

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
        """All or nothing: the item-seen mark with its ``pending`` events, the signal and its keys.

        Raises ``DuplicateItem`` (this content was scored) or ``VersionConflict`` (the signal moved
        on since ``previous`` was read)."""
        ...

    def clear_pending(self, seen: Iterable[SeenItem]) -> int:
        """Drop the sent events' marks (unless the record was rewritten since); returns calls made."""
        ...


class ItemArchive(Protocol):
    """The archived items that score-queue messages point to (claim checks)."""

    def read_item(self, key: str) -> Item:
        """The item stored at ``key`` (raises if there is none)."""
        ...


class EventQueue(Protocol):
    """Where ``signal.created`` / ``signal.updated`` events go for webhook delivery."""

    def send_events(self, events: Sequence[SignalEvent]) -> int:
        """Send every event or raise (the caller keeps its outbox marks); returns calls made."""
        ...


class StatsSink(Protocol):
    """The ops figures a scored batch adds to (best effort: a failure there is logged, not raised)."""

    def record_scored_batch(self, stored: Sequence[tuple[Signal, Item, bool]]) -> None:
        """Count stored items as (signal, item, merged into an existing story)."""
        ...

    def record_scoring_error(self, count: int) -> None:
        """Count items the scorer failed on."""
        ...


class AnalysisCache(Protocol):
    """The model analyst's answer cache and daily budget."""

    def get_cached(self, key: str) -> CachedAnalysis | None: ...

    def put_cached(self, key: str, cached: CachedAnalysis) -> None: ...

    def reserve(self, spend: Spend, *, token_budget: int, usd_budget: float, day: str | None = None) -> bool:
        """Count ``spend`` against the day's budget atomically; False (nothing counted) if it does not fit."""
        ...

    def settle(self, reserved: Spend, actual: Spend, *, day: str) -> None:
        """Replace a reservation by what was really used."""
        ...
