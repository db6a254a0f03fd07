"""What the deliver function does with each delivery-queue message.

* ``SignalEvent`` (from the scorer) / ``FanOutPage``: read one page of matching fan-out index rows
  and enqueue one ``DeliveryTask`` per matching subscription, plus one continuation page per shard
  with rows left, so no invocation fans out without bound and big fan-outs run shards in parallel.
* ``DeliveryTask``: claim the attempt, POST the signed payload once (SSRF-guarded client pinned
  to the checked address, redirects not followed, bounded timeouts), record the outcome, and
  enqueue the next attempt, disable the subscription, or send the exhausted task to the DLQ.

Each message is independent, so a batch runs them concurrently (bounded); a slow endpoint costs
only its own thread for at most the delivery timeout.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from signals.config import Settings, get_settings
from signals.http import FetchError, HttpResult, Resolver, fetch
from signals.models import SignalEvent, as_utc, utcnow
from signals.storage import delivery_records as delivery_log
from signals.storage import subscription_records as subscription_store
from signals.storage.queues import OutgoingMessage, send_messages
from signals.storage.signal_records import get_signal
from signals.telemetry import logger
from signals.webhooks.deliveries import DeliveryAttempt, DeliveryTask, FanOutPage, payload_bytes
from signals.webhooks.matching import partitions_for, shard_key
from signals.webhooks.schedule import decide, should_disable
from signals.webhooks.signing import webhook_headers
from signals.webhooks.subscriptions import TEST_EVENT_TYPE

Sender = Callable[..., HttpResult]


class SignalMissing(RuntimeError):
    """The event's signal is not readable yet: let SQS redeliver the message."""


@dataclass
class DeliveryContext:
    """The seams of delivery: HTTP sender, resolver, clock, randomness (tests inject fakes)."""

    send: Sender = fetch
    resolver: Resolver | None = None
    clock: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)
    settings: Settings = field(default_factory=get_settings)


@dataclass(frozen=True)
class Outcome:
    """What handling one message did (for metrics and tests)."""

    kind: str  # fanned_out | delivered | retry_scheduled | failed | disabled | deferred | duplicate | dropped
    delivery_id: str | None = None
    latency_ms: int | None = None
    enqueued: int = 0


Message = SignalEvent | FanOutPage | DeliveryTask

#: Builds the context a batch runs with when none is given (the local runtime and tests swap it).
default_context: Callable[[], DeliveryContext] = DeliveryContext


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


def handle_message(body: str, ctx: DeliveryContext | None = None) -> Outcome:
    """Handle one delivery-queue message; raises when it must be retried by SQS."""
    ctx = ctx or default_context()
    message = parse_message(body)
    if isinstance(message, DeliveryTask):
        return deliver(message, ctx)
    if isinstance(message, SignalEvent):
        return fan_out(message, ctx)
    return fan_out(message.event, ctx, partitions=message.partitions, start_sk=message.start_sk)


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
    signal = get_signal(event.signal_id, consistent=True)
    if signal is None:
        raise SignalMissing(f"signal {event.signal_id} not found")
    if not partitions:
        partitions = [
            p for n in range(ctx.settings.fanout_shards) for p in partitions_for(signal.category, n)
        ]
    partitions = list(partitions)
    budget, rows = ctx.settings.fanout_page_size, []
    while partitions and budget > 0:  # one bounded page of rows per message, across partitions
        found, next_sk = subscription_store.matching_rows(
            partitions[0], signal.score, limit=budget, start_sk=start_sk
        )
        rows.extend(found)
        budget -= len(found)
        if next_sk is not None:
            start_sk = next_sk
            break
        partitions, start_sk = partitions[1:], None
    messages = [
        OutgoingMessage(
            id=row.subscription_id, body=DeliveryTask.first(row.subscription_id, event).model_dump_json()
        )
        for row in rows
        if row.accepts(event.type, signal)
    ]
    for n, (shard_partitions, shard_start) in enumerate(_by_shard(partitions, start_sk)):
        rest = FanOutPage(event=event, partitions=shard_partitions, start_sk=shard_start)
        messages.append(OutgoingMessage(id=f"continue-{n}", body=rest.model_dump_json()))
    if messages:
        send_messages(ctx.settings.delivery_queue_url, messages)
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


def _enqueue_task(
    task: DeliveryTask, now: datetime, settings: Settings, queue_url: str | None = None
) -> None:
    delay = 0
    if task.not_before is not None:
        delay = max(
            0, min(settings.sqs_max_delay_s, int((as_utc(task.not_before) - now).total_seconds() + 0.999))
        )
    send_messages(
        queue_url or settings.delivery_queue_url,
        [OutgoingMessage(id=task.delivery_id, body=task.model_dump_json(), delay_seconds=delay)],
    )


