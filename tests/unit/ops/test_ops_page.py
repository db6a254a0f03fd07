"""`/ops` at a glance: a status banner with its reason, charts that scale, lag figures that say what
they bound, and a source's items a day over the dates it published (not the day we ingested)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from signals.models.source import SourceState, publication_span
from signals.ops.health import Check, HealthReport, assess
from signals.ops.pipeline_stats import build_report
from signals.ops.source_health import SourceHealthList, health_of
from signals.rendering.ops_page import build_charts, lag_label, ops_page

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
QUEUES = ("score-queue", "score-dlq", "delivery-queue", "delivery-dlq")


def healthy(**depths: int) -> HealthReport:
    checks = [Check(name="table", ok=True), Check(name="bucket", ok=True)]
    checks += [Check(name=q, ok=True, depth=depths.get(q.replace("-", "_"), 0), in_flight=0) for q in QUEUES]
    return HealthReport(status="ok", checks=checks)


def sources(failing: int = 0, ok: int = 2) -> SourceHealthList:
    states = [
        SourceState(source_id=f"bad-{n}", last_status="failed", consecutive_failures=2)
        for n in range(failing)
    ]
    states += [SourceState(source_id=f"good-{n}", last_status="ok") for n in range(ok)]
    items = [health_of(s, {}, today=NOW) for s in states]
    return SourceHealthList(items=items, failing=failing)


def test_the_banner_is_failing_degraded_or_ok_with_the_reason() -> None:
    down = healthy().model_copy(update={"status": "unavailable"})
    down.checks[1] = Check(name="bucket", ok=False, detail="timeout")
    failing = assess(down, sources=2, failing_sources=0)
    assert (failing.status, failing.reason) == ("failing", "bucket unreachable (timeout)")
    assert assess(healthy(), sources=3, failing_sources=3).status == "failing"

    degraded = assess(healthy(score_dlq=4), sources=5, failing_sources=1, scoring_errors_today=2)
    assert degraded.status == "degraded"
    assert degraded.reasons == [
        "4 message(s) in dead-letter queues (runbook: docs/operations.md)",
        "1 of 5 sources failing",
        "2 item(s) failed scoring today",
    ]
    ok = assess(healthy(), sources=5, failing_sources=0)
    assert (
        ok.status == "ok"
        and ok.reason == "all 6 dependencies reachable; 5 source(s) fetching; no dead letters"
    )


def test_the_page_opens_with_the_banner() -> None:
    report = build_report({"2026-06-02": {"scored": 3, "cat:security": 3, "score:7": 3}})
    html = ops_page(report, healthy(delivery_dlq=2), sources(failing=1))
    banner = re.search(r'<p class="ops-status (\w+)" role="status"><strong>(\w+)</strong>: ([^<]*)</p>', html)
    assert banner, html[:2000]
    assert banner.group(1) == banner.group(2) == "degraded"
    assert "2 message(s) in dead-letter queues" in banner.group(
        3
    ) and "1 of 3 sources failing" in banner.group(3)


def test_charts_scale_to_their_column_instead_of_a_fixed_width() -> None:
    report = build_report({"2026-06-01": {}, "2026-06-02": {"scored": 1, "cat:security": 1, "score:7": 1}})
    for name, svg in build_charts(report).items():
        tag = svg[: svg.index(">")]
        assert 'class="chart"' in tag and "viewBox=" in tag, name
        assert not re.search(r'\swidth="', tag), f"{name}: a fixed width overflows a phone"


def test_the_day_charts_start_at_the_first_day_with_activity() -> None:
    # Given a 14-day window where the pipeline started working on its last two days
    days = {f"2026-05-{d:02d}": {} for d in range(20, 32)}
    days |= {"2026-06-01": {"ingest:fetched": 2}, "2026-06-02": {"scored": 5, "cat:security": 5}}
    svg = build_charts(build_report(days))["categories"]
    # Then the chart draws those two days, not twelve empty ones before them
    assert "06-01" in svg and "06-02" in svg and "05-31" not in svg and "05-20" not in svg


def test_a_lag_beyond_the_last_bucket_reads_over_not_at_most() -> None:
    # Given every scored item published more than 7 days before it was scored (a backfill)
    report = build_report({"2026-06-02": {"lag_pub:more": 40, "lag_fetch:60": 40}})
    # Then the page says "over 7 d", never "≤ 7 d", and the pipeline's own lag stays "≤ 1 min"
    assert lag_label(report.lag_published_to_scored, 0.5) == "over 7 d"
    assert lag_label(report.lag_fetched_to_scored, 0.95) == "≤ 1 min"
    html = ops_page(report, healthy(), sources())
    assert "p50 over 7 d, p95 over 7 d over 40 dated items" in html and "≤ 7 d" not in html
    mixed = build_report({"d": {"lag_pub:3600": 6, "lag_pub:more": 4}})
    assert lag_label(mixed.lag_published_to_scored, 0.5) == "≤ 1 h"
    assert lag_label(mixed.lag_published_to_scored, 0.95) == "over 7 d"


def test_items_a_day_are_measured_over_the_publication_dates_seen() -> None:
    # Given a first ingest that found 30 items published over 60 days, all on one ingest day
    first = NOW - timedelta(days=60)
    dates = [first + timedelta(days=2 * n) for n in range(30)]
    state = SourceState(source_id="s", last_status="ok", items_seen=30)
    state = state.model_copy(update=publication_span(state, dates))
    # And a later run that found 2 more, one older than any seen
    state = state.model_copy(update=publication_span(state, [NOW, first - timedelta(days=30)]))
    assert (state.items_dated, state.first_published_at, state.last_published_at) == (
        32,
        first - timedelta(days=30),
        NOW,
    )
    # Then the source publishes 32 items over 90 days, whatever the backfill did to the 7-day counter
    health = health_of(state, {"2026-06-02": 30}, today=NOW)
    assert health.published_per_day == round(32 / 90, 2)
    assert health.items_per_day == round(30 / 7, 2)  # what we ingested, kept and labelled as such
    html = ops_page(build_report({}), healthy(), SourceHealthList(items=[health], failing=0))
    assert f"<td>{round(32 / 90, 2)}</td><td>{round(30 / 7, 2)}</td>" in html


def test_a_source_without_dated_items_has_no_publication_rate() -> None:
    assert publication_span(SourceState(source_id="s"), []) == {}
    assert health_of(SourceState(source_id="s", last_status="ok"), {}, today=NOW).published_per_day is None
