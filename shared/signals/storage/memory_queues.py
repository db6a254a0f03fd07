"""``queues.DeliveryQueue``'s in-memory twin for the scorer's ``EventQueue`` port (no moto)."""

from __future__ import annotations

from collections.abc import Sequence

from signals.models import SignalEvent
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
