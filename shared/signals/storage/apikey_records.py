"""API keys: only a SHA-256 hash of each key is stored (``APIKEY#<sha256>`` / ``APIKEY``).

Keys are 32 random bytes; a fast hash is enough for random secrets (no dictionary to attack),
and lookup by hash is one GetItem. A chosen key (``SIGNALS_DEMO_API_KEY``, :func:`store_key`) must
be as hard to guess: at least ``SIGNALS_API_KEY_MIN_CHARS`` url-safe characters carrying an
estimated ``SIGNALS_API_KEY_MIN_BITS``. Every key record is also in the ``APIKEYS`` partition of
gsi1 (``<created>#<key_id>``): keys are listed and revoked by id with a Query, never a Scan. A
revoked key stays stored (its id still owns its subscriptions) and never authenticates again.
Keys stored before that index existed are put into it by ``signals migrate api-keys``
(``unindexed_keys``, ``index_key``).
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections import Counter
from datetime import datetime
from typing import Any

from signals.base_model import SignalsModel
from signals.config import get_settings
from signals.models import iso, utcnow
from signals.storage import key_schema
from signals.storage.aws import client

API_KEY_SK = key_schema.API_KEY_SK
KEY_PREFIX = "sig_"
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


class ApiKey(SignalsModel):
    """A stored key: its public id (owner of subscriptions) and name; never the key itself."""

    key_id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None = None


class WeakKey(ValueError):
    """A chosen key text too short or too predictable to be a secret."""


def key_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _pk(plaintext: str) -> str:
    return key_schema.apikey_pk(key_hash(plaintext))


def new_key_text() -> str:
    """A fresh random API key (shown once)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def estimated_bits(text: str) -> float:
    """A key's entropy as its length times the entropy of its own character frequencies.

    Generous to a random key (``token_urlsafe(32)``: ~200 bits), hard on repeats and short words.
    """
    if not text:
        return 0.0
    counts = Counter(text)
    per_char = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    return len(text) * per_char


def check_key_strength(plaintext: str) -> None:
    """Raise :class:`WeakKey` unless ``plaintext`` is long, url-safe and random enough."""
    settings = get_settings()
    if len(plaintext) < settings.api_key_min_chars or not _URL_SAFE.fullmatch(plaintext):
        raise WeakKey(
            f"a chosen API key must be at least {settings.api_key_min_chars} characters of A-Z, a-z, "
            "0-9, '-' and '_'; make one with `signals keys create` or python -c "
            "'import secrets; print(\"sig_\" + secrets.token_urlsafe(32))'"
        )
    if estimated_bits(plaintext) < settings.api_key_min_bits:
        raise WeakKey(
            f"the chosen API key is too predictable (about {estimated_bits(plaintext):.0f} bits, "
            f"{settings.api_key_min_bits} needed); use random characters (secrets.token_urlsafe(32))"
        )


