"""The composition root of webhooks: the real stores (DynamoDB, SQS) behind the ports.

The only module of ``signals.webhooks`` that knows ``signals.storage``; it imports it on call, so
importing the domain stays free of storage (and of boto3, which the stores load on first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from signals.config import Settings, get_settings

if TYPE_CHECKING:
    from signals.models import Signal
    from signals.storage.subscription_records import DynamoSubscriptionStore
    from signals.webhooks.dispatch import DeliveryContext
    from signals.webhooks.subscription_service import SubscriptionService


class StoredSignals:
    """``SignalReader`` over the signal records, read consistently (the scorer has just written)."""

    def get(self, signal_id: str) -> Signal | None:
        from signals.storage.signal_records import get_signal

        return get_signal(signal_id, consistent=True)


def subscription_store(settings: Settings | None = None) -> DynamoSubscriptionStore:
    """The DynamoDB subscription store, indexing by the domain's rows in ``fanout_shards`` shards and
    counting each subscription in its owner's and owner-at-host counters (the caps)."""
    from signals.storage.subscription_records import DynamoSubscriptionStore
    from signals.webhooks.matching import index_rows
    from signals.webhooks.subscription_service import counters_of

    settings = settings or get_settings()
    shards = settings.fanout_shards
    return DynamoSubscriptionStore(
        rows_for=lambda subscription: index_rows(subscription, shards), counted_in=counters_of(settings)
    )


def _stores(settings: Settings) -> dict[str, Any]:
    from signals.storage.delivery_records import DynamoDeliveryLog
    from signals.storage.queues import SqsTaskQueue

    return {
        "subscriptions": subscription_store(settings),
        "deliveries": DynamoDeliveryLog(),
        "queue": SqsTaskQueue(settings.delivery_queue_url, settings.delivery_dlq_url),
    }


def delivery_context(**seams: Any) -> DeliveryContext:
    """The deliver function's context over the real stores; ``seams`` replace sender, clock, rng..."""
    from signals.storage.rate_limits import DynamoRateLimits
    from signals.webhooks.dispatch import DeliveryContext

    settings = seams.pop("settings", None) or get_settings()
    seams.setdefault("host_limits", DynamoRateLimits())
    return DeliveryContext(**_stores(settings), signals=StoredSignals(), settings=settings, **seams)


def subscription_service(**seams: Any) -> SubscriptionService:
    """The subscription service over the real stores; ``seams`` replace the resolver, clock..."""
    from signals.storage.rate_limits import DynamoRateLimits
    from signals.webhooks.subscription_service import SubscriptionService

    settings = get_settings()
    return SubscriptionService(
        **_stores(settings), settings=settings, rate_limits=DynamoRateLimits(), **seams
    )


__all__ = ["StoredSignals", "delivery_context", "subscription_service", "subscription_store"]
