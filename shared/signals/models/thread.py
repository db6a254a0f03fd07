"""Story threads: the signals that share an entity and a kind of event (a company's funding rounds,
a model family's releases), for "Earlier in this story".

A signal joins at most ``story_threads_per_signal_max`` threads, named ``<kind>#<entity>``; the
scorer writes one small index entry per thread (``storage/thread_records.py``) and a page reads the
entries published before its signal, newest first (``ranking/story_thread.py``). The thread names
are derived here, from the signal alone, so the writer and the reader cannot disagree.
"""

from __future__ import annotations

import re

from pydantic import ConfigDict, Field

from signals.base_model import SignalsModel
from signals.models import Category, Signal, UtcDatetime

# event types that continue one another: a model family's releases are one thread, open or not
_KIND_OF_EVENT = {
    "frontier-model": "model",
    "model-release": "model",
    "unnamed-model-release": "model",
    "open-release": "model",
}
_NO_EVENT = {None, "general", "digest", "digest-recap", "recap"}
_SLUG = re.compile(r"[^a-z0-9]+")


class RelatedSignal(SignalsModel):
    """An earlier signal of the same story thread, as a list shows it (the whole signal is one link away)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    score: int = Field(ge=1, le=10)
    category: Category
    published_at: UtcDatetime
    thread: str = Field(description="what it shares with the signal: `<kind>#<entity>` (`funding#anthropic`)")


def thread_kind(signal: Signal) -> str | None:
    """The kind of event a signal's threads are about: its event type (model releases as one), else
    its category when no event type was found; None for off-topic signals and recaps."""
    if signal.category is Category.OFF_TOPIC:
        return None
    event = signal.score_breakdown.event
    if event in _NO_EVENT:
        return None if event in {"digest", "digest-recap", "recap"} else f"cat-{signal.category.value}"
    return _KIND_OF_EVENT.get(event or "", event)


def thread_names(signal: Signal, limit: int) -> list[str]:
    """The threads a signal belongs to (at most ``limit``): its kind with each of its first entities."""
    kind = thread_kind(signal)
    if kind is None:
        return []
    names: list[str] = []
    for entity in signal.entities:
        slug = _SLUG.sub("-", entity.lower()).strip("-")
        name = f"{kind}#{slug}"
        if slug and name not in names:
            names.append(name)
        if len(names) >= limit:
            break
    return names


def related_entry(signal: Signal, thread: str) -> RelatedSignal:
    """The index entry of ``signal`` in ``thread``."""
    return RelatedSignal(
        id=signal.id,
        title=signal.title,
        score=signal.score,
        category=signal.category,
        published_at=signal.published_at,
        thread=thread,
    )
