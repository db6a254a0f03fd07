"""Opaque, signed page cursors: bound to the query's filters and expiring after a while.

A cursor is ``base64url(json payload) . base64url(HMAC-SHA256(payload))``. The payload holds the
query fingerprint's hash, the issue time and where each index lane stopped; nothing in it is
trusted before the signature, the fingerprint and the age have been checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

from signals.api.cursor_key import cursor_key
from signals.config import get_settings


class CursorError(ValueError):
    """The cursor cannot be used: tampered, malformed, expired or made for another query."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(payload: bytes) -> bytes:
    return hmac.new(cursor_key().encode(), payload, hashlib.sha256).digest()


def _query_hash(fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:16]


def encode(fingerprint: str, state: dict[str, Any], *, now: float | None = None) -> str:
    """A cursor for resuming the query ``fingerprint`` from ``state``."""
    # Issue time in whole cache periods: the same page within one period is byte-identical (stable
    # strong ETag); expiry is measured from the start of the period.
    period = max(get_settings().cache_max_age_s, 1)
    issued = int(now if now is not None else time.time()) // period * period
    payload = {"q": _query_hash(fingerprint), "t": issued, "s": state}
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(raw)}.{_b64(_mac(raw))}"


def decode(cursor: str, fingerprint: str, *, now: float | None = None) -> dict[str, Any]:
    """The state in a cursor made for ``fingerprint``; raises ``CursorError`` otherwise."""
    settings = get_settings()
    if len(cursor) > settings.cursor_max_chars or cursor.count(".") != 1:
        raise CursorError("invalid_cursor", "The cursor is malformed; start again without a cursor.")
    body, signature = cursor.split(".")
    try:
        raw, mac = _unb64(body), _unb64(signature)
    except (binascii.Error, ValueError) as exc:
        raise CursorError("invalid_cursor", "The cursor is malformed; start again without a cursor.") from exc
    if not hmac.compare_digest(mac, _mac(raw)):
        raise CursorError("invalid_cursor", "The cursor was altered; start again without a cursor.")
    try:
        payload = json.loads(raw)
        issued, query_hash, state = int(payload["t"]), str(payload["q"]), payload["s"]
    except (ValueError, KeyError, TypeError) as exc:
        raise CursorError("invalid_cursor", "The cursor is malformed; start again without a cursor.") from exc
    if not isinstance(state, dict):
        raise CursorError("invalid_cursor", "The cursor is malformed; start again without a cursor.")
    if query_hash != _query_hash(fingerprint):
        raise CursorError(
            "cursor_mismatch", "The cursor belongs to a query with other filters; keep the filters unchanged."
        )
    current = now if now is not None else time.time()
    if current - issued > settings.cursor_max_age_s or issued - current > 300:
        raise CursorError("cursor_expired", "The cursor has expired; start again from the first page.")
    return state
