"""What the deliver function does with each delivery-queue message.

* ``SignalEvent`` (from the scorer) / ``FanOutPage``: read one page of matching fan-out index rows
  and enqueue one ``DeliveryTask`` per matching subscription, plus one continuation page per shard
  with rows left, so no invocation fans out without bound and big fan-outs run shards in parallel.
* ``DeliveryTask``: *precheck* (due? subscription there and active? attempt claimed? payload
  readable?), *attempt* (POST the signed payload once: SSRF-guarded client pinned to the checked
  address, redirects not followed, bounded timeouts) and *conclude* (record the outcome, then
  enqueue the next attempt, disable the subscription, or send the exhausted task to the DLQ; a
  failed test event is logged as failed and dropped: a key holder must not fire the DLQ alarm).

Each message is independent, so a batch runs them concurrently (``webhooks.delivery_batch``). The
stores, queue and signal reader are ports (``webhooks.ports``) carried by a ``DeliveryContext``;
``webhooks.wiring`` builds the real one.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import ValidationError

from signals.config import Settings, get_settings
from signals.http import FetchError, HttpResult, Resolver, fetch
from signals.models import SignalEvent, as_utc, utcnow
from signals.models.delivery import DeliveryAttempt, DeliveryStatus, DeliveryTask, QueuedMessage
from signals.models.subscription import DIGEST_EVENT_TYPE, TEST_EVENT_TYPE, Subscription
from signals.telemetry import logger
from signals.webhooks.deliveries import FanOutPage, manual_retry_task, payload_bytes, queued, test_task
from signals.webhooks.endpoints import loopback_allowed
from signals.webhooks.matching import accepts, all_partitions, shard_key
from signals.webhooks.ports import DeliveryLog, RateLimits, SignalReader, SubscriptionStore, TaskQueue
from signals.webhooks.schedule import AttemptFacts, Decision, RetryPolicy, decide, should_disable
from signals.webhooks.signing import webhook_headers

Sender = Callable[..., HttpResult]

OutcomeKind = Literal[
    "fanned_out",
    "delivered",
    "retry_scheduled",
    "failed",
    "test_failed",  # a test event not delivered: the subscriber's concern, not the pipeline's alarms
    "disabled",
    "deferred",
    "duplicate",
    "dropped",
]


class SignalMissing(RuntimeError):
    """The event's signal is not readable yet: let SQS redeliver the message."""


@dataclass
class DeliveryContext:
    """Everything delivery talks to: the ports, and the seams tests replace (sender, clock, rng)."""

    subscriptions: SubscriptionStore
    deliveries: DeliveryLog
    queue: TaskQueue
    signals: SignalReader
    send: Sender = fetch
    resolver: Resolver | None = None
    clock: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)
    settings: Settings = field(default_factory=get_settings)
    host_limits: RateLimits | None = None  # attempts per subscriber host (None: unlimited, in tests)
    policy: RetryPolicy = field(init=False)

    def __post_init__(self) -> None:
        self.policy = RetryPolicy.from_settings(self.settings)


@dataclass(frozen=True)
class Outcome:
    """What handling one message did (for metrics and tests)."""

    kind: OutcomeKind
    delivery_id: str | None = None
    latency_ms: int | None = None
    enqueued: int = 0


Message = SignalEvent | FanOutPage | DeliveryTask


