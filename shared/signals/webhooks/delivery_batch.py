"""A delivery-queue batch: its messages handled concurrently, then its metrics recorded.

Each message is independent, so a batch runs them concurrently (bounded by
``delivery_concurrency``); a slow endpoint costs only its own thread for at most the delivery
timeout. Each message id maps to its ``Outcome`` or to the error that SQS must retry it for.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from signals.telemetry import logger
from signals.webhooks.dispatch import DeliveryContext, Outcome, handle_message


def process_batch(
    bodies: Sequence[tuple[str, str]], ctx: DeliveryContext
) -> dict[str, Outcome | BaseException]:
    """Handle ``(message_id, body)`` pairs concurrently (bounded); each id maps to its outcome or error."""
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


def handle_batch(
    bodies: Sequence[tuple[str, str]], ctx: DeliveryContext
) -> dict[str, Outcome | BaseException]:
    """The deliver function's one call: handle a batch and record its metrics; outcomes by message id."""
    outcomes = process_batch(bodies, ctx)
    record_metrics(outcomes)
    return outcomes


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
        if outcome.kind == "test_failed":  # not an attempt of the pipeline's: outside the failure-rate alarm
            metrics.add_metric(name="TestEventFailures", unit=MetricUnit.Count, value=1)
        if outcome.kind == "disabled":
            metrics.add_metric(name="SubscriptionsDisabled", unit=MetricUnit.Count, value=1)


__all__ = ["handle_batch", "process_batch", "record_metrics"]
