"""What ingest keeps about a source between runs, and the entry versions it has enqueued."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from signals.base_model import SignalsModel
from signals.models import UtcDatetime


class SourceState(SignalsModel):
    """Health and politeness state of one source (what the sources-health API shows)."""

    model_config = ConfigDict(extra="ignore")

    source_id: str
    etag: str | None = Field(None, description="ETag exactly as last received")
    last_modified: str | None = Field(None, description="Last-Modified exactly as last received")
    body_sha256: str | None = Field(None, description="hash of the last archived body")
    last_fetch_at: UtcDatetime | None = None
    last_success_at: UtcDatetime | None = Field(None, description="last fetch answered 2xx or 304")
    last_status: Literal["ok", "not_modified", "failed"] | None = None
    last_http_status: int | None = None
    last_error: str | None = None
    last_warning: str | None = Field(None, description="parser warning of the last fetch (bozo feed)")
    consecutive_failures: int = 0
    next_fetch_at: UtcDatetime | None = None
    items_seen: int = 0
    last_new_item_at: UtcDatetime | None = None
    final_url: str | None = None
    items_dated: int = Field(0, description="new items whose feed gave a publication date")
    first_published_at: UtcDatetime | None = Field(None, description="earliest publication date seen")
    last_published_at: UtcDatetime | None = Field(None, description="latest publication date seen")


class SeenEntry(SignalsModel):
    """The version of an entry last enqueued."""

    item_id: str
    content_hash: str
    item_key: str
    source_id: str
    seen_at: UtcDatetime


def publication_span(previous: SourceState, published: list[datetime]) -> dict[str, object]:
    """The state fields that grow with new dated items: how many, the earliest and the latest date
    (so a source's items a day can be measured over the dates it published, not the day we ingested)."""
    if not published:
        return {}
    first = min([*published, *([previous.first_published_at] if previous.first_published_at else [])])
    last = max([*published, *([previous.last_published_at] if previous.last_published_at else [])])
    return {
        "items_dated": previous.items_dated + len(published),
        "first_published_at": first,
        "last_published_at": last,
    }
