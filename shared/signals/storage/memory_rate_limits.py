"""An in-memory ``RateLimits`` for unit tests: the same fixed windows and the same rule as
``DynamoRateLimits`` (a hit over the limit counts nothing and answers the seconds to the window's end)."""

from __future__ import annotations

import threading
from datetime import datetime

from signals.storage.rate_limits import retry_after_s, window_of


class MemoryRateLimits:
    """Counters by ``(scope, window_start)``."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def hit(self, scope: str, limit: int, window_s: int, now: datetime) -> int | None:
        start, left = window_of(now, window_s)
        with self._lock:
            if self.counts.get((scope, start), 0) >= limit:
                return retry_after_s(left)
            self.counts[(scope, start)] = self.counts.get((scope, start), 0) + 1
        return None


__all__ = ["MemoryRateLimits"]
