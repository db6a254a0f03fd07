"""The model analyst's cache and budget in DynamoDB (moto, from template.yaml): the path the unit
tests of ``scoring/bedrock.py`` replace with the in-memory twin, kept honest here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from signals.models.analysis import CachedAnalysis, Spend
from signals.storage.analysis_records import DynamoAnalyses
from signals.storage.memory_analyses import InMemoryAnalyses


def test_budget_reservations_are_atomic_against_the_day_counter(aws):
    store = DynamoAnalyses()
    spend = Spend(tokens=600, usd=0.01)

    granted = [store.reserve(spend, token_budget=1500, usd_budget=1.0, day="2026-03-02") for _ in range(4)]

    assert granted == [True, True, False, False]
    assert store.spent("2026-03-02") == Spend(tokens=1200, usd=0.02)


@pytest.mark.parametrize("implementation", [DynamoAnalyses, InMemoryAnalyses])
def test_reserve_then_settle_leaves_the_real_usage_on_the_day(aws, implementation):
    # Given a day with one call's worst case reserved, and a second that does not fit in dollars
    store = implementation()
    reserved = Spend(tokens=2000, usd=0.004)
    assert store.reserve(reserved, token_budget=10_000, usd_budget=0.007, day="2026-03-02")
    assert not store.reserve(reserved, token_budget=10_000, usd_budget=0.007, day="2026-03-02")

    # When the call settles for less, and a failed unpaid call gives its reservation back
    store.settle(reserved, Spend(tokens=1892, usd=0.002502), day="2026-03-02")
    assert store.reserve(reserved, token_budget=10_000, usd_budget=0.007, day="2026-03-02")
    store.settle(reserved, Spend(tokens=0, usd=0.0), day="2026-03-02")

    # Then the day holds exactly what was used, the same in the table and in its twin
    assert store.spent("2026-03-02") == Spend(tokens=1892, usd=0.002502)
    assert store.spent("2026-03-03") == Spend(tokens=0, usd=0.0)


def test_a_cached_answer_is_read_back_until_it_expires(aws):
    store = DynamoAnalyses()
    fresh = CachedAnalysis(
        answer={"score": 8},
        model_id="amazon.nova-pro-v1:0",
        prompt_version="analyst-v1",
        input_tokens=1480,
        output_tokens=412,
        latency_ms=900,
        cost_usd=0.0025,
        created_at=datetime.now(UTC),
    )
    stale = fresh.model_copy(update={"created_at": datetime.now(UTC) - timedelta(days=400)})

    store.put_cached("fresh", fresh)
    store.put_cached("stale", stale)

    assert store.get_cached("fresh") == fresh
    assert store.get_cached("stale") is None  # past its TTL: absent, though moto never deletes it
    assert store.get_cached("never") is None
