"""``Retry-After`` (RFC 9110 §10.2.3): how long a server asked us to wait, for feeds and webhooks alike."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

from signals.models import as_utc


def parse_retry_after(value: str | None, now: datetime) -> int | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), else None."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0, int((as_utc(when) - as_utc(now)).total_seconds()))
