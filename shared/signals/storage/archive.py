"""The S3 archive: raw fetched bytes and normalised items, each written exactly once.

Keys are deterministic, and every write is ``PutObject`` with ``If-None-Match: *``: a second
write of the same key gets ``412 PreconditionFailed``, which means "already archived" (success).

* raw feed bytes: ``raw/<source_id>/<yyyy>/<mm>/<dd>/<sha256 of the bytes>.<xml|json>``
* item JSON: ``items/<source_id>/<item_id>/<content_hash>.json`` (one object per version of an
  entry: a publisher's edit is a new, equally write-once object, never an overwrite)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from signals.config import get_settings
from signals.models import Item, as_utc
from signals.storage.aws import client

RAW_PREFIX = "raw/"
ITEMS_PREFIX = "items/"


def raw_key(source_id: str, body: bytes, fetched_at: datetime, extension: str = "xml") -> str:
    """The archive key of one fetched document (same bytes, same day -> same key)."""
    day = as_utc(fetched_at).strftime("%Y/%m/%d")
    return f"{RAW_PREFIX}{source_id}/{day}/{hashlib.sha256(body).hexdigest()}.{extension}"


def item_key(source_id: str, item_id: str, content_hash: str) -> str:
    """The archive key of one version of an item."""
    return f"{ITEMS_PREFIX}{source_id}/{item_id}/{content_hash}.json"


def put_once(key: str, body: bytes, content_type: str) -> bool:
    """Write ``body`` at ``key`` unless something is there; True if written, False if it already was."""
    from botocore.exceptions import ClientError

    try:
        client("s3").put_object(
            Bucket=get_settings().bucket_name, Key=key, Body=body, ContentType=content_type, IfNoneMatch="*"
        )
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if error.get("Code") in ("PreconditionFailed", "412") or status == 412:
            return False
        # A concurrent conditional write to the same key: the other writer wins; same bytes anyway.
        if error.get("Code") == "ConditionalRequestConflict" or status == 409:
            return False
        raise
    return True


def archive_raw(
    source_id: str, body: bytes, fetched_at: datetime, extension: str = "xml"
) -> tuple[str, bool]:
    """Archive raw feed bytes once; returns (key, written)."""
    key = raw_key(source_id, body, fetched_at, extension)
    content_type = "application/json" if extension == "json" else "application/xml"
    return key, put_once(key, body, content_type)


def write_item(item: Item) -> tuple[str, bool]:
    """Archive one item version once; returns (key, written)."""
    key = item_key(item.source_id, item.id, item.content_hash)
    return key, put_once(key, item.model_dump_json().encode("utf-8"), "application/json")


def read_item(key: str) -> Item:
    """The item stored at ``key`` (the scorer's claim-check read)."""
    response = client("s3").get_object(Bucket=get_settings().bucket_name, Key=key)
    return Item.model_validate_json(response["Body"].read())


@dataclass(frozen=True)
class ArchivedObject:
    """One listed archive object."""

    key: str
    last_modified: datetime
    size: int


def list_items(*, since: datetime | None = None, source_id: str | None = None) -> Iterator[ArchivedObject]:
    """Archived item objects (optionally one source's), written at or after ``since`` (for replay)."""
    prefix = f"{ITEMS_PREFIX}{source_id}/" if source_id else ITEMS_PREFIX
    paginator = client("s3").get_paginator("list_objects_v2")
    cutoff = as_utc(since) if since else None
    for page in paginator.paginate(Bucket=get_settings().bucket_name, Prefix=prefix):
        for entry in page.get("Contents", []):
            modified = as_utc(entry["LastModified"])
            if cutoff is None or modified >= cutoff:
                yield ArchivedObject(entry["Key"], modified, int(entry.get("Size", 0)))


class S3Archive:
    """The archive as the scorer's ``ItemArchive`` port (claim-check reads)."""

    def read_item(self, key: str) -> Item:
        return read_item(key)
