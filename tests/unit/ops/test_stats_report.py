"""Pure figures: lag percentiles from fixed histograms, the report's shape, and chart markup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from signals.models import Category, Item, Signal
from signals.ops.pipeline_stats import build_report, lag_bucket, scored_deltas, window
from signals.rendering import charts

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)


def make_item(*, fetched_ago: timedelta, published_ago: timedelta, from_feed: bool = True) -> Item:
    return Item(
        id="item-1",
        source_id="src",
        source_name="Source",
        feed_url="https://example.com/feed",
        url="https://example.com/a",
        title="A",
        published_at=NOW - published_ago,
        published_from_feed=from_feed,
        fetched_at=NOW - fetched_ago,
        content_hash="h",
    )


def make_signal(score: int = 7, category: Category = Category.SECURITY) -> Signal:
    return Signal.model_validate(
        {
            "id": "sig-1",
            "title": "A",
            "url": "https://example.com/a",
            "published_at": NOW,
            "scored_at": NOW,
            "updated_at": NOW,
            "score": score,
            "category": category,
            "score_breakdown": {"rubric_version": "1", "base": 5, "raw": 7},
            "sources": [
                {
                    "item_id": "item-1",
                    "source_id": "src",
                    "name": "S",
                    "url": "https://e.com",
                    "published_at": NOW,
                }
            ],
        }
    )


def test_lag_buckets_are_upper_bounds_with_an_overflow():
    assert lag_bucket(0) == "60"
    assert lag_bucket(60) == "60"
    assert lag_bucket(61) == "300"
    assert lag_bucket(10 * 24 * 3600) == "more"


def test_scored_deltas_count_category_score_and_both_lags_and_skip_undated_items():
    # Given an item fetched 2 min and published 3 h before it was scored
    item = make_item(fetched_ago=timedelta(minutes=2), published_ago=timedelta(hours=3))
    deltas = scored_deltas(make_signal(), item, merged=True, at=NOW)
    assert deltas == {
        "scored": 1,
        "cat:security": 1,
        "score:7": 1,
        "lag_fetch:300": 1,
        "lag_pub:21600": 1,
        "merged": 1,
    }
    # An item whose feed gave no date has no published->scored lag
    undated = make_item(fetched_ago=timedelta(0), published_ago=timedelta(0), from_feed=False)
    assert "lag_pub:60" not in scored_deltas(make_signal(), undated, merged=False, at=NOW)


def test_percentiles_are_the_bounds_of_the_buckets_holding_them():
    # 90 items within 5 min, 9 within 2 h, 1 after a week: p50 <= 5 min, p95 <= 2 h
    day = {"lag_fetch:300": 90, "lag_fetch:7200": 9, "lag_fetch:more": 1}
    report = build_report({"2026-06-01": day, "2026-06-02": {}})
    lag = report.lag_fetched_to_scored
    assert (lag.count, lag.p50_s, lag.p95_s, lag.over_last_bound) == (100, 300, 7200, 1)
    assert report.lag_published_to_scored.p50_s is None  # no data is not zero


def test_report_sums_days_and_computes_delivery_success_rate():
    days = {
        "2026-06-01": {"cat:security": 2, "score:7": 2, "delivery:attempts": 3, "delivery:successes": 3},
        "2026-06-02": {"cat:products": 1, "score:3": 1, "delivery:attempts": 1, "delivery:failures": 1},
    }
    report = build_report(days)
    assert [d.day for d in report.days] == ["2026-06-01", "2026-06-02"]
    assert report.days[0].items_by_category["security"] == 2
    assert report.days[1].items_by_category["products"] == 1
    assert report.score_histogram["7"] == 2 and report.score_histogram["3"] == 1
    assert report.delivery.success_rate == 0.75
    assert report.days[1].delivery.success_rate == 0.0
    assert build_report({"2026-06-01": {}}).delivery.success_rate is None


def test_window_lists_days_oldest_first_ending_today():
    assert window(3, today=NOW) == ["2026-05-31", "2026-06-01", "2026-06-02"]


def test_charts_are_well_formed_svg_with_escaped_labels_and_written_values():
    svg = charts.bar_chart([("<b>&", 3), ("ok", 12)], title="T <x>")
    root = ElementTree.fromstring(svg)  # well-formed XML
    assert root.tag.endswith("svg") and root.get("role") == "img"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<b>&" in texts and "12" in texts and "T <x>" in texts
    stacked = charts.stacked_bar_chart(["06-01", "06-02"], {"A": [1, 2], "B": [0, 5]}, title="S")
    root = ElementTree.fromstring(stacked)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "7" in texts  # the second column's total is written above it
    ElementTree.fromstring(charts.ratio_bar(title="R", good=0, bad=0, good_label="ok", bad_label="bad"))
