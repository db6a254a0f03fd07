"""Each source's health as operators read it: status, last success, failures, next fetch, items a day.

Built from the ingest's per-source state records (``storage/source_records.py``) and the per-source
daily item counters (``storage/stat_counters.py``); reads are one gsi1 Query plus BatchGetItem, no Scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from signals.base_model import SignalsModel
from signals.models import UtcDatetime, as_utc, utcnow
from signals.ops.pipeline_stats import SOURCE_WINDOW_DAYS, day_of

SourceStatus = Literal["ok", "failing", "pending"]


class SourceHealth(SignalsModel):
    source_id: str
    status: SourceStatus = Field(description="ok; failing (last fetch failed); pending (never fetched)")
    last_status: str | None = Field(None, description="ok | not_modified | failed")
    last_fetch_at: UtcDatetime | None = None
    last_success_at: UtcDatetime | None = Field(
        None, description="last fetch that did not fail (the last fetch, when it succeeded)"
    )
    last_error: str | None = None
    last_http_status: int | None = None
    consecutive_failures: int = 0
    next_fetch_at: UtcDatetime | None = None
    last_new_item_at: UtcDatetime | None = None
    items_per_day: float = Field(
        description=f"mean new items ingested a day over the last {SOURCE_WINDOW_DAYS} days (a first "
        "ingest's backfill counts on the day it ran)"
    )
    published_per_day: float | None = Field(
        None,
        description="how often the source publishes: dated items seen / days from the first to the last "
        "publication date seen (at least one day); null before any dated item",
    )
    items_seen: int = 0
    first_published_at: UtcDatetime | None = Field(None, description="earliest publication date seen")
    last_published_at: UtcDatetime | None = Field(None, description="latest publication date seen")


class SourceHealthList(SignalsModel):
    items: list[SourceHealth]
    failing: int = Field(description="sources whose last fetch failed")


def items_per_day(days: Mapping[str, int], *, today: datetime) -> float:
    """Mean daily new items over the window ending today."""
    window = {day_of(today - timedelta(days=n)) for n in range(SOURCE_WINDOW_DAYS)}
    return round(sum(count for day, count in days.items() if day in window) / SOURCE_WINDOW_DAYS, 2)


def published_per_day(dated: int, first: datetime | None, last: datetime | None) -> float | None:
    """Items a day over the publication dates seen: ``dated`` items over the days from ``first`` to
    ``last`` (one day at least, so a feed of one day's posts is not a division by zero)."""
    if not dated or first is None or last is None:
        return None
    days = max(1.0, (as_utc(last) - as_utc(first)).total_seconds() / 86400)
    return round(dated / days, 2)


def health_of(state: object, days: Mapping[str, int], *, today: datetime) -> SourceHealth:
    """One source's health from its stored state (``models.source.SourceState``) and counters."""
    failures = int(getattr(state, "consecutive_failures", 0) or 0)
    last_status = getattr(state, "last_status", None)
    last_fetch = getattr(state, "last_fetch_at", None)
    status: SourceStatus = "pending" if last_status is None else "failing" if failures else "ok"
    return SourceHealth(
        source_id=state.source_id,  # type: ignore[attr-defined]
        status=status,
        last_status=last_status,
        last_fetch_at=last_fetch,
        last_success_at=getattr(state, "last_success_at", None)
        or (last_fetch if last_status in ("ok", "not_modified") else None),
        last_error=getattr(state, "last_error", None),
        last_http_status=getattr(state, "last_http_status", None),
        consecutive_failures=failures,
        next_fetch_at=getattr(state, "next_fetch_at", None),
        last_new_item_at=getattr(state, "last_new_item_at", None),
        items_per_day=items_per_day(days, today=today),
        published_per_day=published_per_day(
            int(getattr(state, "items_dated", 0) or 0),
            getattr(state, "first_published_at", None),
            getattr(state, "last_published_at", None),
        ),
        items_seen=int(getattr(state, "items_seen", 0) or 0),
        first_published_at=getattr(state, "first_published_at", None),
        last_published_at=getattr(state, "last_published_at", None),
    )


def read_sources(*, today: datetime | None = None) -> SourceHealthList:
    """Every source with a stored state, failing first, then by id."""
    from signals.storage import source_records as states
    from signals.storage import stat_counters as store

    now = as_utc(today or utcnow())
    stored = states.list_states()
    counters = store.read_source_days(s.source_id for s in stored)
    items = [health_of(s, counters.get(s.source_id, {}), today=now) for s in stored]
    items.sort(key=lambda h: (h.status != "failing", h.source_id))
    return SourceHealthList(items=items, failing=sum(h.status == "failing" for h in items))
