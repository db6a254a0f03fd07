"""Abuse limits (issue 12, finding 9) on the in-memory stores: sends by hand are rate limited per
subscription and per key (429 with Retry-After), a failed test event never reaches the DLQ, the
per-key cap holds under concurrent creates, and one key may aim only so many subscriptions at a host.

The DynamoDB side of the same rules (conditional ``ADD`` counters, transactions) is in
``tests/integration/test_webhooks.py``.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from signals.api.problems import problem_for
from signals.models.delivery import DeliveryTask, QueuedMessage
from signals.webhooks import errors
from signals.webhooks.subscriptions import SubscriptionCreate, SubscriptionPatch
from webhook_world import make_signal


def _failed_delivery(world, sub) -> str:
    """A delivery of ``sub`` whose retries ran out (it may be retried by hand)."""
    task = DeliveryTask.first(sub.id, world.publish(make_signal()))
    world.queue.take()
    world.queue.enqueue([QueuedMessage(id="t", body=task.model_dump_json())])
    world.pump()
    world.queue.parked.clear()
    return task.delivery_id


def test_test_events_are_limited_per_subscription_with_the_seconds_to_the_window_end(world):
    world.configure(manual_sends_per_subscription_max=2, manual_sends_per_subscription_window_s=60)
    world.clock.now = world.clock.now.replace(second=15)  # 45 s left in this minute's window
    sub, other = world.subscribe("/ok/a"), world.subscribe("/ok/b")
    service = world.service()
    service.send_test_event("key_alice", sub.id)
    service.send_test_event("key_alice", sub.id)
    with pytest.raises(errors.RateLimited) as refused:
        service.send_test_event("key_alice", sub.id)
    assert refused.value.retry_after_s == 45
    assert "try again in 45 s" in refused.value.detail
    assert len(world.queue.take()) == 2  # the refused one queued nothing
    service.send_test_event("key_alice", other.id)  # another subscription has its own window
    world.clock.now += timedelta(seconds=45)  # the next window
    service.send_test_event("key_alice", sub.id)


def test_test_events_and_retries_share_the_per_key_window(world):
    world.configure(manual_sends_per_key_max=3, manual_sends_per_key_window_s=3600)
    subs = [world.subscribe(f"/error/{n}") for n in range(3)]
    failed = _failed_delivery(world, subs[0])
    service = world.service()
    service.send_test_event("key_alice", subs[1].id)
    service.send_test_event("key_alice", subs[2].id)
    service.retry_delivery("key_alice", subs[0].id, failed)
    world.queue.take()
    with pytest.raises(errors.RateLimited) as refused:
        service.send_test_event("key_alice", subs[2].id)
    assert 0 < refused.value.retry_after_s <= 3600
    world.pump()  # the manual retry fails again: the delivery can be retried by hand again
    with pytest.raises(errors.RateLimited):
        service.retry_delivery("key_alice", subs[0].id, failed)
    assert world.queue.take() == []
    bob = world.subscribe("/ok/bob", owner="key_bob")
    service.send_test_event("key_bob", bob.id)  # the limit is per key


def test_a_rate_limit_answers_429_with_retry_after():
    problem, headers = problem_for(errors.RateLimited(17))
    assert (problem.status, problem.code, problem.title) == (429, "rate_limited", "Too many requests")
    assert headers == {"Retry-After": "17"} and "Retry-After" in problem.detail
    problem, headers = problem_for(errors.TooManySubscriptionsForHost())
    assert (problem.status, problem.code, headers) == (409, "too_many_subscriptions_for_host", {})


def test_a_failed_test_event_is_logged_failed_and_never_parked_in_the_dlq(world):
    sub = world.subscribe("/error/x")
    task = world.service().send_test_event("key_alice", sub.id)
    outcomes = world.pump()
    assert [o.kind for o in outcomes] == ["test_failed"]
    assert world.queue.parked == []  # no DLQ message: no operators' alarm
    assert len(world.receiver.posts) == 1  # and no retries
    delivery = world.deliveries.get_delivery(sub.id, task.delivery_id)
    assert delivery.status == "failed" and delivery.attempts[0].status_code == 500
    hung = world.subscribe("/hang/x")
    world.service().send_test_event("key_alice", hung.id)
    assert [o.kind for o in world.pump()] == ["test_failed"] and world.queue.parked == []


def test_a_failed_test_event_counts_outside_the_delivery_failure_metrics(world, monkeypatch):
    from signals.webhooks import delivery_batch
    from signals.webhooks.dispatch import Outcome

    names = []
    monkeypatch.setattr("signals.ops.pipeline_stats.record_delivery", lambda **_: None)
    monkeypatch.setattr(
        "signals.telemetry.metrics.add_metric", lambda name, unit, value: names.append(name), raising=False
    )
    delivery_batch.record_metrics({"m": Outcome("test_failed", "d", 12)})
    assert names == ["TestEventFailures"]


def test_two_concurrent_creates_at_max_minus_one_leave_exactly_max(world):
    world.configure(subscriptions_per_key_max=3)
    world.subscribe("/ok/1")
    world.subscribe("/ok/2")
    store, both_in = world.subscriptions, threading.Barrier(2, timeout=5)
    real_create = store.create

    def racing_create(subscription):  # both requests got past every check before either writes
        both_in.wait()
        return real_create(subscription)

    store.create = racing_create

    def create(n: int):
        try:
            return world.subscribe(f"/ok/race-{n}")
        except errors.TooManySubscriptions as exc:
            return exc

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(create, range(2)))
    assert sorted(type(r).__name__ for r in results) == ["Subscription", "TooManySubscriptions"]
    assert store.count_owned("key_alice") == 3
    assert store.counters["owner#key_alice"] == 3


def test_one_key_may_aim_only_so_many_subscriptions_at_one_host(world):
    world.configure(subscriptions_per_host_max=2)
    service = world.service()
    first = world.subscribe("/ok/1")
    service.create("key_alice", SubscriptionCreate(url="https://HOOKS.example./ok/2"))  # same host
    with pytest.raises(errors.TooManySubscriptionsForHost):
        world.subscribe("/ok/3")
    other = service.create("key_alice", SubscriptionCreate(url="https://other.example/ok/1"))
    world.subscribe("/ok/3", owner="key_bob")  # per key
    with pytest.raises(errors.TooManySubscriptionsForHost):  # an edit cannot move one there either
        service.patch("key_alice", other.id, SubscriptionPatch(url="https://hooks.example/ok/4"))
    assert service.owned("key_alice", other.id).url == "https://other.example/ok/1"
    service.delete("key_alice", first.id)
    moved = service.patch("key_alice", other.id, SubscriptionPatch(url="https://hooks.example/ok/4"))
    assert moved.url == "https://hooks.example/ok/4"
    counters = world.subscriptions.counters
    assert counters["host#key_alice#hooks.example"] == 2 and counters["host#key_alice#other.example"] == 0
    assert counters["owner#key_alice"] == 2


def test_a_delete_racing_an_edit_frees_the_host_the_subscription_ended_at(world):
    world.configure(subscriptions_per_host_max=1)
    service = world.service()
    sub = world.subscribe("/ok/1")
    stale = service.owned("key_alice", sub.id)
    service.patch("key_alice", sub.id, SubscriptionPatch(url="https://other.example/ok/1"))
    with pytest.raises(errors.VersionConflict):
        world.subscriptions.delete(stale)  # the store refuses the version it no longer holds
    service.delete("key_alice", sub.id)
    counters = world.subscriptions.counters
    assert counters == {
        "owner#key_alice": 0,
        "host#key_alice#hooks.example": 0,
        "host#key_alice#other.example": 0,
    }
