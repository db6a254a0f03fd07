"""API keys: only a SHA-256 hash of each key is stored (``APIKEY#<sha256>`` / ``APIKEY``).

Keys are 32 random bytes; a fast hash is enough for random secrets (no dictionary to attack),
and lookup by hash is one GetItem.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from pydantic import BaseModel

from signals.config import get_settings
from signals.models import iso, utcnow
from signals.storage import key_schema
from signals.storage.aws import client

API_KEY_SK = key_schema.API_KEY_SK
KEY_PREFIX = "sig_"


class ApiKey(BaseModel):
    """A stored key: its public id (owner of subscriptions) and name; never the key itself."""

    key_id: str
    name: str
    created_at: datetime


def key_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _pk(plaintext: str) -> str:
    return key_schema.apikey_pk(key_hash(plaintext))


def new_key_text() -> str:
    """A fresh random API key (shown once)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def store_key(plaintext: str, name: str) -> ApiKey:
    """Store the hash of ``plaintext`` under ``name``; idempotent for the same key text."""
    from botocore.exceptions import ClientError

    key = ApiKey(key_id="key_" + secrets.token_hex(8), name=name, created_at=utcnow())
    try:
        client("dynamodb").put_item(
            TableName=get_settings().table_name,
            Item={
                "pk": {"S": _pk(plaintext)},
                "sk": {"S": API_KEY_SK},
                "key_id": {"S": key.key_id},
                "name": {"S": name},
                "created_at": {"S": iso(key.created_at)},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        existing = authenticate(plaintext)
        assert existing is not None
        return existing
    return key


def create_key(name: str) -> tuple[str, ApiKey]:
    """A new key: (the key text, to show once; the stored record)."""
    plaintext = new_key_text()
    return plaintext, store_key(plaintext, name)


def authenticate(plaintext: str) -> ApiKey | None:
    """The key record for a presented key, or None (one GetItem on the hash)."""
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
    if not item:
        return None
    return ApiKey(key_id=item["key_id"]["S"], name=item["name"]["S"], created_at=item["created_at"]["S"])
