"""Validators of a feed answer: an ETag that depends on what is shown, and ``Last-Modified``.

A page's next cursor is signed with its issue time (so that it can expire), and a ``sort=hot``
ranking is computed as of the request: the bytes change from one cache period to the next while
the page shows the same signals. The ETag (``http_policy``) is therefore a hash of the body with
the cursor left out (``ignore_in_etag``): the same signals in the same order, the same next page
state, the same ETag, so ``If-None-Match`` answers 304 on every sort. ``Last-Modified`` is the
latest change (``updated_at``) among the signals shown; ``If-Modified-Since`` is honoured when the
request has no ``If-None-Match`` (RFC 9110 section 13.1.3).
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from signals.models import Signal, as_utc

#: The request context key (``Router.append_context``) naming the text the ETag leaves out.
ETAG_IGNORES = "etag_ignores"


def ignore_in_etag(context: MutableMapping[str, Any], token: str | None) -> None:
    """Leave ``token`` (e.g. a next-page cursor) out of this answer's ETag."""
    if token:
        context[ETAG_IGNORES] = token


def etag_basis(context: MutableMapping[str, Any], body: str | bytes) -> str | bytes:
    """What the ETag hashes: the body without the token ``ignore_in_etag`` named."""
    token = context.get(ETAG_IGNORES)
    if not token:
        return body
    if isinstance(body, bytes):
        return body.replace(token.encode(), b"")
    return body.replace(token, "")


def last_modified(signals: Iterable[Signal]) -> dict[str, str]:
    """The ``Last-Modified`` header of an answer showing ``signals`` (none when it shows none)."""
    latest = max((as_utc(s.updated_at) for s in signals), default=None)
    return {"Last-Modified": format_datetime(latest, usegmt=True)} if latest else {}


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return as_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None  # an unreadable date is ignored (RFC 9110: the condition is not evaluated)


def not_modified_since(if_modified_since: str | None, last_modified_header: str | None) -> bool:
    """Whether ``If-Modified-Since`` says the client holds the answer already."""
    since, modified = _instant(if_modified_since), _instant(last_modified_header)
    return since is not None and modified is not None and modified <= since
