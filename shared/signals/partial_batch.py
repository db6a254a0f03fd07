"""SQS partial-batch responses (``ReportBatchItemFailures``) for the scorer and the deliverer.

What Powertools' ``BatchProcessor`` does for a standard SQS batch, in the lines these two functions
need: importing ``aws_lambda_powertools.utilities.batch`` loads its event data classes and asyncio,
~50 ms of every cold start of a function whose records are plain ``messageId`` + ``body``.

- Each record's handler runs in order; a record whose handler raises is reported in
  ``batchItemFailures``, so SQS retries only that message (and moves it to the DLQ after the
  queue's ``maxReceiveCount``). The failure is logged with the message id and the exception.
- When every record of a non-empty batch fails, :class:`EntireBatchFailed` is raised, as Powertools
  does: the invocation counts as an error (alarms see it) and SQS retries the whole batch.
- A record without a ``messageId`` cannot be reported, so the batch fails whole (never silently
  acknowledged).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypedDict


class ItemFailure(TypedDict):
    itemIdentifier: str


class PartialBatchResponse(TypedDict):
    batchItemFailures: list[ItemFailure]


class EntireBatchFailed(Exception):
    """Every record of the batch failed; ``errors`` holds (message id, exception) for each."""

    def __init__(self, errors: Sequence[tuple[str, BaseException]]):
        self.errors = list(errors)
        first = self.errors[0][1] if self.errors else None
        super().__init__(
            f"all {len(self.errors)} records of the batch failed (first: {type(first).__name__}: {first})"
        )


def process(records: Sequence[dict[str, Any]], handle: Callable[[str, str], None]) -> PartialBatchResponse:
    """Run ``handle(message_id, body)`` for each SQS record; the partial-batch response."""
    from signals.telemetry import logger

    ids = [record.get("messageId") for record in records]
    if not all(isinstance(message_id, str) and message_id for message_id in ids):
        raise ValueError("an SQS record without a messageId cannot be reported as failed alone")
    errors: list[tuple[str, BaseException]] = []
    for message_id, record in zip(ids, records, strict=True):
        try:
            handle(message_id, record.get("body", ""))
        except Exception as error:  # one record's failure must not fail the others
            logger.warning(
                "record failed; reported for retry",
                extra={"message_id": message_id, "error": f"{type(error).__name__}: {error}"},
                exc_info=error,
            )
            errors.append((message_id, error))
    if records and len(errors) == len(records):
        raise EntireBatchFailed(errors)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id, _ in errors]}
