"""The ``/ops`` page: health, stats and sources drawn as server-rendered SVG (no JavaScript)."""

from __future__ import annotations

from functools import cache
from typing import Any

from signals.models import Category
from signals.ops.health import HealthReport
from signals.ops.pipeline_stats import LAG_BOUNDS_S, OVERFLOW, StatsReport
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


def _short_day(day: str) -> str:
    return day[5:]  # mm-dd


def build_charts(report: StatsReport) -> dict[str, str]:
    """Every chart of the page as SVG markup."""
    columns = [_short_day(d.day) for d in report.days]
    series = {
        Category(c).label: [d.items_by_category.get(c, 0) for d in report.days]
        for c in report.categories
        if any(d.items_by_category.get(c, 0) for d in report.days)
    } or {"no items": [0] * len(columns)}
    lag = report.lag_fetched_to_scored.buckets
    lag_bars = [(duration(b), lag.get(str(b), 0)) for b in LAG_BOUNDS_S] + [
        (f">{duration(LAG_BOUNDS_S[-1])}", lag.get(OVERFLOW, 0))
    ]
    fetches = {
        "fetched": [d.ingest.fetched for d in report.days],
        "not modified": [d.ingest.not_modified for d in report.days],
        "failed": [d.ingest.failed for d in report.days],
    }
    return {
        "categories": charts.stacked_bar_chart(columns, series, title="Items scored per category per day"),
        "scores": charts.bar_chart(
            [(score, count) for score, count in report.score_histogram.items()],
            title="Items per score (1-10)",
        ),
        "lag": charts.bar_chart(
            lag_bars, title="Items by fetched-to-scored lag (bucket upper bound)", width=640
        ),
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
    lag = {
        "p50": duration(report.lag_fetched_to_scored.p50_s),
        "p95": duration(report.lag_fetched_to_scored.p95_s),
        "pub_p50": duration(report.lag_published_to_scored.p50_s),
        "pub_p95": duration(report.lag_published_to_scored.p95_s),
    }
    dlq_waiting = sum(c.depth or 0 for c in health.checks if c.name.endswith("-dlq"))
    return (
        _environment()
        .get_template("ops.html")
        .render(report=report, health=health, sources=sources, charts=svg, lag=lag, dlq_waiting=dlq_waiting)
    )
