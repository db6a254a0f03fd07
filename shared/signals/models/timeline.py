"""The shapes that cross the ranking port (``ranking.ports.FeedIndex``): lanes, chunks, counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from signals.models import Signal
from signals.models.search_terms import signal_terms

LaneKind = Literal[
    "all", "category", "at_least", "category_at_least", "tag", "source", "entity", "by_score", "term"
]


@dataclass(frozen=True)
class Lane:
    """One index family, read newest first a month at a time.

    ``all``: every signal; ``category``: one category; ``at_least``: signals scoring ``threshold``
    or more; ``category_at_least``: both; ``tag`` / ``source``: signals with that tag or source;
    ``entity``: signals naming that entity (its slug, ``models.entity_slug``);
    ``by_score``: every signal ordered by score, then time (score order), from ``threshold`` up;
    ``term``: the signals with that search term (``ranking/search.py``).
    """

    kind: LaneKind
    value: str | None = None  # the category id, tag, source id, entity slug or search term
    threshold: int = 1

    def holds(self, signal: Signal) -> bool:
        """Whether a signal belongs in this lane (what an index implementation stores in it)."""
        kind, value = self.kind, self.value
        if kind in ("category", "category_at_least") and signal.category.value != value:
            return False
        if kind == "tag":
            return value in signal.tags
        if kind == "source":
            return any(s.source_id == value for s in signal.sources)
        if kind == "entity":
            from signals.models.entity_slug import entity_slugs

            return value in entity_slugs(signal.entities)
        if kind == "term":  # search: the signals with that term (models/search_terms.py)
            return value in signal_terms(signal)
        return signal.score >= self.threshold


@dataclass
class LaneChunk:
    """Signals of one lane in one month, newest (or highest) first, each with its position.

    A position is the index's sort key of that signal: positions order the merge and resume a lane
    (``after``). ``more`` says the month partition holds more past the last one.
    """

    entries: list[tuple[str, Signal]]
    more: bool


@dataclass
class Counts:
    """Signals per category, tag and entity slug (``/v1/categories``, ``/v1/tags``, ``/v1/entities``)."""

    categories: dict[str, int]
    tags: dict[str, int]
    entities: dict[str, int] = field(default_factory=dict)
