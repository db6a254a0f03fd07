"""The daily digest in DynamoDB: the day's signals read for a build, and the one record per day.

| record | pk | sk | gsi1 |
|---|---|---|---|
| daily digest | ``DIGEST#<yyyy-mm-dd>`` | ``DIGEST`` | ``DIGESTS`` / ``<yyyy-mm-dd>`` |

A build reads only its day: one Query of the day's month partition of the time index (gsi1
``FEED#<month>``) bounded to the day's sort keys, paged. The record is written once
(``attribute_not_exists``), so a retried schedule writes nothing new; a rebuild replaces it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from signals.config import get_settings
from signals.models import Signal
from signals.models.day_digest import Digest
from signals.storage import key_schema
from signals.storage.aws import client

DIGEST_SK = key_schema.DIGEST_SK


def day_signals(day: str) -> Iterator[Signal]:
    """The signals published on ``day`` (UTC), a page at a time: Queries of that day's range of one
    month partition. A generator: a day of 100,000 items is never held in memory at once."""
    request: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {
            ":pk": {"S": key_schema.time_index_pk(day[:7])},
            ":lo": {"S": f"{day}T"},
            ":hi": {"S": f"{day}T{key_schema.TOP}"},
        },
        "ProjectionExpression": "body",
    }
    while True:
        response = client("dynamodb").query(**request)
        for item in response.get("Items", []):
            yield Signal.model_validate_json(item["body"]["S"])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _record(digest: Digest) -> dict[str, Any]:
    return {
        "pk": {"S": key_schema.digest_pk(digest.date)},
        "sk": {"S": DIGEST_SK},
        "gsi1pk": {"S": key_schema.DIGESTS_INDEX_PK},
        "gsi1sk": {"S": digest.date},
        "body": {"S": digest.model_dump_json()},
    }


def put_digest(digest: Digest, *, replace: bool = False) -> bool:
    """Store a day's digest; without ``replace`` only if the day has none. True if it was written."""
    dynamodb = client("dynamodb")
    request: dict[str, Any] = {"TableName": get_settings().table_name, "Item": _record(digest)}
    if not replace:
        request["ConditionExpression"] = "attribute_not_exists(pk)"
    try:
        dynamodb.put_item(**request)
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return False
    return True


def get_digest(day: str) -> Digest | None:
    """One day's digest (one GetItem), or None."""
    response = client("dynamodb").get_item(
        TableName=get_settings().table_name,
        Key={"pk": {"S": key_schema.digest_pk(day)}, "sk": {"S": DIGEST_SK}},
    )
    item = response.get("Item")
    return Digest.model_validate_json(item["body"]["S"]) if item else None


def _days(*, below: str | None = None, above: str | None = None, limit: int, newest_first: bool) -> list[str]:
    condition, values = "gsi1pk = :pk", {":pk": {"S": key_schema.DIGESTS_INDEX_PK}}
    if below is not None:
        condition, values[":d"] = condition + " AND gsi1sk < :d", {"S": below}
    elif above is not None:
        condition, values[":d"] = condition + " AND gsi1sk > :d", {"S": above}
    response = client("dynamodb").query(
        TableName=get_settings().table_name,
        IndexName="gsi1",
        KeyConditionExpression=condition,
        ExpressionAttributeValues=values,
        ProjectionExpression="gsi1sk",
        ScanIndexForward=not newest_first,
        Limit=limit,
    )
    return [item["gsi1sk"]["S"] for item in response.get("Items", [])]


def latest_days(limit: int) -> list[str]:
    """The newest days that have a digest, newest first (one Query of the digest index)."""
    return _days(limit=limit, newest_first=True)


def neighbours(day: str) -> tuple[str | None, str | None]:
    """The nearest earlier and later days that have a digest (two Queries of one item each)."""
    earlier = _days(below=day, limit=1, newest_first=True)
    later = _days(above=day, limit=1, newest_first=False)
    return (earlier[0] if earlier else None, later[0] if later else None)


def latest_digests(limit: int) -> list[Digest]:
    """The newest stored digests, newest first: one Query of the digest index (it projects the body)."""
    response = client("dynamodb").query(
        TableName=get_settings().table_name,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": key_schema.DIGESTS_INDEX_PK}},
        ProjectionExpression="body",
        ScanIndexForward=False,
        Limit=limit,
    )
    return [Digest.model_validate_json(item["body"]["S"]) for item in response.get("Items", [])]
