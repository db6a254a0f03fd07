"""Cursors: round trip, and every way of abusing one is a CursorError (never another exception)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals.api import cursor
from signals.api.cursor import CursorError

STATE = {"m": ["2026-06", "2026-05"], "p": [[0, "2026-06-02T17:01:00Z#sig1"]]}
NOW = 1_780_000_000.0


def test_round_trip() -> None:
    token = cursor.encode("q1", STATE, now=NOW)
    assert cursor.decode(token, "q1", now=NOW + 10) == STATE
    assert "2026" not in token or "." in token  # opaque base64url, signed


def test_every_flipped_byte_is_rejected() -> None:
    token = cursor.encode("q1", STATE, now=NOW)
    for index in range(len(token)):
        flipped = token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]
        with pytest.raises(CursorError):
            cursor.decode(flipped, "q1", now=NOW)


def test_other_query_and_expiry() -> None:
    token = cursor.encode("q1", STATE, now=NOW)
    with pytest.raises(CursorError) as mismatch:
        cursor.decode(token, "q2", now=NOW)
    assert mismatch.value.code == "cursor_mismatch"
    with pytest.raises(CursorError) as expired:
        cursor.decode(token, "q1", now=NOW + 24 * 3600 + 120)
    assert expired.value.code == "cursor_expired"


def test_secret_matters(monkeypatch: pytest.MonkeyPatch) -> None:
    from signals.config import reset_settings

    token = cursor.encode("q1", STATE, now=NOW)
    monkeypatch.setenv("SIGNALS_CURSOR_SECRET", "another-secret-also-at-least-32-characters")
    reset_settings()
    with pytest.raises(CursorError):
        cursor.decode(token, "q1", now=NOW)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_decoder_raises_only_cursor_errors(text: str) -> None:
    with contextlib.suppress(CursorError):
        cursor.decode(text, "q1", now=NOW)
