"""Display text shared by pages and feeds: ``2 Jun 2026, 17:01 UTC`` (``2 Jun 2026`` for a date-only
item), ``8/10``, category labels."""

from __future__ import annotations

from datetime import datetime

from signals.models import Category, as_utc


def display_time(value: datetime) -> str:
    """``2 Jun 2026, 17:01 UTC``."""
    utc = as_utc(value)
    return f"{utc.day} {utc:%b %Y, %H:%M} UTC"


def is_date_only(value: datetime) -> bool:
    """Whether an instant is a bare date: midnight UTC to the second, as a feed that gave only a
    date (``2026-06-02``) is stored. A story really published at 00:00:00 UTC reads as its date."""
    utc = as_utc(value)
    return (utc.hour, utc.minute, utc.second, utc.microsecond) == (0, 0, 0, 0)


def display_when_known(value: datetime) -> str:
    """``2 Jun 2026, 17:01 UTC``, or ``2 Jun 2026`` for a date-only instant (never "00:00 UTC")."""
    utc = as_utc(value)
    return f"{utc.day} {utc:%b %Y}" if is_date_only(utc) else display_time(utc)


def display_score(score: int) -> str:
    """``8/10``."""
    return f"{score}/10"


def category_label(category: Category | str) -> str:
    """The label a person reads (``Safety & Policy``) for a category or its id."""
    return Category(category).label
