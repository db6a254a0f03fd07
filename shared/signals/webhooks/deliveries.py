"""Delivery messages: the fan-out page, the tasks the API asks for, and the bytes sent.

The task and the logged delivery live in ``signals.models.delivery`` (they cross the storage and
queue ports) and are re-exported here. Waits longer than SQS's 15-minute delay hop: a task carries
``not_before`` and goes back on the queue with the maximum delay until it is due.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from signals.base_model import SignalsModel
from signals.models import SignalEvent, as_utc, iso
from signals.models.delivery import (
    Delivery,
    DeliveryAttempt,
    DeliveryBusy,
    DeliveryStatus,
    DeliveryTask,
    QueuedMessage,
    delivery_id_for,
)
from signals.models.subscription import TEST_EVENT_TYPE


class FanOutPage(SignalsModel):
    """Delivery-queue message: continue fanning ``event`` out from ``start_key`` of ``partition``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["fanout"] = "fanout"
    event: SignalEvent
    partitions: list[str] = Field(
        min_length=1, description="index partitions still to read; first is current"
    )
    start_sk: str | None = None


class DeliveryList(SignalsModel):
    """``GET /v1/subscriptions/{id}/deliveries``."""

    items: list[Delivery]
    next_cursor: str | None = None


def payload_bytes(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> bytes:
    """The exact body bytes sent (and signed): ``{"type", "timestamp", "data"}``, compact UTF-8 JSON."""
    document = {"type": event_type, "timestamp": iso(occurred_at), "data": data}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def manual_retry_task(delivery: Delivery) -> DeliveryTask:
    """The task that re-delivers a logged delivery by hand (same webhook-id, one attempt)."""
    return DeliveryTask(
        delivery_id=delivery.id,
        subscription_id=delivery.subscription_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        signal_id=delivery.signal_id,
        signal_version=delivery.signal_version,
        occurred_at=delivery.occurred_at,
        attempt=delivery.attempt_count + 1,
        manual=True,
    )


def test_task(subscription_id: str, now: datetime, event_id: str) -> DeliveryTask:
    """A test-event delivery task for one subscription."""
    return DeliveryTask(
        delivery_id=delivery_id_for(subscription_id, event_id),
        subscription_id=subscription_id,
        event_id=event_id,
        event_type=TEST_EVENT_TYPE,
        occurred_at=now,
        manual=True,
    )


test_task.__test__ = False  # type: ignore[attr-defined]  # a factory, not a pytest test


def queued(task: DeliveryTask, now: datetime, max_delay_s: int) -> QueuedMessage:
    """The queue message for ``task``: delayed until ``not_before``, at most ``max_delay_s`` (SQS's cap)."""
    delay = 0
    if task.not_before is not None:
        delay = max(0, min(max_delay_s, int((as_utc(task.not_before) - now).total_seconds() + 0.999)))
    return QueuedMessage(id=task.delivery_id, body=task.model_dump_json(), delay_seconds=delay)


__all__ = [
    "TEST_EVENT_TYPE",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryBusy",
    "DeliveryList",
    "DeliveryStatus",
    "DeliveryTask",
    "FanOutPage",
    "QueuedMessage",
    "delivery_id_for",
    "manual_retry_task",
    "payload_bytes",
    "queued",
    "test_task",
]
