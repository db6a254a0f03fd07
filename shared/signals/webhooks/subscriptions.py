"""Subscriptions: what a subscriber asked for, the API shapes, and which signals match.

Stored as ``Subscription`` (secrets included); the API answers with ``SubscriptionView`` (never
a secret) except on create/rotate (``SubscriptionWithSecret``, the one time it is shown).
"""

from __future__ import annotations

import secrets as _random
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from signals.models import Category, Signal, UtcDatetime, as_utc, utcnow

EventType = Literal["signal.created", "signal.updated"]
EVENT_TYPES: tuple[str, ...] = ("signal.created", "signal.updated")
TEST_EVENT_TYPE = "webhook.test"

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

MAX_FILTER_VALUES = 50
MAX_URL_CHARS = 2048

_Tag = Field(min_length=1, max_length=100)


class SubscriptionFilters(BaseModel):
    """Which signals a subscription receives. Empty lists match everything."""

    model_config = ConfigDict(extra="forbid")

    min_score: int = Field(1, ge=1, le=10, description="only signals scoring at least this")
    categories: list[Category] = Field([], max_length=MAX_FILTER_VALUES)
    tags: list[str] = Field([], max_length=MAX_FILTER_VALUES, description="any of these tags")
    sources: list[str] = Field([], max_length=MAX_FILTER_VALUES, description="any of these source ids")

    @field_validator("tags", "sources")
    @classmethod
    def _clean(cls, values: list[str]) -> list[str]:
        cleaned = sorted({v.strip() for v in values if v.strip()})
        if any(len(v) > 100 for v in cleaned):
            raise ValueError("values are at most 100 characters")
        return cleaned

    @field_validator("categories")
    @classmethod
    def _unique(cls, values: list[Category]) -> list[Category]:
        return sorted(set(values))


class _Request(BaseModel):
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
    event_types: list[EventType] = Field(list(EVENT_TYPES), min_length=1)
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


class SigningSecret(BaseModel):
    """One secret that signs deliveries; old secrets keep signing until ``expires_at``."""

    model_config = ConfigDict(extra="forbid")

    secret: str
    created_at: UtcDatetime
    expires_at: UtcDatetime | None = None


class Subscription(BaseModel):
    """The stored subscription (contains the secrets: never returned as is)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    owner: str = Field(description="id of the API key that created it")
    url: str
    event_types: list[EventType]
    filters: SubscriptionFilters
    description: str = ""
    status: Literal["active", "disabled"] = "active"
    disabled_reason: str | None = None
    disabled_at: UtcDatetime | None = None
    secrets: list[SigningSecret] = Field(min_length=1)
    created_at: UtcDatetime
    updated_at: UtcDatetime
    version: int = 1
    failure_count: int = Field(0, description="failed attempts since the last success")
    last_success_at: UtcDatetime | None = None
    failing_since: UtcDatetime | None = None

    def signing_secrets(self, now: datetime) -> list[str]:
        """Secrets that sign at ``now``: the current one plus any still inside its rotation overlap."""
        current = as_utc(now)
        return [s.secret for s in self.secrets if s.expires_at is None or as_utc(s.expires_at) > current]

    def view(self) -> SubscriptionView:
        """The public shape (no secret)."""
        return SubscriptionView.model_validate(self.model_dump(exclude={"secrets", "owner"}))

    def with_secret(self) -> SubscriptionWithSecret:
        """The public shape plus the current secret: only for create and rotate responses."""
        return SubscriptionWithSecret.model_validate(
            {**self.model_dump(exclude={"secrets", "owner"}), "secret": self.secrets[0].secret}
        )

    def wants(self, event_type: str, signal: Signal) -> bool:
        """True when this subscription should receive ``event_type`` for ``signal``."""
        return (
            self.status == "active" and event_type in self.event_types and filters_match(self.filters, signal)
        )


class SubscriptionView(BaseModel):
    """A subscription as the API shows it: never the signing secret."""

    model_config = ConfigDict(extra="forbid")

    id: str
    url: str
    event_types: list[EventType]
    filters: SubscriptionFilters
    description: str = ""
    status: Literal["active", "disabled"]
    disabled_reason: str | None = None
    disabled_at: UtcDatetime | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    version: int
    failure_count: int = 0
    last_success_at: UtcDatetime | None = None
    failing_since: UtcDatetime | None = None


class SubscriptionWithSecret(SubscriptionView):
    """Create/rotate response: the one time the secret is shown."""

    secret: str = Field(description="whsec_... signing secret; store it now, it is not shown again")


class SubscriptionList(BaseModel):
    """``GET /v1/subscriptions``."""

    items: list[SubscriptionView]
    next_cursor: str | None = None


def filters_match(filters: SubscriptionFilters, signal: Signal) -> bool:
    """The whole filter check, in memory (the fan-out index pre-selects by category and score)."""
    if signal.score < filters.min_score:
        return False
    if filters.categories and signal.category not in filters.categories:
        return False
    if filters.tags and not set(filters.tags) & set(signal.tags):
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
