"""Server-rendered HTML pages (Jinja2, autoescaped): the feed and one signal. No JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from signals.models import Category, Signal
from signals.models.links import safe_url
from signals.models.thread import RelatedSignal
from signals.rendering import site_notice
from signals.rendering.display import category_label, display_score, display_time

TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET_PATH = "/assets/signals.css"
MIN_SCORE_LINKS = (1, 5, 7, 9)


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=display_time, score=display_score, label=category_label, safe_url=safe_url)
    env.globals.update(stylesheet=STYLESHEET_PATH, site_notice=site_notice.current)
    return env


def stylesheet() -> str:
    """The site's CSS (served from a route so the CSP needs no inline styles)."""
    return (TEMPLATES / "signals.css").read_text(encoding="utf-8")


def feed_page(
    signals: list[Signal],
    *,
    categories: tuple[Category, ...],
    min_score: int,
    next_url: str | None,
) -> str:
    """The feed: one card per signal, filter links, a link to the next page."""
    return (
        _environment()
        .get_template("feed.html")
        .render(
            signals=signals,
            all_categories=[c for c in Category if c is not Category.OFF_TOPIC],
            selected=set(categories),
            min_score=min_score,
            min_score_links=MIN_SCORE_LINKS,
            next_url=next_url,
        )
    )


def signal_page(signal: Signal, earlier: Sequence[RelatedSignal] = ()) -> str:
    """One signal as ``rendering/signal_page.py`` lays it out, with "Earlier in this story"."""
    from signals.rendering.signal_page import signal_view

    return _environment().get_template("signal.html").render(page=signal_view(signal, earlier))


def not_found_page() -> str:
    return _environment().get_template("not_found.html").render()


def error_page(title: str, detail: str) -> str:
    """What a browser gets instead of problem details when a page's address is wrong."""
    return _environment().get_template("error.html").render(title=title, detail=detail)
