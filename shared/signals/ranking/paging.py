"""Pages of the feed in time or score order: a k-way merge of index lanes.

A lane walks one index's month partitions newest first. The index is chosen so that it holds
only matching signals (``query.lanes_for``), so a page reads about ``limit + 1`` items. A residual
check (``FeedQuery.matches``) keeps results correct for combined filters and for entries left
stale by a writer. A page's cursor keeps the months and each lane's position, so the next page
resumes exactly where this one stopped, while new signals arrive.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from signals.models import Signal
from signals.ranking.ports import FeedIndex
from signals.ranking.query import FeedQuery, Lane, lanes_for

#: A lane's place: [index into the page's months, position of the last signal read (None: start)]
Position = list[Any]


@dataclass
class FeedPage:
    """One page: the signals, and the lane positions to resume from (None when the feed ended)."""

    signals: list[Signal]
    months: list[str]
    positions: list[Position] | None
    offset: int | None = None


def _walk(
    index: FeedIndex,
    query: FeedQuery,
    lane_no: int,
    lane: Lane,
    months: list[str],
    position: Position,
    wanted: list[int],
) -> Iterator[tuple[str, int, int, Signal]]:
    """Signals of one lane, newest first: (position, lane number, month index, signal).

    Each read asks for what the page still lacks plus one (``wanted[0] + 1``), so a lane reads
    hardly more than it contributes, and a month partition is read once per page.
    """
    month_index, after = position
    for number in range(month_index, len(months)):
        start = after if number == month_index else None
        while True:
            chunk = index.read(
                lane, months[number], since=query.since, until=query.until, after=start, limit=wanted[0] + 1
            )
            for entry_position, signal in chunk.entries:
                yield entry_position, lane_no, number, signal
            if not chunk.more or not chunk.entries:
                break
            start = chunk.entries[-1][0]


def read_page(
    index: FeedIndex,
    query: FeedQuery,
    limit: int,
    *,
    months: list[str] | None = None,
    positions: list[Position] | None = None,
) -> FeedPage:
    """One page in time or score order; resume with the months and positions of the previous page."""
    if months is None:
        months = index.months(query.since, query.until)
    if query.sort == "score":  # score order is global: one lane per month, merged
        (lane,) = lanes_for(query)
        plan = [(lane, [month]) for month in months]
    else:  # time order: one lane per selected index, each walking the months
        plan = [(lane, months) for lane in lanes_for(query)]
    positions = [list(p) for p in positions] if positions else [[0, None] for _ in plan]
    if len(positions) != len(plan):
        raise ValueError("cursor does not fit this query")
    wanted = [limit]  # shared with the lanes: how many more signals this page needs
    walks = [
        _walk(index, query, n, lane, lane_months, positions[n], wanted)
        for n, (lane, lane_months) in enumerate(plan)
    ]
    merged = heapq.merge(*walks, key=lambda entry: entry[0], reverse=True)
    signals: list[Signal] = []
    for position, lane_no, month_index, signal in merged:
        if not query.matches(signal):
            positions[lane_no] = [month_index, position]
            continue
        if len(signals) == limit:  # one more match exists: the page is full and the feed goes on
            return FeedPage(signals, months, positions)
        positions[lane_no] = [month_index, position]
        signals.append(signal)
        wanted[0] = limit - len(signals)
    return FeedPage(signals, months, None)
