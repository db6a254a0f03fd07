"""Deliver function: delivery-queue batch -> fan-out or one signed webhook attempt per message.

Messages are handled concurrently (bounded) by ``signals.webhooks.delivery_batch`` over the stores
``signals.webhooks.wiring`` builds; ``signals.partial_batch`` then reports exactly the failed
message ids, so SQS retries only those.
"""

from __future__ import annotations

from typing import Any

from signals import partial_batch
from signals.telemetry import logger, metrics
from signals.tracing import tracer
from signals.webhooks import delivery_batch, wiring


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> partial_batch.PartialBatchResponse:
    records = event.get("Records", [])
    outcomes = delivery_batch.handle_batch(
        [(r["messageId"], r.get("body", "")) for r in records], wiring.delivery_context()
    )
    annotate(outcomes)

    def report(message_id: str, body: str) -> None:  # the outcome computed above, per record
        outcome = outcomes.get(message_id)
        if isinstance(outcome, BaseException):
            raise outcome
        logger.append_keys(delivery_id=getattr(outcome, "delivery_id", None))

    return partial_batch.process(records, report)


def annotate(outcomes: dict[str, Any]) -> None:
    """The batch's figures on its trace (and the delivery id when the batch is one message)."""
    kinds = [getattr(o, "kind", "error") for o in outcomes.values()]
    ids = [getattr(o, "delivery_id", None) for o in outcomes.values()]
    tracer.annotate(
        messages=len(outcomes),
        delivered=kinds.count("delivered"),
        failed=sum(isinstance(o, BaseException) for o in outcomes.values()),
        delivery_id=ids[0] if len(ids) == 1 else None,
    )
