"""SQS sending, in batches of the service's limit (10), with per-entry failure handling, and the
queues as ports: ``SqsScoreQueue`` (ingest), ``SqsEventQueue`` (the scorer's delivery events),
``SqsTaskQueue`` (webhook delivery tasks and their DLQ). In-memory twins: ``memory_queues.py``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from signals.config import get_settings
from signals.models import ScoreRequest, SignalEvent
from signals.models.delivery import QueuedMessage
from signals.storage.aws import client

SQS_BATCH_LIMIT = 10


class QueueSendError(RuntimeError):
    """Some messages could not be sent after the batch call; callers must not ack their inputs."""

    def __init__(self, failed_ids: list[str]):
        super().__init__(f"{len(failed_ids)} message(s) not accepted by SQS: {failed_ids[:5]}")
        self.failed_ids = failed_ids


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to send: an id unique within the call, the body, an optional delay."""

    id: str
    body: str
    delay_seconds: int = 0


def send_messages(queue_url: str, messages: Sequence[OutgoingMessage]) -> int:
    """Send messages in batches of 10; returns the number of SendMessageBatch calls made.

    Raises :class:`QueueSendError` naming the entries SQS refused (so nothing is silently lost).
    """
    calls = 0
    failed: list[str] = []
    sqs = client("sqs")
    for start in range(0, len(messages), SQS_BATCH_LIMIT):
        chunk = messages[start : start + SQS_BATCH_LIMIT]
        entries: list[dict[str, object]] = []
        for n, message in enumerate(chunk):
            entry: dict[str, object] = {"Id": f"m{n}", "MessageBody": message.body}
            if message.delay_seconds:
                entry["DelaySeconds"] = message.delay_seconds
            entries.append(entry)
        response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        calls += 1
        for failure in response.get("Failed", []):
            failed.append(chunk[int(failure["Id"][1:])].id)
    if failed:
        raise QueueSendError(failed)
    return calls


class SqsScoreQueue:
    """The score queue as the ingest's ``ScoreQueue`` port: one claim-check message per item."""

    def send_requests(self, requests: Sequence[ScoreRequest]) -> int:
        messages = [OutgoingMessage(id=r.item_id, body=r.model_dump_json()) for r in requests]
        return send_messages(get_settings().score_queue_url, messages) if messages else 0


class SqsEventQueue:
    """The delivery queue as the scorer's ``EventQueue`` port: one message per event, in batches of 10."""

    def send_events(self, events: Sequence[SignalEvent]) -> int:
        messages = [OutgoingMessage(id=e.event_id, body=e.model_dump_json()) for e in events]
        return send_messages(get_settings().delivery_queue_url, messages)


def _outgoing(message: QueuedMessage) -> OutgoingMessage:
    return OutgoingMessage(id=message.id, body=message.body, delay_seconds=message.delay_seconds)


@dataclass(frozen=True)
class SqsTaskQueue:
    """Sends in batches of ten; ``QueueSendError`` names what SQS refused (nothing silently lost)."""

    queue_url: str
    dead_letter_url: str

    def enqueue(self, messages: Sequence[QueuedMessage]) -> None:
        send_messages(self.queue_url, [_outgoing(m) for m in messages])

    def park(self, message: QueuedMessage) -> None:
        send_messages(self.dead_letter_url, [_outgoing(message)])
