"""Pipeline figures people look at: what the writers record, and the report ``/v1/stats`` returns.

Writers call the ``record_*`` functions (one UpdateItem each, best effort: a failed stats write
is logged and never fails the work it describes). Lags are kept as fixed histograms, so p50/p95
come from counters too (the upper bound of the bucket holding the percentile).

| writer | call |
|---|---|
| ingest, once per run (totals) | ``record_ingest(fetched=, not_modified=, failed=, new_items=, bytes_=)`` |
| ingest, once per source that found new items | ``record_source_items(source_id, n)`` |
| scorer, once per batch of items stored | ``record_scored_batch([(signal, item, merged), ...])`` |
| scorer, once per item that failed | ``record_scoring_error()`` |
| deliverer, once per attempt | ``record_delivery(success=..., latency_s=...)`` |
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from pydantic import Field

from signals.base_model import SignalsModel
from signals.config import get_settings
from signals.models import Category, Item, Signal, as_utc, utcnow
from signals.telemetry import MetricUnit, logger, metrics

# Upper bounds (seconds) of the lag histogram buckets; one overflow bucket holds the rest.
LAG_BOUNDS_S: tuple[int, ...] = (
    60,
    300,
    900,
    1800,
    3600,
    2 * 3600,
    6 * 3600,
    12 * 3600,
    24 * 3600,
    3 * 24 * 3600,
    7 * 24 * 3600,
)
OVERFLOW = "more"
LAGS = ("fetch", "pub")  # fetched->scored (the pipeline's own lag), published->scored (end to end)
INGEST_FIELDS = ("fetched", "not_modified", "failed", "new_items", "bytes")
DELIVERY_FIELDS = ("attempts", "successes", "failures")
SOURCE_WINDOW_DAYS = 7  # items per day of a source: the mean over this many days, today included


def day_of(at: datetime) -> str:
    """The UTC day bucket (``yyyy-mm-dd``) of an instant."""
    return as_utc(at).strftime("%Y-%m-%d")


def lag_bucket(seconds: float) -> str:
    """Name of the histogram bucket a lag falls in (its upper bound, or ``more``)."""
    for bound in LAG_BOUNDS_S:
        if seconds <= bound:
            return str(bound)
    return OVERFLOW


# --------------------------------------------------------------------------- recording


def _expires_at(at: datetime) -> int:
    from signals.storage.stat_counters import STATS_RETENTION_S

    return int(as_utc(at).timestamp()) + STATS_RETENTION_S


def _add(deltas: Mapping[str, int], at: datetime | None) -> bool:
    """Best-effort write of counter deltas for the day of ``at``; False (logged, counted) on failure."""
    from signals.storage import stat_counters as store

    when = at or utcnow()
    try:
        store.add_counters(day_of(when), deltas, expires_at=_expires_at(when))
    except Exception:  # stats must never fail (and so retry) the work they describe
        logger.warning("stats write failed", extra={"counters": sorted(deltas)}, exc_info=True)
        metrics.add_metric(name="StatsWriteFailed", unit=MetricUnit.Count, value=1)
        return False
    return True


def ingest_deltas(
    *, fetched: int = 0, not_modified: int = 0, failed: int = 0, new_items: int = 0, bytes_: int = 0
) -> dict[str, int]:
    """Counter deltas for feed fetches: 200s, 304s, failures, new items found, bytes read."""
    values = (fetched, not_modified, failed, new_items, bytes_)
    return {f"ingest:{name}": value for name, value in zip(INGEST_FIELDS, values, strict=True) if value}


def record_ingest(
    *,
    fetched: int = 0,
    not_modified: int = 0,
    failed: int = 0,
    new_items: int = 0,
    bytes_: int = 0,
    source_id: str | None = None,
    at: datetime | None = None,
) -> bool:
    """Count feed fetches (200 / 304 / failed), new items enqueued and bytes read.

    With ``source_id`` (one call per feed fetch), the source's own items-per-day counter grows too.
    """
    deltas = ingest_deltas(
        fetched=fetched, not_modified=not_modified, failed=failed, new_items=new_items, bytes_=bytes_
    )
    ok = _add(deltas, at)
    if source_id and new_items:
        ok = _add_source_items(source_id, new_items, at or utcnow()) and ok
    return ok


def record_source_items(source_id: str, count: int, *, at: datetime | None = None) -> bool:
    """Count new items of one source only (its items-per-day figure), when the run's totals are
    recorded separately with ``record_ingest``."""
    return _add_source_items(source_id, count, at or utcnow()) if count else True


def _add_source_items(source_id: str, count: int, at: datetime) -> bool:
    from signals.storage import stat_counters as store

    keep = SOURCE_WINDOW_DAYS
    expired = [day_of(at - timedelta(days=n)) for n in range(keep, keep + 7)]
    try:
        store.add_source_items(source_id, day_of(at), count, expired_days=expired)
    except Exception:  # best effort, as above
        logger.warning("source stats write failed", extra={"source_id": source_id}, exc_info=True)
        metrics.add_metric(name="StatsWriteFailed", unit=MetricUnit.Count, value=1)
        return False
    return True


class PipelineStats:
    """The daily figures as a port: the ingest's ``IngestStats`` and the scorer's ``StatsSink``
    (best effort, like the functions: a failed write is logged and counted, never raised)."""

    def record_source_items(self, source_id: str, count: int, *, at: datetime | None = None) -> bool:
        return record_source_items(source_id, count, at=at)

    def record_run(
        self, *, fetched: int, not_modified: int, failed: int, new_items: int, bytes_: int
    ) -> bool:
        return record_ingest(
            fetched=fetched, not_modified=not_modified, failed=failed, new_items=new_items, bytes_=bytes_
        )

    def record_scored_batch(self, stored: Sequence[tuple[Signal, Item, bool]]) -> None:
        record_scored_batch(stored)

    def record_scoring_error(self, count: int) -> None:
        record_scoring_error(count)


def scored_deltas(signal: Signal, item: Item, *, merged: bool, at: datetime) -> dict[str, int]:
    """Counter deltas for one item stored into ``signal``."""
    fetch_lag = max(0.0, (as_utc(at) - item.fetched_at).total_seconds())
    deltas = {
        "scored": 1,
        f"cat:{signal.category.value}": 1,
        f"score:{signal.score}": 1,
        f"lag_fetch:{lag_bucket(fetch_lag)}": 1,
    }
    if item.published_from_feed:
        pub_lag = max(0.0, (as_utc(at) - item.published_at).total_seconds())
        deltas[f"lag_pub:{lag_bucket(pub_lag)}"] = 1
    if merged:
        deltas["merged"] = 1
    return deltas


def record_scored(signal: Signal, item: Item, *, merged: bool = False, at: datetime | None = None) -> bool:
    """Count one item stored: its signal's category and score, its lags; ``merged`` if it joined a story."""
    when = at or utcnow()
    return _add(scored_deltas(signal, item, merged=merged, at=when), when)


