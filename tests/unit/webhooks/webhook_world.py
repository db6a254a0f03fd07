"""A webhooks world in memory: the in-memory stores, a fake receiver, a clock that moves
(the ``world`` fixture, registered in this folder's ``conftest.py``).

Dispatch and the subscription service run here exactly as in Lambda, against the same ports,
without moto or sockets: each test takes milliseconds.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import urllib3
from signals.config import Settings
from signals.http import FetchError, HttpResult
from signals.models import Category, ScoreBreakdown, Signal, SignalEvent, SourceRef
from signals.models.delivery import QueuedMessage
from signals.storage.memory_deliveries import MemoryDeliveryLog
from signals.storage.memory_queues import MemoryTaskQueue
from signals.storage.memory_rate_limits import MemoryRateLimits
from signals.storage.memory_subscriptions import MemorySubscriptionStore
from signals.webhooks import dispatch
from signals.webhooks.matching import index_rows
from signals.webhooks.subscription_service import SubscriptionService, counters_of
from signals.webhooks.subscriptions import SubscriptionCreate, SubscriptionFilters

PUBLIC_IP = "93.184.216.34"
START = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)


class Timeout(FetchError):
    reason = "timeout"


class Clock:
    def __init__(self, start: datetime = START):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Post:
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """The fake ``send``: answers by the URL's first path segment, records every POST."""

    posts: list[Post] = field(default_factory=list)

    ANSWERS = {
        "ok": (200, {}),
        "moved": (301, {"location": "/ok/elsewhere"}),
        "gone": (410, {}),
        "throttle": (429, {"retry-after": "120"}),
        "error": (500, {}),
    }

    def __call__(
        self, method: str, url: str, *, headers: dict[str, str], body: bytes, **_: Any
    ) -> HttpResult:
        self.posts.append(Post(url, headers, body))
        kind = url.split("/", 3)[3].split("/")[0]
        if kind == "hang":
            raise Timeout("read timed out")
        status, answer_headers = self.ANSWERS.get(kind, (404, {}))
        return HttpResult(status, urllib3.HTTPHeaderDict(answer_headers), b"ok", url)


class MemorySignals:
    """``SignalReader`` over a dict."""

    def __init__(self) -> None:
        self.signals: dict[str, Signal] = {}

    def get(self, signal_id: str) -> Signal | None:
        return self.signals.get(signal_id)


def make_signal(
    signal_id="sig-1", score=7, category=Category.SECURITY, tags=("llm",), source="src-a"
) -> Signal:
    return Signal(
        id=signal_id,
        title="Model weights leak",
        url="https://example.com/a",
        published_at=START,
        scored_at=START,
        updated_at=START,
        score=score,
        category=category,
        tags=list(tags),
        score_breakdown=ScoreBreakdown(rubric_version="1", base=5, raw=float(score)),
        sources=[
            SourceRef(
                item_id="i1", source_id=source, name="A", url="https://example.com/a", published_at=START
            )
        ],
    )


@dataclass
class World:
    settings: Settings
    clock: Clock = field(default_factory=Clock)
    receiver: Receiver = field(default_factory=Receiver)
    queue: MemoryTaskQueue = field(default_factory=MemoryTaskQueue)
    deliveries: MemoryDeliveryLog = field(default_factory=MemoryDeliveryLog)
    signals: MemorySignals = field(default_factory=MemorySignals)
    rate_limits: MemoryRateLimits = field(default_factory=MemoryRateLimits)
    subscriptions: MemorySubscriptionStore = field(init=False)

    def __post_init__(self) -> None:
        self.subscriptions = MemorySubscriptionStore(
            lambda s: index_rows(s, self.settings.fanout_shards),
            counted_in=lambda s: counters_of(self.settings)(s),
        )

    def configure(self, **changes: Any) -> None:
        self.settings = self.settings.model_copy(update=changes)

    def ctx(self) -> dispatch.DeliveryContext:
        return dispatch.DeliveryContext(
            subscriptions=self.subscriptions,
            deliveries=self.deliveries,
            queue=self.queue,
            signals=self.signals,
            send=self.receiver,
            clock=self.clock,
            rng=random.Random(7),
            settings=self.settings,
        )

    def service(self) -> SubscriptionService:
        return SubscriptionService(
            subscriptions=self.subscriptions,
            deliveries=self.deliveries,
            queue=self.queue,
            settings=self.settings,
            rate_limits=self.rate_limits,
            resolver=lambda host: [PUBLIC_IP],
            clock=self.clock,
        )

    def subscribe(self, path: str, owner: str = "key_alice", **request: Any):
        filters = request.pop("filters", None) or {}
        create = SubscriptionCreate(
            url=f"https://hooks.example{path}", filters=SubscriptionFilters(**filters), **request
        )
        return self.service().create(owner, create)

    def publish(self, signal: Signal | None = None) -> SignalEvent:
        """Store a signal and put its ``signal.created`` event on the queue, as the scorer does."""
        signal = signal or make_signal()
        self.signals.signals[signal.id] = signal
        event = SignalEvent(
            type="signal.created",
            event_id=f"evt-{signal.id}-v{signal.version}",
            signal_id=signal.id,
            signal_version=signal.version,
            occurred_at=signal.scored_at,
        )
        self.queue.enqueue([QueuedMessage(id=event.event_id, body=event.model_dump_json())])
        return event

    def pump(self, rounds: int = 1000) -> list[dispatch.Outcome]:
        """Play the queue until it is empty; a task not yet due moves the clock to it (time passes)."""
        outcomes = []
        for _ in range(rounds):
            messages = self.queue.take()
            if not messages:
                break
            for message in messages:
                due = json.loads(message.body).get("not_before")
                if due:
                    self.clock.now = max(self.clock.now, datetime.fromisoformat(due.replace("Z", "+00:00")))
                outcomes.append(dispatch.handle_message(message.body, self.ctx()))
        return outcomes


@pytest.fixture
def world() -> World:
    settings = Settings().model_copy(
        update={
            "delivery_queue_url": "memory://delivery",
            "delivery_dlq_url": "memory://dlq",
            # every subscription here is at hooks.example (the receiver answers by path); the
            # per-host cap has its own tests, which configure it back down
            "subscriptions_per_host_max": 1000,
        }
    )
    return World(settings)
