"""When to try a delivery again: status handling and the backoff schedule (pure, no I/O).

Any 2xx is success. 410 disables the subscription. Everything else is a failure retried after
the next step of the schedule (with jitter); 429/503 (and 502/504) carrying ``Retry-After`` wait
at least that long. Past the last step the delivery is exhausted.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from signals.http.retry_after import parse_retry_after
from signals.models import as_utc

if TYPE_CHECKING:
    from signals.config import Settings

THROTTLE_STATUSES = frozenset({429, 502, 503, 504})

Action = Literal["delivered", "retry", "disable", "exhausted"]


@dataclass(frozen=True)
class Decision:
    """What to do after an attempt."""

    action: Action
    retry_at: datetime | None = None
    step: int = 0  # the schedule step the retry will be made at
    reason: str = ""


def backoff_delay(
    step: int, schedule: Sequence[int], jitter_fraction: float, rng: random.Random | None = None
) -> float:
    """Seconds to wait before retry number ``step + 1``: the schedule value, +/- jitter."""
    base = schedule[step]
    jitter = (rng or random).uniform(-jitter_fraction, jitter_fraction)
    return max(1.0, base * (1.0 + jitter))


@dataclass(frozen=True)
class RetryPolicy:
    """The retry rules of a deployment, built once from settings."""

    schedule: tuple[int, ...]
    jitter_fraction: float
    retry_after_max_s: int
    disable_after_s: int

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            schedule=tuple(settings.delivery_retry_schedule_s),
            jitter_fraction=settings.delivery_jitter_fraction,
            retry_after_max_s=settings.retry_after_max_s,
            disable_after_s=settings.delivery_disable_after_s,
        )


@dataclass(frozen=True)
class AttemptFacts:
    """What an attempt answered (``status``, or ``error`` when it got no answer) and where it stood."""

    status: int | None
    error: str | None = None
    retry_after: str | None = None
    step: int = 0  # automatic retries already made
    manual: bool = False  # manual retries get a single attempt


def decide(
    policy: RetryPolicy, facts: AttemptFacts, now: datetime, rng: random.Random | None = None
) -> Decision:
    """The decision after one attempt, under ``policy``."""
    status = facts.status
    if status is not None and 200 <= status < 300:
        return Decision("delivered")
    if status == 410:
        return Decision("disable", reason="the endpoint answered 410 Gone")
    reason = facts.error or f"HTTP {status}"
    if status is not None and 300 <= status < 400:
        reason = f"HTTP {status}: redirects are not followed; update the subscription URL"
    if facts.manual or facts.step >= len(policy.schedule):
        return Decision("exhausted", reason=reason)
    delay = backoff_delay(facts.step, policy.schedule, policy.jitter_fraction, rng)
    if status in THROTTLE_STATUSES:
        asked = parse_retry_after(facts.retry_after, now)
        if asked is not None:
            delay = max(delay, float(min(asked, policy.retry_after_max_s)))
    return Decision(
        "retry", retry_at=as_utc(now) + timedelta(seconds=delay), step=facts.step + 1, reason=reason
    )


def should_disable(failing_since: datetime | None, now: datetime, disable_after_s: int) -> bool:
    """True when a subscription has had no success for ``disable_after_s``."""
    return (
        failing_since is not None and (as_utc(now) - as_utc(failing_since)).total_seconds() >= disable_after_s
    )
