"""Fan-out without reading every subscription: index rows keyed by category and minimum score.

Each active subscription owns one row per category it filters on (``SUBIDX#<category>``), or one
row in ``SUBIDX#*`` when it takes every category; the sort key ``<min_score:02d>#<sub_id>``
orders rows by threshold. A signal of category C and score S reads exactly the rows of
``SUBIDX#C`` and ``SUBIDX#*`` with ``sk < f"{S+1:02d}#"``: every subscription it can match and
no other. Tag, source and event-type filters are checked in memory on the row (they are copied
there), so fan-out never reads the subscription items themselves.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from signals.models import Category, Signal
from signals.webhooks.subscriptions import Subscription

ANY_CATEGORY = "*"


class IndexRow(BaseModel):
    """One fan-out index row: where it lives and the filters checked in memory."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partition: str  # a category id or "*"
    min_score: int
    subscription_id: str
    event_types: tuple[str, ...]
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def pk(self) -> str:
        return index_pk(self.partition)

    @property
    def sk(self) -> str:
        return f"{self.min_score:02d}#{self.subscription_id}"

    def accepts(self, event_type: str, signal: Signal) -> bool:
        """The in-memory part of the match (category and score were the key condition)."""
        if event_type not in self.event_types or signal.score < self.min_score:
            return False
        if self.tags and not set(self.tags) & set(signal.tags):
            return False
        return not (self.sources and not {s.source_id for s in signal.sources} & set(self.sources))


def index_pk(partition: str) -> str:
    return f"SUBIDX#{partition}"


def index_rows(subscription: Subscription) -> list[IndexRow]:
    """The rows an active subscription needs (none when it is disabled)."""
    if subscription.status != "active":
        return []
    partitions = [c.value for c in subscription.filters.categories] or [ANY_CATEGORY]
    return [
        IndexRow(
            partition=partition,
            min_score=subscription.filters.min_score,
            subscription_id=subscription.id,
            event_types=tuple(subscription.event_types),
            tags=tuple(subscription.filters.tags),
            sources=tuple(subscription.filters.sources),
        )
        for partition in partitions
    ]


def partitions_for(category: Category) -> list[str]:
    """The index partitions a signal of ``category`` must read."""
    return [category.value, ANY_CATEGORY]


def score_upper_bound(score: int) -> str:
    """Exclusive sort-key bound selecting rows with ``min_score <= score``."""
    return f"{score + 1:02d}#"
