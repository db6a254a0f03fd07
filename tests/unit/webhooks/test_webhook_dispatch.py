"""Dispatch on the in-memory stores: fan-out, one attempt per task, what follows each answer.

The DynamoDB/SQS path and real HTTP stay covered by ``tests/integration/test_webhooks.py``.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from signals.models import Category
from signals.models.delivery import DeliveryTask
from signals.webhooks import dispatch, signing
from signals.webhooks.deliveries import FanOutPage
from signals.webhooks.subscriptions import wants
from webhook_world import make_signal


def test_fan_out_reaches_exactly_the_matching_subscribers_with_signed_payloads(world):
    # Given subscribers with every kind of filter
    low = world.subscribe("/ok/low", filters={"min_score": 3})
    world.subscribe("/ok/high", filters={"min_score": 9})
    world.subscribe("/ok/cat", filters={"categories": ["business"]})
    world.subscribe("/ok/tag", filters={"tags": ["robots"]})
    world.subscribe("/ok/src", filters={"sources": ["src-a"]})
    world.subscribe("/ok/upd", event_types=["signal.updated"])
    # When a signal scoring 7 in security, tagged llm, from src-a is published
    world.publish()
    outcomes = world.pump()
    # Then only the matching two receive it, signed with their secret
    assert sorted(p.url.rsplit("/", 1)[1] for p in world.receiver.posts) == ["low", "src"]
    assert [o.kind for o in outcomes].count("delivered") == 2
    post = next(p for p in world.receiver.posts if p.url.endswith("/low"))
    signing.verify(low.secrets[0].secret, post.body, post.headers, now=int(world.clock.now.timestamp()))
    payload = json.loads(post.body)
    assert (payload["type"], payload["data"]["id"], payload["timestamp"]) == (
        "signal.created",
        "sig-1",
        "2026-06-02T12:00:00Z",
    )
    log, _ = world.deliveries.list_deliveries(low.id, limit=5)
    assert [(d.status, d.attempts[0].status_code, d.webhook_id) for d in log] == [
        ("delivered", 200, post.headers["webhook-id"])
    ]


def test_fan_out_tasks_are_exactly_the_subscriptions_that_want_the_signal(world):
    categories = [None, "security", "business", "models-research"]
    made = [
        world.subscribe(
            f"/ok/{n}",
            filters={"min_score": 1 + n % 10, "categories": [categories[n % 4]] if categories[n % 4] else []},
        )
        for n in range(80)
    ]
    signal = make_signal(score=6, category=Category.SECURITY)
    event = world.publish(signal)
    world.queue.take()
    outcome = dispatch.fan_out(event, world.ctx())
    tasks = [json.loads(m.body) for m in world.queue.take()]
    assert outcome.kind == "fanned_out" and all(t["kind"] == "delivery" for t in tasks)  # one page
    assert {t["subscription_id"] for t in tasks} == {s.id for s in made if wants(s, "signal.created", signal)}


def test_fan_out_continues_in_pages(world):
    # moved from the integration suite: paging is a rule of dispatch, not of DynamoDB
    world.configure(fanout_page_size=4, fanout_shards=1)  # one shard: the pages continue one another
    ids = {world.subscribe(f"/ok/{n}").id for n in range(10)}
    world.publish()
    outcomes = world.pump()
    fanned = [o for o in outcomes if o.kind == "fanned_out"]
    assert {p.url for p in world.receiver.posts} == {f"https://hooks.example/ok/{n}" for n in range(10)}
    assert len(world.receiver.posts) == len(ids)
    assert all(o.enqueued <= 5 for o in fanned) and len(fanned) >= 3


def test_an_overflowing_fan_out_continues_one_message_per_shard(world):
    world.configure(fanout_page_size=10, fanout_shards=8)
    # 400 random ids over 8 shards (~50 each): every shard overflows a 10-row page. (With 160, a
    # shard held 10 or fewer in a few percent of runs, and its page needed no continuation.)
    for n in range(400):
        world.subscribe(f"/ok/{n}", owner=f"key_{n % 5}")  # five keys: within the per-key cap
    event = world.publish()
    world.queue.take()
    dispatch.fan_out(event, world.ctx())
    pages = [FanOutPage.model_validate_json(m.body) for m in world.queue.take() if '"fanout"' in m.body]
    shards = [{p.rsplit("#", 1)[1] for p in page.partitions} for page in pages]
    assert sorted(shards, key=sorted) == [{str(n)} for n in range(8)]


def test_fan_out_of_a_signal_not_yet_readable_is_retried_by_sqs(world):
    event = world.publish()
    world.signals.signals.clear()
    with pytest.raises(dispatch.SignalMissing):
        dispatch.handle_message(world.queue.take()[0].body, world.ctx())
    assert event.signal_id == "sig-1"


@pytest.mark.parametrize(
    ("path", "kind", "status", "sub_status", "min_wait"),
    [
        ("/ok/x", "delivered", "delivered", "active", None),
        ("/moved/x", "retry_scheduled", "pending", "active", 1),
        ("/gone/x", "disabled", "failed", "disabled", None),
        ("/throttle/x", "retry_scheduled", "pending", "active", 120),
        ("/error/x", "retry_scheduled", "pending", "active", 1),
        ("/hang/x", "retry_scheduled", "pending", "active", 1),
    ],
)
def test_each_answer_leads_to_its_next_step(world, path, kind, status, sub_status, min_wait):
    sub = world.subscribe(path)
    task = DeliveryTask.first(sub.id, world.publish())
    world.queue.take()
    outcome = dispatch.handle_message(task.model_dump_json(), world.ctx())
    record = world.deliveries.get_delivery(sub.id, task.delivery_id)
    assert (outcome.kind, record.status, world.subscriptions.get(sub.id).status) == (kind, status, sub_status)
    assert len(world.receiver.posts) == 1  # one POST; a redirect is never followed
    queued = [json.loads(m.body) for m in world.queue.take()]
    if min_wait is None:
        assert queued == []
    else:
        (following,) = queued
        due = following["not_before"].replace("Z", "+00:00")
        assert world.clock.now + timedelta(seconds=min_wait * 0.8) <= type(world.clock.now).fromisoformat(due)
        assert (following["attempt"], following["step"]) == (2, 1)
        assert record.next_attempt_at is not None
    if path.startswith("/gone"):
        assert "410" in world.subscriptions.get(sub.id).disabled_reason
    if path.startswith("/hang"):
        assert record.attempts[0].error.startswith("timeout")
    if path.startswith("/moved"):
        assert "redirect" in record.last_error


def test_retries_follow_the_schedule_then_park_in_the_dlq(world):
    sub = world.subscribe("/error/x")
    world.publish()
    start = world.clock.now
    world.pump()
    schedule, jitter = world.settings.delivery_retry_schedule_s, world.settings.delivery_jitter_fraction
    attempts = len(schedule) + 1
    assert len(world.receiver.posts) == attempts
    assert len({p.headers["webhook-id"] for p in world.receiver.posts}) == 1  # stable across retries
    offsets = [int(p.headers["webhook-timestamp"]) - int(start.timestamp()) for p in world.receiver.posts]
    for n, base in enumerate(schedule, start=1):
        assert base * (1 - jitter) - 1 <= offsets[n] - offsets[n - 1] <= base * (1 + jitter) + 1
    (parked,) = world.queue.parked
    parked_task = json.loads(parked.body)
    assert parked_task["manual"] is True and parked_task["attempt"] == attempts + 1
    (delivery,), _ = world.deliveries.list_deliveries(sub.id, limit=5)
    assert delivery.status == "failed" and len(delivery.attempts) == attempts
    assert {a.status_code for a in delivery.attempts} == {500}
    # a redrive from the DLQ makes one more attempt with the same webhook-id
    world.queue.enqueue([parked])
    world.pump()
    assert len(world.receiver.posts) == attempts + 1
    assert world.receiver.posts[-1].headers["webhook-id"] == world.receiver.posts[0].headers["webhook-id"]


def test_failing_for_the_window_disables_and_stops_attempts(world):
    world.configure(delivery_disable_after_s=3600)
    sub = world.subscribe("/error/x")
    world.publish()
    world.pump()
    stored = world.subscriptions.get(sub.id)
    assert stored.status == "disabled" and "no successful delivery" in stored.disabled_reason
    hits = len(world.receiver.posts)
    assert hits < len(world.settings.delivery_retry_schedule_s) + 1  # stopped early
    world.publish(make_signal("sig-2"))
    world.pump()
    assert len(world.receiver.posts) == hits  # no further attempts while disabled


def test_long_waits_hop_through_the_queue_with_the_maximum_delay(world):
    # moved from the integration suite: the hop is dispatch's rule
    world.configure(sqs_max_delay_s=900)
    task = DeliveryTask.first("sub_x", world.publish()).model_copy(
        update={"not_before": world.clock.now + timedelta(seconds=2000)}
    )
    world.queue.take()
    outcome = dispatch.handle_message(task.model_dump_json(), world.ctx())
    assert outcome.kind == "deferred"
    (hop,) = world.queue.take()
    assert hop.delay_seconds == 900
    assert json.loads(hop.body)["not_before"] == task.model_dump(mode="json")["not_before"]


def test_a_duplicate_task_makes_no_second_attempt(world):
    sub = world.subscribe("/ok/x")
    task = DeliveryTask.first(sub.id, world.publish()).model_dump_json()
    first = dispatch.handle_message(task, world.ctx())
    again = dispatch.handle_message(task, world.ctx())
    assert (first.kind, again.kind, len(world.receiver.posts)) == ("delivered", "duplicate", 1)


def test_tasks_of_gone_or_disabled_subscriptions_send_nothing(world):
    event = world.publish()
    gone = dispatch.handle_message(DeliveryTask.first("sub_gone", event).model_dump_json(), world.ctx())
    sub = world.subscribe("/ok/x")
    world.subscriptions.replace(sub, sub.model_copy(update={"status": "disabled"}))
    task = DeliveryTask.first(sub.id, event)
    disabled = dispatch.handle_message(task.model_dump_json(), world.ctx())
    assert (gone.kind, disabled.kind, world.receiver.posts) == ("dropped", "dropped", [])
    record = world.deliveries.get_delivery(sub.id, task.delivery_id)
    assert (record.status, record.last_error) == ("failed", "subscription_disabled")


def test_a_task_whose_signal_is_gone_fails_without_sending(world):
    sub = world.subscribe("/ok/x")
    task = DeliveryTask.first(sub.id, world.publish())
    world.signals.signals.clear()
    outcome = dispatch.handle_message(task.model_dump_json(), world.ctx())
    assert outcome.kind == "failed" and world.receiver.posts == []
    assert world.deliveries.get_delivery(sub.id, task.delivery_id).last_error == "signal_missing"


def test_a_success_resets_the_failure_streak(world):
    sub = world.subscribe("/ok/x")
    world.subscriptions.record_failure(sub.id, world.clock.now)
    dispatch.handle_message(DeliveryTask.first(sub.id, world.publish()).model_dump_json(), world.ctx())
    stored = world.subscriptions.get(sub.id)
    assert (stored.failure_count, stored.failing_since, stored.last_success_at) == (0, None, world.clock.now)


def test_parse_message_refuses_what_is_not_a_delivery_queue_message():
    for body in ('{"poison": true', "[1]", '{"kind": "delivery"}'):
        with pytest.raises(ValueError):
            dispatch.parse_message(body)


def test_a_host_gets_at_most_its_share_of_attempts_a_window_and_the_rest_wait(world, monkeypatch):
    # Given three subscriptions on one host, and a host limit of two attempts a minute
    import dataclasses

    from signals.storage.memory_rate_limits import MemoryRateLimits

    world.configure(delivery_attempts_per_host_max=2, delivery_attempts_per_host_window_s=60)
    for n in range(3):
        world.subscribe(f"/ok/{n}")
    limits, plain = MemoryRateLimits(), world.ctx
    monkeypatch.setattr(world, "ctx", lambda: dataclasses.replace(plain(), host_limits=limits))
    world.publish()

    # When the fan-out and the attempts run (the clock moves to a deferred task's time)
    started = world.clock()
    outcomes = world.pump()

    # Then two are delivered at once, the third waits for the next window, and none fails
    kinds = sorted(o.kind for o in outcomes if o.kind != "fanned_out")
    assert kinds == ["deferred", "delivered", "delivered", "delivered"]
    assert len(world.receiver.posts) == 3
    assert world.clock() - started >= timedelta(seconds=1)  # the third waited for the window's end
