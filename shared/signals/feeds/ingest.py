"""The scheduled ingest run: fetch the due sources, archive once, enqueue each new item once.

Order per changed feed (at-least-once, never lossy): raw bytes to S3, item JSON to S3, score
messages to SQS, then "seen" records and finally the source's validators. A crash anywhere
before the end leaves the validators unchanged, so the next run fetches and finishes the work;
duplicates that may cause are absorbed by write-once keys and the scorer's idempotency.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from signals.base_model import SignalsModel
from signals.config import Settings, get_settings
from signals.feeds.fetcher import failed_state, fetch_source
from signals.feeds.normalize import NormalizeLimits, normalize_entry
from signals.feeds.parser import parse_feed
from signals.feeds.ports import FeedArchive, IngestStats, ScoreQueue, SourceStateStore
from signals.feeds.sources import Source
from signals.http import Resolver
from signals.models import Item, ScoreRequest, as_utc, utcnow
from signals.models.source import SeenEntry, SourceState, publication_span
from signals.telemetry import MetricUnit, logger, metrics


class IngestReport(SignalsModel):
    """What one run did (returned by the handler, turned into metrics)."""

    sources: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    skipped_not_due: int = 0
    not_reached: int = 0  # due, but the run stopped starting fetches (time); first next run
    items_new: int = 0
    items_updated: int = 0
    bytes: int = 0
    errors: list[str] = []


@dataclass(frozen=True)
class IngestPorts:
    """What a run reads and writes; ``aws_ports()`` wires the real ones, tests in-memory twins."""

    states: SourceStateStore
    archive: FeedArchive
    queue: ScoreQueue
    stats: IngestStats


def aws_ports() -> IngestPorts:
    """The deployed collaborators: DynamoDB source records, the S3 archive, the score queue, ops stats."""
    from signals.ops.pipeline_stats import PipelineStats
    from signals.storage.archive import S3Archive
    from signals.storage.queues import SqsScoreQueue
    from signals.storage.source_records import DynamoSourceStore

    return IngestPorts(DynamoSourceStore(), S3Archive(), SqsScoreQueue(), PipelineStats())


@dataclass(frozen=True)
class SourceResult:
    """One source's part of a run."""

    source_id: str
    status: str  # ok | not_modified | failed
    items_new: int = 0
    items_updated: int = 0
    bytes: int = 0
    error: str | None = None


def due_sources(
    sources: Sequence[Source], states: dict[str, SourceState], now: datetime
) -> tuple[list[Source], int]:
    """Enabled sources that are due, most overdue first (never-fetched first); and how many are not due."""
    enabled = [s for s in sources if s.enabled]
    due = [
        s
        for s in enabled
        if (st := states.get(s.id)) is None or st.next_fetch_at is None or as_utc(st.next_fetch_at) <= now
    ]

    def overdue(source: Source) -> tuple[int, str]:
        state = states.get(source.id)
        when = state.next_fetch_at if state else None
        return (0, "") if when is None else (1, as_utc(when).isoformat())

    return sorted(due, key=overdue), len(enabled) - len(due)


def _limits(settings: Settings) -> NormalizeLimits:
    return NormalizeLimits(
        title_max_chars=settings.title_max_chars,
        summary_max_chars=settings.summary_max_chars,
        future_date_tolerance_s=settings.future_date_tolerance_s,
    )


def items_from_feed(
    body: bytes,
    *,
    source: Source,
    base_url: str,
    fetched_at: datetime,
    settings: Settings,
    content_type: str | None = None,
    raw_key: str | None = None,
) -> tuple[list[Item], str | None, str]:
    """Parse and normalise one document: (unique items, parser warning, format)."""
    parsed = parse_feed(body, url=base_url, content_type=content_type)
    limits = _limits(settings)
    items: dict[str, Item] = {}
    rejected = 0
    for entry in parsed.entries[: settings.max_items_per_feed]:
        try:
            item = normalize_entry(
                entry,
                source=source,
                base_url=base_url,
                fetched_at=fetched_at,
                raw_key=raw_key,
                limits=limits,
            )
        except (ValidationError, ValueError):
            rejected += 1
            continue
        items.setdefault(item.id, item)  # a feed repeating a guid keeps its first entry
    warning = parsed.warning
    if rejected:
        warning = f"{warning + '; ' if warning else ''}{rejected} entr(ies) could not be normalised"
    return list(items.values()), warning, parsed.format


