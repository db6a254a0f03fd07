"""Plays the SQS event source mapping: receive a batch, invoke, delete only what succeeded.

As in AWS, messages the handler reports in ``batchItemFailures`` (or the whole batch, if the
handler raises) are left on the queue, to be received again after the visibility timeout and,
after ``maxReceiveCount`` receives, moved to the DLQ by SQS itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from signals.local.lambda_context import LambdaContext


@dataclass
class BatchOutcome:
    received: int = 0
    failed: int = 0
    crashed: bool = False


def _queue_arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def to_record(message: dict[str, Any], arn: str) -> dict[str, Any]:
    """One SQS message as the Lambda SQS event record."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": "us-east-1",
    }


class SqsEventSource:
    """Feeds one queue's messages to one handler, batch by batch."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Callable[[dict[str, Any], Any], Any],
        *,
        function: str,
        batch_size: int = 10,
        timeout_ms: int = 60_000,
    ):
        self.sqs, self.queue_url, self.handler = sqs, queue_url, handler
        self.function, self.batch_size, self.timeout_ms = function, batch_size, timeout_ms
        self.arn = _queue_arn(sqs, queue_url)

    def poll_once(self, wait_seconds: int = 0) -> BatchOutcome:
        """Receive one batch (if any), invoke the handler, delete the successes."""
        got = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
        )
        messages = got.get("Messages", [])
        if not messages:
            return BatchOutcome()
        event = {"Records": [to_record(m, self.arn) for m in messages]}
        try:
            response = self.handler(event, LambdaContext(self.function, timeout_ms=self.timeout_ms)) or {}
        except Exception:
            return BatchOutcome(received=len(messages), failed=len(messages), crashed=True)
        failed_ids = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                for n, m in enumerate(done[start : start + 10])
            ]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        return BatchOutcome(received=len(messages), failed=len(failed_ids))

    def drain(self, max_batches: int = 100_000) -> BatchOutcome:
        """Poll until the queue has nothing visible; totals of every batch."""
        total = BatchOutcome()
        for _ in range(max_batches):
            outcome = self.poll_once()
            if not outcome.received:
                break
            total.received += outcome.received
            total.failed += outcome.failed
            total.crashed = total.crashed or outcome.crashed
        return total
