"""Pages of the signals changed since a point: ``updated_since``, oldest change first.

A position is ``<updated iso>#<id>`` (the change postings' sort key, second precision): one total
order over changes, ties broken by id. A page reads the change postings (``FeedIndex.read_changes``)
month by month from just past the poller's position up to the *horizon*, ``now`` minus a settle lag
(``updated_since_settle_s``): a scoring transaction stamps ``updated_at`` from its clock and
commits within one scorer timeout, so by the horizon every change at or before it has committed
and no later write can land at or below it. The page ends at the last change it consumed; read to
the end, it ends at the horizon itself. Either way the position returned is exact: every change at
or below it was offered once, none above it was, so a poller that sends it back never misses nor
repeats one (a signal changed again later is offered again, at its new time). Other filters are a
residual check over the changes read (at most ``scan_max`` a page).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from signals.models import Signal, iso
from signals.ranking.ports import FeedIndex
from signals.ranking.query import FeedQuery

TOP = "\uffff"  # after every id: ``<iso>#TOP`` is past every change of that second


def position_after_instant(instant: datetime) -> str:
    """The position just past every change in ``instant``'s second (and before)."""
    return f"{iso(instant)}#{TOP}"


def months_between(first: str, last: str) -> list[str]:
    """Calendar months ``YYYY-MM`` from ``first`` to ``last``, both included, oldest first."""
    year, month = int(first[:4]), int(first[5:7])
    months: list[str] = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass
class ChangesPage:
    """Matching signals in change order, the position the next read starts after, and whether
    changes up to the horizon are left to read."""

    signals: list[Signal]
    position: str
    more: bool


def _changes(index: FeedIndex, after: str, ceiling: str, chunk: list[int]) -> Iterator[tuple[str, Signal]]:
    """Every change with ``after`` < position <= ``ceiling``, oldest first, read ``chunk[0]`` at a time."""
    for month in months_between(after[:7], ceiling[:7]):
        low = after
        while True:
            read = index.read_changes(month, low=low, high=ceiling, limit=chunk[0])
            yield from read.entries
            if not read.more or not read.entries:
                break
            low = read.entries[-1][0]


def read_changes_page(
    index: FeedIndex, query: FeedQuery, limit: int, *, after: str, horizon: datetime, scan_max: int
) -> ChangesPage:
    """Up to ``limit`` signals matching ``query`` changed after position ``after`` and at or before
    ``horizon``, oldest change first; reads at most ``scan_max`` changes."""
    ceiling = position_after_instant(horizon)
    if after >= ceiling:  # the poller is at or past the horizon: nothing settled is new
        return ChangesPage([], after, False)
    signals: list[Signal] = []
    position, read = after, 0
    chunk = [min(limit, scan_max) + 1]
    for entry_position, signal in _changes(index, after, ceiling, chunk):
        if len(signals) == limit or read == scan_max:
            return ChangesPage(signals, position, True)  # one more change exists: go on from here
        position, read = entry_position, read + 1
        if query.matches(signal):
            signals.append(signal)
        chunk[0] = min(limit - len(signals), scan_max - read) + 1
    return ChangesPage(signals, ceiling, False)
