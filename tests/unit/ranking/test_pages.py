"""Pages in time and score order, merged from lanes, against the in-memory feed index."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fabricate import make_signal
from signals.models import Category, Signal
from signals.ranking.paging import read_page
from signals.ranking.query import FeedQuery
from signals.storage.memory_timeline import InMemoryFeedIndex

SIGNALS = [make_signal(n) for n in range(150)]  # 7 h apart: about six weeks, three months


def walk(index: InMemoryFeedIndex, query: FeedQuery, limit: int, between_pages=None) -> list[str]:
    """Every page to the end, resuming from where each page stopped."""
    ids: list[str] = []
    resume = None
    for _ in range(500):
        page = read_page(index, query, limit, resume=resume)
        ids += [s.id for s in page.signals]
        if page.resume is None:
            return ids
        resume = page.resume
        if between_pages:
            between_pages()
    raise AssertionError("pagination did not end")


def newest_first(signals: list[Signal]) -> list[str]:
    return [s.id for s in sorted(signals, key=lambda s: (s.published_at, s.id), reverse=True)]


@pytest.mark.parametrize(
    "query",
    [
        FeedQuery(),
        FeedQuery(min_score=7),
        FeedQuery(categories=(Category.SECURITY,)),
        FeedQuery(categories=(Category.SECURITY, Category.BUSINESS), min_score=4),
        FeedQuery(tags=("policy",)),
        FeedQuery(tags=("policy", "regulation", "frontier-models")),
        FeedQuery(source="src2"),
        FeedQuery(tags=("policy",), min_score=5, categories=(Category.SAFETY_POLICY,)),
        FeedQuery(since=datetime(2026, 5, 1, tzinfo=UTC), until=datetime(2026, 5, 20, tzinfo=UTC)),
    ],
    ids=lambda q: q.fingerprint(),
)
def test_time_order_pages_are_exactly_the_matches_newest_first(query: FeedQuery) -> None:
    index = InMemoryFeedIndex(SIGNALS, now=datetime(2026, 6, 3, tzinfo=UTC))
    expected = newest_first([s for s in SIGNALS if query.matches(s)])
    assert expected and walk(index, query, 7) == expected


def test_score_order_is_global_across_months() -> None:
    index = InMemoryFeedIndex(SIGNALS, now=datetime(2026, 6, 3, tzinfo=UTC))
    query = FeedQuery(sort="score", min_score=6)
    expected = [
        s.id
        for s in sorted(
            (s for s in SIGNALS if s.score >= 6), key=lambda s: (s.score, s.published_at, s.id), reverse=True
        )
    ]
    assert walk(index, query, 9) == expected


def test_a_page_reads_about_what_it_returns() -> None:
    index = InMemoryFeedIndex(SIGNALS, now=datetime(2026, 6, 3, tzinfo=UTC))
    page = read_page(index, FeedQuery(min_score=7), 10)
    assert len(page.signals) == 10 and index.reads <= 1.5 * 10, index.reads


def test_pagination_neither_repeats_nor_skips_while_new_signals_arrive() -> None:
    signals = [make_signal(n) for n in range(60)]
    index = InMemoryFeedIndex(signals, now=datetime(2026, 6, 3, tzinfo=UTC))
    arrivals = iter(range(1000, 1100))

    def publish_one() -> None:  # newer than everything served so far
        index.add([make_signal(next(arrivals), published=datetime(2026, 6, 3, tzinfo=UTC), score=9)])

    expected = newest_first([s for s in signals if s.score >= 4])
    assert walk(index, FeedQuery(min_score=4), 9, between_pages=publish_one) == expected


def test_several_tags_are_any_of_them_each_signal_once() -> None:
    # Given signals tagged policy and regulation both, others frontier-models only
    index = InMemoryFeedIndex(SIGNALS, now=datetime(2026, 6, 3, tzinfo=UTC))
    # When a reader asks for either tag, or for one of them and a third
    both = walk(index, FeedQuery(tags=("policy", "regulation")), 4)
    either = walk(index, FeedQuery(tags=("regulation", "frontier-models")), 6)
    # Then the signals holding both come once, and OR reaches every signal
    assert both == newest_first([s for s in SIGNALS if "policy" in s.tags])
    assert either == newest_first(SIGNALS)


def test_where_a_page_stopped_is_one_position_however_many_months_it_spans() -> None:
    # Given a signal a month from 2016 to 2026 (about 125 month partitions)
    years = [
        make_signal(n, published=datetime(2016 + n // 12, n % 12 + 1, 3, tzinfo=UTC)) for n in range(125)
    ]
    index = InMemoryFeedIndex(years, now=datetime(2026, 6, 3, tzinfo=UTC))
    for query in (FeedQuery(), FeedQuery(sort="score"), FeedQuery(categories=tuple(Category)[:8])):
        # When a reader pages to the end, 10 at a time
        resumes, ids, resume = [], [], None
        while True:
            page = read_page(index, query, 10, resume=resume)
            ids += [s.id for s in page.signals]
            if page.resume is None:
                break
            resumes.append(page.resume)
            resume = page.resume
        # Then every signal comes once, and each page's resume is a month and one position
        assert sorted(ids) == sorted(s.id for s in years) and len(resumes) == 12
        assert all(len(r.month) == 7 and len(r.position) < 60 for r in resumes), resumes


def test_a_stale_posting_is_not_served() -> None:
    # Given a signal whose posting in the min-7 lane outlived a rescoring to 3
    stale = make_signal(1, score=8)
    index = InMemoryFeedIndex([stale], now=datetime(2026, 6, 3, tzinfo=UTC))
    rescored = stale.model_copy(update={"score": 3})

    class Stale(InMemoryFeedIndex):
        def read(self, lane, month, **kw):  # the index still hands out the old posting's body...
            chunk = super().read(lane, month, **kw)
            chunk.entries = [(p, rescored) for p, _ in chunk.entries]  # ...with the new body
            return chunk

    stale_index = Stale([stale], now=datetime(2026, 6, 3, tzinfo=UTC))
    assert read_page(stale_index, FeedQuery(min_score=7), 10).signals == []
    assert [s.id for s in read_page(index, FeedQuery(min_score=7), 10).signals] == ["sig00001"]
