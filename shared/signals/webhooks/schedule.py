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
from typing import Literal

from signals.http.retry_after import parse_retry_after
from signals.models import as_utc

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


def decide(
    *,
    status: int | None,
    error: str | None,
    retry_after: str | None,
    step: int,
    manual: bool,
    now: datetime,
    schedule: Sequence[int],
    jitter_fraction: float,
    retry_after_max_s: int,
    rng: random.Random | None = None,
) -> Decision:
    """The decision after one attempt that answered ``status`` (or failed with ``error``).

    ``step`` counts the automatic retries already made; manual retries get a single attempt.
    """
    if status is not None and 200 <= status < 300:
        return Decision("delivered")
    if status == 410:
        return Decision("disable", reason="the endpoint answered 410 Gone")
    reason = error or f"HTTP {status}"
    if status is not None and 300 <= status < 400:
        reason = f"HTTP {status}: redirects are not followed; update the subscription URL"
    if manual or step >= len(schedule):
        return Decision("exhausted", reason=reason)
    delay = backoff_delay(step, schedule, jitter_fraction, rng)
    if status in THROTTLE_STATUSES:
        asked = parse_retry_after(retry_after, now)
        if asked is not None:
            delay = max(delay, float(min(asked, retry_after_max_s)))
    return Decision("retry", retry_at=as_utc(now) + timedelta(seconds=delay), step=step + 1, reason=reason)


def should_disable(failing_since: datetime | None, now: datetime, disable_after_s: int) -> bool:
    """True when a subscription has had no success for ``disable_after_s``."""
    return (
        failing_since is not None and (as_utc(now) - as_utc(failing_since)).total_seconds() >= disable_after_s
    )
