"""``sort=hot``: the exact top-k by decayed score, reading a fraction of the window (in memory)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from fabricate import make_signal
from signals.models import Category
from signals.ranking.hot import hot_score, read_hot_page
from signals.ranking.query import FeedQuery
from signals.storage.memory_timeline import InMemoryFeedIndex

NOW = datetime(2026, 6, 3, 12, tzinfo=UTC)


def a_busy_week() -> list:
    """A week of signals, one every 20 minutes (504), mostly minor, a few major ones."""
    rng = random.Random(7)
    return [
        make_signal(
            n,
            # jittered: at an exact 20-minute grid, 10 a day older ties 5 now (hotness halves daily)
            published=NOW - timedelta(minutes=20 * n + 1, seconds=rng.randint(0, 59)),
            score=rng.choice([2, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8, 9, 10]),
        )
        for n in range(504)
    ]


def walk_hot(index: InMemoryFeedIndex, query: FeedQuery, pages: int, limit: int = 10) -> list[str]:
    ids, offset = [], 0
    for _ in range(pages):
        page = read_hot_page(index, query, limit, as_of=NOW, offset=offset)
        ids += [s.id for s in page.signals]
        if page.offset is None:
            break
        offset = page.offset
    return ids


def test_hot_order_prefers_recent_significant_signals() -> None:
    index = InMemoryFeedIndex(
        [
            make_signal(1, published=NOW - timedelta(hours=1), score=8),
            make_signal(2, published=NOW - timedelta(days=3), score=10),
            make_signal(3, published=NOW - timedelta(hours=2), score=2),
            make_signal(4, published=NOW - timedelta(days=30), score=10),  # outside the hot window
        ],
        now=NOW,
    )
    first = read_hot_page(index, FeedQuery(), 2, as_of=NOW)
    assert [s.id for s in first.signals] == ["sig00001", "sig00003"]  # 8*~0.97 > 2*~0.94 > 10*0.125
    rest = read_hot_page(index, FeedQuery(), 2, as_of=NOW, offset=first.offset or 0)
    assert [s.id for s in rest.signals] == ["sig00002"] and rest.offset is None


@pytest.mark.parametrize(
    "query",
    [
        FeedQuery(),
        FeedQuery(categories=(Category.SECURITY,)),
        FeedQuery(min_score=4),
        FeedQuery(tags=("policy",)),
        FeedQuery(categories=(Category.SECURITY, Category.BUSINESS), min_score=6),
    ],
    ids=lambda q: q.fingerprint(),
)
def test_hot_order_is_the_exact_ranking_of_the_window(query: FeedQuery) -> None:
    signals = a_busy_week()
    index = InMemoryFeedIndex(signals, now=NOW)
    expected = sorted(
        (s for s in signals if query.matches(s)),
        key=lambda s: (hot_score(s, NOW), s.published_at.isoformat(), s.id),
        reverse=True,
    )
    # three pages of 10 are the 30 hottest of the whole window, in order (brute force)
    assert walk_hot(index, query, 3) == [s.id for s in expected[:30]]


def test_a_busy_window_is_ranked_from_a_fraction_of_it() -> None:
    signals = a_busy_week()
    index = InMemoryFeedIndex(signals, now=NOW)
    walk_hot(index, FeedQuery(), 3)
    # the sparse high tiers end the search early (every page reads under 30% of the window)
    assert index.reads < 0.3 * 3 * len(signals), index.reads
