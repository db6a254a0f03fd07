"""What ranking needs from storage: an index of signals it reads a lane and a month at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from signals.models import Signal
from signals.models.timeline import Counts, Lane, LaneChunk


class FeedIndex(Protocol):
    def months(self, since: datetime | None, until: datetime | None) -> list[str]:
        """Month buckets (``YYYY-MM``) that may hold signals within the bounds, newest first."""
        ...

    def read(
        self,
        lane: Lane,
        month: str,
        *,
        since: datetime | None,
        until: datetime | None,
        after: str | None,
        limit: int,
    ) -> LaneChunk:
        """Up to ``limit`` signals of ``lane`` in ``month`` past position ``after``."""
        ...

    def read_changes(self, month: str, *, low: str, high: str, limit: int) -> LaneChunk:
        """Up to ``limit`` signals whose change (``updated_at``) falls in ``month``, with ``low`` <
        position <= ``high`` (positions: ``<updated iso>#<id>``), oldest change first."""
        ...

    def counts(self) -> Counts:
        """Signals per category and per tag."""
        ...

    def get_signal(self, signal_id: str) -> Signal | None:
        """One stored signal by id, whole."""
        ...

    def source_ids(self) -> list[str]:
        """The ids of the sources known (a ``source`` filter naming another is an error), sorted."""
        ...
