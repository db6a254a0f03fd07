"""Move dead-lettered messages back to the queue they came from, once the cause is fixed.

Receive from the DLQ, send to the source queue, and delete from the DLQ only the messages the
send accepted: a crash or an SQS error in between can duplicate a message (the consumers are
idempotent) but never lose one. A message the send refused stays in the DLQ, hidden for
``redrive_visibility_s``, and is counted as failed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from signals.config import get_settings
from signals.storage.aws import client
from signals.telemetry import logger

QueueName = Literal["score", "delivery"]
SQS_BATCH_LIMIT = 10


@dataclass
class RedriveReport:
    queue: str
    moved: int = 0  # sent to the source queue and deleted from the DLQ
    failed: int = 0  # the send was refused: still in the DLQ
    not_deleted: int = 0  # sent, but the DLQ delete failed: will be redriven again (a duplicate)
    remaining: int | None = None  # approximate messages left visible in the DLQ afterwards

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def queue_pair(queue: QueueName) -> tuple[str, str]:
    """(source queue URL, DLQ URL) of a named pipeline queue."""
    settings = get_settings()
    pairs = {
        "score": (settings.score_queue_url, settings.score_dlq_url),
        "delivery": (settings.delivery_queue_url, settings.delivery_dlq_url),
    }
    source, dlq = pairs[queue]
    if not source or not dlq:
        raise LookupError(f"the {queue} queue or its DLQ is not configured (set the queue URLs)")
    return source, dlq


def depth(url: str) -> int:
    """Approximate number of visible messages."""
    attributes = client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0))


def _entry(n: int, message: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": str(n), "MessageBody": message["Body"]}
    if message.get("MessageAttributes"):
        entry["MessageAttributes"] = message["MessageAttributes"]
    return entry


def redrive(queue: QueueName, *, max_messages: int | None = None) -> RedriveReport:
    """Move up to ``max_messages`` messages from ``queue``'s DLQ back to ``queue``."""
    settings = get_settings()
    source_url, dlq_url = queue_pair(queue)
    limit = settings.redrive_max_default if max_messages is None else max_messages
    sqs = client("sqs")
    report = RedriveReport(queue=queue)
    seen: set[str] = set()
    while report.moved + report.failed + report.not_deleted < limit:
        wanted = min(SQS_BATCH_LIMIT, limit - report.moved - report.failed - report.not_deleted)
        messages = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=wanted,
            VisibilityTimeout=settings.redrive_visibility_s,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:
            break
        seen.update(m["MessageId"] for m in fresh)
        try:
            sent = sqs.send_message_batch(
                QueueUrl=source_url, Entries=[_entry(n, m) for n, m in enumerate(fresh)]
            )
        except Exception:
            # The destination is unhealthy: stop here; these stay in the DLQ (hidden for a while).
            logger.exception("redrive send failed", extra={"queue": queue, "messages": len(fresh)})
            report.failed += len(fresh)
            break
        accepted = [fresh[int(s["Id"])] for s in sent.get("Successful", [])]
        report.failed += len(sent.get("Failed", []))
        if accepted:
            deleted = sqs.delete_message_batch(
                QueueUrl=dlq_url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(accepted)],
            )
            report.not_deleted += len(deleted.get("Failed", []))
            report.moved += len(deleted.get("Successful", []))
    report.remaining = depth(dlq_url)
    return report
