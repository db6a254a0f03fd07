"""Links that may leave us: http(s) only, everywhere (feeds, API, pages, webhooks).

Feed entries can carry ``javascript:``, ``data:``, ``vbscript:`` or any other scheme; a feed reader,
a webhook subscriber or a client rendering our ``url`` would follow them. :func:`safe_url` is the
one check, used where links are made (``feeds.urls.canonical_url``) and again at every exit
(:data:`SafeUrl` on the models, the renderers), so a record stored before the check is still safe.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, PlainSerializer

SAFE_SCHEMES = frozenset({"http", "https"})


def safe_url(value: str | None) -> str | None:
    """``value`` when it is an absolute http(s) URL with a host, else None.

    Control characters anywhere refuse it: browsers drop tabs and newlines inside a scheme
    (``java\\tscript:``), so a URL holding them is never judged by its first letters.
    """
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text):
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - an unreadable port is no link
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        return None
    return text


def safe_url_or_empty(value: str | None) -> str:
    """:func:`safe_url`, with ``""`` for no link (the models' ``url`` fields are strings)."""
    return safe_url(value) or ""


#: A URL field that only ever holds, and only ever serialises, an http(s) URL (else ``""``).
SafeUrl = Annotated[str, AfterValidator(safe_url_or_empty), PlainSerializer(safe_url_or_empty)]

__all__ = ["SAFE_SCHEMES", "SafeUrl", "safe_url", "safe_url_or_empty"]