def _payload(task: DeliveryTask, subscription_id: str) -> bytes | None:
    if task.event_type == TEST_EVENT_TYPE:
        data: dict[str, Any] = {"subscription_id": subscription_id, "message": "Test event from Signals."}
    else:
        signal = get_signal(task.signal_id or "", consistent=True)
        if signal is None:
            return None
        data = signal.model_dump(mode="json")
    return payload_bytes(task.event_type, task.occurred_at, data)


def deliver(task: DeliveryTask, ctx: DeliveryContext) -> Outcome:
    """Make (at most) one attempt of a delivery task and arrange what comes next."""
    settings = ctx.settings
    now = as_utc(ctx.clock())
    log = {"delivery_id": task.delivery_id, "subscription_id": task.subscription_id, "attempt": task.attempt}
    if task.not_before is not None and as_utc(task.not_before) > now:
        _enqueue_task(task, now, settings)  # longer than SQS's maximum delay: hop until due
        return Outcome("deferred", task.delivery_id)
    subscription = subscription_store.get(task.subscription_id)
    if subscription is None:
        logger.info("subscription gone; delivery dropped", extra=log)
        return Outcome("dropped", task.delivery_id)
    if not delivery_log.claim_attempt(task, now, settings.delivery_lease_s):
        logger.info("attempt already made; duplicate task ignored", extra=log)
        return Outcome("duplicate", task.delivery_id)
    if subscription.status != "active":
        attempt = DeliveryAttempt(
            attempt=task.attempt, at=now, error="subscription_disabled", manual=task.manual
        )
        delivery_log.close_attempt(task, attempt, "failed")
        return Outcome("dropped", task.delivery_id)
    body = _payload(task, subscription.id)
    if body is None:
        attempt = DeliveryAttempt(attempt=task.attempt, at=now, error="signal_missing", manual=task.manual)
        delivery_log.close_attempt(task, attempt, "failed")
        return Outcome("failed", task.delivery_id)

    sent_at = as_utc(ctx.clock())
    headers = {
        **webhook_headers(
            subscription.signing_secrets(sent_at), task.webhook_id, int(sent_at.timestamp()), body
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
            body=body,
            max_bytes=settings.delivery_max_response_bytes,
            connect_timeout=settings.delivery_connect_timeout_s,
            read_timeout=settings.delivery_timeout_s,
            total_deadline=settings.delivery_timeout_s,
            max_redirects=0,
            allow_loopback=settings.local_mode,
            resolver=ctx.resolver,
        )
        status = result.status
        retry_after = result.headers.get("retry-after")
    except FetchError as exc:
        error = f"{exc.reason}: {str(exc)[:300]}"
    latency_ms = int((time.monotonic() - started) * 1000)
    done_at = as_utc(ctx.clock())
    decision = decide(
        status=status,
        error=error,
        retry_after=retry_after,
        step=task.step,
        manual=task.manual,
        now=done_at,
        schedule=settings.delivery_retry_schedule_s,
        jitter_fraction=settings.delivery_jitter_fraction,
        retry_after_max_s=settings.retry_after_max_s,
        rng=ctx.rng,
    )
    attempt = DeliveryAttempt(
        attempt=task.attempt,
        at=sent_at,
        status_code=status,
        latency_ms=latency_ms,
        error=error or (None if decision.action == "delivered" else decision.reason),
        manual=task.manual,
    )
    log.update(status_code=status, error=error, latency_ms=latency_ms, action=decision.action)

    if decision.action == "delivered":
        delivery_log.close_attempt(task, attempt, "delivered")
        subscription_store.record_success(subscription.id, done_at)
        logger.info("delivered", extra=log)
        return Outcome("delivered", task.delivery_id, latency_ms)
    if decision.action == "disable":
        delivery_log.close_attempt(task, attempt, "failed")
        subscription_store.disable(subscription.id, decision.reason, done_at)
        logger.warning("subscription disabled", extra={**log, "reason": decision.reason})
        return Outcome("disabled", task.delivery_id, latency_ms)

    health = subscription_store.record_failure(subscription.id, done_at)
    if health is not None and should_disable(
        health.failing_since, done_at, settings.delivery_disable_after_s
    ):
        days = settings.delivery_disable_after_s / 86400
        reason = f"no successful delivery for {days:g} days (last error: {attempt.error})"
        delivery_log.close_attempt(task, attempt, "failed")
        subscription_store.disable(subscription.id, reason, done_at)
        logger.warning("subscription disabled", extra={**log, "reason": reason})
        return Outcome("disabled", task.delivery_id, latency_ms)
    if decision.action == "retry":
        assert decision.retry_at is not None
        following = task.model_copy(
            update={"attempt": task.attempt + 1, "step": decision.step, "not_before": decision.retry_at}
        )
        _enqueue_task(following, done_at, settings)  # before closing: a crash here re-makes, never loses
        delivery_log.close_attempt(task, attempt, "pending", next_attempt_at=decision.retry_at)
        logger.info(
            "attempt failed; retry scheduled", extra={**log, "retry_at": decision.retry_at.isoformat()}
        )
        return Outcome("retry_scheduled", task.delivery_id, latency_ms, enqueued=1)
    # exhausted: park the task in the DLQ (alarm); a redrive makes one more attempt
    parked = task.model_copy(update={"attempt": task.attempt + 1, "manual": True, "not_before": None})
    _enqueue_task(parked, done_at, settings, settings.delivery_dlq_url)
    delivery_log.close_attempt(task, attempt, "failed")
    logger.warning("delivery failed; retries exhausted", extra=log)
    return Outcome("failed", task.delivery_id, latency_ms)


def manual_retry_task(delivery: Any) -> DeliveryTask:
    """The task that re-delivers a logged delivery by hand (same webhook-id, one attempt)."""
    return DeliveryTask(
        delivery_id=delivery.id,
        subscription_id=delivery.subscription_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        signal_id=delivery.signal_id,
        signal_version=delivery.signal_version,
        occurred_at=delivery.occurred_at,
        attempt=delivery.attempt_count + 1,
        manual=True,
    )


def test_task(subscription_id: str, now: datetime, event_id: str) -> DeliveryTask:
    """A test-event delivery task for one subscription."""
    from signals.webhooks.deliveries import delivery_id_for

    return DeliveryTask(
        delivery_id=delivery_id_for(subscription_id, event_id),
        subscription_id=subscription_id,
        event_id=event_id,
        event_type=TEST_EVENT_TYPE,
        occurred_at=now,
        manual=True,
    )


def enqueue(task: DeliveryTask, settings: Settings | None = None) -> None:
    """Put a delivery task on the delivery queue (API: test events, manual retries)."""
    settings = settings or get_settings()
    _enqueue_task(task, utcnow(), settings)


def process_batch(
    bodies: Sequence[tuple[str, str]], ctx: DeliveryContext | None = None
) -> dict[str, Outcome | BaseException]:
    """Handle ``(message_id, body)`` pairs concurrently (bounded); each id maps to its outcome or error."""
    ctx = ctx or default_context()
    results: dict[str, Outcome | BaseException] = {}

    def one(body: str) -> Outcome | BaseException:
        try:
            return handle_message(body, ctx)
        except Exception as exc:
            logger.exception("delivery-queue message failed")
            return exc

    workers = max(1, min(ctx.settings.delivery_concurrency, len(bodies)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="deliver") as pool:
        for (message_id, _), result in zip(bodies, pool.map(one, [b for _, b in bodies]), strict=True):
            results[message_id] = result
    return results


_ATTEMPT_KINDS = {"delivered", "retry_scheduled", "failed", "disabled"}


def record_metrics(outcomes: dict[str, Outcome | BaseException]) -> None:
    """Attempts, successes, failures, latency (EMF, and the ops stats /v1/stats reads) for one batch."""
    from signals.ops.pipeline_stats import record_delivery
    from signals.telemetry import MetricUnit, metrics

    for outcome in outcomes.values():
        if isinstance(outcome, BaseException):
            metrics.add_metric(name="DeliveryMessageErrors", unit=MetricUnit.Count, value=1)
            continue
        if outcome.kind in _ATTEMPT_KINDS:
            metrics.add_metric(name="DeliveryAttempts", unit=MetricUnit.Count, value=1)
            latency_s = None if outcome.latency_ms is None else outcome.latency_ms / 1000
            record_delivery(success=outcome.kind == "delivered", latency_s=latency_s)  # best effort
            if outcome.latency_ms is not None:
                metrics.add_metric(
                    name="DeliveryLatency", unit=MetricUnit.Milliseconds, value=outcome.latency_ms
                )
        if outcome.kind == "delivered":
            metrics.add_metric(name="DeliverySuccesses", unit=MetricUnit.Count, value=1)
        elif outcome.kind in ("retry_scheduled", "failed", "disabled"):
            metrics.add_metric(name="DeliveryFailures", unit=MetricUnit.Count, value=1)
        if outcome.kind == "failed":
            metrics.add_metric(name="DeliveriesExhausted", unit=MetricUnit.Count, value=1)
        if outcome.kind == "disabled":
            metrics.add_metric(name="SubscriptionsDisabled", unit=MetricUnit.Count, value=1)


__all__ = [
    "DeliveryContext",
    "Outcome",
    "deliver",
    "enqueue",
    "fan_out",
    "handle_message",
    "manual_retry_task",
    "parse_message",
    "process_batch",
    "record_metrics",
    "test_task",
]
