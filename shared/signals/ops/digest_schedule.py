"""The daily digest job: build one UTC day's digest from its signals and store it once.

Run by the schedule (``functions/digest``: yesterday's UTC day, at the hour the stack's
``DigestHourUtc`` parameter names) and by hand (``signals digest --date YYYY-MM-DD [--rebuild]``).
Idempotent: a day already stored is left alone (a retried schedule writes nothing new) unless
``rebuild`` replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from signals.models import utcnow
from signals.models.day_digest import Digest
from signals.ranking.daily_digest import build_digest, parse_day, previous_day
from signals.telemetry import MetricUnit, logger, metrics


@dataclass(frozen=True)
class DigestRun:
    """What one run did: the day's digest (as stored) and whether this run wrote it."""

    digest: Digest
    written: bool

    def as_dict(self) -> dict[str, object]:
        d = self.digest
        return {
            "date": d.date,
            "written": self.written,
            "stories": d.stories,
            "notable": d.notable,
            "quiet": d.quiet,
        }


def run_digest(day: str | None = None, *, rebuild: bool = False, now: datetime | None = None) -> DigestRun:
    """Build and store ``day``'s digest (default: the last complete UTC day before ``now``)."""
    from signals.storage import digest_records as store

    now = now or utcnow()
    day = parse_day(day) if day is not None else previous_day(now)
    if not rebuild:
        stored = store.get_digest(day)
        if stored is not None:  # a retried schedule: the day's partitions are not read again
            logger.info("digest already stored", extra={"date": day})
            return DigestRun(stored, written=False)
    digest = build_digest(day, store.day_signals(day), now=now)
    written = store.put_digest(digest, replace=rebuild)
    if not written:  # another run stored it between our read and write: theirs stands
        digest = store.get_digest(day) or digest
    else:
        metrics.add_metric(name="DigestsBuilt", unit=MetricUnit.Count, value=1)
    logger.info("digest", extra={"date": day, "written": written, "stories": digest.stories})
    return DigestRun(digest, written)
