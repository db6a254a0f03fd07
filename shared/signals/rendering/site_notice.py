"""One line every page shows above its content while something site-wide is under way.

The local demo sets the source (its first ingest: "Still ingesting: 12 of 32 feeds fetched, ...");
deployed, nothing sets it and pages show nothing. Read at render time, so it costs no AWS call.
"""

from __future__ import annotations

from collections.abc import Callable

_source: Callable[[], str] | None = None


def set_source(source: Callable[[], str] | None) -> None:
    """Who says what the line is (``None``: no line)."""
    global _source
    _source = source


def current() -> str:
    """The line to show now, or "" (a failing source shows nothing rather than breaking a page)."""
    if _source is None:
        return ""
    try:
        return _source()
    except Exception:
        return ""
