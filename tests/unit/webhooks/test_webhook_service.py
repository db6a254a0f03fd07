"""The subscription rules on the in-memory stores, and the one map from their errors to problems.

The HTTP routes around them (auth, bodies, cursors) stay covered by ``tests/integration``.
"""

from __future__ import annotations

import json

import pytest
from signals.api.problems import problem_for
from signals.models.delivery import DeliveryTask, QueuedMessage
from signals.webhooks import errors
from signals.webhooks.matching import shard_of
from signals.webhooks.subscription_service import disable_subscription
from signals.webhooks.subscriptions import SubscriptionCreate, SubscriptionPatch
from webhook_world import make_signal


def test_create_checks_the_url_then_the_per_key_cap(world):
    world.configure(subscriptions_per_key_max=2)
    service = world.service()
    with pytest.raises(errors.InvalidEndpoint) as refused:
        service.create("key_alice", SubscriptionCreate(url="http://hooks.example/h"))
    assert refused.value.code == "https_required"
    first, second = world.subscribe("/ok/1"), world.subscribe("/ok/2")
    with pytest.raises(errors.TooManySubscriptions):
        world.subscribe("/ok/3")
    assert first.status == second.status == "active" and first.secrets[0].secret.startswith("whsec_")
    assert world.subscribe("/ok/3", owner="key_bob").owner == "key_bob"  # the cap is per key


def test_another_owners_subscription_is_not_found_for_every_operation(world):
    sub = world.subscribe("/ok/x")
    service = world.service()
    for call in (
        lambda: service.owned("key_bob", sub.id),
        lambda: service.patch("key_bob", sub.id, SubscriptionPatch(description="mine now")),
        lambda: service.delete("key_bob", sub.id),
        lambda: service.rotate_secret("key_bob", sub.id),
        lambda: service.enable("key_bob", sub.id),
        lambda: service.send_test_event("key_bob", sub.id),
        lambda: service.retry_delivery("key_bob", sub.id, "d1"),
    ):
        with pytest.raises(errors.SubscriptionNotFound):
            call()
    assert service.owned("key_alice", sub.id).description == ""  # untouched
    with pytest.raises(errors.SubscriptionNotFound):
        service.owned("key_alice", "x" * 101)


def test_patch_applies_set_properties_under_the_optimistic_lock(world):
    sub = world.subscribe("/ok/x")
    service = world.service()
    changed = service.patch("key_alice", sub.id, SubscriptionPatch(filters={"min_score": 8}))
    assert (changed.version, changed.filters.min_score, changed.description) == (2, 8, "")
    with pytest.raises(errors.VersionConflict):  # the version read is no longer current
        service.patch("key_alice", sub.id, SubscriptionPatch(description="b", expected_version=1))
    with pytest.raises(errors.InvalidEndpoint):
        service.patch("key_alice", sub.id, SubscriptionPatch(url="https://hooks.example:22/h"))
    stored = service.owned("key_alice", sub.id)
    assert (stored.version, stored.description, stored.url) == (2, "", sub.url)


def test_index_rows_follow_edits_and_deletes(world):
    sub = world.subscribe("/ok/x", filters={"categories": ["security"]})
    service = world.service()
    shard = shard_of(sub.id, world.settings.fanout_shards)
    assert world.subscriptions.matching_rows(f"security#{shard}", 10, limit=5)[0][0].subscription_id == sub.id
    service.patch("key_alice", sub.id, SubscriptionPatch(filters={"categories": ["business"]}))
    assert world.subscriptions.matching_rows(f"security#{shard}", 10, limit=5)[0] == []
    assert len(world.subscriptions.matching_rows(f"business#{shard}", 10, limit=5)[0]) == 1
    service.delete("key_alice", sub.id)
    assert world.subscriptions.matching_rows(f"business#{shard}", 10, limit=5)[0] == []
    with pytest.raises(errors.SubscriptionNotFound):
        service.delete("key_alice", sub.id)


def test_rotation_keeps_the_old_secret_signing_for_the_overlap(world):
    sub = world.subscribe("/ok/x")
    rotated = world.service().rotate_secret("key_alice", sub.id)
    assert rotated.version == 2 and rotated.secrets[0].secret != sub.secrets[0].secret
    assert rotated.signing_secrets(world.clock.now) == [rotated.secrets[0].secret, sub.secrets[0].secret]


