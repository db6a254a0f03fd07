"""Feed queries and the postings/counters the writer keeps (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from fabricate import make_signal
from signals.models import Category
from signals.storage.signal_records import counter_updates, obsolete_keys, records_for
from signals.storage.timeline_index import FeedQuery, lanes_for


def test_fingerprint_ignores_category_order() -> None:
    a = FeedQuery(categories=(Category.SECURITY, Category.BUSINESS), min_score=5)
    b = FeedQuery(categories=(Category.BUSINESS, Category.SECURITY), min_score=5)
    assert a.fingerprint() == b.fingerprint() != FeedQuery(min_score=5).fingerprint()


def test_indexes_select_instead_of_filters() -> None:
    month = "2026-06"
    assert lanes_for(FeedQuery(min_score=7))[0](month).pk == "MIN#07#2026-06"
    assert lanes_for(FeedQuery(categories=(Category.SECURITY,)))[0](month).index == "gsi2"
    pair = lanes_for(FeedQuery(categories=(Category.SECURITY,), min_score=6))[0](month)
    assert pair.pk == "MINCAT#security#06#2026-06" and pair.index is None


def test_records_for_writes_threshold_postings_up_to_the_score() -> None:
    signal = make_signal(5, score=4, published=datetime(2026, 5, 9, tzinfo=UTC))
    pks = [r["pk"]["S"] for r in records_for(signal)]
    assert pks[0] == "SIGNAL#sig00005" and "MONTHS" in pks
    assert {"MIN#02#2026-05", "MIN#04#2026-05"} <= set(pks) and "MIN#05#2026-05" not in pks


def test_a_lower_score_or_dropped_tag_makes_postings_obsolete() -> None:
    old = make_signal(6, score=7, tags=["policy", "chips"], published=datetime(2026, 6, 1, tzinfo=UTC))
    new = old.model_copy(update={"score": 5, "tags": ["policy"]})
    gone = {k["pk"]["S"] for k in obsolete_keys(old, new)}
    assert "MIN#07#2026-06" in gone and "MIN#05#2026-06" not in gone and "TAG#chips#2026-06" in gone
    assert obsolete_keys(None, new) == []


def test_counters_move_with_the_category_and_tags() -> None:
    old = make_signal(6, category=Category.SECURITY, tags=["policy"])
    new = old.model_copy(update={"category": Category.BUSINESS, "tags": ["policy"]})
    (update,) = counter_updates(old, new)
    deltas = {
        update["ExpressionAttributeNames"][n]: update["ExpressionAttributeValues"][v.replace("#a", ":d")]["N"]
        for n, v in ((n, n) for n in update["ExpressionAttributeNames"])
    }
    assert deltas == {"cat:security": "-1", "cat:business": "1"}
    assert counter_updates(new, new) == []
