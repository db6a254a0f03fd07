"""The delivery queue and its DLQ as ``webhooks.ports.TaskQueue``: SQS, and an in-memory twin."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from signals.models.delivery import QueuedMessage
from signals.storage.queues import OutgoingMessage, send_messages


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


@dataclass
class MemoryTaskQueue:
    """What was sent, in order: ``sent`` on the queue, ``parked`` on the DLQ."""

    sent: list[QueuedMessage] = field(default_factory=list)
    parked: list[QueuedMessage] = field(default_factory=list)

    def enqueue(self, messages: Sequence[QueuedMessage]) -> None:
        self.sent.extend(messages)

    def park(self, message: QueuedMessage) -> None:
        self.parked.append(message)

    def take(self) -> list[QueuedMessage]:
        """Everything on the queue now, emptied (what a poller would receive)."""
        taken, self.sent = self.sent, []
        return taken


__all__ = ["MemoryTaskQueue", "SqsTaskQueue"]