def parse_message(body: str) -> Message:
    """The message a delivery-queue body carries; ``ValueError`` when it is none of them."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    try:
        if data.get("kind") == "delivery":
            return DeliveryTask.model_validate(data)
        if data.get("kind") == "fanout":
            return FanOutPage.model_validate(data)
        return SignalEvent.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"not a delivery-queue message: {exc.error_count()} error(s)") from exc


def handle_message(body: str, ctx: DeliveryContext) -> Outcome:
    """Handle one delivery-queue message; raises when it must be retried by SQS."""
    message = parse_message(body)
    if isinstance(message, DeliveryTask):
        return deliver(message, ctx)
    if isinstance(message, SignalEvent):
        return fan_out(message, ctx)
    return fan_out(message.event, ctx, partitions=message.partitions, start_sk=message.start_sk)


# --------------------------------------------------------------------------- fan-out


def fan_out(
    event: SignalEvent,
    ctx: DeliveryContext,
    *,
    partitions: list[str] | None = None,
    start_sk: str | None = None,
) -> Outcome:
    """Enqueue delivery tasks for one page of matching index rows, and continuations for the rest.

    A signal event starts with every shard's partitions. The page reads them in order until
    ``fanout_page_size`` rows; what remains continues as one ``FanOutPage`` per shard, so a large
    fan-out runs shard by shard in parallel while a small one (the usual case) costs one message.
    """
    signal = ctx.signals.get(event.signal_id)
    if signal is None:
        raise SignalMissing(f"signal {event.signal_id} not found")
    remaining = list(partitions or all_partitions(signal.category, ctx.settings.fanout_shards))
    budget, rows = ctx.settings.fanout_page_size, []
    while remaining and budget > 0:  # one bounded page of rows per message, across partitions
        found, next_sk = ctx.subscriptions.matching_rows(
            remaining[0], signal.score, limit=budget, start_sk=start_sk
        )
        rows.extend(found)
        budget -= len(found)
        if next_sk is not None:
            start_sk = next_sk
            break
        remaining, start_sk = remaining[1:], None
    messages = [
        QueuedMessage(
            id=row.subscription_id, body=DeliveryTask.first(row.subscription_id, event).model_dump_json()
        )
        for row in rows
        if accepts(row, event.type, signal)
    ]
    for n, (shard_partitions, shard_start) in enumerate(_by_shard(remaining, start_sk)):
        rest = FanOutPage(event=event, partitions=shard_partitions, start_sk=shard_start)
        messages.append(QueuedMessage(id=f"continue-{n}", body=rest.model_dump_json()))
    if messages:
        ctx.queue.enqueue(messages)
    logger.info(
        "fanned out",
        extra={"event_id": event.event_id, "rows": len(rows), "messages": len(messages)},
    )
    return Outcome("fanned_out", enqueued=len(messages))


def _by_shard(partitions: list[str], start_sk: str | None) -> list[tuple[list[str], str | None]]:
    """Remaining partitions grouped by shard, in order; ``start_sk`` belongs to the first one."""
    groups: dict[str, list[str]] = {}
    for partition in partitions:
        groups.setdefault(shard_key(partition), []).append(partition)
    return [(group, start_sk if n == 0 else None) for n, group in enumerate(groups.values())]


# --------------------------------------------------------------------------- one delivery


@dataclass(frozen=True)
class Prepared:
    """A claimed attempt with what it sends."""

    subscription: Subscription
    body: bytes


@dataclass(frozen=True)
class Attempted:
    """An attempt made: as logged, the decision about what follows, and when it ended."""

    attempt: DeliveryAttempt
    decision: Decision
    done_at: datetime
    send_error: str | None = None  # the transport error, when no answer came


def deliver(task: DeliveryTask, ctx: DeliveryContext) -> Outcome:
    """Make (at most) one attempt of a delivery task and arrange what comes next."""
    log = {"delivery_id": task.delivery_id, "subscription_id": task.subscription_id, "attempt": task.attempt}
    ready = precheck(task, ctx, log)
    if isinstance(ready, Outcome):
        return ready
    made = attempt(task, ready, ctx)
    log.update(
        status_code=made.attempt.status_code,
        error=made.send_error,
        latency_ms=made.attempt.latency_ms,
        action=made.decision.action,
    )
    return conclude(task, ready.subscription, made, ctx, log)


def precheck(task: DeliveryTask, ctx: DeliveryContext, log: dict[str, Any]) -> Prepared | Outcome:
    """Whether the attempt may be made now: the outcome when it may not, else what it sends."""
    now = as_utc(ctx.clock())
    if task.not_before is not None and as_utc(task.not_before) > now:
        _enqueue(task, now, ctx)  # longer than SQS's maximum delay: hop until due
        return Outcome("deferred", task.delivery_id)
    subscription = ctx.subscriptions.get(task.subscription_id)
    if subscription is None:
        logger.info("subscription gone; delivery dropped", extra=log)
        return Outcome("dropped", task.delivery_id)
    wait_s = _host_wait(subscription, now, ctx)
    if wait_s is not None:  # the host had its share of this window: the attempt waits, nothing fails
        logger.info("host busy; attempt deferred", extra={**log, "wait_s": wait_s})
        _enqueue(task.model_copy(update={"not_before": now + timedelta(seconds=wait_s)}), now, ctx)
        return Outcome("deferred", task.delivery_id)
    if not ctx.deliveries.claim_attempt(task, now, ctx.settings.delivery_lease_s):
        logger.info("attempt already made; duplicate task ignored", extra=log)
        return Outcome("duplicate", task.delivery_id)
    if subscription.status != "active":
        _close_unsent(task, now, "subscription_disabled", ctx)
        return Outcome("dropped", task.delivery_id)
    body = _payload(task, subscription.id, ctx)
    if body is None:
        _close_unsent(task, now, "signal_missing", ctx)
        return Outcome("failed", task.delivery_id)
    return Prepared(subscription, body)


def _host_wait(subscription: Subscription, now: datetime, ctx: DeliveryContext) -> int | None:
    """Seconds until the subscriber's host may get another attempt, or None when it may now."""
    if ctx.host_limits is None:
        return None
    host = (urlsplit(subscription.url).hostname or "").lower().rstrip(".")
    settings = ctx.settings
    return ctx.host_limits.hit(
        f"host:{host}",
        settings.delivery_attempts_per_host_max,
        settings.delivery_attempts_per_host_window_s,
        now,
    )


