"""``updated_since``: "what changed since I last looked", and the value a poller sends next time.

The parameter takes an instant (ISO 8601: every signal scored or changed after it) or, as is, the
value a previous answer returned (header ``Signals-Next-Updated-Since``, field
``next_updated_since``). That value is an instant (``2026-06-02T17:00:00Z``: everything changed at
or before that second was offered) or, when a page stopped inside a second, the instant and the id
of the last change offered (``2026-06-02T17:00:00Z~<id>``): ties within a second are ordered by id,
so the value is exact. The reading itself, and why nothing is missed or repeated: ``ranking/changes.py``.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import ConfigDict, Field, ValidationError

from signals.api import cursor as cursors
from signals.api.problems import ApiError
from signals.base_model import SignalsModel
from signals.config import get_settings
from signals.models import Signal, as_utc, iso

if TYPE_CHECKING:
    from signals.ranking.ports import FeedIndex
    from signals.ranking.query import FeedQuery

HEADER = "Signals-Next-Updated-Since"
EXAMPLE = "2026-06-02T17:00:00Z"
#: the clock (seconds since the epoch); tests move it to poll "later"
clock = time.time
_TOKEN = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)~([A-Za-z0-9_-]{1,128})$")


def _error(code: str, detail: str) -> ApiError:
    return ApiError(400, code, "Invalid parameter", f"updated_since: {detail}", parameter="updated_since")


def lower_bound(value: str, now: datetime | None = None) -> str:
    """The position (``ranking.changes``) the answer lists changes strictly after; raises a 400
    ``ApiError`` for a malformed, future or too old value."""
    from signals.ranking.changes import position_after_instant

    token = _TOKEN.match(value)
    try:
        instant = as_utc(datetime.fromisoformat(token.group(1) if token else value))
    except (ValueError, OverflowError):  # not an instant, or one UTC cannot hold (0001-01-01T00:00+01:00)
        raise _error(
            "invalid_updated_since",
            f"{value!r} is neither an ISO 8601 instant (e.g. {EXAMPLE}) nor a value this API returned"
            f" in {HEADER}; send one of those.",
        ) from None
    now = now or datetime.fromtimestamp(clock(), UTC)
    if instant > now:
        raise _error(
            "updated_since_in_future",
            f"{iso(instant)} is in the future (now {iso(now)});"
            " send a past instant or the value last returned.",
        )
    max_age = get_settings().updated_since_max_age_days
    if instant < now - timedelta(days=max_age):
        raise _error(
            "updated_since_too_old",
            f"{iso(instant)} is more than {max_age} days ago; read the feed without updated_since"
            " (newest first) and poll from the value it returns.",
        )
    if token:
        return f"{token.group(1)}#{token.group(2)}"
    if instant.microsecond:  # inside a second (positions are whole seconds): that second again
        return position_after_instant(instant - timedelta(seconds=1))
    return position_after_instant(instant)


def next_value(position: str) -> str:
    """What the poller sends next time for a position: an instant, or an instant and an id."""
    instant, _, signal_id = position.partition("#")
    if signal_id in ("", "\uffff"):
        return instant
    return f"{instant}~{signal_id}"


class ChangesState(SignalsModel):
    """Where a page of changes stopped (cursor state): the last position consumed."""

    model_config = ConfigDict(populate_by_name=True)

    position: str = Field(min_length=21, max_length=200, alias="u")


def read_changes(
    index: FeedIndex, query: FeedQuery, limit: int, cursor: str | None
) -> tuple[list[Signal], str | None, str]:
    """A page of signals changed after ``query.updated_since``, oldest change first: the signals,
    the cursor of the next page (None at the end), and the value to send as ``updated_since`` next
    time (the same position as the cursor's: a poller may use either)."""
    from signals.ranking.changes import read_changes_page

    settings = get_settings()
    now = clock()
    after = lower_bound(query.updated_since, datetime.fromtimestamp(now, UTC))
    if cursor:
        state = cursors.decode(cursor, query.fingerprint(), now=now)
        try:
            after = max(after, ChangesState.model_validate(state).position)
        except ValidationError as exc:
            raise cursors.CursorError(
                "invalid_cursor", "The cursor does not fit this query; start again."
            ) from exc
    # the last whole second that ended at least the settle lag ago (a position covers its whole second)
    horizon = datetime.fromtimestamp(now - settings.updated_since_settle_s - 1, UTC)
    page = read_changes_page(
        index, query, limit, after=after, horizon=horizon, scan_max=settings.updated_since_scan_max
    )
    next_cursor = None
    if page.more:
        state = ChangesState(position=page.position).model_dump(by_alias=True)
        next_cursor = cursors.encode(query.fingerprint(), state, now=now)
    return page.signals, next_cursor, next_value(page.position)
