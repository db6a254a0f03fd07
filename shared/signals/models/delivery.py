"""Delivery shapes that cross the storage and queue ports: the task message, the logged delivery
with its attempts, and a message bound for the delivery queue.

A ``DeliveryTask`` is one (subscription, event) delivery; the deliver function makes one attempt
per task message and re-enqueues the next attempt. Waits longer than SQS's 15-minute delay hop:
the task carries ``not_before`` and goes back on the queue with the maximum delay until it is due.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from pydantic import ConfigDict, Field

from signals.base_model import SignalsModel
from signals.models import SignalEvent, UtcDatetime

DeliveryStatus = Literal["pending", "delivered", "failed"]


class DeliveryBusy(Exception):
    """A manual retry was asked while the delivery is still pending."""


def delivery_id_for(subscription_id: str, event_id: str) -> str:
    """Deterministic delivery id: one per (subscription, event), so duplicates collapse."""
    return hashlib.sha256(f"{subscription_id}\x00{event_id}".encode()).hexdigest()[:32]


def webhook_id(subscription_id: str, event_id: str) -> str:
    """Stable webhook-id for one (subscription, event): same on retries, redrives and replays."""
    digest = hashlib.sha256(f"{subscription_id}\x00{event_id}".encode()).hexdigest()[:32]
    return f"msg_{digest}"


class DeliveryTask(SignalsModel):
    """Delivery-queue message: make attempt ``attempt`` of one (subscription, event) delivery."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["delivery"] = "delivery"
    delivery_id: str
    subscription_id: str
    event_id: str
    event_type: str
    signal_id: str | None = None  # None for test events
    signal_version: int | None = None
    occurred_at: UtcDatetime
    attempt: int = Field(1, ge=1, description="global attempt number this message makes")
    step: int = Field(0, ge=0, description="automatic retries already made (schedule position)")
    manual: bool = Field(False, description="manual retry or redrive: one attempt, no schedule")
    not_before: UtcDatetime | None = None

    @property
    def webhook_id(self) -> str:
        return webhook_id(self.subscription_id, self.event_id)

    @classmethod
    def first(cls, subscription_id: str, event: SignalEvent) -> DeliveryTask:
        return cls(
            delivery_id=delivery_id_for(subscription_id, event.event_id),
            subscription_id=subscription_id,
            event_id=event.event_id,
            event_type=event.type,
            signal_id=event.signal_id,
            signal_version=event.signal_version,
            occurred_at=event.occurred_at,
        )


class DeliveryAttempt(SignalsModel):
    """One attempt as the delivery log shows it."""

    model_config = ConfigDict(extra="forbid")

    attempt: int
    at: UtcDatetime
    status_code: int | None = None
    latency_ms: int | None = None
    error: str | None = None
    manual: bool = False


class Delivery(SignalsModel):
    """A delivery (one subscription, one event) with its attempts, as stored and shown."""

    model_config = ConfigDict(extra="forbid")

    id: str
    subscription_id: str
    event_id: str
    event_type: str
    webhook_id: str
    signal_id: str | None = None
    signal_version: int | None = None
    occurred_at: UtcDatetime
    status: DeliveryStatus
    attempt_count: int = 0
    attempts: list[DeliveryAttempt] = []
    last_error: str | None = None
    next_attempt_at: UtcDatetime | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime


@dataclass(frozen=True)
class QueuedMessage:
    """One delivery-queue message to send: an id unique within the call, the body, a delay."""

    id: str
    body: str
    delay_seconds: int = 0


__all__ = [
    "Delivery",
    "DeliveryAttempt",
    "DeliveryBusy",
    "DeliveryStatus",
    "DeliveryTask",
    "QueuedMessage",
    "delivery_id_for",
    "webhook_id",
]
