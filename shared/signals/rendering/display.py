"""Display text shared by pages and feeds: ``2 Jun 2026, 17:01 UTC`` (``2 Jun 2026`` for a date-only
item), ``8/10``, category labels."""

from __future__ import annotations

from datetime import datetime

from signals.models import Category, Signal, as_utc


def display_time(value: datetime) -> str:
    """``2 Jun 2026, 17:01 UTC``."""
    utc = as_utc(value)
    return f"{utc.day} {utc:%b %Y, %H:%M} UTC"


def display_date(value: datetime) -> str:
    """``2 Jun 2026`` (a publisher that gave a day and no time)."""
    return display_time(value).split(",")[0]


def display_when(value: datetime, date_only: bool) -> str:
    """``2 Jun 2026, 17:01 UTC``, or ``2 Jun 2026`` when the publisher gave a date and no time
    (``published_date_only``: never a made-up "00:00 UTC")."""
    return display_date(value) if date_only else display_time(value)


def display_published(signal: Signal) -> str:
    """When a signal was published, as :func:`display_when` shows it."""
    return display_when(signal.published_at, signal.published_date_only)


def display_score(score: int) -> str:
    """``8/10``."""
    return f"{score}/10"


def category_label(category: Category | str) -> str:
    """The label a person reads (``Safety & Policy``) for a category or its id."""
    return Category(category).label
