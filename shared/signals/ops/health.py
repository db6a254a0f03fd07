"""Liveness plus reachability: one cheap call per dependency, run side by side with a deadline.

Table: GetItem of a sentinel key (0.5 RCU, no DescribeTable: that one is rate-limited);
bucket: HeadBucket; queues: GetQueueAttributes, which also gives their depths (a DLQ that is not
empty is reported, not counted as unreachable: the alarm and the runbook deal with it).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, Literal

from pydantic import Field

from signals.base_model import SignalsModel
from signals.config import get_settings
from signals.storage.aws import client

HEALTH_KEY = {"pk": {"S": "HEALTH"}, "sk": {"S": "HEALTH"}}


class Check(SignalsModel):
    name: str = Field(description="table, bucket, score-queue, score-dlq, delivery-queue, delivery-dlq")
    ok: bool
    detail: str = Field("", description="error code when not ok (no internal names)")
    depth: int | None = Field(None, description="messages waiting (queues only)")
    in_flight: int | None = Field(None, description="messages received, not yet deleted (queues only)")


class HealthReport(SignalsModel):
    status: Literal["ok", "unavailable"]
    checks: list[Check]


def _error_code(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(error).__name__


def _table() -> dict[str, Any]:
    settings = get_settings()
    client("dynamodb").get_item(TableName=settings.table_name, Key=HEALTH_KEY, ProjectionExpression="pk")
    return {}


def _bucket() -> dict[str, Any]:
    client("s3").head_bucket(Bucket=get_settings().bucket_name)
    return {}


def _queue(url: str) -> Callable[[], dict[str, Any]]:
    def probe() -> dict[str, Any]:
        if not url:
            raise LookupError("queue not configured")
        attributes = client("sqs").get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return {
            "depth": int(attributes.get("ApproximateNumberOfMessages", 0)),
            "in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
        }

    return probe


def probes() -> dict[str, Callable[[], dict[str, Any]]]:
    """The checks to run, by name."""
    settings = get_settings()
    return {
        "table": _table,
        "bucket": _bucket,
        "score-queue": _queue(settings.score_queue_url),
        "score-dlq": _queue(settings.score_dlq_url),
        "delivery-queue": _queue(settings.delivery_queue_url),
        "delivery-dlq": _queue(settings.delivery_dlq_url),
    }


def check_health() -> HealthReport:
    """Run every probe at once; a probe that errors or outlives the deadline is not ok."""
    timeout = get_settings().health_check_timeout_s
    checks = probes()
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="health")
    try:
        futures = {name: pool.submit(probe) for name, probe in checks.items()}
        wait(futures.values(), timeout=timeout)
        results: list[Check] = []
        for name, future in futures.items():
            if not future.done():
                results.append(Check(name=name, ok=False, detail="timeout"))
            elif (error := future.exception()) is not None:
                results.append(Check(name=name, ok=False, detail=_error_code(error)))
            else:
                results.append(Check(name=name, ok=True, **future.result()))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return HealthReport(status="ok" if all(c.ok for c in results) else "unavailable", checks=results)


class Assessment(SignalsModel):
    """The one-word state the ``/ops`` banner shows, with the reasons behind it."""

    status: Literal["ok", "degraded", "failing"]
    reasons: list[str] = Field(description="what made the status, most serious first")

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def assess(
    health: HealthReport, *, sources: int, failing_sources: int, scoring_errors_today: int = 0
) -> Assessment:
    """failing: a dependency is unreachable, or every source's last fetch failed; degraded: messages
    wait in a dead-letter queue, some sources fail, or the scorer failed items today; else ok."""
    down = [f"{c.name} unreachable ({c.detail or 'error'})" for c in health.checks if not c.ok]
    if sources and failing_sources == sources:
        down.append(f"every source's last fetch failed ({sources})")
    if down:
        return Assessment(status="failing", reasons=down)
    trouble = []
    dead = sum(c.depth or 0 for c in health.checks if c.name.endswith("-dlq"))
    if dead:
        trouble.append(f"{dead} message(s) in dead-letter queues (runbook: docs/operations.md)")
    if failing_sources:
        trouble.append(f"{failing_sources} of {sources} sources failing")
    if scoring_errors_today:
        trouble.append(f"{scoring_errors_today} item(s) failed scoring today")
    if trouble:
        return Assessment(status="degraded", reasons=trouble)
    fetched = f"{sources} source(s) fetching" if sources else "no source fetched yet"
    return Assessment(
        status="ok", reasons=[f"all {len(health.checks)} dependencies reachable", fetched, "no dead letters"]
    )
