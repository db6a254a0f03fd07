"""Feed queries, the lanes that serve them, and the postings/counters the writer keeps (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from fabricate import make_signal
from signals.models import Category
from signals.models.timeline import Lane
from signals.ranking.query import FeedQuery, lanes_for
from signals.storage.signal_records import counter_updates, obsolete_keys, records_for
from signals.storage.timeline_index import lane_partition


def test_fingerprint_ignores_category_order() -> None:
    a = FeedQuery(categories=(Category.SECURITY, Category.BUSINESS), min_score=5)
    b = FeedQuery(categories=(Category.BUSINESS, Category.SECURITY), min_score=5)
    assert a.fingerprint() == b.fingerprint() != FeedQuery(min_score=5).fingerprint()


def test_indexes_select_instead_of_filters() -> None:
    month = "2026-06"
    assert lanes_for(FeedQuery(min_score=7)) == [Lane("at_least", threshold=7)]
    assert lane_partition(Lane("at_least", threshold=7), month) == (None, "MIN#07#2026-06")
    (security,) = lanes_for(FeedQuery(categories=(Category.SECURITY,)))
    assert lane_partition(security, month) == ("gsi2", "CAT#security#2026-06")
    (pair,) = lanes_for(FeedQuery(categories=(Category.SECURITY,), min_score=6))
    assert lane_partition(pair, month) == (None, "MINCAT#security#06#2026-06")
    assert lane_partition(lanes_for(FeedQuery())[0], month) == ("gsi1", "FEED#2026-06")
    assert lane_partition(lanes_for(FeedQuery(sort="score"))[0], month) == ("gsi3", "SCORE#2026-06")
    assert lane_partition(lanes_for(FeedQuery(tags=("chips",)))[0], month) == (None, "TAG#chips#2026-06")
    assert lane_partition(lanes_for(FeedQuery(source="s1"))[0], month) == (None, "SRC#s1#2026-06")
    assert len(lanes_for(FeedQuery(categories=(Category.SECURITY, Category.BUSINESS)))) == 2


def test_a_lane_holds_exactly_what_its_postings_hold() -> None:
    # Given a signal of score 4 in security, tagged policy, from src1 and wire
    signal = make_signal(1, score=4, category=Category.SECURITY, tags=["policy"])
    postings = {r["pk"]["S"] for r in records_for(signal)}
    # Then a posting lane holds it exactly when the writer wrote that posting
    for lane in [
        Lane("at_least", threshold=4),
        Lane("at_least", threshold=5),
        Lane("category_at_least", "security", 3),
        Lane("category_at_least", "business", 3),
        Lane("tag", "policy"),
        Lane("tag", "chips"),
        Lane("source", "wire"),
        Lane("source", "nope"),
    ]:
        _, pk = lane_partition(lane, signal.published_at.strftime("%Y-%m"))
        assert lane.holds(signal) == (pk in postings), lane


def test_records_for_writes_threshold_postings_up_to_the_score() -> None:
    signal = make_signal(5, score=4, published=datetime(2026, 5, 9, tzinfo=UTC))
    records = records_for(signal)
    pks = [r["pk"]["S"] for r in records]
    assert pks[0] == "SIGNAL#sig00005" and "MONTHS" in pks
    assert {"MIN#02#2026-05", "MIN#04#2026-05"} <= set(pks) and "MIN#05#2026-05" not in pks
    assert not any(name.startswith("gsi4") for name in records[0])  # nothing reads a fourth index


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


def test_most_categories_read_one_lane_of_all_of_them() -> None:
    # the front page's default (every category but off-topic, 3+): one Query per month, not eight
    on_topic = tuple(c for c in Category if c is not Category.OFF_TOPIC)
    assert lanes_for(FeedQuery(categories=on_topic, min_score=3)) == [Lane("at_least", threshold=3)]
    assert lanes_for(FeedQuery(categories=on_topic)) == [Lane("all")]
    assert len(lanes_for(FeedQuery(categories=on_topic[:4]))) == 4


def test_search_term_postings_are_written_per_term_and_deleted_when_a_term_goes() -> None:
    # Given a signal whose title names Claude Opus, then an edit that drops "Opus"
    old = make_signal(7, title="Claude Opus ships", published=datetime(2026, 6, 1, tzinfo=UTC))
    new = old.model_copy(update={"title": "Claude ships"})
    postings = {r["pk"]["S"] for r in records_for(old)}
    assert {"TERM#claud#2026-06", "TERM#opus#2026-06", "TERM#ship#2026-06"} <= postings
    # Then the term lane holds it exactly when the posting exists, and the dropped term's goes
    for term in ("claud", "opus", "headline", "nothing"):
        lane = Lane("term", term)
        assert lane_partition(lane, "2026-06") == (None, f"TERM#{term}#2026-06")
        assert lane.holds(old) == (f"TERM#{term}#2026-06" in postings), term
    gone = {k["pk"]["S"] for k in obsolete_keys(old, new)}
    assert "TERM#opus#2026-06" in gone and "TERM#claud#2026-06" not in gone
