"""What the front page shows and how its links keep each other: ``FeedView``.

The page's filters are the feed's (sort, category, minimum score, tag, source, entity, search ``q``) plus one
of its own, ``show=all``. By default the page hides what a ten-minutes-a-day reader skips: off-topic stories
(unless a category is chosen) and scores below ``page_default_min_score`` (unless a higher minimum
is chosen); it says so, with a link that shows them. Every link on the page (filter bar, tags,
publishers, next page, feeds) is this view with one value changed, so filters keep each other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from signals.config import get_settings
from signals.models import Category

ON_TOPIC = tuple(c for c in Category if c is not Category.OFF_TOPIC)
SORTS = {"hot": "Top of the last days", "time": "Newest", "score": "Highest score"}
PAGE_DEFAULT_SORT = "hot"


@dataclass(frozen=True)
class FeedView:
    """The page's own parameters, as the reader gave them (``min_score`` 1 and ``()`` mean unset)."""

    sort: str = PAGE_DEFAULT_SORT
    categories: tuple[Category, ...] = ()
    min_score: int = 1
    tags: tuple[str, ...] = ()
    source: str | None = None
    show_all: bool = False
    entities: tuple[str, ...] = ()  # entity slugs (any of them)
    q: str | None = None  # a search (every word required; rendering/search_box.py)

    # --------------------------------------------------------------- what the page reads

    @property
    def hides_low_scores(self) -> bool:
        return not self.show_all and self.min_score < get_settings().page_default_min_score

    @property
    def hides_off_topic(self) -> bool:
        return not self.show_all and not self.categories

    def effective_min_score(self) -> int:
        return get_settings().page_default_min_score if self.hides_low_scores else self.min_score

    def effective_categories(self) -> tuple[Category, ...]:
        return ON_TOPIC if self.hides_off_topic else self.categories

    def hidden(self) -> list[str]:
        """What the default view leaves out, as a reader reads it."""
        floor = get_settings().page_default_min_score
        parts = ["off-topic stories"] if self.hides_off_topic else []
        if self.hides_low_scores:
            parts.append(f"scores 1–{floor - 1}" if floor > 2 else "scores of 1")
        return parts

    # --------------------------------------------------------------- links

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """This view's query (defaults left out), with ``changes`` applied; a change resets paging."""
        view = replace(self, **changes)
        pairs: list[tuple[str, str]] = []
        if view.sort != PAGE_DEFAULT_SORT:
            pairs.append(("sort", view.sort))
        pairs += [("category", c.value) for c in sorted(set(view.categories))]
        if view.min_score > 1:
            pairs.append(("min_score", str(view.min_score)))
        pairs += [("tag", t) for t in sorted(set(view.tags))]
        if view.source:
            pairs.append(("source", view.source))
        pairs += [("entity", e) for e in sorted(set(view.entities))]
        if view.show_all:
            pairs.append(("show", "all"))
        if view.q:
            pairs.append(("q", view.q))
        return pairs

    def url(self, extra: list[tuple[str, str]] | None = None, **changes: Any) -> str:
        """The page's address with ``changes`` (and ``extra`` pairs): ``/?category=security&min_score=7``."""
        pairs = self.params(**changes) + (extra or [])
        return f"/?{urlencode(pairs)}" if pairs else "/"

    def feed_params(self) -> list[tuple[str, str]]:
        """The filters of what the page shows, as a syndication feed's query (feeds are newest first)."""
        pairs: list[tuple[str, str]] = []
        categories = self.effective_categories()
        pairs += [("category", c.value) for c in sorted(set(categories))]
        if self.effective_min_score() > 1:
            pairs.append(("min_score", str(self.effective_min_score())))
        pairs += [("tag", t) for t in sorted(set(self.tags))]
        if self.source:
            pairs.append(("source", self.source))
        pairs += [("entity", e) for e in sorted(set(self.entities))]
        if self.q:
            pairs.append(("q", self.q))
        return pairs

    def feed_url(self, path: str) -> str:
        pairs = self.feed_params()
        return f"{path}?{urlencode(pairs)}" if pairs else path
