"""A scoring transaction always fits DynamoDB's 100 actions.

Every index a signal has (min-score, tag, source, entity and search-term postings, thread entries,
the change posting) is written in the one transaction that stores it, and deleted there when the
signal's time moves. Before ``postings_per_signal_max``, a 10/10 story with six tags on the demo
corpus needed 105 actions on a move, and DynamoDB refuses the whole write (the item fails to the DLQ).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from signals.config import (
    STORY_KEYS_MAX,
    TRANSACT_ACTIONS_MAX,
    Settings,
    get_settings,
    scoring_transaction_actions_max,
)
from signals.models import Category, ScoreBreakdown, Signal, SourceRef
from signals.scoring.stories import BANDS, fingerprint, write_keys
from signals.storage import signal_records
from signals.storage.story_records import SeenItem, _story_actions

AT = datetime(2026, 6, 2, 17, 1, tzinfo=UTC)


def biggest_signal(at: datetime, word: str) -> Signal:
    """A signal with every index at its most: score 10, many tags, publishers, entities, terms."""
    sources = [
        SourceRef(
            item_id=f"i{n}", source_id=f"src{n}", name=f"S{n}", url=f"https://s{n}.example/a", published_at=at
        )
        for n in range(20)
    ]
    return Signal(
        id="sig-big",
        title=" ".join(f"{word}{n}" for n in range(30)),
        url="https://s0.example/a",
        published_at=at,
        scored_at=at,
        updated_at=at,
        score=10,
        category=Category.SAFETY_POLICY,
        tags=[f"{word}-tag{n}" for n in range(12)],
        entities=[f"{word} Entity {n}" for n in range(12)],
        summary=" ".join(f"{word}summary{n}" for n in range(40)),
        score_breakdown=ScoreBreakdown(rubric_version="r1", base=8.0, raw=10.0, event="regulation"),
        sources=sources,
    )


def test_the_worst_move_of_the_biggest_signal_fits_and_is_what_the_bound_says():
    settings = get_settings()
    old = biggest_signal(AT - timedelta(days=40), "old")
    new = biggest_signal(AT, "new").model_copy(update={"version": 2})
    keys = write_keys(fingerprint(new.title, new.url, new.published_at), 3)
    seen = SeenItem("item-1", new.id, "hash", ())

    actions = _story_actions("signals", seen, new, old, keys)

    assert len(signal_records.posting_pks(new)) == settings.postings_per_signal_max
    assert len(signal_records.thread_records(new)) == settings.story_threads_per_signal_max
    assert len(keys) == STORY_KEYS_MAX
    bound = scoring_transaction_actions_max(
        settings.postings_per_signal_max, settings.story_threads_per_signal_max
    )
    assert len(actions) == bound <= TRANSACT_ACTIONS_MAX


def test_postings_keep_the_filters_first_and_search_terms_fill_the_rest():
    signal = biggest_signal(AT, "w").model_copy(update={"sources": [], "tags": ["policy"], "entities": []})
    pks = signal_records.posting_pks(signal)
    kinds = [pk.split("#", 1)[0] for pk in pks]
    # the search terms come last and take only what the other postings leave
    assert kinds[-1] == "TERM" and "TERM" not in kinds[: kinds.index("TERM")]
    assert kinds.count("TERM") == min(
        get_settings().search_terms_per_item_max, get_settings().postings_per_signal_max - kinds.index("TERM")
    )


def test_a_signal_under_the_budget_keeps_every_posting():
    small = biggest_signal(AT, "s").model_copy(
        update={"score": 5, "tags": ["policy"], "entities": ["Anthropic"], "sources": []}
    )
    pks = signal_records.posting_pks(small)
    assert len(pks) < get_settings().postings_per_signal_max
    assert sum(pk.startswith("TERM#") for pk in pks) == get_settings().search_terms_per_item_max
    assert signal_records.entity_posting_pks(small) == [pk for pk in pks if pk.startswith("ENT#")] != []


def test_story_keys_max_is_the_url_the_title_and_every_band():
    assert STORY_KEYS_MAX == 2 + BANDS


@pytest.mark.parametrize(("postings", "threads"), [(40, 3), (39, 4), (60, 0)])
def test_settings_that_could_overflow_a_transaction_are_refused(postings, threads):
    with pytest.raises(ValueError, match="over DynamoDB's 100"):
        Settings(postings_per_signal_max=postings, story_threads_per_signal_max=threads)