def _close_unsent(task: DeliveryTask, now: datetime, error: str, ctx: DeliveryContext) -> None:
    attempt = DeliveryAttempt(attempt=task.attempt, at=now, error=error, manual=task.manual)
    ctx.deliveries.close_attempt(task, attempt, "failed")


def _payload(task: DeliveryTask, subscription_id: str, ctx: DeliveryContext) -> bytes | None:
    if task.event_type == TEST_EVENT_TYPE:
        data: dict[str, Any] = {"subscription_id": subscription_id, "message": "Test event from Signals."}
    elif task.event_type == DIGEST_EVENT_TYPE:  # webhooks/digest_events.py: the stored digest of the day
        from signals.webhooks.digest_events import digest_data  # digest deliveries only: not at cold start

        digest = digest_data(task.event_id)
        if digest is None:
            return None
        data = digest
    else:
        signal = ctx.signals.get(task.signal_id or "")
        if signal is None:
            return None
        data = signal.model_dump(mode="json")
    return payload_bytes(task.event_type, task.occurred_at, data)


def attempt(task: DeliveryTask, ready: Prepared, ctx: DeliveryContext) -> Attempted:
    """POST the signed payload once and decide what follows from the answer."""
    settings, subscription = ctx.settings, ready.subscription
    sent_at = as_utc(ctx.clock())
    headers = {
        **webhook_headers(
            subscription.signing_secrets(sent_at), task.webhook_id, int(sent_at.timestamp()), ready.body
        ),
        "content-type": "application/json",
        "user-agent": f"{settings.user_agent_name}-Webhooks/1 (+{settings.contact_url})",
    }
    status: int | None = None
    error: str | None = None
    retry_after: str | None = None
    started = time.monotonic()
    try:
        result = ctx.send(
            "POST",
            subscription.url,
            headers=headers,
            body=ready.body,
            max_bytes=settings.delivery_response_prefix_bytes,
            truncate_body=True,  # any 2xx is a success whatever its size: the body is only logged
            connect_timeout=settings.delivery_connect_timeout_s,
            read_timeout=settings.delivery_timeout_s,
            total_deadline=settings.delivery_timeout_s,
            max_redirects=0,
            allow_loopback=loopback_allowed(
                subscription.url, local_mode=settings.local_mode, loopback_ports=settings.local_loopback_ports
            ),
            resolver=ctx.resolver,
        )
        status = result.status
        retry_after = result.headers.get("retry-after")
    except FetchError as exc:
        error = f"{exc.reason}: {str(exc)[:300]}"
    latency_ms = int((time.monotonic() - started) * 1000)
    done_at = as_utc(ctx.clock())
    facts = AttemptFacts(status, error, retry_after, step=task.step, manual=task.manual)
    decision = decide(ctx.policy, facts, done_at, ctx.rng)
    made = DeliveryAttempt(
        attempt=task.attempt,
        at=sent_at,
        status_code=status,
        latency_ms=latency_ms,
        error=error or (None if decision.action == "delivered" else decision.reason),
        manual=task.manual,
    )
    return Attempted(made, decision, done_at, error)


