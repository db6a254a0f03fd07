"""Scorer handler: an SQS batch of claim checks -> scored, grouped signals; poison messages fail alone."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from signals.partial_batch import PartialBatchResponse
from signals.scoring.service import Collaborators, score_messages
from signals.scoring.wiring import build_collaborators
from signals.telemetry import logger, metrics
from signals.tracing import tracer

_collaborators: Collaborators | None = None


def collaborators() -> Collaborators:
    """The container's collaborators, built on first use (the Bedrock analyst imports more than cold
    start needs)."""
    global _collaborators
    if _collaborators is None:
        _collaborators = build_collaborators()
    return _collaborators


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialBatchResponse:
    response = score_messages(event, collaborators())
    tracer.annotate(messages=len(event.get("Records", [])), failed=len(response.get("batchItemFailures", [])))
    return response
