"""An in-memory ``SubscriptionStore`` for unit tests: the same rules as ``DynamoSubscriptionStore``
(conditional writes, health updates that leave the version alone, index rows that follow the
record, pages ordered by sort key, counters capped in the same step as the write) without DynamoDB.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from signals.models import iso
from signals.models.subscription import CapReached, IndexRow, Subscription, VersionConflict
from signals.storage.key_schema import fanout_score_bound
from signals.storage.subscription_records import (
    EDITABLE_FIELDS,
    CountersFor,
    RowsFor,
    counter_changes,
    index_sk,
    no_counters,
)


class MemorySubscriptionStore:
    """Subscriptions in a dict, index rows in per-partition dicts keyed by their sort key."""

    def __init__(self, rows_for: RowsFor, counted_in: CountersFor = no_counters):
        self._rows_for = rows_for
        self._counted_in = counted_in
        self.counters: dict[str, int] = {}
        self._items: dict[str, Subscription] = {}
        self._index: dict[str, dict[str, IndexRow]] = {}
        self._lock = threading.Lock()  # deliveries run in threads

    def _reindex(self, before: Subscription | None, after: Subscription | None) -> None:
        for row in self._rows_for(before) if before else []:
            self._index.get(row.partition, {}).pop(index_sk(row), None)
        for row in self._rows_for(after) if after else []:
            self._index.setdefault(row.partition, {})[index_sk(row)] = row

    def _count(self, before: Subscription | None, after: Subscription | None) -> None:
        """Move the counters (under the lock, before the write): ``CapReached`` changes nothing."""
        left, joined = counter_changes(self._counted_in, before, after)
        for counter, cap in joined.items():
            if self.counters.get(counter, 0) >= cap:
                raise CapReached(counter)
        for counter in left:
            self.counters[counter] = self.counters.get(counter, 0) - 1
        for counter in joined:
            self.counters[counter] = self.counters.get(counter, 0) + 1

    def create(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription.id in self._items:
                raise VersionConflict("the subscription changed; read it again")
            self._count(None, subscription)
            self._items[subscription.id] = subscription.model_copy(deep=True)
            self._reindex(None, subscription)

    def get(self, subscription_id: str, *, consistent: bool = True) -> Subscription | None:
        found = self._items.get(subscription_id)
        return found.model_copy(deep=True) if found else None

    def list_owned(
        self, owner: str, *, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[Subscription], dict[str, Any] | None]:
        def order(s: Subscription) -> str:
            return f"{iso(s.created_at)}#{s.id}"

        after = (start_key or {}).get("gsi1sk", "")
        mine = sorted((s for s in self._items.values() if s.owner == owner), key=order)
        page = [s.model_copy(deep=True) for s in mine if order(s) > after][:limit]
        return page, ({"gsi1sk": order(page[-1])} if len(page) == limit else None)

    def count_owned(self, owner: str) -> int:
        return sum(1 for s in self._items.values() if s.owner == owner)

    def replace(self, before: Subscription, after: Subscription) -> Subscription:
        with self._lock:
            current = self._items.get(before.id)
            if current is None or current.version != before.version:
                raise VersionConflict("the subscription changed; read it again")
            stored = after.model_copy(update={"version": before.version + 1})
            self._count(before, stored)
            # only the user-owned attributes and the status: health updates made meanwhile survive
            self._items[before.id] = current.model_copy(
                update={f: getattr(stored, f) for f in EDITABLE_FIELDS}
            )
            self._reindex(before, stored)
            return stored

    def delete(self, subscription: Subscription) -> None:
        with self._lock:
            current = self._items.get(subscription.id)
            if current is None or current.version != subscription.version:
                raise VersionConflict("the subscription changed; read it again")
            del self._items[subscription.id]
            self._count(subscription, None)
            self._reindex(subscription, None)

    def _health(
        self, subscription_id: str, changes: Callable[[Subscription], dict[str, Any]]
    ) -> Subscription | None:
        with self._lock:
            current = self._items.get(subscription_id)
            if current is None:
                return None  # deleted meanwhile
            updated = current.model_copy(update=changes(current))
            self._items[subscription_id] = updated
            return updated.model_copy(deep=True)

    def record_success(self, subscription_id: str, now: datetime) -> None:
        self._health(
            subscription_id, lambda _: {"last_success_at": now, "failure_count": 0, "failing_since": None}
        )

    def record_failure(self, subscription_id: str, now: datetime) -> Subscription | None:
        return self._health(
            subscription_id,
            lambda s: {"failure_count": s.failure_count + 1, "failing_since": s.failing_since or now},
        )

    def reset_health(self, subscription_id: str) -> None:
        self._health(subscription_id, lambda _: {"failure_count": 0, "failing_since": None})

    def matching_rows(
        self, partition: str, score: int, *, limit: int, start_sk: str | None = None
    ) -> tuple[list[IndexRow], str | None]:
        upper = fanout_score_bound(score)
        keys = sorted(
            k for k in self._index.get(partition, {}) if k < upper and (start_sk is None or k > start_sk)
        )
        page = keys[:limit]
        rows = [self._index[partition][k] for k in page]
        return rows, (page[-1] if len(page) == limit else None)


__all__ = ["MemorySubscriptionStore"]
