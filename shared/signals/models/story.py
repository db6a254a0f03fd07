"""What crosses the ``StoryStore`` port: the batch's view of stories, the outbox marks, the two
ways a story write can lose a race.

The scorer (``scoring/session.py``) reasons with them; ``storage/story_records.py`` reads and
writes them, so they live here, where both may import them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from signals.models import Signal, SignalEvent


@dataclass(frozen=True)
class SeenItem:
    """An item-seen record: which story an item joined, the content scored, the events not yet sent."""

    item_id: str
    story_id: str
    content_hash: str
    pending: tuple[SignalEvent, ...] = ()  # outbox: events written with the change, not yet sent


@dataclass
class StoryState:
    """What one batch read: item-seen records, story ids per candidate key, signals by id."""

    seen: dict[str, SeenItem] = field(default_factory=dict)
    stories_by_key: dict[str, set[str]] = field(default_factory=dict)
    signals: dict[str, Signal] = field(default_factory=dict)


class DuplicateItem(Exception):
    """The item-seen condition failed: this item (with this content) was already scored.

    ``seen`` is the stored record (with any events still pending), when the store returned it."""

    def __init__(self, seen: SeenItem | None = None):
        super().__init__(seen.item_id if seen else "")
        self.seen = seen


class VersionConflict(Exception):
    """The signal changed since it was read (another writer won the version check)."""
