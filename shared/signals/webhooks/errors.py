"""What the webhooks domain refuses, as errors the API maps to problems in one place
(``signals.api.problems``). Each says why in ``detail``, written for the person who called.
"""

from __future__ import annotations

from signals.models.delivery import DeliveryBusy
from signals.models.subscription import VersionConflict
from signals.webhooks.endpoints import InvalidEndpoint


class WebhookError(Exception):
    """A webhooks rule said no; ``detail`` tells the caller what to do."""

    detail = ""

    def __init__(self, detail: str | None = None):
        if detail is not None:
            self.detail = detail
        super().__init__(self.detail)


class SubscriptionNotFound(WebhookError):
    """No such subscription for this owner (another owner's answers the same)."""

    detail = "No subscription with this id for your key."


class DeliveryNotFound(WebhookError):
    detail = "No delivery with this id for the subscription."


class TooManySubscriptions(WebhookError):
    """The owner reached ``subscriptions_per_key_max``."""

    detail = "Delete a subscription first."


class TooManySubscriptionsForHost(WebhookError):
    """The owner reached ``subscriptions_per_host_max`` subscriptions at one host."""

    detail = "This key has the most subscriptions allowed at this host; delete one or use one URL."


class RateLimited(WebhookError):
    """Too many sends by hand (test events, manual retries) in a window; ``retry_after_s`` says when."""

    detail = "Too many test events or retries; wait for the time in Retry-After."

    def __init__(self, retry_after_s: int, detail: str | None = None):
        self.retry_after_s = retry_after_s
        super().__init__(detail)


class SubscriptionDisabled(WebhookError):
    """The subscription must be enabled before anything is sent to it."""

    detail = "Enable the subscription first."


class TooManyAttempts(WebhookError):
    """The delivery log of this delivery is full (``delivery_max_attempts_logged``)."""

    detail = "This delivery cannot be retried again."


class DeliveryPending(WebhookError):
    """A manual retry of a delivery still being attempted."""

    detail = "The delivery is still being attempted."


__all__ = [
    "DeliveryBusy",
    "DeliveryNotFound",
    "DeliveryPending",
    "InvalidEndpoint",
    "RateLimited",
    "SubscriptionDisabled",
    "SubscriptionNotFound",
    "TooManyAttempts",
    "TooManySubscriptions",
    "TooManySubscriptionsForHost",
    "VersionConflict",
    "WebhookError",
]