def test_enable_brings_a_disabled_subscription_back_with_a_clean_streak(world):
    sub = world.subscribe("/ok/x")
    world.subscriptions.record_failure(sub.id, world.clock.now)
    disabled = disable_subscription(world.subscriptions, sub.id, "HTTP 410", world.clock.now)
    assert disabled.status == "disabled"
    enabled = world.service().enable("key_alice", sub.id)
    assert (enabled.status, enabled.disabled_reason, enabled.failure_count, enabled.failing_since) == (
        "active",
        None,
        0,
        None,
    )
    assert world.service().enable("key_alice", sub.id).version == enabled.version  # already active


def test_a_test_event_goes_only_to_an_active_subscription(world):
    sub = world.subscribe("/ok/x")
    task = world.service().send_test_event("key_alice", sub.id)
    (queued,) = world.queue.take()
    assert json.loads(queued.body)["event_type"] == "webhook.test" and queued.id == task.delivery_id
    disable_subscription(world.subscriptions, sub.id, "HTTP 410", world.clock.now)
    with pytest.raises(errors.SubscriptionDisabled) as refused:
        world.service().send_test_event("key_alice", sub.id)
    assert refused.value.detail == "HTTP 410"


def test_a_manual_retry_reopens_a_finished_delivery_once_at_a_time(world):
    sub = world.subscribe("/error/x")
    service = world.service()
    task = DeliveryTask.first(sub.id, world.publish(make_signal()))
    world.queue.take()
    with pytest.raises(errors.DeliveryNotFound):
        service.retry_delivery("key_alice", sub.id, task.delivery_id)
    world.queue.enqueue([QueuedMessage(id="t", body=task.model_dump_json())])
    world.pump(rounds=1)  # attempt 1 failed: a retry is pending
    with pytest.raises(errors.DeliveryPending):
        service.retry_delivery("key_alice", sub.id, task.delivery_id)
    world.pump()  # the schedule runs out: the delivery has failed
    attempts = len(world.settings.delivery_retry_schedule_s) + 1
    reopened = service.retry_delivery("key_alice", sub.id, task.delivery_id)
    (queued,) = world.queue.take()
    again = json.loads(queued.body)
    assert reopened.status == "pending" and (again["manual"], again["attempt"]) == (True, attempts + 1)
    assert again["delivery_id"] == task.delivery_id  # same delivery: same webhook-id
    world.configure(delivery_max_attempts_logged=attempts)
    with pytest.raises(errors.TooManyAttempts):
        world.service().retry_delivery("key_alice", sub.id, task.delivery_id)
    disable_subscription(world.subscriptions, sub.id, "gone", world.clock.now)
    with pytest.raises(errors.SubscriptionDisabled) as refused:
        world.service().retry_delivery("key_alice", sub.id, task.delivery_id)
    assert refused.value.detail == "Enable the subscription first."


@pytest.mark.parametrize(
    ("error", "status", "code", "title", "detail"),
    [
        (
            errors.SubscriptionNotFound(),
            404,
            "subscription_not_found",
            "Not found",
            "No subscription with this id for your key.",
        ),
        (
            errors.DeliveryNotFound(),
            404,
            "delivery_not_found",
            "Not found",
            "No delivery with this id for the subscription.",
        ),
        (
            errors.VersionConflict("x"),
            409,
            "version_conflict",
            "Conflict",
            "The subscription changed since you read it; read it again and retry.",
        ),
        (
            errors.TooManySubscriptions(),
            409,
            "too_many_subscriptions",
            "Limit reached",
            "Delete a subscription first.",
        ),
        (
            errors.SubscriptionDisabled("HTTP 410"),
            409,
            "subscription_disabled",
            "Subscription disabled",
            "HTTP 410",
        ),
        (
            errors.TooManyAttempts(),
            409,
            "too_many_attempts",
            "Too many attempts",
            "This delivery cannot be retried again.",
        ),
        (
            errors.DeliveryPending(),
            409,
            "delivery_pending",
            "Delivery pending",
            "The delivery is still being attempted.",
        ),
        (
            errors.InvalidEndpoint("https_required", "webhook URLs must use https"),
            400,
            "https_required",
            "Webhook URL not allowed",
            "webhook URLs must use https",
        ),
    ],
)
def test_each_domain_error_maps_to_its_problem(error, status, code, title, detail):
    problem, headers = problem_for(error)
    assert (problem.status, problem.code, problem.title, problem.detail, headers) == (
        status,
        code,
        title,
        detail,
        {},
    )