def _enqueue(items: list[tuple[Item, str, str]], now: datetime, queue: ScoreQueue) -> None:
    requests = [
        ScoreRequest(
            item_key=key,
            item_id=item.id,
            source_id=item.source_id,
            reason=reason,  # type: ignore[arg-type]
            enqueued_at=now,
        )
        for item, key, reason in items
    ]
    if requests:
        queue.send_requests(requests)


def ingest_source(
    source: Source,
    state: SourceState | None,
    *,
    now: datetime,
    settings: Settings,
    ports: IngestPorts,
    resolver: Resolver | None = None,
) -> SourceResult:
    """Fetch one source and archive/enqueue what changed; stores its state. Never raises."""
    previous = state or SourceState(source_id=source.id)
    source_store = ports.states
    outcome = fetch_source(source, previous, now=now, settings=settings, resolver=resolver)
    try:
        if outcome.status != "ok" or outcome.body is None:
            source_store.save_state(outcome.state)
            return SourceResult(source.id, outcome.status, error=outcome.error)
        body = outcome.body
        digest = hashlib.sha256(body).hexdigest()
        if digest == previous.body_sha256:
            # Same bytes as last time (a server without validators): nothing to archive or parse.
            source_store.save_state(outcome.state.model_copy(update={"last_status": "not_modified"}))
            return SourceResult(source.id, "not_modified", bytes=len(body))
        base_url = outcome.final_url or source.url
        parsed_items, warning, fmt = items_from_feed(
            body,
            source=source,
            base_url=base_url,
            fetched_at=now,
            settings=settings,
            content_type=outcome.content_type,
        )
        raw_key, _ = ports.archive.archive_raw(
            source.id, body, now, "json" if fmt.startswith("json") else "xml"
        )
        if not parsed_items and warning:
            error = f"parse_error: {warning}"
            source_store.save_state(failed_state(previous, now=now, error=error, settings=settings))
            return SourceResult(source.id, "failed", bytes=len(body), error=error)
        items = [i.model_copy(update={"raw_key": raw_key}) for i in parsed_items]
        seen = source_store.load_seen(i.id for i in items)
        changed: list[tuple[Item, str, str]] = []
        for item in items:
            before = seen.get(item.id)
            if before is not None and before.content_hash == item.content_hash:
                continue
            key, _ = ports.archive.write_item(item)  # 412 (already there) is fine: a retried run
            changed.append((item, key, "update" if before is not None else "new"))
        _enqueue(changed, now, ports.queue)
        source_store.save_seen(
            [
                SeenEntry(
                    item_id=i.id, content_hash=i.content_hash, item_key=k, source_id=source.id, seen_at=now
                )
                for i, k, _ in changed
            ]
        )
        new = sum(1 for _, _, reason in changed if reason == "new")
        dated = [i.published_at for i, _, why in changed if why == "new" and i.published_from_feed]
        next_state = outcome.state.model_copy(
            update={
                "body_sha256": digest,
                "last_warning": warning,
                "items_seen": previous.items_seen + new,
                "last_new_item_at": now if new else previous.last_new_item_at,
                **publication_span(previous, dated),  # the source's items a day, by publication date
            }
        )
        source_store.save_state(next_state)
        ports.stats.record_source_items(source.id, new, at=now)  # the source's items-per-day (best effort)
        return SourceResult(source.id, "ok", items_new=new, items_updated=len(changed) - new, bytes=len(body))
    except Exception as exc:  # an AWS outage on one source must not stop the others
        error = f"internal: {type(exc).__name__}: {exc}"[:500]
        logger.exception("ingest of a source failed", extra={"source_id": source.id})
        try:
            source_store.save_state(failed_state(previous, now=now, error=error, settings=settings))
        except Exception:
            logger.exception("could not store source state", extra={"source_id": source.id})
        return SourceResult(source.id, "failed", error=error)


