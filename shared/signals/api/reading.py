"""What the API reads from the stored signals: pages of a query, one signal, the counts.

The one module between the routes and the stored signals: it turns filters into a
``ranking.query.FeedQuery``, pages through ``ranking`` over the container's ``FeedIndex``
(``feed_index()``: DynamoDB, or what ``use_index`` set, e.g. the in-memory index in unit tests)
and keeps the cursor state. Imports are lazy: a cold start that answers a page of docs does not
load storage.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import ConfigDict, Field, ValidationError

from signals.api import cursor as cursors
from signals.base_model import SignalsModel
from signals.models import Signal

if TYPE_CHECKING:
    from signals.api.parameters import FeedFilters
    from signals.models.timeline import Counts
    from signals.ranking.ports import FeedIndex
    from signals.ranking.query import FeedQuery

_index: FeedIndex | None = None


def feed_index() -> FeedIndex:
    """The container's index of stored signals (built once: it caches the month registry)."""
    global _index
    if _index is None:
        from signals.storage.timeline_index import DynamoFeedIndex

        _index = DynamoFeedIndex()
    return _index


def use_index(index: FeedIndex | None) -> None:
    """Read from ``index`` from now on (None: back to DynamoDB on next use)."""
    global _index
    _index = index


# Cursor state: sent in every next-page URL, so the wire keys stay one letter (``m``, ``p``, ...).
_WIRE = ConfigDict(populate_by_name=True)


class ResumeState(SignalsModel):
    """Where a time- or score-ordered page stopped: the last position read and its month (state, not
    history: a few dozen bytes however many months the feed spans)."""

    model_config = _WIRE

    month: str = Field(pattern=r"^\d{4}-\d{2}$", alias="m")
    position: str = Field(min_length=1, max_length=200, alias="k")


class HotState(SignalsModel):
    """Where a hot page stopped: the instant the ranking was computed at and how far it went."""

    model_config = _WIRE

    as_of: int = Field(alias="a")
    offset: Annotated[int, Field(ge=0)] = Field(alias="o")


def feed_query(filters: FeedFilters, sort: str = "time") -> FeedQuery:
    """The stored-pages query for these filters, in this order."""
    from signals.ranking.query import FeedQuery

    return FeedQuery(
        min_score=filters.min_score,
        categories=tuple(filters.category or ()),
        tags=tuple(filters.tag or ()),
        source=filters.source,
        entities=tuple(filters.entity_slugs()),
        since=filters.since,
        until=filters.until,
        sort=sort,
        updated_since=filters.updated_since,
        terms=search_terms(filters.q),
    )


def search_terms(q: str | None) -> tuple[str, ...]:
    """The terms of ``q`` (checked by ``FeedFilters.checked``), longest (likely rarest) first."""
    from signals.models.search_terms import terms

    return tuple(sorted(terms(q), key=len, reverse=True)) if q else ()


def read_feed(query: FeedQuery, limit: int, cursor: str | None) -> tuple[list[Signal], str | None]:
    """A page of signals and the cursor of the next one."""
    fingerprint = query.fingerprint()
    now = time.time()
    state = cursors.decode(cursor, fingerprint, now=now) if cursor else None
    try:
        if query.sort == "hot" or (query.sort == "score" and query.terms):
            signals, next_state = _hot_page(query, limit, state, now)
        else:
            signals, next_state = _ordered_page(query, limit, state)
    except (ValidationError, ValueError) as exc:
        raise cursors.CursorError(
            "invalid_cursor", "The cursor does not fit this query; start again."
        ) from exc
    if query.source is not None and not signals and cursor is None:
        _check_source(query.source)
    next_cursor = cursors.encode(fingerprint, next_state, now=now) if next_state else None
    return signals, next_cursor


def _check_source(source: str) -> None:
    """Like an unknown category, an unknown source is a 400 naming the parameter and the valid ids.

    Checked only when a first page came back empty: a source with signals needs no look-up.
    """
    known = feed_index().source_ids()
    if source in known:
        return
    from signals.api.problems import ApiError
    from signals.config import get_settings

    shown = known[: get_settings().unknown_source_listed_max]
    listed = ", ".join(shown) + (f" and {len(known) - len(shown)} more" if len(known) > len(shown) else "")
    raise ApiError(
        400,
        "invalid_parameter",
        "Invalid parameter",
        f"source: no source has the id {source!r}; use one of: {listed or 'none yet'} (all: /v1/sources).",
        parameter="source",
    )


def _hot_page(
    query: FeedQuery, limit: int, state: dict[str, Any] | None, now: float
) -> tuple[list[Signal], dict[str, Any] | None]:
    from signals.ranking.hot import read_hot_page
    from signals.ranking.search import read_ranked_page

    first = int(now) if query.sort == "score" else _hot_as_of(query, now)
    hot = HotState.model_validate(state) if state else HotState(as_of=first, offset=0)
    as_of = datetime.fromtimestamp(hot.as_of, UTC)
    read = read_ranked_page if query.sort == "score" else read_hot_page  # score: a search (q) only
    page = read(feed_index(), query, limit, as_of=as_of, offset=hot.offset)
    if page.offset is None:
        return page.signals, None
    return page.signals, HotState(as_of=hot.as_of, offset=page.offset).model_dump(by_alias=True)


def _hot_as_of(query: FeedQuery, now: float) -> int:
    """The instant a first hot page ranks at: now, or the newest match when that is older than the
    hot window (a quiet feed, or a demo of old stories, still shows the top of its last days)."""
    from signals.config import get_settings
    from signals.ranking.search import read_matches

    newest = read_matches(feed_index(), query.model_copy(update={"sort": "time"}), 1).signals
    if not newest:
        return int(now)
    latest = newest[0].published_at.timestamp()
    quiet = now - latest > get_settings().hot_window_days * 86400
    return int(latest) + 1 if quiet else int(now)


def _ordered_page(
    query: FeedQuery, limit: int, state: dict[str, Any] | None
) -> tuple[list[Signal], dict[str, Any] | None]:
    from signals.ranking.paging import Resume
    from signals.ranking.search import read_matches

    resume = ResumeState.model_validate(state) if state else None
    page = read_matches(
        feed_index(), query, limit, resume=Resume(resume.month, resume.position) if resume else None
    )
    if page.resume is None:
        return page.signals, None
    stopped = ResumeState(month=page.resume.month, position=page.resume.position)
    return page.signals, stopped.model_dump(by_alias=True)


def load_signal(signal_id: str) -> Signal | None:
    """One stored signal, or None."""
    return feed_index().get_signal(signal_id)


def counts() -> Counts:
    """Signals per category and per tag."""
    return feed_index().counts()
