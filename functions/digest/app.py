"""Digest handler: once a day (EventBridge schedule), yesterday's UTC digest, stored once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from signals.ops.digest_schedule import run_digest
from signals.telemetry import logger, metrics
from signals.tracing import tracer
from signals.webhooks.digest_announce import announce_digest


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    # an event may name a day ({"date": "YYYY-MM-DD"}); the schedule's does not: yesterday (UTC)
    day = event.get("date") if isinstance(event, dict) else None
    try:
        run = run_digest(str(day) if day is not None else None)
    except ValueError as exc:  # a hand-sent event with a bad date: a logged rejection, not a crash
        logger.warning("digest event rejected", extra={"reason": str(exc)})
        return {"rejected": str(exc)}
    # every run (a retry too) queues the day's digest.daily deliveries: same ids, each sent once
    return {**run.as_dict(), "announced": announce_digest(run.digest)}
