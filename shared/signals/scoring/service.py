"""The scorer's service: one SQS batch of claim checks in, stored signals and delivery events out.

:func:`score_messages` is what the scorer handler calls: it reads the batch once, scores each
message in a :class:`~signals.scoring.session.ScoringSession` under partial-failure processing
(``signals.partial_batch``: a poison message fails alone and goes back to the queue), sends the
batch's events, then logs, meters and counts what happened. The collaborators come from the composition root
(``scoring/wiring.py``), built once per container by the handler.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from signals.models import ScoreRequest, utcnow
from signals.scoring.analyst import Analyst
from signals.scoring.ports import EventQueue, ItemArchive, StatsSink, StoryStore
from signals.scoring.session import Outcome, ScoringSession

if TYPE_CHECKING:
    from signals.partial_batch import PartialBatchResponse

__all__ = ["Collaborators", "Outcome", "ScoringSession", "score_messages"]


@dataclass(frozen=True)
class Collaborators:
    """What scoring works with: the analyst and the ports (real ones from the composition root)."""

    analyst: Analyst
    stories: StoryStore
    archive: ItemArchive
    queue: EventQueue
    stats: StatsSink

    def session(self) -> ScoringSession:
        """A session for one batch (settings read now, as every invocation does)."""
        return ScoringSession(
            analyst=self.analyst, stories=self.stories, archive=self.archive, queue=self.queue
        )


def score_messages(event: dict[str, Any], collaborators: Collaborators) -> PartialBatchResponse:
    """Score one SQS batch: prepare, score each record (failures reported per record), flush the
    events, then count; returns the partial-failure response (``batchItemFailures``)."""
    from signals import partial_batch
    from signals.telemetry import MetricUnit, logger, metrics

    session = collaborators.session()
    records = event.get("Records", [])
    session.prepare(valid_requests([r.get("body", "") for r in records]))  # one read for the batch

    outcomes: list[Outcome] = []

    def score_record(message_id: str, body: str) -> None:
        logger.append_keys(message_id=message_id)
        outcome = session.score(parse_request(body))
        outcomes.append(outcome)
        report_outcome(outcome)

    def count(failures: int) -> None:
        if failures:
            metrics.add_metric(name="ScoreErrors", unit=MetricUnit.Count, value=failures)
        record_batch_stats(collaborators.stats, outcomes, failures)

    try:
        response = partial_batch.process(records, score_record)
    except partial_batch.EntireBatchFailed as failed:  # counted too, then the invocation fails
        count(len(failed.errors))
        raise
    session.flush_events()
    count(len(response["batchItemFailures"]))
    return response


# --------------------------------------------------------------------------- SQS edge


def parse_request(body: str) -> ScoreRequest:
    """One score-queue message body (raises on bad JSON or an invalid request)."""
    return ScoreRequest.model_validate_json(body)


def valid_requests(bodies: Sequence[str]) -> list[ScoreRequest]:
    """The requests among message bodies that parse (poison bodies fail later, on their own)."""
    out: list[ScoreRequest] = []
    for body in bodies:
        try:
            out.append(parse_request(body))
        except ValueError:
            continue
    return out


def record_batch_stats(stats: StatsSink, outcomes: Sequence[Outcome], failures: int) -> None:
    """Ops figures for one batch (best effort): one counter write for what was stored, one for failures."""
    stored = [
        (o.signal, o.item, o.action == "merged") for o in outcomes if o.signal and o.action != "duplicate"
    ]
    stats.record_scored_batch(stored)
    if failures:
        stats.record_scoring_error(failures)


def report_outcome(outcome: Outcome, now: datetime | None = None) -> None:
    """Log one outcome with its correlation ids and emit its metrics."""
    from signals.telemetry import MetricUnit, logger, metrics

    now = now or utcnow()
    item = outcome.item
    extra = {"item_id": item.id, "source_id": item.source_id, "action": outcome.action}
    if outcome.signal is not None:
        extra |= {
            "story_id": outcome.signal.id,
            "score": outcome.signal.score,
            "category": outcome.signal.category.value,
            "version": outcome.signal.version,
        }
    logger.info("item scored", extra=extra)
    if outcome.action == "duplicate":
        metrics.add_metric(name="ItemsDuplicate", unit=MetricUnit.Count, value=1)
        return
    metrics.add_metric(name="ItemsScored", unit=MetricUnit.Count, value=1)
    if outcome.action == "merged":
        metrics.add_metric(name="ItemsMergedIntoStories", unit=MetricUnit.Count, value=1)
    if outcome.signal is not None:
        metrics.add_metric(name="SignalScore", unit=MetricUnit.NoUnit, value=outcome.signal.score)
    metrics.add_metric(
        name="LagPublishedToScored",
        unit=MetricUnit.Seconds,
        value=max(0.0, (now - item.published_at).total_seconds()),
    )
    metrics.add_metric(
        name="LagFetchedToScored",
        unit=MetricUnit.Seconds,
        value=max(0.0, (now - item.fetched_at).total_seconds()),
    )
