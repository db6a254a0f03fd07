"""Earlier in this story: the signals published before this one that share one of its threads
(an entity and a kind of event: a company's previous rounds, a model family's previous versions).

Read through the threads' index (``ThreadIndex``: one Query per thread, never a Scan), merged,
newest first. The threads come from ``models.thread``; the index entries are written by the scorer
with each signal (``storage/thread_records.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from signals.config import get_settings
from signals.models import Signal
from signals.models.thread import RelatedSignal, thread_names


class ThreadIndex(Protocol):
    """What "Earlier in this story" needs from storage."""

    def earlier(self, thread: str, published_at: datetime, signal_id: str, limit: int) -> list[RelatedSignal]:
        """Up to ``limit`` entries of ``thread`` before (``published_at``, ``signal_id``), newest first."""
        ...


def earlier_in_story(index: ThreadIndex, signal: Signal, limit: int | None = None) -> list[RelatedSignal]:
    """The signals before ``signal`` in any of its threads, newest first, each once (at most ``limit``,
    default ``story_thread_list_max``); one read per thread (at most ``story_threads_per_signal_max``)."""
    settings = get_settings()
    limit = limit or settings.story_thread_list_max
    found: dict[str, RelatedSignal] = {}
    for thread in thread_names(signal, settings.story_threads_per_signal_max):
        for entry in index.earlier(thread, signal.published_at, signal.id, limit):
            if entry.id != signal.id and entry.id not in found:
                found[entry.id] = entry
    ordered = sorted(found.values(), key=lambda e: (e.published_at, e.id), reverse=True)
    return ordered[:limit]
