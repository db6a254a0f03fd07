"""Scorer handler: an SQS batch of claim checks -> scored, grouped signals; poison messages fail alone."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from signals.scoring.analyst import Analyst
from signals.scoring.enrichers import build_analyst
from signals.scoring.service import (
    Outcome,
    ScoringSession,
    parse_request,
    record_batch_stats,
    report_outcome,
    valid_requests,
)
from signals.telemetry import MetricUnit, logger, metrics

processor = BatchProcessor(event_type=EventType.SQS)
_analyst: Analyst | None = None


def analyst() -> Analyst:
    """The container's analyst, built on first use (the Bedrock one imports more than cold start needs)."""
    global _analyst
    if _analyst is None:
        _analyst = build_analyst()
    return _analyst


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records", [])
    session = ScoringSession(analyst=analyst())
    session.prepare(valid_requests([r.get("body", "") for r in records]))  # one read for the batch

    outcomes: list[Outcome] = []

    def score_record(record: SQSRecord) -> None:
        logger.append_keys(message_id=record.message_id)
        outcome = session.score(parse_request(record.body))
        outcomes.append(outcome)
        report_outcome(outcome)

    response = process_partial_response(
        event=event, record_handler=score_record, processor=processor, context=context
    )
    session.flush_events()
    failures = len(response.get("batchItemFailures", []))
    if failures:
        metrics.add_metric(name="ScoreErrors", unit=MetricUnit.Count, value=failures)
    record_batch_stats(outcomes, failures)
    return response
