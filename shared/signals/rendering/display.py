"""Display text shared by pages and feeds: ``2 Jun 2026, 17:01 UTC``, ``8/10``, category labels."""

from __future__ import annotations

from datetime import datetime

from signals.models import Category, as_utc


def display_time(value: datetime) -> str:
    """``2 Jun 2026, 17:01 UTC``."""
    utc = as_utc(value)
    return f"{utc.day} {utc:%b %Y, %H:%M} UTC"


def display_score(score: int) -> str:
    """``8/10``."""
    return f"{score}/10"


def category_label(category: Category | str) -> str:
    """The label a person reads (``Safety & Policy``) for a category or its id."""
    return Category(category).label
