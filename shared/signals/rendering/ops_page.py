"""The ``/ops`` page: health, stats and sources drawn as server-rendered SVG (no JavaScript)."""

from __future__ import annotations

from functools import cache
from typing import Any

from signals.models import Category
from signals.ops.health import HealthReport, assess
from signals.ops.pipeline_stats import LAG_BOUNDS_S, OVERFLOW, DayStats, LagSummary, StatsReport
from signals.ops.source_health import SourceHealthList
from signals.rendering import charts


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from signals.rendering import pages
    from signals.rendering.display import display_time

    env = Environment(
        # the ops page extends the site's base layout (shared header, footer and stylesheet)
        loader=FileSystemLoader([pages.TEMPLATES]),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=display_time)
    env.globals.update(stylesheet=pages.STYLESHEET_PATH)
    return env


def duration(seconds: int | None) -> str:
    """A lag bound for people: ``45 s``, ``15 min``, ``6 h``, ``3 d``; ``no data`` for None."""
    if seconds is None:
        return "no data"
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def _compact(label: str) -> str:
    """``15 min`` -> ``15m``: twelve bucket labels fit under their bars on a phone."""
    return label.replace(" min", "m").replace(" ", "")


def _short_day(day: str) -> str:
    return day[5:]  # mm-dd


def lag_label(summary: LagSummary, fraction: float) -> str:
    """A percentile for people, saying what it bounds: ``≤ 15 min``, or ``over 7 d`` when it lies in
    the overflow bucket (where the last bound is a lower bound, not an upper one)."""
    if not summary.count:
        return "no data"
    seen = 0
    for bound in LAG_BOUNDS_S:
        seen += summary.buckets.get(str(bound), 0)
        if seen >= fraction * summary.count:
            return f"≤ {duration(bound)}"
    return f"over {duration(LAG_BOUNDS_S[-1])}"


def active_days(report: StatsReport) -> list[DayStats]:
    """The days from the first with any activity (items scored, feeds fetched, deliveries) to today:
    a window of empty days before the pipeline started says nothing and squeezes the bars."""

    def busy(day: DayStats) -> bool:
        return bool(
            day.scored
            or day.errors
            or day.ingest.fetched
            or day.ingest.not_modified
            or day.ingest.failed
            or day.delivery.attempts
        )

    first = next((n for n, day in enumerate(report.days) if busy(day)), None)
    return report.days if first is None else report.days[first:]


def build_charts(report: StatsReport) -> dict[str, str]:
    """Every chart of the page as SVG markup."""
    days = active_days(report)
    columns = [_short_day(d.day) for d in days]
    series = {
        Category(c).label: [d.items_by_category.get(c, 0) for d in days]
        for c in report.categories
        if any(d.items_by_category.get(c, 0) for d in days)
    } or {"no items": [0] * len(columns)}
    lag = report.lag_fetched_to_scored.buckets
    lag_bars = [(_compact(duration(b)), lag.get(str(b), 0)) for b in LAG_BOUNDS_S] + [
        (f">{_compact(duration(LAG_BOUNDS_S[-1]))}", lag.get(OVERFLOW, 0))
    ]
    fetches = {
        "fetched": [d.ingest.fetched for d in days],
        "not modified": [d.ingest.not_modified for d in days],
        "failed": [d.ingest.failed for d in days],
    }
    return {
        "categories": charts.stacked_bar_chart(columns, series, title="Items scored per category per day"),
        "scores": charts.bar_chart(
            [(score, count) for score, count in report.score_histogram.items()],
            title="Items per score (1-10)",
        ),
        "lag": charts.bar_chart(lag_bars, title="Items by fetched-to-scored lag (bucket upper bound)"),
        "delivery": charts.ratio_bar(
            title="Webhook delivery attempts",
            good=report.delivery.successes,
            bad=report.delivery.failures,
            good_label="succeeded",
            bad_label="failed",
        ),
        "ingest": charts.stacked_bar_chart(
            columns,
            fetches,
            title="Feed fetches per day",
            colours={"fetched": charts.BAR_COLOUR, "not modified": "#999999", "failed": charts.FAIL_COLOUR},
        ),
    }


def ops_page(report: StatsReport, health: HealthReport, sources: SourceHealthList) -> str:
    """The whole page."""
    from markupsafe import Markup

    svg = {name: Markup(markup) for name, markup in build_charts(report).items()}  # noqa: S704 - built escaped
    fetch, pub = report.lag_fetched_to_scored, report.lag_published_to_scored
    lag = {
        "p50": lag_label(fetch, 0.5),
        "p95": lag_label(fetch, 0.95),
        "pub_p50": lag_label(pub, 0.5),
        "pub_p95": lag_label(pub, 0.95),
    }
    today = report.days[-1] if report.days else None
    status = assess(
        health,
        sources=len(sources.items),
        failing_sources=sources.failing,
        scoring_errors_today=today.errors if today else 0,
    )
    shown = active_days(report)
    return (
        _environment()
        .get_template("ops.html")
        .render(
            report=report,
            health=health,
            sources=sources,
            charts=svg,
            lag=lag,
            status=status,
            shown_days=len(shown),
            first_day=shown[0].day if shown else "",
        )
    )
