"""The subscription rules, whoever asks: ownership, the per-key cap, URL checks, optimistic
locking, enable/test/retry rules. Raises ``webhooks.errors``; the API maps them to problems.

A ``SubscriptionService`` takes its stores (ports) and settings; ``webhooks.wiring`` builds one
over the real stores, unit tests over the in-memory ones.
"""

from __future__ import annotations

import secrets as _random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from signals.config import Settings
from signals.models import as_utc, utcnow
from signals.models.delivery import Delivery, DeliveryBusy, DeliveryTask
from signals.models.subscription import Subscription, VersionConflict
from signals.webhooks.deliveries import manual_retry_task, queued, test_task
from signals.webhooks.endpoints import validate_endpoint_url
from signals.webhooks.errors import (
    DeliveryNotFound,
    DeliveryPending,
    SubscriptionDisabled,
    SubscriptionNotFound,
    TooManyAttempts,
    TooManySubscriptions,
)
from signals.webhooks.ports import DeliveryLog, PageKey, SubscriptionStore, TaskQueue
from signals.webhooks.signing import generate_secret
from signals.webhooks.subscriptions import SubscriptionCreate, SubscriptionPatch, new_subscription, rotated

MAX_ID_CHARS = 100
MAX_DELIVERY_ID_CHARS = 64


@dataclass
class SubscriptionService:
    """What an owner (an API key id) may do with subscriptions and their deliveries."""

    subscriptions: SubscriptionStore
    deliveries: DeliveryLog
    queue: TaskQueue
    settings: Settings
    resolver: Any = None  # the subscription-time SSRF check's resolver (None: the OS resolver)
    clock: Callable[[], datetime] = utcnow
    new_secret: Callable[[], str] = field(default=generate_secret)

    def check_url(self, url: str) -> str:
        """``url`` when it may receive webhooks; ``InvalidEndpoint`` otherwise."""
        return validate_endpoint_url(
            url,
            local_mode=self.settings.local_mode,
            allowed_ports=self.settings.webhook_allowed_ports,
            resolver=self.resolver,
        )

    def owned(self, owner: str, subscription_id: str) -> Subscription:
        """The subscription when ``owner`` owns it; ``SubscriptionNotFound`` otherwise (same answer)."""
        found = None
        if subscription_id and len(subscription_id) <= MAX_ID_CHARS:
            found = self.subscriptions.get(subscription_id)
        if found is None or found.owner != owner:
            raise SubscriptionNotFound()
        return found

    def create(self, owner: str, request: SubscriptionCreate) -> Subscription:
        """A new active subscription, within the per-key cap."""
        self.check_url(request.url)
        if self.subscriptions.count_owned(owner) >= self.settings.subscriptions_per_key_max:
            raise TooManySubscriptions()
        subscription = new_subscription(owner, request, self.new_secret(), self.clock())
        self.subscriptions.create(subscription)
        return subscription

    def list(
        self, owner: str, *, limit: int, start_key: PageKey | None = None
    ) -> tuple[list[Subscription], PageKey | None]:
        """A page of the owner's subscriptions, oldest first."""
        return self.subscriptions.list_owned(owner, limit=limit, start_key=start_key)

    def patch(self, owner: str, subscription_id: str, patch: SubscriptionPatch) -> Subscription:
        """Apply the properties ``patch`` sets, if the subscription is still at the version read."""
        current = self.owned(owner, subscription_id)
        changes = patch.model_dump(exclude_unset=True, exclude={"expected_version"})
        if "url" in changes:
            self.check_url(changes["url"])
        if "filters" in changes:
            changes["filters"] = patch.filters
        after = current.model_copy(update={**changes, "updated_at": self.clock()})
        return self._write(current, after, patch.expected_version or current.version)

    def delete(self, owner: str, subscription_id: str) -> None:
        current = self.owned(owner, subscription_id)
        try:
            self.subscriptions.delete(current)
        except VersionConflict as exc:  # deleted meanwhile
            raise SubscriptionNotFound() from exc

    def rotate_secret(self, owner: str, subscription_id: str) -> Subscription:
        """A new signing secret; the old one keeps signing for the rotation overlap."""
        current = self.owned(owner, subscription_id)
        after = rotated(current, self.new_secret(), self.settings.secret_rotation_overlap_s, self.clock())
        return self._write(current, after, current.version)

    def enable(self, owner: str, subscription_id: str) -> Subscription:
        """Re-enable a disabled subscription (the only way back after an auto-disable)."""
        current = self.owned(owner, subscription_id)
        if current.status == "active":
            return current
        self.check_url(current.url)
        after = current.model_copy(
            update={
                "status": "active",
                "disabled_reason": None,
                "disabled_at": None,
                "updated_at": self.clock(),
            }
        )
        stored = self._write(current, after, current.version)
        self.subscriptions.reset_health(stored.id)
        return self.subscriptions.get(stored.id) or stored

    def send_test_event(self, owner: str, subscription_id: str) -> DeliveryTask:
        """Queue a test event to an active subscription."""
        current = self.owned(owner, subscription_id)
        if current.status != "active":
            raise SubscriptionDisabled(current.disabled_reason or "")
        task = test_task(current.id, self.clock(), "test_" + _random.token_hex(12))
        self._enqueue(task)
        return task

    def deliveries_of(
        self, subscription: Subscription, *, limit: int, start_key: PageKey | None = None
    ) -> tuple[list[Delivery], PageKey | None]:
        """A page of an owned subscription's deliveries (from ``owned``), newest first."""
        return self.deliveries.list_deliveries(subscription.id, limit=limit, start_key=start_key)

    def retry_delivery(self, owner: str, subscription_id: str, delivery_id: str) -> Delivery:
        """Redeliver a finished delivery by hand (same webhook-id); the reopened delivery."""
        current = self.owned(owner, subscription_id)
        if current.status != "active":
            raise SubscriptionDisabled()
        found = None
        if len(delivery_id) <= MAX_DELIVERY_ID_CHARS:
            found = self.deliveries.get_delivery(current.id, delivery_id)
        if found is None:
            raise DeliveryNotFound()
        if found.attempt_count >= self.settings.delivery_max_attempts_logged:
            raise TooManyAttempts()
        try:
            reopened = self.deliveries.reopen(current.id, delivery_id, self.clock())
        except DeliveryBusy as exc:
            raise DeliveryPending() from exc
        self._enqueue(manual_retry_task(reopened))
        return reopened

    def _write(self, before: Subscription, after: Subscription, expected: int) -> Subscription:
        if expected != before.version:
            raise VersionConflict("the subscription changed since it was read")
        return self.subscriptions.replace(before, after)

    def _enqueue(self, task: DeliveryTask) -> None:
        self.queue.enqueue([queued(task, as_utc(self.clock()), self.settings.sqs_max_delay_s)])


def disable_subscription(
    store: SubscriptionStore, subscription_id: str, reason: str, now: datetime
) -> Subscription | None:
    """Disable a subscription (410, or failing too long), which drops its index rows; None if gone."""
    for _ in range(3):  # a concurrent edit only costs a reread
        current = store.get(subscription_id)
        if current is None or current.status == "disabled":
            return current
        after = current.model_copy(
            update={"status": "disabled", "disabled_reason": reason, "disabled_at": now, "updated_at": now}
        )
        try:
            return store.replace(current, after)
        except VersionConflict:
            continue
    return store.get(subscription_id)


__all__ = ["SubscriptionService", "disable_subscription"]
