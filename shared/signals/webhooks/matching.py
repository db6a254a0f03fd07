"""Fan-out without reading every subscription: index rows by category, shard and minimum score.

Each active subscription owns one row per category it filters on, or one row under ``*`` when it
takes every category, in partition ``<category or *>#<shard>`` where ``shard`` is a stable hash of
the subscription id modulo ``Settings.fanout_shards``. Rows are ordered by threshold inside a
partition, so a signal of category C and score S reads, in each shard n, exactly the rows of
``C#n`` and ``*#n`` with ``min_score <= S``: every subscription it can match and no other. Tag,
source, entity and event-type filters are checked in memory on the row (they are copied there), so fan-out
never reads the subscription items. How a partition and a row are keyed is storage's business
(``signals.storage.subscription_records``).

Why shards: at 10,000 subscribers without a category filter a burst of signals would read one
partition at ~12,500 RCU/s, past DynamoDB's 3,000 per partition; n shards divide that by n. A
fan-out that outgrows one page continues as one queue message per shard (see ``dispatch.fan_out``).
"""

from __future__ import annotations

import hashlib

from signals.models import Category, Signal
from signals.models.subscription import IndexRow, Subscription

ANY_CATEGORY = "*"


def accepts(row: IndexRow, event_type: str, signal: Signal) -> bool:
    """The in-memory part of the match (category and score were the key condition)."""
    if event_type not in row.event_types or signal.score < row.min_score:
        return False
    if row.tags and not set(row.tags) & set(signal.tags):
        return False
    if row.entities and not names_any(signal, row.entities):
        return False
    return not (row.sources and not {s.source_id for s in signal.sources} & set(row.sources))


def names_any(signal: Signal, slugs: tuple[str, ...] | list[str]) -> bool:
    """``entities`` filter: the signal names any of these entities (by slug, ``models.entity_slug``)."""
    from signals.models.entity_slug import entity_slugs

    return bool(set(slugs) & set(entity_slugs(signal.entities)))


def shard_of(subscription_id: str, shards: int) -> int:
    """The fan-out shard of a subscription: a stable hash (not Python's salted ``hash``) mod ``shards``."""
    digest = hashlib.sha256(subscription_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % max(1, shards)


def partition_name(category: str, shard: int) -> str:
    """``<category id or *>#<shard>``: the index partition of a category in one shard."""
    return f"{category}#{shard}"


def shard_key(partition: str) -> str:
    """The shard part of a partition name (``security#3`` -> ``3``)."""
    return partition.rsplit("#", 1)[-1]


def index_rows(subscription: Subscription, shards: int) -> list[IndexRow]:
    """The rows an active subscription needs (none when it is disabled), all in its shard."""
    if subscription.status != "active":
        return []
    shard = shard_of(subscription.id, shards)
    categories = [c.value for c in subscription.filters.categories] or [ANY_CATEGORY]
    return [
        IndexRow(
            partition=partition_name(category, shard),
            min_score=subscription.filters.min_score,
            subscription_id=subscription.id,
            event_types=tuple(subscription.event_types),
            tags=tuple(subscription.filters.tags),
            sources=tuple(subscription.filters.sources),
            entities=tuple(subscription.filters.entities),
        )
        for category in categories
    ]


def partitions_for(category: Category | str, shard: int) -> list[str]:
    """The index partitions a signal of ``category`` must read in one shard."""
    value = category.value if isinstance(category, Category) else category
    return [partition_name(value, shard), partition_name(ANY_CATEGORY, shard)]


def all_partitions(category: Category | str, shards: int) -> list[str]:
    """Every partition a signal of ``category`` reads, shard by shard."""
    return [p for n in range(shards) for p in partitions_for(category, n)]


__all__ = [
    "ANY_CATEGORY",
    "IndexRow",
    "accepts",
    "all_partitions",
    "index_rows",
    "partition_name",
    "partitions_for",
    "shard_key",
    "shard_of",
]
