"""What the API reads for "Earlier in this story": a signal's story threads, through their index.

``thread_index()`` is DynamoDB's (``storage/thread_records.py``) unless ``use_threads`` set another
(the in-memory twin in unit tests). Imports are lazy, as in ``api/reading.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from signals.models import Signal

if TYPE_CHECKING:
    from signals.models.thread import RelatedSignal
    from signals.ranking.story_thread import ThreadIndex

_threads: ThreadIndex | None = None


def thread_index() -> ThreadIndex:
    """The container's story-thread index."""
    global _threads
    if _threads is None:
        from signals.storage.thread_records import DynamoThreadIndex

        _threads = DynamoThreadIndex()
    return _threads


def use_threads(index: ThreadIndex | None) -> None:
    """Read story threads from ``index`` from now on (None: back to DynamoDB on next use)."""
    global _threads
    _threads = index


def earlier_in_story(signal: Signal) -> list[RelatedSignal]:
    """The signals before ``signal`` that share one of its threads, newest first (bounded)."""
    from signals.ranking.story_thread import earlier_in_story as earlier

    return earlier(thread_index(), signal)