def record_scored_batch(stored: Iterable[tuple[Signal, Item, bool]], *, at: datetime | None = None) -> bool:
    """Count a batch of stored items (signal, item, merged) with one counter write for the batch."""
    when = at or utcnow()
    totals: dict[str, int] = {}
    for signal, item, merged in stored:
        for name, value in scored_deltas(signal, item, merged=merged, at=when).items():
            totals[name] = totals.get(name, 0) + value
    return _add(totals, when) if totals else True


def record_scoring_error(count: int = 1, *, at: datetime | None = None) -> bool:
    """Count items the scorer failed on (each failed receive counts once)."""
    return _add({"errors": count}, at)


def record_delivery(*, success: bool, latency_s: float | None = None, at: datetime | None = None) -> bool:
    """Count one webhook delivery attempt and its outcome (latency into the delivery histogram)."""
    deltas = {"delivery:attempts": 1, f"delivery:{'successes' if success else 'failures'}": 1}
    if latency_s is not None:
        deltas[f"lag_delivery:{lag_bucket(max(0.0, latency_s))}"] = 1
    return _add(deltas, at)


# --------------------------------------------------------------------------- reporting


class LagSummary(SignalsModel):
    """A lag histogram and its percentiles (upper bounds of the buckets holding them, seconds)."""

    count: int
    p50_s: int | None = Field(description="bucket upper bound holding the median; null when no data")
    p95_s: int | None = Field(description="bucket upper bound holding the 95th percentile")
    over_last_bound: int = Field(description="observations above the last bucket bound")
    buckets: dict[str, int] = Field(description="bucket upper bound (s) or 'more' -> count")


class DeliverySummary(SignalsModel):
    attempts: int = 0
    successes: int = 0
    failures: int = 0
    success_rate: float | None = Field(None, description="successes / attempts; null when no attempts")


