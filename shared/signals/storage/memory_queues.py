"""In-memory twins of ``queues.DeliveryQueue`` (the scorer's ``EventQueue``) and ``queues.ScoreQueue``."""

from __future__ import annotations

from collections.abc import Sequence

from signals.models import ScoreRequest, SignalEvent
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