def store_key(plaintext: str, name: str) -> ApiKey:
    """Store the hash of ``plaintext`` under ``name``; idempotent for the same key text.

    ``WeakKey`` for a key text that is not strong enough; a revoked key text is never stored again.
    """
    from botocore.exceptions import ClientError

    check_key_strength(plaintext)
    key = ApiKey(key_id="key_" + secrets.token_hex(8), name=name, created_at=utcnow())
    try:
        client("dynamodb").put_item(
            TableName=get_settings().table_name,
            Item={
                "pk": {"S": _pk(plaintext)},
                "sk": {"S": API_KEY_SK},
                "gsi1pk": {"S": key_schema.APIKEYS_INDEX_PK},
                "gsi1sk": {"S": key_schema.time_sort_key(key.created_at, key.key_id)},
                "key_id": {"S": key.key_id},
                "name": {"S": name},
                "created_at": {"S": iso(key.created_at)},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        existing = _get(plaintext)
        if existing is None or existing.revoked_at is not None:
            raise WeakKey("this API key text was revoked; choose a new one") from exc
        return existing
    return key


def create_key(name: str) -> tuple[str, ApiKey]:
    """A new key: (the key text, to show once; the stored record)."""
    plaintext = new_key_text()
    return plaintext, store_key(plaintext, name)


def _from_item(item: dict[str, Any]) -> ApiKey:
    revoked = item.get("revoked_at", {}).get("S")
    return ApiKey(
        key_id=item["key_id"]["S"],
        name=item["name"]["S"],
        created_at=item["created_at"]["S"],
        revoked_at=revoked,
    )


def _get(plaintext: str) -> ApiKey | None:
    if not plaintext or len(plaintext) > 256:
        return None
    item = (
        client("dynamodb")
        .get_item(
            TableName=get_settings().table_name,
            Key={"pk": {"S": _pk(plaintext)}, "sk": {"S": API_KEY_SK}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return _from_item(item) if item else None


def authenticate(plaintext: str) -> ApiKey | None:
    """The key record for a presented key, or None (one GetItem on the hash); a revoked key is None."""
    key = _get(plaintext)
    return key if key is not None and key.revoked_at is None else None


def _index_items(key_id: str | None = None) -> list[dict[str, Any]]:
    """Every key record in the ``APIKEYS`` partition of gsi1 (one key's, with ``key_id``), oldest first."""
    kwargs: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": key_schema.APIKEYS_INDEX_PK}},
    }
    if key_id is not None:
        kwargs["FilterExpression"] = "key_id = :id"
        kwargs["ExpressionAttributeValues"][":id"] = {"S": key_id}
    items: list[dict[str, Any]] = []
    while True:
        response = client("dynamodb").query(**kwargs)
        items += response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return items
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def list_keys() -> list[ApiKey]:
    """Every key (id, name, created, revoked), oldest first; never the key text nor its hash."""
    return [_from_item(item) for item in _index_items()]


def revoke_key(key_id: str, now: datetime | None = None) -> ApiKey | None:
    """Revoke the key with this id (idempotent: the first revocation time stays); None if unknown."""
    found = _index_items(key_id)
    if not found:
        return None
    item = client("dynamodb").update_item(
        TableName=get_settings().table_name,
        Key={"pk": found[0]["pk"], "sk": found[0]["sk"]},
        UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :now)",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":now": {"S": iso(now or utcnow())}},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    return _from_item(item)


def unindexed_keys(page_size: int) -> list[tuple[str, ApiKey]]:
    """Keys stored before the listing index existed (no ``gsi1pk``), each with its record's ``pk``:
    a paginated Scan, for the one-off ``signals migrate api-keys`` (``list_keys`` cannot see them)."""
    kwargs: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "FilterExpression": "sk = :sk AND attribute_not_exists(gsi1pk)",
        "ExpressionAttributeValues": {":sk": {"S": API_KEY_SK}},
        "Limit": page_size,
    }
    found: list[tuple[str, ApiKey]] = []
    while True:
        response = client("dynamodb").scan(**kwargs)
        found += [(item["pk"]["S"], _from_item(item)) for item in response.get("Items", [])]
        if "LastEvaluatedKey" not in response:
            return found
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def index_key(record_pk: str, key: ApiKey) -> bool:
    """Put an unindexed key (``record_pk`` from ``unindexed_keys``) into the listing index under its
    creation time and id, as ``store_key`` does; False when it is gone or already indexed."""
    from botocore.exceptions import ClientError

    try:
        client("dynamodb").update_item(
            TableName=get_settings().table_name,
            Key={"pk": {"S": record_pk}, "sk": {"S": API_KEY_SK}},
            UpdateExpression="SET gsi1pk = :pk, gsi1sk = :sk",
            ConditionExpression="attribute_exists(pk) AND attribute_not_exists(gsi1pk)",
            ExpressionAttributeValues={
                ":pk": {"S": key_schema.APIKEYS_INDEX_PK},
                ":sk": {"S": key_schema.time_sort_key(key.created_at, key.key_id)},
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
