"""In-memory twins of the queues in ``queues.py``: events, score requests, delivery tasks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from signals.models import ScoreRequest, SignalEvent
from signals.models.delivery import QueuedMessage
from signals.storage.queues import SQS_BATCH_LIMIT


class InMemoryEventQueue:
    """Events sent, in order; ``fail_next`` makes that many sends fail, as an outage would."""

    def __init__(self) -> None:
        self.sent: list[SignalEvent] = []
        self.fail_next = 0

    def send_events(self, events: Sequence[SignalEvent]) -> int:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("delivery queue unavailable")
        self.sent.extend(events)
        return -(-len(events) // SQS_BATCH_LIMIT)  # one call per 10, as SendMessageBatch


class InMemoryScoreQueue:
    """Score requests sent, in order (the ingest's ``ScoreQueue`` port)."""

    def __init__(self) -> None:
        self.sent: list[ScoreRequest] = []

    def send_requests(self, requests: Sequence[ScoreRequest]) -> int:
        self.sent.extend(requests)
        return -(-len(requests) // SQS_BATCH_LIMIT)


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


__all__ = ["InMemoryEventQueue", "InMemoryScoreQueue", "MemoryTaskQueue"]
