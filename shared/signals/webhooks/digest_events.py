"""The ``digest.daily`` webhook event: one signed delivery per day to each subscriber that opted in.

When the daily digest is stored (``ops/digest_schedule.py``), one ``DeliveryTask`` per opted-in
subscription goes on the delivery queue; the deliver function sends it like any other task, with
the stored digest as the payload's ``data``. The event id is the day's (``digest.daily:<day>``), so
the delivery id and the ``webhook-id`` are the same however often the schedule is retried: a
repeated task is claimed once (``DeliveryLog.claim_attempt``) and delivered once.

Subscribers are found in the fan-out index (``webhooks.matching``) without reading subscriptions:
a digest is not a signal, so category, score, tag and source filters do not apply; every partition
of every shard is read once a day (categories + ``*``, times ``fanout_shards`` Queries).
"""

from __future__ import annotations

from typing import Any

from signals.models import Category
from signals.models.day_digest import Digest
from signals.models.delivery import DeliveryTask, QueuedMessage, delivery_id_for
from signals.models.subscription import DIGEST_EVENT_TYPE
from signals.webhooks.matching import ANY_CATEGORY, partition_name
from signals.webhooks.ports import SubscriptionStore, TaskQueue

_EVENT_PREFIX = f"{DIGEST_EVENT_TYPE}:"
_ALL_ROWS = 10  # the highest score: every row of a partition (min_score <= 10)


def digest_event_id(day: str) -> str:
    return f"{_EVENT_PREFIX}{day}"


def digest_day(event_id: str) -> str:
    """The day a ``digest.daily`` event id names."""
    return event_id.removeprefix(_EVENT_PREFIX)


def opted_in(subscriptions: SubscriptionStore, *, shards: int, page_size: int) -> list[str]:
    """Ids of the active subscriptions that take ``digest.daily``, each once, sorted."""
    found: set[str] = set()
    for shard in range(shards):
        for category in [*(c.value for c in Category), ANY_CATEGORY]:
            start: str | None = None
            while True:
                rows, start = subscriptions.matching_rows(
                    partition_name(category, shard), _ALL_ROWS, limit=page_size, start_sk=start
                )
                found.update(r.subscription_id for r in rows if DIGEST_EVENT_TYPE in r.event_types)
                if start is None:
                    break
    return sorted(found)


def digest_task(subscription_id: str, digest: Digest) -> DeliveryTask:
    """The first attempt of one subscriber's delivery of one day's digest (same ids on every retry)."""
    event_id = digest_event_id(digest.date)
    return DeliveryTask(
        delivery_id=delivery_id_for(subscription_id, event_id),
        subscription_id=subscription_id,
        event_id=event_id,
        event_type=DIGEST_EVENT_TYPE,
        occurred_at=digest.built_at,
    )


def announce(
    digest: Digest, subscriptions: SubscriptionStore, queue: TaskQueue, *, shards: int, page_size: int
) -> int:
    """Enqueue the day's delivery to every opted-in subscriber; how many."""
    ids = opted_in(subscriptions, shards=shards, page_size=page_size)
    messages = [QueuedMessage(id=sid, body=digest_task(sid, digest).model_dump_json()) for sid in ids]
    if messages:
        queue.enqueue(messages)
    return len(messages)


def digest_data(event_id: str) -> dict[str, Any] | None:
    """The payload data of a ``digest.daily`` delivery: the stored digest of its day (None: gone)."""
    from signals.storage import digest_records

    digest = digest_records.get_digest(digest_day(event_id))
    return digest.model_dump(mode="json") if digest is not None else None
