"""Display text shared by pages and feeds: ``2 Jun 2026, 17:01 UTC`` (``2 Jun 2026`` for a date-only
item), ``8/10``, category labels."""

from __future__ import annotations

from datetime import datetime

from signals.models import Category, Signal, as_utc


def display_time(value: datetime) -> str:
    """``2 Jun 2026, 17:01 UTC``."""
    utc = as_utc(value)
    return f"{utc.day} {utc:%b %Y, %H:%M} UTC"


def display_published(signal: Signal) -> str:
    """When a signal was published: ``2 Jun 2026, 17:01 UTC``, or ``2 Jun 2026`` when its publisher
    gave a date and no time (``published_date_only``: never a made-up "00:00 UTC")."""
    shown = display_time(signal.published_at)
    return shown.split(",")[0] if signal.published_date_only else shown


def display_score(score: int) -> str:
    """``8/10``."""
    return f"{score}/10"


def category_label(category: Category | str) -> str:
    """The label a person reads (``Safety & Policy``) for a category or its id."""
    return Category(category).label
