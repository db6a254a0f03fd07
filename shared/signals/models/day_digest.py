"""The daily digest: what one UTC day's signals add up to, stored once per day (``DIGEST#<day>``).

Built by ``ranking/daily_digest.py`` from the signals published that day, stored by
``storage/digest_records.py``, shown by the API (``/v1/digest/...``), the page (``/digest/<day>``),
the digest feeds and the ``digest.daily`` webhook event.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from signals.base_model import SignalsModel
from signals.models import Category, UtcDatetime

#: a digest's date: one UTC calendar day
DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


class DigestEntry(SignalsModel):
    """One story of the day, as the digest lists it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="the signal's id (`/v1/signals/{id}`)")
    title: str
    url: str
    score: int = Field(ge=1, le=10)
    category: Category
    summary: str = ""
    published_at: UtcDatetime
    reports: int = Field(ge=1, description="how many items (reports) the story gathered")


class Digest(SignalsModel):
    """One day's digest: what it read, and the top stories (none on a quiet day)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-02-12",
                    "built_at": "2026-02-13T06:00:04Z",
                    "items": 42,
                    "sources": 9,
                    "stories": 31,
                    "notable": 3,
                    "notable_score": 7,
                    "quiet": False,
                    "opening": "42 items from 9 sources; 31 stories; 3 at 7+.",
                    "entries": [
                        {
                            "id": "8b1e44c09a7d4f2e9d31",
                            "title": "Anthropic raises $30 billion in Series G funding",
                            "url": "https://www.anthropic.com/news/series-g",
                            "score": 8,
                            "category": "business",
                            "summary": "",
                            "published_at": "2026-02-12T16:00:00Z",
                            "reports": 4,
                        }
                    ],
                }
            ]
        },
    )

    date: str = Field(pattern=DAY_PATTERN, description="the UTC day (YYYY-MM-DD) whose signals it read")
    built_at: UtcDatetime
    items: int = Field(ge=0, description="items (reports) read: every source of every story of the day")
    sources: int = Field(ge=0, description="distinct sources those items came from")
    stories: int = Field(ge=0, description="stories (signals) published that day, each counted once")
    notable: int = Field(ge=0, description="stories scoring at least `notable_score`")
    notable_score: int = Field(ge=1, le=10)
    quiet: bool = Field(description="no story reached `notable_score`: the digest says so and lists none")
    opening: str = Field(description="the sentence it opens with: what it read, and a quiet day said plainly")
    entries: list[DigestEntry] = Field(description="the top stories, highest score first, then newest")

    def same_content(self, other: Digest) -> bool:
        """Equal apart from when it was built (a retried build that found nothing new)."""
        return self.model_dump(exclude={"built_at"}) == other.model_dump(exclude={"built_at"})
