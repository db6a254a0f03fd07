"""What a reader asked for (``FeedQuery``) and the index lanes that hold it (``lanes_for``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict

from signals.base_model import SignalsModel
from signals.models import Category, Signal, as_utc
from signals.models.search_terms import signal_terms
from signals.models.timeline import Lane

Sort = Literal["time", "score", "hot"]


class FeedQuery(SignalsModel):
    """What a reader asked for (filters and order); a cursor is bound to its fingerprint."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_score: int = 1
    categories: tuple[Category, ...] = ()
    tags: tuple[str, ...] = ()  # any of these (several ``tag`` parameters: OR)
    source: str | None = None
    entities: tuple[str, ...] = ()  # entity slugs, any of these (several ``entity`` parameters: OR)
    since: datetime | None = None
    until: datetime | None = None
    sort: Sort = "time"
    updated_since: str | None = None  # changes after this (ranking/changes.py), oldest change first
    terms: tuple[str, ...] = ()  # search (q=): every term required (models/search_terms.py)

    def fingerprint(self) -> str:
        """Canonical text of the query: equal for equal filters, whatever the parameter order."""
        data = self.model_dump(mode="json")
        data["categories"] = sorted(data["categories"])
        data["tags"] = sorted(set(data["tags"]))
        data["entities"] = sorted(set(data["entities"]))
        data["terms"] = sorted(set(data["terms"]))
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def matches(self, signal: Signal) -> bool:
        """The residual check every returned signal passes."""
        published = as_utc(signal.published_at)
        return (
            signal.score >= self.min_score
            and (not self.categories or signal.category in self.categories)
            and (not self.tags or any(tag in signal.tags for tag in self.tags))
            and (self.source is None or any(s.source_id == self.source for s in signal.sources))
            and self._names_entity(signal)
            and (self.since is None or published >= as_utc(self.since))
            and (self.until is None or published <= as_utc(self.until))
            and self.has_terms(signal)
        )

    def _names_entity(self, signal: Signal) -> bool:
        """``entity=``: the signal names any of the entities (by slug); true when none is asked for."""
        if not self.entities:
            return True
        from signals.models.entity_slug import entity_slugs

        return bool(set(self.entities) & set(entity_slugs(signal.entities)))

    def has_terms(self, signal: Signal) -> bool:
        """Search: the signal has every term of ``q`` (the terms its postings are written for)."""
        if not self.terms:
            return True
        found = set(signal_terms(signal))
        return all(term in found for term in self.terms)


def lanes_for(query: FeedQuery) -> list[Lane]:
    """The lanes to merge for a query: the most selective index that holds every match.

    Tags and categories are one lane each (merged; a signal with two of the tags is met twice and
    kept once; more than half the categories read as all of them); a source is one lane; a minimum
    score reads the min-score postings, so a page reads about ``limit + 1`` items.
    """
    if query.sort == "score":
        return [Lane("by_score", threshold=query.min_score)]
    if query.terms:  # search: ranking/search.py reads one term's lane at a time, never a merge
        return [Lane("term", term) for term in query.terms]
    if query.entities:  # an entity's postings: usually the narrowest of the filters (entity pages)
        return [Lane("entity", slug) for slug in sorted(set(query.entities))]
    if query.tags:
        return [Lane("tag", tag) for tag in sorted(set(query.tags))]
    if query.source is not None:
        return [Lane("source", query.source)]
    categories = sorted({c.value for c in query.categories})
    if len(categories) > len(Category) // 2:
        # most categories (the front page's "all but off-topic"): one lane of every category, the
        # residual check drops the few others, instead of a Query per category and month
        categories = []
    if categories and query.min_score > 1:
        return [Lane("category_at_least", c, query.min_score) for c in categories]
    if categories:
        return [Lane("category", c) for c in categories]
    if query.min_score > 1:
        return [Lane("at_least", threshold=query.min_score)]
    return [Lane("all")]
