"""The subscription rules, whoever asks: ownership, the per-key and per-host caps, URL checks,
optimistic locking, enable/test/retry rules and their rate limits. Raises ``webhooks.errors``; the
API maps them to problems.

The caps are counters the store changes in the subscription's own write (``counted_in``: an
owner's subscriptions, and an owner's subscriptions at one host), so they hold under concurrency.
Sends by hand (test events, manual retries) are limited per subscription and per key in fixed
windows (``RateLimits``); over either, ``RateLimited`` carries the seconds to wait.

A ``SubscriptionService`` takes its stores (ports) and settings; ``webhooks.wiring`` builds one
over the real stores, unit tests over the in-memory ones.
"""

from __future__ import annotations

import secrets as _random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from signals.config import Settings
from signals.models import as_utc, utcnow
from signals.models.delivery import Delivery, DeliveryBusy, DeliveryTask
from signals.models.subscription import CapReached, Subscription, VersionConflict
from signals.webhooks.deliveries import manual_retry_task, queued, test_task
from signals.webhooks.endpoints import validate_endpoint_url
from signals.webhooks.errors import (
    DeliveryNotFound,
    DeliveryPending,
    RateLimited,
    SubscriptionDisabled,
    SubscriptionNotFound,
    TooManyAttempts,
    TooManySubscriptions,
    TooManySubscriptionsForHost,
)
from signals.webhooks.ports import DeliveryLog, PageKey, RateLimits, SubscriptionStore, TaskQueue
from signals.webhooks.signing import generate_secret
from signals.webhooks.subscriptions import SubscriptionCreate, SubscriptionPatch, new_subscription, rotated

MAX_ID_CHARS = 100
MAX_DELIVERY_ID_CHARS = 64


def endpoint_host(url: str) -> str:
    """The host a subscription URL points at, as the per-host cap counts it."""
    return (urlsplit(url).hostname or "").rstrip(".").lower()


def counters_of(settings: Settings) -> Callable[[Subscription], dict[str, int]]:
    """The store's ``counted_in`` rule: the counters a subscription occupies, with their caps."""

    def counted_in(subscription: Subscription) -> dict[str, int]:
        owner = subscription.owner
        return {
            f"owner#{owner}": settings.subscriptions_per_key_max,
            f"host#{owner}#{endpoint_host(subscription.url)}": settings.subscriptions_per_host_max,
        }

    return counted_in


def _cap_error(exc: CapReached) -> Exception:
    counter = str(exc.args[0]) if exc.args else ""
    return TooManySubscriptionsForHost() if counter.startswith("host#") else TooManySubscriptions()


@dataclass
class SubscriptionService:
    """What an owner (an API key id) may do with subscriptions and their deliveries."""

    subscriptions: SubscriptionStore
    deliveries: DeliveryLog
    queue: TaskQueue
    settings: Settings
    rate_limits: RateLimits
    resolver: Any = None  # the subscription-time SSRF check's resolver (None: the OS resolver)
    clock: Callable[[], datetime] = utcnow
    new_secret: Callable[[], str] = field(default=generate_secret)

    def check_url(self, url: str) -> str:
        """``url`` when it may receive webhooks; ``InvalidEndpoint`` otherwise."""
        return validate_endpoint_url(
            url,
            local_mode=self.settings.local_mode,
            allowed_ports=self.settings.webhook_allowed_ports,
            loopback_ports=self.settings.local_loopback_ports,
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
        """A new active subscription, within the per-key and per-host caps (checked by the write)."""
        self.check_url(request.url)
        subscription = new_subscription(owner, request, self.new_secret(), self.clock())
        try:
            self.subscriptions.create(subscription)
        except CapReached as exc:
            raise _cap_error(exc) from exc
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
        """Delete at the version read; an edit meanwhile costs a reread, a delete meanwhile is a 404."""
        for _ in range(3):
            current = self.owned(owner, subscription_id)
            try:
                self.subscriptions.delete(current)
                return
            except VersionConflict:
                continue
        raise VersionConflict("the subscription keeps changing")

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
        self._count_manual_send(owner, current.id)
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
        self._count_manual_send(owner, current.id)
        try:
            reopened = self.deliveries.reopen(current.id, delivery_id, self.clock())
        except DeliveryBusy as exc:
            raise DeliveryPending() from exc
        self._enqueue(manual_retry_task(reopened))
        return reopened

    def _count_manual_send(self, owner: str, subscription_id: str) -> None:
        """One send by hand, within the per-subscription then the per-key window; ``RateLimited``."""
        s, now = self.settings, self.clock()
        limits = (
            (
                f"sub:{subscription_id}",
                s.manual_sends_per_subscription_max,
                s.manual_sends_per_subscription_window_s,
            ),
            (f"key:{owner}", s.manual_sends_per_key_max, s.manual_sends_per_key_window_s),
        )
        for scope, limit, window_s in limits:
            wait = self.rate_limits.hit(scope, limit, window_s, now)
            if wait is not None:
                raise RateLimited(
                    wait,
                    f"At most {limit} test events and retries per {window_s} s here; try again in {wait} s.",
                )

    def _write(self, before: Subscription, after: Subscription, expected: int) -> Subscription:
        if expected != before.version:
            raise VersionConflict("the subscription changed since it was read")
        try:
            return self.subscriptions.replace(before, after)
        except CapReached as exc:  # the edit moved the subscription to a host at its cap
            raise _cap_error(exc) from exc

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


__all__ = ["SubscriptionService", "counters_of", "disable_subscription", "endpoint_host"]
