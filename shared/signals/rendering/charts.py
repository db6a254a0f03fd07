"""Server-rendered SVG charts for ``/ops``: plain markup, no JavaScript, readable without colour.

Each chart is an ``<svg role="img">`` with a ``<title>`` and the numbers written on or under the
bars, so a screen reader (or a text browser) gets the figures too. Pure: strings in, string out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

# Colour-blind-safe palette (Okabe-Ito, then greys); categories keep their colour across charts.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999")
BAR_COLOUR = "#0072B2"
FAIL_COLOUR = "#D55E00"

_PAD_LEFT, _PAD_RIGHT, _PAD_TOP, _PAD_BOTTOM = 44, 12, 28, 40
_MAX_BAR_W = 48


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1.0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value / 1000:.0f}k"


def _svg_open(title: str, width: int, height: int) -> str:
    """The opening tag: a viewBox and no fixed size, so the chart scales to its column (a phone's
    390 px as well as a desktop's 640; the stylesheet's ``svg.chart`` gives width 100%)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif" '
        f'aria-label="{escape(title)}">'
    )


def _frame(title: str, width: int, height: int, body: list[str], top: float, plot_h: float) -> str:
    axis = [
        f'<line x1="{_PAD_LEFT}" y1="{_PAD_TOP}" x2="{_PAD_LEFT}" y2="{_PAD_TOP + plot_h}" stroke="#444"/>',
        f'<line x1="{_PAD_LEFT}" y1="{_PAD_TOP + plot_h}" x2="{width - _PAD_RIGHT}" '
        f'y2="{_PAD_TOP + plot_h}" stroke="#444"/>',
        f'<text x="{_PAD_LEFT - 4}" y="{_PAD_TOP + 4}" text-anchor="end" font-size="11">{_fmt(top)}</text>',
        f'<text x="{_PAD_LEFT - 4}" y="{_PAD_TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    return (
        f"{_svg_open(title, width, height)}"
        f"<title>{escape(title)}</title>"
        f'<text x="{_PAD_LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>'
        + "".join(axis)
        + "".join(body)
        + "</svg>"
    )


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 520,
    height: int = 220,
    colour: str = BAR_COLOUR,
) -> str:
    """Vertical bars, one per (label, value), each labelled with its value."""
    top = _nice_max(max((v for _, v in bars), default=0))
    plot_w = width - _PAD_LEFT - _PAD_RIGHT
    plot_h = height - _PAD_TOP - _PAD_BOTTOM
    slot = plot_w / max(1, len(bars))
    body: list[str] = []
    for n, (label, value) in enumerate(bars):
        h = plot_h * value / top
        x = _PAD_LEFT + n * slot + slot * 0.15
        y = _PAD_TOP + plot_h - h
        centre = x + slot * 0.35
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{colour}">'
            f"<title>{escape(label)}: {_fmt(value)}</title></rect>"
        )
        body.append(
            f'<text x="{centre:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="11">{_fmt(value)}</text>'
        )
        body.append(
            f'<text x="{centre:.1f}" y="{_PAD_TOP + plot_h + 14}" text-anchor="middle" font-size="11">'
            f"{escape(label)}</text>"
        )
    return _frame(title, width, height, body, top, plot_h)


def stacked_bar_chart(
    columns: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    width: int = 480,
    height: int = 260,
    colours: Mapping[str, str] | None = None,
) -> str:
    """One bar per column, stacked by series (e.g. days x categories), with a legend below."""
    totals = [sum(values[n] for values in series.values()) for n in range(len(columns))]
    top = _nice_max(max(totals, default=0))
    legend_rows = (len(series) + 2) // 3
    chart_h = height - legend_rows * 14
    plot_w = width - _PAD_LEFT - _PAD_RIGHT
    plot_h = chart_h - _PAD_TOP - _PAD_BOTTOM
    slot = plot_w / max(1, len(columns))
    body: list[str] = []
    colours = {name: PALETTE[n % len(PALETTE)] for n, name in enumerate(series)} | dict(colours or {})
    bar_w = min(slot * 0.7, _MAX_BAR_W)  # a window of one day draws one bar, not a wall
    for n, column in enumerate(columns):
        x = _PAD_LEFT + n * slot + (slot - bar_w) / 2
        y = _PAD_TOP + plot_h
        for name, values in series.items():
            value = values[n]
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colours[name]}"><title>{escape(column)} {escape(name)}: {_fmt(value)}</title></rect>'
            )
        centre = x + bar_w / 2
        body.append(
            f'<text x="{centre:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="11">'
            f"{_fmt(totals[n])}</text>"
        )
        body.append(
            f'<text x="{centre:.1f}" y="{_PAD_TOP + plot_h + 14}" text-anchor="middle" font-size="11">'
            f"{escape(column)}</text>"
        )
    for n, name in enumerate(series):
        lx = _PAD_LEFT + (n % 3) * (plot_w / 3)
        ly = chart_h - 8 + (n // 3) * 14
        body.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" fill="{colours[name]}"/>')
        body.append(f'<text x="{lx + 14:.1f}" y="{ly}" font-size="11">{escape(name)}</text>')
    return _frame(title, width, height, body, top, plot_h)


def ratio_bar(*, title: str, good: int, bad: int, good_label: str, bad_label: str, width: int = 520) -> str:
    """One horizontal bar split into good and bad parts (e.g. delivery successes and failures)."""
    total = good + bad
    height = 70
    inner = width - 2 * 12
    good_w = inner * good / total if total else 0
    rate = f"{100 * good / total:.1f}% {good_label}" if total else "no data"
    body = [
        f'<rect x="12" y="26" width="{inner}" height="18" fill="#eee"/>',
        f'<rect x="12" y="26" width="{good_w:.1f}" height="18" fill="{BAR_COLOUR}">'
        f"<title>{escape(good_label)}: {good}</title></rect>",
        f'<rect x="{12 + good_w:.1f}" y="26" width="{inner - good_w if total else 0:.1f}" height="18" '
        f'fill="{FAIL_COLOUR}"><title>{escape(bad_label)}: {bad}</title></rect>',
        f'<text x="12" y="60" font-size="11">{escape(rate)} ({good} {escape(good_label)}, '
        f"{bad} {escape(bad_label)})</text>",
    ]
    return (
        f"{_svg_open(title, width, height)}"
        f"<title>{escape(title)}</title>"
        f'<text x="12" y="16" font-size="13" font-weight="bold">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )
