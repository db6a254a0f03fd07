"""Standard Webhooks v1 signatures (HMAC-SHA256), as the spec and its reference libraries do it.

Signed content is ``{webhook-id}.{webhook-timestamp}.{raw body}``: the exact body bytes sent.
Secrets are ``whsec_`` + base64 of random bytes; during rotation several secrets sign at once and
the header carries one space-separated ``v1,`` entry per secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping

from signals.models.delivery import webhook_id  # noqa: F401 - the webhook-id is part of a delivery

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
SECRET_BYTES = 32  # spec: 24-64 random bytes; R-03 asks for at least 32
TOLERANCE_S = 300  # the reference libraries' window, both into the past and the future


class SignatureError(ValueError):
    """A webhook did not verify: missing headers, bad timestamp, or no matching signature."""


def generate_secret(nbytes: int = SECRET_BYTES) -> str:
    """A fresh signing secret: ``whsec_`` + base64 of ``nbytes`` random bytes."""
    if nbytes < SECRET_BYTES:
        raise ValueError(f"secrets need at least {SECRET_BYTES} random bytes")
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(nbytes)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key of a secret (prefix optional, unpadded base64 accepted, as the libraries do)."""
    text = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("secret is not base64") from exc
    if not key:
        raise ValueError("secret may not be empty")
    return key


def _timestamp_text(timestamp: int) -> str:
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ValueError(f"timestamp must be a non-negative integer, not {timestamp!r}")
    return str(timestamp)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """One ``v1,<base64>`` signature of ``msg_id.timestamp.body``."""
    if "." in msg_id or not msg_id:
        raise ValueError("webhook-id must be non-empty and contain no '.'")
    payload = body.encode() if isinstance(body, str) else body
    content = f"{msg_id}.{_timestamp_text(timestamp)}.".encode() + payload
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(signing_secrets: Iterable[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: one ``v1`` entry per secret, space-separated."""
    entries = [sign(secret, msg_id, timestamp, body) for secret in signing_secrets]
    if not entries:
        raise ValueError("at least one secret must sign")
    return " ".join(entries)


def webhook_headers(
    signing_secrets: Iterable[str], msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(signing_secrets, msg_id, timestamp, body),
    }


def verify(
    secret: str,
    body: bytes | str,
    headers: Mapping[str, str],
    *,
    now: int | None = None,
    tolerance_s: int | None = TOLERANCE_S,
) -> None:
    """Raise :class:`SignatureError` unless ``headers`` carry a valid v1 signature of ``body``.

    ``tolerance_s=None`` skips the clock check (replaying recorded vectors).
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp")
    header = lowered.get("webhook-signature")
    if not (msg_id and stamp and header):
        raise SignatureError("missing webhook headers")
    try:
        timestamp = int(stamp)
    except ValueError as exc:
        raise SignatureError("webhook-timestamp is not an integer") from exc
    if tolerance_s is not None:
        current = int(time.time()) if now is None else now
        if abs(current - timestamp) > tolerance_s:
            raise SignatureError("webhook-timestamp outside the tolerance")
    try:
        expected = base64.b64decode(sign(secret, msg_id, timestamp, body)[3:])
    except ValueError as exc:
        raise SignatureError(str(exc)) from exc
    for entry in header.split(" "):
        version, _, value = entry.partition(",")
        if version != "v1" or not value:
            continue
        try:
            candidate = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(expected, candidate):
            return
    raise SignatureError("no matching signature")
