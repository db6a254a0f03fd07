"""FeedFilters and the cursor states: what the routes are given, what goes on the wire."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest
from signals.api.parameters import FeedFilters, with_filters
from signals.api.problems import ApiError
from signals.api.reading import HotState, ResumeState, feed_query
from signals.models import Category


def test_with_filters_lays_the_filters_out_as_the_routes_parameters() -> None:
    # Given a route that takes FeedFilters and its own pagination parameters
    @with_filters()
    def route(filters: FeedFilters, limit: int = 20) -> tuple[FeedFilters, int]:
        return filters, limit

    @with_filters("min_score", "category")
    def page(filters: FeedFilters, cursor: str | None = None) -> FeedFilters:
        return filters

    # Then Powertools sees each filter as a parameter, in place, and the route gets one model
    assert list(inspect.signature(route).parameters) == [
        "min_score", "category", "tag", "source", "entity", "since", "until", "updated_since", "q", "limit",
    ]  # fmt: skip
    assert list(inspect.signature(page).parameters) == ["min_score", "category", "cursor"]
    filters, limit = route(
        min_score=5, category=[Category.SECURITY], tag=None, source=None, since=None, until=None, limit=3
    )
    assert filters == FeedFilters(min_score=5, category=[Category.SECURITY]) and limit == 3
    assert page(min_score=1, category=None, cursor=None) == FeedFilters()


def test_since_after_until_is_a_400() -> None:
    late, early = datetime(2026, 6, 2, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(ApiError) as refused:
        FeedFilters(since=late, until=early).checked()
    assert (refused.value.status, refused.value.code) == (400, "invalid_parameter")
    assert FeedFilters(since=early, until=late).checked().since == early


def test_the_query_carries_every_filter() -> None:
    filters = FeedFilters(
        min_score=6, category=[Category.BUSINESS, Category.SECURITY], tag=["policy", "chips"], source="src1"
    )
    query = feed_query(filters, "score")
    assert (query.min_score, query.categories, query.tags, query.source, query.sort) == (
        6,
        (Category.BUSINESS, Category.SECURITY),
        ("policy", "chips"),
        "src1",
        "score",
    )


def test_cursor_states_read_names_and_keep_one_letter_keys_on_the_wire() -> None:
    wire = {"m": "2026-06", "k": "2026-06-02T17:01:00Z#sig1"}
    state = ResumeState.model_validate(wire)
    assert (state.month, state.position) == ("2026-06", "2026-06-02T17:01:00Z#sig1")
    assert state.model_dump(by_alias=True) == wire
    hot = HotState.model_validate({"a": 1_780_000_000, "o": 20})
    assert (hot.as_of, hot.offset) == (1_780_000_000, 20)
    assert HotState(as_of=1, offset=2).model_dump(by_alias=True) == {"a": 1, "o": 2}