def conclude(
    task: DeliveryTask, subscription: Subscription, made: Attempted, ctx: DeliveryContext, log: dict[str, Any]
) -> Outcome:
    """Record the attempt and arrange what follows: nothing, a retry, a disable, or the DLQ."""
    decision, done_at, latency_ms = made.decision, made.done_at, made.attempt.latency_ms
    if decision.action == "delivered":
        _close(task, made, "delivered", ctx)
        ctx.subscriptions.record_success(subscription.id, done_at)
        logger.info("delivered", extra=log)
        return Outcome("delivered", task.delivery_id, latency_ms)
    if decision.action == "disable":
        return _disable(task, subscription, made, decision.reason, ctx, log)
    health = ctx.subscriptions.record_failure(subscription.id, done_at)
    if health is not None and should_disable(health.failing_since, done_at, ctx.policy.disable_after_s):
        days = ctx.policy.disable_after_s / 86400
        reason = f"no successful delivery for {days:g} days (last error: {made.attempt.error})"
        return _disable(task, subscription, made, reason, ctx, log)
    if decision.action == "retry":
        assert decision.retry_at is not None
        following = task.model_copy(
            update={"attempt": task.attempt + 1, "step": decision.step, "not_before": decision.retry_at}
        )
        _enqueue(following, done_at, ctx)  # before closing: a crash here re-makes, never loses
        _close(task, made, "pending", ctx, next_attempt_at=decision.retry_at)
        logger.info(
            "attempt failed; retry scheduled", extra={**log, "retry_at": decision.retry_at.isoformat()}
        )
        return Outcome("retry_scheduled", task.delivery_id, latency_ms, enqueued=1)
    if task.event_type == TEST_EVENT_TYPE:  # the caller's own check: logged, never an operator's alarm
        _close(task, made, "failed", ctx)
        logger.info("test event failed; dropped", extra=log)
        return Outcome("test_failed", task.delivery_id, latency_ms)
    # exhausted: park the task in the DLQ (alarm); a redrive makes one more attempt
    parked = task.model_copy(update={"attempt": task.attempt + 1, "manual": True, "not_before": None})
    ctx.queue.park(queued(parked, done_at, ctx.settings.sqs_max_delay_s))
    _close(task, made, "failed", ctx)
    logger.warning("delivery failed; retries exhausted", extra=log)
    return Outcome("failed", task.delivery_id, latency_ms)


def _close(
    task: DeliveryTask,
    made: Attempted,
    status: DeliveryStatus,
    ctx: DeliveryContext,
    next_attempt_at: datetime | None = None,
) -> None:
    ctx.deliveries.close_attempt(task, made.attempt, status, next_attempt_at=next_attempt_at)


def _disable(
    task: DeliveryTask,
    subscription: Subscription,
    made: Attempted,
    reason: str,
    ctx: DeliveryContext,
    log: dict[str, Any],
) -> Outcome:
    # the subscription rules load here, for the rare disabling, not with every cold start
    from signals.webhooks.subscription_service import disable_subscription

    _close(task, made, "failed", ctx)
    disable_subscription(ctx.subscriptions, subscription.id, reason, made.done_at)
    logger.warning("subscription disabled", extra={**log, "reason": reason})
    return Outcome("disabled", task.delivery_id, made.attempt.latency_ms)


def _enqueue(task: DeliveryTask, now: datetime, ctx: DeliveryContext) -> None:
    ctx.queue.enqueue([queued(task, now, ctx.settings.sqs_max_delay_s)])


__all__ = [
    "Attempted",
    "DeliveryContext",
    "Outcome",
    "OutcomeKind",
    "Prepared",
    "attempt",
    "conclude",
    "deliver",
    "fan_out",
    "handle_message",
    "manual_retry_task",
    "parse_message",
    "precheck",
    "test_task",
]
