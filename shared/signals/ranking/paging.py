"""Pages of the feed in time or score order: a k-way merge of index lanes.

A lane walks one index's month partitions newest first. The index is chosen so that it holds
only matching signals (``query.lanes_for``), so a page reads about ``limit + 1`` items. A residual
check (``FeedQuery.matches``) keeps results correct for combined filters and for entries left
stale by a writer. Positions are one key space across lanes (the merge orders by them), so where a
page stopped is one position: the next page resumes every lane strictly below it (``Resume``), and
the cursor holds that state, not the months read so far, while new signals arrive.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass

from signals.models import Signal
from signals.ranking.ports import FeedIndex
from signals.ranking.query import FeedQuery, Lane, lanes_for


@dataclass(frozen=True)
class Resume:
    """Where a page stopped: the last position the merge consumed and the month partition it is in.

    Every lane resumes strictly below ``position``; in time order, months newer than ``month`` are
    done and not read again.
    """

    month: str
    position: str


@dataclass
class FeedPage:
    """One page: the signals, and where to resume (None when the feed ended)."""

    signals: list[Signal]
    resume: Resume | None
    offset: int | None = None


def _walk(
    index: FeedIndex,
    query: FeedQuery,
    lane: Lane,
    months: list[str],
    after: str | None,
    wanted: list[int],
) -> Iterator[tuple[str, str, Signal]]:
    """Signals of one lane, newest (or highest) first: (position, month, signal).

    Each read asks for what the page still lacks plus one (``wanted[0] + 1``), so a lane reads
    hardly more than it contributes, and a month partition is read once per page.
    """
    for month in months:
        start = after
        while True:
            chunk = index.read(
                lane, month, since=query.since, until=query.until, after=start, limit=wanted[0] + 1
            )
            for entry_position, signal in chunk.entries:
                yield entry_position, month, signal
            if not chunk.more or not chunk.entries:
                break
            start = chunk.entries[-1][0]


def read_page(
    index: FeedIndex,
    query: FeedQuery,
    limit: int,
    *,
    months: list[str] | None = None,
    resume: Resume | None = None,
) -> FeedPage:
    """One page in time or score order; resume with the previous page's ``resume``."""
    if months is None:
        months = index.months(query.since, query.until)
    after = resume.position if resume else None
    if query.sort == "score":  # score order is global: one lane per month, merged
        (lane,) = lanes_for(query)
        plan = [(lane, [month]) for month in months]
    else:  # time order: one lane per selected index, each walking the months not yet done
        left = [m for m in months if resume is None or m <= resume.month]
        plan = [(lane, left) for lane in lanes_for(query)]
    wanted = [limit]  # shared with the lanes: how many more signals this page needs
    walks = [_walk(index, query, lane, lane_months, after, wanted) for lane, lane_months in plan]
    merged = heapq.merge(*walks, key=lambda entry: entry[0], reverse=True)
    signals: list[Signal] = []
    last: Resume | None = resume
    for position, month, signal in merged:
        if last is not None and position == last.position:
            continue  # the same signal from a second lane (a signal with two of the tags asked for)
        if query.matches(signal) and len(signals) == limit:
            return FeedPage(signals, last)  # one more match exists: the page is full, the feed goes on
        last = Resume(month, position)
        if query.matches(signal):
            signals.append(signal)
            wanted[0] = limit - len(signals)
    return FeedPage(signals, None)