class IngestSummary(SignalsModel):
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    new_items: int = 0
    bytes: int = 0


class DayStats(SignalsModel):
    day: str = Field(description="UTC day, yyyy-mm-dd")
    scored: int = 0
    merged: int = 0
    errors: int = 0
    items_by_category: dict[str, int]
    ingest: IngestSummary
    delivery: DeliverySummary


class StatsReport(SignalsModel):
    """What ``GET /v1/stats`` returns: a window of days, oldest first, and totals over it."""

    days: list[DayStats]
    categories: list[str] = Field(description="category ids, in display order")
    score_histogram: dict[str, int] = Field(description="score 1..10 -> items scored in the window")
    lag_fetched_to_scored: LagSummary
    lag_published_to_scored: LagSummary
    delivery_latency: LagSummary
    delivery: DeliverySummary
    ingest: IngestSummary


def window(days: int, *, today: datetime | None = None) -> list[str]:
    """The last ``days`` UTC days ending today, oldest first."""
    end = as_utc(today or utcnow())
    return [day_of(end - timedelta(days=n)) for n in range(days - 1, -1, -1)]


def _percentile(buckets: Mapping[str, int], fraction: float) -> int | None:
    total = sum(buckets.values())
    if not total:
        return None
    rank = fraction * total
    seen = 0
    for bound in LAG_BOUNDS_S:
        seen += buckets.get(str(bound), 0)
        if seen >= rank:
            return bound
    return LAG_BOUNDS_S[-1]  # the percentile is above the last bound; over_last_bound says so


def lag_summary(counters: Iterable[Mapping[str, int]], prefix: str) -> LagSummary:
    """Merge the ``<prefix>:<bound>`` histograms of several days into one summary."""
    buckets = {str(bound): 0 for bound in LAG_BOUNDS_S} | {OVERFLOW: 0}
    for day in counters:
        for name in buckets:
            buckets[name] += day.get(f"{prefix}:{name}", 0)
    return LagSummary(
        count=sum(buckets.values()),
        p50_s=_percentile(buckets, 0.50),
        p95_s=_percentile(buckets, 0.95),
        over_last_bound=buckets[OVERFLOW],
        buckets=buckets,
    )


def _delivery(counters: Mapping[str, int]) -> DeliverySummary:
    attempts = counters.get("delivery:attempts", 0)
    successes = counters.get("delivery:successes", 0)
    return DeliverySummary(
        attempts=attempts,
        successes=successes,
        failures=counters.get("delivery:failures", 0),
        success_rate=round(successes / attempts, 4) if attempts else None,
    )


def _ingest(counters: Mapping[str, int]) -> IngestSummary:
    return IngestSummary(**{name: counters.get(f"ingest:{name}", 0) for name in INGEST_FIELDS})


def build_report(per_day: Mapping[str, Mapping[str, int]]) -> StatsReport:
    """The report for the given days' counters (pure: tests feed it dictionaries)."""
    categories = [c.value for c in Category]
    days: list[DayStats] = []
    totals: dict[str, int] = {}
    for day in sorted(per_day):
        counters = per_day[day]
        for name, value in counters.items():
            totals[name] = totals.get(name, 0) + value
        days.append(
            DayStats(
                day=day,
                scored=counters.get("scored", 0),
                merged=counters.get("merged", 0),
                errors=counters.get("errors", 0),
                items_by_category={c: counters.get(f"cat:{c}", 0) for c in categories},
                ingest=_ingest(counters),
                delivery=_delivery(counters),
            )
        )
    values = list(per_day.values())
    return StatsReport(
        days=days,
        categories=categories,
        score_histogram={str(s): totals.get(f"score:{s}", 0) for s in range(1, 11)},
        lag_fetched_to_scored=lag_summary(values, "lag_fetch"),
        lag_published_to_scored=lag_summary(values, "lag_pub"),
        delivery_latency=lag_summary(values, "lag_delivery"),
        delivery=_delivery(totals),
        ingest=_ingest(totals),
    )


def read_report(days: int | None = None, *, today: datetime | None = None) -> StatsReport:
    """The report over the last ``days`` days (clamped to the configured maximum)."""
    from signals.storage import stat_counters as store

    settings = get_settings()
    count = min(max(1, days or settings.stats_days_default), settings.stats_days_max)
    return build_report(store.read_days(window(count, today=today)))
