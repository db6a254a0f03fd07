"""The front page's search box and its results line (``q``): what the template shows about a search.

The box keeps the page's other filters (hidden fields: category, minimum score, tag, source, entity, show)
and the order, except that the default order (``hot``: the last days only) becomes ``score`` for a
search: best matches first over all time, then newest. The results line says how many signals this
page shows for the search ("20+" when a next page follows) and the empty state says what to try.
"""

from __future__ import annotations

from dataclasses import dataclass

from signals.config import get_settings
from signals.rendering.feed_view import PAGE_DEFAULT_SORT, FeedView


@dataclass(frozen=True)
class SearchBox:
    q: str  # the search as typed ("" when none)
    hidden: list[tuple[str, str]]  # the other filters the form sends again
    max_chars: int
    results: str | None  # "20+ results for “claude opus”", None without a search
    clear_url: str  # this page without the search


def search_box(view: FeedView, *, shown: int, more: bool) -> SearchBox:
    """What the template needs to draw the search box and the results line of ``view``."""
    sort = "score" if view.sort == PAGE_DEFAULT_SORT else view.sort
    hidden = [(name, value) for name, value in view.params(q=None, sort=sort) if name != "q"]
    if sort == PAGE_DEFAULT_SORT:  # params() leaves the default order out
        hidden = [pair for pair in hidden if pair[0] != "sort"]
    results = None
    if view.q:
        count = f"{shown}+" if more else str(shown)
        results = f"{count} result{'' if shown == 1 and not more else 's'} for “{view.q}”"
    return SearchBox(view.q or "", hidden, get_settings().search_query_max_chars, results, view.url(q=None))
