"""Subscriptions: what a subscriber asks for (the request shapes) and which signals match.

The stored record and its views live in ``signals.models.subscription`` (they cross the storage
port) and are re-exported here. Stored as ``Subscription`` (secrets included); the API answers
with ``SubscriptionView`` (never a secret) except on create/rotate (``SubscriptionWithSecret``,
the one time it is shown).
"""

from __future__ import annotations

import secrets as _random
from datetime import datetime, timedelta
from typing import Any

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from signals.base_model import SignalsModel
from signals.models import Signal, as_utc, utcnow
from signals.models.subscription import (
    DEFAULT_EVENT_TYPES,
    EVENT_TYPES,
    TEST_EVENT_TYPE,
    EventType,
    IndexRow,
    SigningSecret,
    Subscription,
    SubscriptionFilters,
    SubscriptionView,
    SubscriptionWithSecret,
    VersionConflict,
)
from signals.webhooks.matching import names_any

#: Properties a subscriber may never set: the service owns them (R-26).
READ_ONLY_PROPERTIES = frozenset(
    {
        "id",
        "status",
        "disabled",
        "disabled_reason",
        "disabled_at",
        "failure_count",
        "owner",
        "version",
        "secret",
        "secrets",
        "created_at",
        "updated_at",
        "last_success_at",
        "failing_since",
    }
)

MAX_URL_CHARS = 2048


class _Request(SignalsModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_read_only(cls, data: object) -> object:
        if isinstance(data, dict):
            forbidden = sorted(READ_ONLY_PROPERTIES & set(data))
            if forbidden:  # its own error type: the API answers 400 read_only_property
                raise PydanticCustomError(
                    "read_only_property",
                    "read-only properties cannot be set: {names}",
                    {"names": ", ".join(forbidden)},
                )
        return data


class SubscriptionCreate(_Request):
    """Body of ``POST /v1/subscriptions``."""

    url: str = Field(
        min_length=1,
        max_length=MAX_URL_CHARS,
        description="https endpoint on a public address (port 443 or 8443)",
        examples=["https://hooks.example.com/signals"],
    )
    event_types: list[EventType] = Field(
        list(DEFAULT_EVENT_TYPES),
        min_length=1,
        description="signal.created and signal.updated unless named; digest.daily (daily) is opted into",
    )
    filters: SubscriptionFilters = SubscriptionFilters()
    description: str = Field("", max_length=500)


def _no_null_defaults(schema: dict[str, Any]) -> None:
    """Drop ``"default": null`` from the documented properties (null is not a valid value)."""
    for prop in schema.get("properties", {}).values():
        if prop.get("default", ...) is None:
            prop.pop("default")


class SubscriptionPatch(_Request):
    """Body of ``PATCH /v1/subscriptions/{id}``: any subset of the writable properties; an omitted
    property is unchanged, ``null`` is not a value."""

    # The None defaults only mark "not sent" (defaults are not validated); an explicit null fails.
    model_config = ConfigDict(json_schema_extra=_no_null_defaults)

    url: str = Field(None, min_length=1, max_length=MAX_URL_CHARS)  # type: ignore[assignment]
    event_types: list[EventType] = Field(None, min_length=1)  # type: ignore[assignment]
    filters: SubscriptionFilters = Field(None)  # type: ignore[assignment]
    description: str = Field(None, max_length=500)  # type: ignore[assignment]
    expected_version: int | None = Field(
        None, ge=1, description="optimistic lock: the version you read; 409 if it changed since"
    )


class SubscriptionList(SignalsModel):
    """``GET /v1/subscriptions``."""

    items: list[SubscriptionView]
    next_cursor: str | None = None


def wants(subscription: Subscription, event_type: str, signal: Signal) -> bool:
    """True when ``subscription`` should receive ``event_type`` for ``signal``."""
    return (
        subscription.status == "active"
        and event_type in subscription.event_types
        and filters_match(subscription.filters, signal)
    )


def filters_match(filters: SubscriptionFilters, signal: Signal) -> bool:
    """The whole filter check, in memory (the fan-out index pre-selects by category and score)."""
    if signal.score < filters.min_score:
        return False
    if filters.categories and signal.category not in filters.categories:
        return False
    if filters.tags and not set(filters.tags) & set(signal.tags):
        return False
    if filters.entities and not names_any(signal, filters.entities):
        return False
    return not (filters.sources and not {s.source_id for s in signal.sources} & set(filters.sources))


def new_subscription_id() -> str:
    """A random, unguessable subscription id."""
    return "sub_" + _random.token_hex(12)


def new_subscription(
    owner: str, request: SubscriptionCreate, secret: str, now: datetime | None = None
) -> Subscription:
    """A fresh active subscription from a create request (the URL already checked)."""
    at = as_utc(now or utcnow())
    return Subscription(
        id=new_subscription_id(),
        owner=owner,
        url=request.url,
        event_types=request.event_types,
        filters=request.filters,
        description=request.description,
        secrets=[SigningSecret(secret=secret, created_at=at)],
        created_at=at,
        updated_at=at,
    )


def rotated(subscription: Subscription, new_secret: str, overlap_s: int, now: datetime) -> Subscription:
    """The subscription with ``new_secret`` first; the previous current secret signs ``overlap_s`` more."""
    at = as_utc(now)
    keep = [
        s
        if s.expires_at is not None
        else s.model_copy(update={"expires_at": at + timedelta(seconds=overlap_s)})
        for s in subscription.secrets
        if s.expires_at is None or as_utc(s.expires_at) > at
    ]
    return subscription.model_copy(
        update={"secrets": [SigningSecret(secret=new_secret, created_at=at), *keep], "updated_at": at}
    )


__all__ = [
    "EVENT_TYPES",
    "READ_ONLY_PROPERTIES",
    "TEST_EVENT_TYPE",
    "EventType",
    "IndexRow",
    "SigningSecret",
    "Subscription",
    "SubscriptionCreate",
    "SubscriptionFilters",
    "SubscriptionList",
    "SubscriptionPatch",
    "SubscriptionView",
    "SubscriptionWithSecret",
    "VersionConflict",
    "filters_match",
    "new_subscription",
    "new_subscription_id",
    "rotated",
    "wants",
]
