"""What the webhooks domain needs from the outside world, as small Protocols (ports).

``signals.storage`` implements them over DynamoDB and SQS (``DynamoSubscriptionStore``,
``DynamoDeliveryLog``, ``SqsTaskQueue``) with in-memory twins for unit tests
(``storage/memory_subscriptions.py``, ``storage/memory_deliveries.py``); ``webhooks.wiring``
builds the real ones. Stores raise ``VersionConflict`` (a user edit lost the optimistic lock) and
``DeliveryBusy`` (a manual retry of a delivery still pending) and ``CapReached`` (a subscription
counter at its cap, nothing written); they live with the shapes in ``signals.models``.
``RateLimits`` (fixed windows: ``storage/rate_limits.py``, twin ``storage/memory_rate_limits.py``)
bounds what a key may send by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from signals.models import Signal
from signals.models.delivery import Delivery, DeliveryAttempt, DeliveryStatus, DeliveryTask, QueuedMessage
from signals.models.subscription import IndexRow, Subscription

#: An opaque continuation key of a listing (the API wraps it in a signed cursor).
PageKey = dict[str, Any]


class SubscriptionStore(Protocol):
    """Subscriptions, their fan-out index rows and the counters they occupy, changed together.

    The store is given the domain's ``counted_in`` rule (counter -> cap); ``create`` and a
    ``replace`` that joins a counter raise ``CapReached(counter)`` when it is full, atomically with
    the write. ``delete`` takes the version read (``VersionConflict`` if it changed meanwhile).
    """

    def create(self, subscription: Subscription) -> None: ...

    def get(self, subscription_id: str) -> Subscription | None: ...

    def list_owned(
        self, owner: str, *, limit: int, start_key: PageKey | None = None
    ) -> tuple[list[Subscription], PageKey | None]: ...

    def count_owned(self, owner: str) -> int: ...

    def replace(self, before: Subscription, after: Subscription) -> Subscription:
        """Write a user edit if ``before`` is still current; the stored result (version + 1)."""
        ...

    def delete(self, subscription: Subscription) -> None: ...

    def record_success(self, subscription_id: str, now: datetime) -> None: ...

    def record_failure(self, subscription_id: str, now: datetime) -> Subscription | None: ...

    def reset_health(self, subscription_id: str) -> None: ...

    def matching_rows(
        self, partition: str, score: int, *, limit: int, start_sk: str | None = None
    ) -> tuple[list[IndexRow], str | None]:
        """One page of a partition's rows with ``min_score <= score``; where to continue."""
        ...


class DeliveryLog(Protocol):
    """One record per (subscription, event): attempts claimed before they are made, then closed."""

    def claim_attempt(self, task: DeliveryTask, now: datetime, lease_s: int) -> bool: ...

    def close_attempt(
        self,
        task: DeliveryTask,
        attempt: DeliveryAttempt,
        status: DeliveryStatus,
        *,
        next_attempt_at: datetime | None = None,
    ) -> None: ...

    def get_delivery(self, subscription_id: str, delivery_id: str) -> Delivery | None: ...

    def list_deliveries(
        self, subscription_id: str, *, limit: int, start_key: PageKey | None = None
    ) -> tuple[list[Delivery], PageKey | None]: ...

    def reopen(self, subscription_id: str, delivery_id: str, now: datetime) -> Delivery: ...


class TaskQueue(Protocol):
    """The delivery queue, and its dead-letter queue for exhausted tasks."""

    def enqueue(self, messages: Sequence[QueuedMessage]) -> None: ...

    def park(self, message: QueuedMessage) -> None: ...


class RateLimits(Protocol):
    """Fixed-window counters: ``hit`` counts one use of ``scope`` if within ``limit`` (None), else
    answers the seconds until the window holding ``now`` ends (and counts nothing)."""

    def hit(self, scope: str, limit: int, window_s: int, now: datetime) -> int | None: ...


class SignalReader(Protocol):
    """The stored signal a delivery sends (read consistently: it was just written)."""

    def get(self, signal_id: str) -> Signal | None: ...


__all__ = ["DeliveryLog", "PageKey", "RateLimits", "SignalReader", "SubscriptionStore", "TaskQueue"]
