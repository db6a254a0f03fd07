"""Server-rendered HTML pages (Jinja2, autoescaped): the feed and one signal. No JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from signals.config import get_settings
from signals.models import Category, Signal
from signals.models.links import safe_url
from signals.models.thread import RelatedSignal
from signals.rendering import site_notice
from signals.rendering.display import category_label, display_published, display_score, display_time
from signals.rendering.feed_view import SORTS, FeedView
from signals.rendering.follow_links import entity_links, tag_href
from signals.rendering.publishers import Publisher
from signals.rendering.publishers import publishers as publisher_list
from signals.rendering.search_box import search_box
from signals.rendering.syndication import feed_title

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
    env.filters.update(
        when=display_time,
        published=display_published,
        score=display_score,
        label=category_label,
        safe_url=safe_url,
        tag_href=tag_href,
        entity_links=entity_links,
    )
    env.globals.update(stylesheet=STYLESHEET_PATH, site_notice=site_notice.current)
    return env


def icon() -> str:
    """The site's icon (SVG, at /assets/icon.svg, named in base.html: without one a browser asks for
    /favicon.ico, a 404 and a console error on every page)."""
    return (TEMPLATES / "icon.svg").read_text(encoding="utf-8")


def stylesheet() -> str:
    """The site's CSS (served from a route so the CSP needs no inline styles)."""
    return (TEMPLATES / "signals.css").read_text(encoding="utf-8")


def feed_page(signals: list[Signal], *, view: FeedView, next_url: str | None) -> str:
    """The front page: a filter bar whose links keep each other, one card per signal, the next page."""
    return (
        _environment()
        .get_template("feed.html")
        .render(
            signals=signals,
            view=view,
            filter_rows=filter_rows(view),
            chips=_chips(view, signals),
            feed_title=feed_title(
                categories=view.effective_categories(),
                min_score=view.effective_min_score(),
                tags=view.tags,
                source=view.source,
                entities=view.entities,
            ),
            publishers=publishers,
            publishers_max=get_settings().card_publishers_max,
            hot_days=get_settings().hot_window_days,
            next_url=next_url,
            search=search_box(view, shown=len(signals), more=next_url is not None),
        )
    )


Link = tuple[str, str, bool]  # (text, href, is the current choice)


def filter_rows(view: FeedView) -> list[tuple[str, list[Link]]]:
    """The filter bar: order, category and minimum score, each link keeping the other filters."""
    floor = get_settings().page_default_min_score
    scores: list[Link] = []
    for s in MIN_SCORE_LINKS:
        shown = s if s > 1 else (1 if view.show_all else floor)
        name = "any" if shown == 1 else f"{shown}+"
        scores.append((name, view.url(min_score=s), view.effective_min_score() == shown))
    return [
        ("Order", [(name, view.url(sort=key), key == view.sort) for key, name in SORTS.items()]),
        (
            "Category",
            [("All", view.url(categories=()), not view.categories)]
            + [(c.label, view.url(categories=(c,)), c in view.categories) for c in Category],
        ),
        ("Score", scores),
    ]


def _chips(view: FeedView, signals: list[Signal]) -> list[tuple[str, str]]:
    """The tag and source filters in force, each with the link that removes it."""
    chips = [(f"tag {t}", view.url(tags=tuple(x for x in view.tags if x != t))) for t in view.tags]
    if view.source:
        names = [s.name for signal in signals for s in signal.sources if s.source_id == view.source]
        chips.append((f"from {names[0] if names else view.source}", view.url(source=None)))
    chips += [
        (f"about {e}", view.url(entities=tuple(x for x in view.entities if x != e))) for e in view.entities
    ]
    return chips


def publishers(signal: Signal) -> list[Publisher]:
    """The story's publishers for a card: mirrors folded, first report first."""
    return publisher_list(signal.sources)


def signal_page(signal: Signal, earlier: Sequence[RelatedSignal] = ()) -> str:
    """One signal as ``rendering/signal_page.py`` lays it out, with "Earlier in this story"."""
    from signals.rendering.signal_page import signal_view

    return _environment().get_template("signal.html").render(page=signal_view(signal, earlier))


def render(template: str, **context: Any) -> str:
    """Any template of the site's environment (``rendering/follow_pages.py`` renders its pages here)."""
    return _environment().get_template(template).render(**context)


def not_found_page() -> str:
    return _environment().get_template("not_found.html").render()


def error_page(title: str, detail: str) -> str:
    """What a browser gets instead of problem details when a page's address is wrong."""
    return _environment().get_template("error.html").render(title=title, detail=detail)


def digest_page(page: Any) -> str:
    """One day's digest (``api.digest_routes.DigestPage``): its opening, its stories, the days around it."""
    return _environment().get_template("digest.html").render(page=page)
