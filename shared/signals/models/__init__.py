"""The domain's shapes: one pydantic model per thing that crosses a boundary.

``Item`` is a normalised feed entry (S3 item JSON), ``ScoreRequest`` the score-queue message
(claim check), ``Signal`` the one record every surface shows (API, feeds, pages, webhooks),
``SignalEvent`` the delivery-queue message. Pure: no boto3 here.

Types that cross a storage port live beside this module (``models/<subject>.py``), so that
``storage/`` depends on the shapes it stores and on nothing else of the domain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, ConfigDict, Field, field_validator

from signals.base_model import SignalsModel
from signals.models.links import SafeUrl


def utcnow() -> datetime:
    """Now, in UTC (one seam for tests that freeze time)."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Aware UTC datetime; naive values are taken to be UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime) -> str:
    """Sortable ISO-8601 UTC text with a trailing Z, second precision."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDatetime = Annotated[AwareDatetime, Field(description="UTC instant, ISO 8601")]


class Category(StrEnum):
    """The categories of SCORING.md, by id."""

    SAFETY_POLICY = "safety-policy"
    SECURITY = "security"
    MODELS_RESEARCH = "models-research"
    OPEN_SOURCE = "open-source"
    PRODUCTS = "products"
    COMPUTE_INFRA = "compute-infra"
    BUSINESS = "business"
    SOCIETY = "society"
    OFF_TOPIC = "off-topic"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.SAFETY_POLICY: "Safety & Policy",
    Category.SECURITY: "Security",
    Category.MODELS_RESEARCH: "Models & Research",
    Category.OPEN_SOURCE: "Open Source",
    Category.PRODUCTS: "Products & Launches",
    Category.COMPUTE_INFRA: "Compute & Infrastructure",
    Category.BUSINESS: "Business & Funding",
    Category.SOCIETY: "Society & Work",
    Category.OFF_TOPIC: "Off-topic",
}


class _Frozen(SignalsModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- ingest


class Item(_Frozen):
    """One feed entry, normalised. Written once to S3 as JSON; the scorer's input."""

    id: str = Field(description="deterministic: hash of the source's canonical feed URL and the entry key")
    source_id: str
    source_name: str
    feed_url: str
    authority: float = Field(1.0, ge=0.0, le=2.0, description="the source's authority weight")
    guid: str | None = None
    url: str = Field(description="canonical URL of the entry")
    title: str
    summary: str = ""
    authors: list[str] = []
    categories: list[str] = Field(default=[], description="the feed's own categories for the entry")
    published_at: UtcDatetime
    published_from_feed: bool = Field(True, description="False when the feed gave no usable date")
    published_date_only: bool = Field(False, description="the feed gave a date without a time of day")
    fetched_at: UtcDatetime
    content_hash: str = Field(description="hash of title, summary and url: changes when the publisher edits")
    raw_key: str | None = Field(None, description="S3 key of the raw fetch this item came from")


class ScoreRequest(_Frozen):
    """Score-queue message: a claim check on an archived item, never the item body."""

    item_key: str = Field(description="S3 key of the item JSON")
    item_id: str
    source_id: str
    reason: Literal["new", "update", "replay"] = "new"
    enqueued_at: UtcDatetime


# --------------------------------------------------------------------------- the signal


class SourceRef(_Frozen):
    """One report of a story."""

    item_id: str
    source_id: str
    name: str
    url: SafeUrl  # http(s) only, else empty
    published_at: UtcDatetime
    published_date_only: bool = Field(False, description="the publisher gave a date, no time of day")


class FactorScore(_Frozen):
    """One factor's contribution to the significance score."""

    name: str
    value: float = Field(description="the factor's sub-score, 0..1 (or a signed adjustment)")
    weight: float
    contribution: float = Field(description="points added to (or taken from) the raw score")
    evidence: list[str] = Field(default=[], description="what in the text triggered the factor")


class ScoreBreakdown(_Frozen):
    """How a score was reached: factors, rubric version, the analyst that produced it."""

    rubric_version: str
    analyst: str = "rules"
    base: float = Field(description="the category's or event type's base significance")
    event: str | None = Field(None, description="the event type the rules found (funding, model-release...)")
    factors: list[FactorScore] = []
    raw: float = Field(description="unclamped total before rounding")
    corroboration: int = Field(1, ge=1, description="independent sources reporting the story")
    cap: float | None = Field(
        None, description="the cap a low-value form (tutorial, recap...) put on the score; kept on re-scoring"
    )
    model: dict | None = Field(None, description="model-analyst details (id, score, tokens) when one ran")
    judge: dict | None = Field(
        None, description="the learned judge: model version, expected score, P(6+), P(7+), P(about AI)"
    )


class Analysis(_Frozen):
    """Analyst notes for the signal page; present only when an analyst wrote them."""

    technical_impact: str
    why_it_matters: str
    what_to_watch: str


class Enrichment(_Frozen):
    """What an analyst adds to an item: the scorer's pure output."""

    category: Category
    score: int = Field(ge=1, le=10)
    tags: list[str] = []
    entities: list[str] = []
    summary: str = ""
    context: str = ""
    rationale: str = ""
    score_breakdown: ScoreBreakdown
    analysis: Analysis | None = None


class Signal(SignalsModel):
    """The one record every surface shows: a scored, explained story."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="stable id of the signal: one per story")
    title: str
    url: SafeUrl  # http(s) only, else empty
    published_at: UtcDatetime
    published_date_only: bool = Field(False, description="the lead report gave a date, no time of day")
    scored_at: UtcDatetime
    updated_at: UtcDatetime
    score: int = Field(ge=1, le=10)
    category: Category
    tags: list[str] = []
    entities: list[str] = []
    summary: str = Field("", description="the impact summary: what the story's text says beyond its headline")
    context: str = Field("", description="the sentences after the impact summary: what happened")
    rationale: str = ""
    score_breakdown: ScoreBreakdown
    sources: list[SourceRef] = Field(min_length=1)
    analysis: Analysis | None = None
    version: int = Field(1, ge=1, description="optimistic-locking version; increments on every change")

    @field_validator("published_at", "scored_at", "updated_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)

    @property
    def category_label(self) -> str:
        return self.category.label

    # the one mapping between a signal and what an analyst wrote about it
    ENRICHED_FIELDS: ClassVar[tuple[str, ...]] = tuple(Enrichment.model_fields)

    def enrichment(self) -> Enrichment:
        """What the analyst wrote, as stored on this signal."""
        return Enrichment.model_validate({name: getattr(self, name) for name in self.ENRICHED_FIELDS})

    def enriched(self, enrichment: Enrichment, **changes: object) -> Signal:
        """This signal with ``enrichment`` in place of the stored one, every enriched field replaced
        (notes the new enrichment lacks are dropped, never kept from an earlier analysis), plus
        ``changes`` (sources, times, version...)."""
        update = {name: getattr(enrichment, name) for name in self.ENRICHED_FIELDS}
        return self.model_copy(update={**update, **changes})


# --------------------------------------------------------------------------- events


class SignalEvent(_Frozen):
    """Delivery-queue message: a signal was created or its score changed."""

    type: Literal["signal.created", "signal.updated"]
    event_id: str = Field(description="deterministic per (signal, version): the webhook-id root")
    signal_id: str
    signal_version: int
    occurred_at: UtcDatetime