def run_ingest(
    sources: list[Source],
    *,
    now: datetime | None = None,
    remaining_ms: Callable[[], int] | None = None,
    resolver: Resolver | None = None,
    ports: IngestPorts | None = None,
) -> IngestReport:
    """One ingest run over ``sources``: fetch the due ones concurrently (bounded) while time remains."""
    settings = get_settings()
    ports = ports or aws_ports()
    now = as_utc(now or utcnow())
    states = ports.states.load_states(s.id for s in sources if s.enabled)
    due, not_due = due_sources(sources, states, now)
    report = IngestReport(sources=len(sources), skipped_not_due=not_due)
    started = 0
    queue = iter(due)
    concurrency = max(1, settings.fetch_concurrency)
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="ingest")
    try:
        pending: set[Future[SourceResult]] = set()
        exhausted = False
        while True:
            while not exhausted and len(pending) < concurrency:
                if remaining_ms is not None and remaining_ms() < settings.ingest_time_reserve_ms:
                    exhausted = True
                    break
                source = next(queue, None)
                if source is None:
                    exhausted = True
                    break
                started += 1
                pending.add(
                    pool.submit(
                        ingest_source,
                        source,
                        states.get(source.id),
                        now=now,
                        settings=settings,
                        ports=ports,
                        resolver=resolver,
                    )
                )
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                _tally(report, future.result())
    except BaseException:  # an interrupt (the local demo stopping): do not wait for fetches in flight
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    report.not_reached = len(due) - started
    if report.not_reached:
        logger.warning("ingest run stopped early", extra={"not_reached": report.not_reached})
    return report


def _tally(report: IngestReport, result: SourceResult) -> None:
    report.bytes += result.bytes
    if result.status == "ok":
        report.fetched += 1
        report.items_new += result.items_new
        report.items_updated += result.items_updated
    elif result.status == "not_modified":
        report.not_modified += 1
    else:
        report.failed += 1
        report.errors.append(f"{result.source_id}: {result.error}")


#: The run's figures as CloudWatch metrics (name, report field, unit).
RUN_METRICS = (
    ("SourcesFetched", "fetched", MetricUnit.Count),
    ("SourcesNotModified", "not_modified", MetricUnit.Count),
    ("SourcesFailed", "failed", MetricUnit.Count),
    ("SourcesNotReached", "not_reached", MetricUnit.Count),
    ("ItemsNew", "items_new", MetricUnit.Count),
    ("ItemsUpdated", "items_updated", MetricUnit.Count),
    ("BytesFetched", "bytes", MetricUnit.Bytes),
)


def scheduled_run(
    sources: list[Source],
    *,
    remaining_ms: Callable[[], int] | None = None,
    ports: IngestPorts | None = None,
) -> IngestReport:
    """The scheduled run: ingest, then its metrics and the pipeline's daily figures (``/ops``)."""
    ports = ports or aws_ports()
    report = run_ingest(sources, remaining_ms=remaining_ms, ports=ports)
    for name, field, unit in RUN_METRICS:
        metrics.add_metric(name=name, unit=unit, value=getattr(report, field))
    ports.stats.record_run(
        fetched=report.fetched,
        not_modified=report.not_modified,
        failed=report.failed,
        new_items=report.items_new,
        bytes_=report.bytes,
    )
    logger.info("ingest run finished", extra={"report": report.model_dump(exclude={"errors"})})
    return report
