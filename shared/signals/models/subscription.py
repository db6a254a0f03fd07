"""Subscription shapes that cross the storage port: the stored record, its filters and secrets, the
fan-out index row, and the views the API shows (never a secret).

Pure data: which signals a subscription matches and which index rows it owns are rules of the
webhooks domain (``signals.webhooks.matching``); how rows are keyed is storage's business.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from signals.base_model import SignalsModel
from signals.models import Category, UtcDatetime, as_utc

EventType = Literal["signal.created", "signal.updated", "digest.daily"]
EVENT_TYPES: tuple[str, ...] = ("signal.created", "signal.updated", "digest.daily")
#: what a subscription naming no event types receives: the signal events (``digest.daily`` is opted into)
DEFAULT_EVENT_TYPES: tuple[str, ...] = ("signal.created", "signal.updated")
#: the daily digest's event type (``webhooks/digest_events``), and a test delivery's (never subscribed to)
DIGEST_EVENT_TYPE = "digest.daily"
TEST_EVENT_TYPE = "webhook.test"
SubscriptionStatus = Literal["active", "disabled"]

MAX_FILTER_VALUES = 50


class VersionConflict(Exception):
    """The subscription changed since it was read (optimistic lock): reread and try again."""


class CapReached(Exception):
    """A subscription counter (``args[0]``, a name the domain chose) is at its cap: nothing written."""


class SubscriptionFilters(SignalsModel):
    """Which signals a subscription receives. Empty lists match everything."""

    model_config = ConfigDict(extra="forbid")

    min_score: int = Field(1, ge=1, le=10, description="only signals scoring at least this")
    categories: list[Category] = Field([], max_length=MAX_FILTER_VALUES)
    tags: list[str] = Field([], max_length=MAX_FILTER_VALUES, description="any of these tags")
    sources: list[str] = Field([], max_length=MAX_FILTER_VALUES, description="any of these source ids")
    entities: list[str] = Field(
        [],
        max_length=MAX_FILTER_VALUES,
        description="any of these entities (names or slugs, stored as slugs: 'Open AI' is `openai`)",
    )

    @field_validator("entities")
    @classmethod
    def _slugs(cls, values: list[str]) -> list[str]:
        from signals.models.entity_slug import entity_slug

        if any(len(v) > 100 for v in values):
            raise ValueError("values are at most 100 characters")
        slugs = [entity_slug(v) for v in values]
        if "" in slugs:
            raise ValueError("each entity needs a letter or digit, e.g. 'anthropic'")
        return sorted(set(slugs))

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


class SigningSecret(SignalsModel):
    """One secret that signs deliveries; old secrets keep signing until ``expires_at``."""

    model_config = ConfigDict(extra="forbid")

    secret: str
    created_at: UtcDatetime
    expires_at: UtcDatetime | None = None


class Subscription(SignalsModel):
    """The stored subscription (contains the secrets: never returned as is)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    owner: str = Field(description="id of the API key that created it")
    url: str
    event_types: list[EventType]
    filters: SubscriptionFilters
    description: str = ""
    status: SubscriptionStatus = "active"
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


class SubscriptionView(SignalsModel):
    """A subscription as the API shows it: never the signing secret."""

    model_config = ConfigDict(extra="forbid")

    id: str
    url: str
    event_types: list[EventType]
    filters: SubscriptionFilters
    description: str = ""
    status: SubscriptionStatus
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


class IndexRow(SignalsModel):
    """One fan-out index row: the partition it lives in and the filters checked in memory.

    ``partition`` is ``<category id or *>#<shard>`` (``signals.webhooks.matching`` decides it).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    partition: str
    min_score: int
    subscription_id: str
    event_types: tuple[str, ...]
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()  # entity slugs


__all__ = [
    "DEFAULT_EVENT_TYPES",
    "DIGEST_EVENT_TYPE",
    "EVENT_TYPES",
    "TEST_EVENT_TYPE",
    "CapReached",
    "EventType",
    "IndexRow",
    "SigningSecret",
    "Subscription",
    "SubscriptionFilters",
    "SubscriptionStatus",
    "SubscriptionView",
    "SubscriptionWithSecret",
    "VersionConflict",
]
