"""Deliver function: delivery-queue batch -> fan-out or one signed webhook attempt per message.

Messages are handled concurrently (bounded) by ``signals.webhooks.delivery_batch`` over the stores
``signals.webhooks.wiring`` builds; Powertools' BatchProcessor then reports exactly the failed
message ids, so SQS retries only those.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from signals.telemetry import logger, metrics
from signals.webhooks import delivery_batch, wiring


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records", [])
    outcomes = delivery_batch.handle_batch(
        [(r["messageId"], r.get("body", "")) for r in records], wiring.delivery_context()
    )

    def report(record: SQSRecord) -> None:  # the outcome computed above, told to the batch processor
        outcome = outcomes.get(record.message_id)
        if isinstance(outcome, BaseException):
            raise outcome
        logger.append_keys(delivery_id=getattr(outcome, "delivery_id", None))

    return process_partial_response(
        event=event,
        record_handler=report,
        processor=BatchProcessor(event_type=EventType.SQS),
        context=context,
    )
