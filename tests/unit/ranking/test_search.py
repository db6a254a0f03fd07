"""Search (``q``) pages from the term postings, against the in-memory feed index.

Exact answers (every term required, combined with the other filters, pages neither repeat nor
skip) on fabricated signals, and the demo check on the demo corpus: ``claude opus`` finds the Claude
Opus releases first, reading at most 3x what it returns.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from demo_corpus import WHEN, demo_signals
from fabricate import make_signal
from signals.models import Category, Signal
from signals.models.search_terms import signal_terms, terms
from signals.ranking.query import FeedQuery
from signals.ranking.search import read_matches, read_ranked_page
from signals.storage.memory_timeline import InMemoryFeedIndex

WORDS = ["claude", "opus", "gemini", "llama", "agents", "security"]


def _signal(n: int) -> Signal:
    # word i in the title of every signal n with bit i set: terms of very different frequencies
    words = [w for i, w in enumerate(WORDS) if n % (i + 2) == 0]
    return make_signal(n, title=" ".join(["Story", *words]))


SIGNALS = [_signal(n) for n in range(150)]  # 7 h apart: about six weeks, three months


def walk(index: InMemoryFeedIndex, query: FeedQuery, limit: int) -> list[str]:
    ids: list[str] = []
    resume = None
    for _ in range(500):
        page = read_matches(index, query, limit, resume=resume)
        ids += [s.id for s in page.signals]
        if page.resume is None:
            return ids
        resume = page.resume
    raise AssertionError("pagination did not end")


def expected(query: FeedQuery) -> list[str]:
    kept = [s for s in SIGNALS if query.matches(s) and set(query.terms) <= set(signal_terms(s))]
    return [s.id for s in sorted(kept, key=lambda s: (s.published_at, s.id), reverse=True)]


@pytest.mark.parametrize(
    "query",
    [
        FeedQuery(terms=("claud",)),
        FeedQuery(terms=("claud", "opus")),
        FeedQuery(terms=("opus", "claud")),
        FeedQuery(terms=tuple(terms("security gemini claude"))),
        FeedQuery(terms=("claud", "opus"), min_score=5),
        FeedQuery(terms=("agent",), categories=(Category.SECURITY, Category.MODELS_RESEARCH)),
        FeedQuery(terms=("claud",), tags=("policy",)),
        FeedQuery(terms=("claud",), source="src2"),
        FeedQuery(
            terms=("claud",), since=datetime(2026, 5, 10, tzinfo=UTC), until=datetime(2026, 5, 30, tzinfo=UTC)
        ),
        FeedQuery(terms=("nothing",)),
    ],
    ids=lambda q: "+".join(q.terms),
)
@pytest.mark.parametrize("limit", [1, 7, 50])
def test_pages_hold_exactly_the_signals_with_every_term_newest_first(query: FeedQuery, limit: int) -> None:
    index = InMemoryFeedIndex(SIGNALS)
    want = expected(query)
    assert query.terms == ("nothing",) or want  # the cases are not vacuous
    assert walk(index, query, limit) == want


def test_search_reads_the_most_selective_term_not_every_term() -> None:
    # "claude" is in half the signals, "opus" in a third, both in a sixth: whichever term the
    # query names first, reading follows the term whose postings turn out to be matches
    for order in (("claud", "opus"), ("opus", "claud")):
        index = InMemoryFeedIndex(SIGNALS)
        ids = walk(index, FeedQuery(terms=order), 100)
        assert len(ids) == 25
        assert index.reads <= 2.5 * len(ids) < 75, (order, index.reads)  # 75: every "claude" posting


def test_score_order_ranks_the_matches_by_score_then_newest() -> None:
    index = InMemoryFeedIndex(SIGNALS)
    query = FeedQuery(terms=("claud",), sort="score")
    as_of = datetime(2026, 7, 1, tzinfo=UTC)
    first = read_ranked_page(index, query, 10, as_of=as_of)
    second = read_ranked_page(index, query, 10, as_of=as_of, offset=first.offset or 0)
    every = sorted(
        (s for s in SIGNALS if "claud" in signal_terms(s)),
        key=lambda s: (s.score, s.published_at, s.id),
        reverse=True,
    )
    assert [s.id for s in first.signals + second.signals] == [s.id for s in every[:20]]


# ------------------------------------------------------------------------- the demo corpus


@pytest.fixture(scope="module")
def demo() -> InMemoryFeedIndex:
    return InMemoryFeedIndex(demo_signals(), now=WHEN)


def test_demo_claude_opus_lists_the_claude_opus_releases_first(demo: InMemoryFeedIndex) -> None:
    query = FeedQuery(terms=tuple(terms("claude opus")), sort="score")
    page = read_ranked_page(demo, query, 10, as_of=WHEN)
    titles = [s.title for s in page.signals]
    assert all(t.startswith("Introducing Claude Opus") for t in titles[:6]), titles
    assert titles[0] == "Introducing Claude Opus 5", titles


@pytest.mark.parametrize("q", ["claude opus", "opus claude", "anthropic claude", "openai gpt"])
def test_demo_two_term_search_reads_at_most_three_times_what_it_returns(
    demo: InMemoryFeedIndex, q: str
) -> None:
    from signals.api.reading import search_terms

    query = FeedQuery(terms=search_terms(q))
    demo.reads = 0
    page = read_matches(demo, query, 20)
    assert page.signals and all(query.has_terms(s) for s in page.signals)
    assert demo.reads <= 3 * len(page.signals), (q, demo.reads, len(page.signals))
