"""Story threads and "Earlier in this story" over the in-memory twin of the thread index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fabricate import make_signal
from signals.models import Category, ScoreBreakdown
from signals.models.thread import thread_names
from signals.ranking.story_thread import earlier_in_story
from signals.storage.memory_threads import InMemoryThreadIndex

START = datetime(2026, 6, 2, 17, 1, tzinfo=UTC)


def story(n: int, event: str, entities: list[str], *, days: int, category: Category = Category.BUSINESS):
    return make_signal(
        n,
        published=START - timedelta(days=days),
        category=category,
        entities=entities,
        score_breakdown=ScoreBreakdown(rubric_version="r", base=5.0, raw=5.0, event=event),
    )


def test_a_signal_joins_one_thread_per_entity_of_its_kind_of_event_bounded():
    funding = story(1, "funding", ["Anthropic", "Google", "Amazon", "Nvidia"], days=0)
    assert thread_names(funding, 3) == ["funding#anthropic", "funding#google", "funding#amazon"]
    # a model family's releases are one thread, open or not, frontier or not
    assert thread_names(story(2, "frontier-model", ["Claude"], days=0), 3) == ["model#claude"]
    assert thread_names(story(3, "open-release", ["Claude"], days=0), 3) == ["model#claude"]
    # no event type found: the category is the kind; recaps and off-topic join no thread
    assert thread_names(story(4, "general", ["Anthropic"], days=0), 3) == ["cat-business#anthropic"]
    assert thread_names(story(5, "recap", ["Anthropic"], days=0), 3) == []
    assert thread_names(story(6, "funding", ["Anthropic"], days=0, category=Category.OFF_TOPIC), 3) == []
    assert thread_names(make_signal(7), 3) == []  # no entities, no thread


def test_earlier_in_the_story_is_the_same_entity_and_event_newest_first_and_bounded(monkeypatch):
    monkeypatch.setenv("SIGNALS_STORY_THREAD_LIST_MAX", "3")
    from signals.config import reset_settings

    reset_settings()
    # Given four Anthropic rounds, a later one, an OpenAI round and an Anthropic product launch
    rounds = [story(10 + n, "funding", ["Anthropic"], days=100 * n) for n in range(5)]  # 0 newest
    others = [story(30, "funding", ["OpenAI"], days=50), story(31, "product-launch", ["Anthropic"], days=50)]
    index = InMemoryThreadIndex([*rounds, *others])
    # When the page of the second newest round asks what came before
    earlier = earlier_in_story(index, rounds[1])
    # Then: the earlier Anthropic rounds only, newest first, at most three, one read per thread
    assert [e.id for e in earlier] == [rounds[2].id, rounds[3].id, rounds[4].id]
    assert all(e.thread == "funding#anthropic" for e in earlier)
    assert index.calls == 1
    assert earlier_in_story(index, rounds[4]) == []  # the first round has nothing before it


def test_a_signal_in_two_threads_lists_each_earlier_signal_once():
    both = story(40, "funding", ["Anthropic", "Google"], days=0)
    older = story(41, "funding", ["Anthropic", "Google"], days=10)
    index = InMemoryThreadIndex([both, older])
    earlier = earlier_in_story(index, both)
    assert [e.id for e in earlier] == [older.id] and index.calls == 2


@pytest.mark.parametrize("limit", [1, 2])
def test_the_thread_count_bounds_the_reads(monkeypatch, limit):
    monkeypatch.setenv("SIGNALS_STORY_THREADS_PER_SIGNAL_MAX", str(limit))
    from signals.config import reset_settings

    reset_settings()
    index = InMemoryThreadIndex([story(50, "funding", ["A", "B", "C", "D"], days=0)])
    earlier_in_story(index, story(51, "funding", ["A", "B", "C", "D"], days=-1))
    assert index.calls == limit
