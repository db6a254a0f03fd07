"""The subscription counters (``SUBCOUNT#<counter>`` / ``COUNT``) read and set whole, for the one-off
fill of a table that held subscriptions before the counters existed (``signals.ops.migrations``).

Live code never sets a counter: it adds ``+1``/``-1`` inside the subscription's own transaction
(``subscription_records``). Here every read is strongly consistent, the subscriptions are read with
a paginated Scan (an admin job, run once per table: no index lists every subscription), and a
counter is set only if it still holds the value read (``set_counter``), so a live change is never
overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from signals.config import get_settings
from signals.models.subscription import Subscription
from signals.storage import key_schema
from signals.storage.aws import client
from signals.storage.story_records import batch_get
from signals.storage.subscription_records import from_record

_COUNTER_PREFIX = key_schema.sub_count_pk("")


def _scan(filter_expression: str, values: dict[str, Any], page_size: int) -> Iterator[dict[str, Any]]:
    """Every item of the table matching the filter: a consistent, paginated Scan."""
    kwargs: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "FilterExpression": filter_expression,
        "ExpressionAttributeValues": values,
        "ConsistentRead": True,
        "Limit": page_size,
    }
    while True:
        response = client("dynamodb").scan(**kwargs)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def scan_counters(page_size: int) -> dict[str, int]:
    """Every stored subscription counter: name (``owner#<key>``...) -> value."""
    items = _scan(
        "begins_with(pk, :prefix) AND sk = :sk",
        {":prefix": {"S": _COUNTER_PREFIX}, ":sk": {"S": key_schema.SUB_COUNT_SK}},
        page_size,
    )
    return {item["pk"]["S"].removeprefix(_COUNTER_PREFIX): int(item["n"]["N"]) for item in items}


def scan_subscriptions(page_size: int) -> Iterator[Subscription]:
    """Every stored subscription (active or disabled)."""
    items = _scan("sk = :sk", {":sk": {"S": key_schema.SUB_SK}}, page_size)
    return (from_record(item) for item in items)


def _counter_key(counter: str) -> dict[str, Any]:
    return {"pk": {"S": key_schema.sub_count_pk(counter)}, "sk": {"S": key_schema.SUB_COUNT_SK}}


def read_counters(counters: Iterable[str]) -> dict[str, int]:
    """The current value of each named counter that exists (consistent BatchGetItem)."""
    items = batch_get([_counter_key(c) for c in counters])
    return {item["pk"]["S"].removeprefix(_COUNTER_PREFIX): int(item["n"]["N"]) for item in items}


def set_counter(counter: str, value: int, expected: int | None) -> bool:
    """Set ``counter`` to ``value`` if it still holds ``expected`` (None: absent); False if it changed."""
    from botocore.exceptions import ClientError

    if expected is None:
        condition, values = "attribute_not_exists(pk)", {}
    else:
        condition, values = "n = :expected", {":expected": {"N": str(expected)}}
    try:
        client("dynamodb").update_item(
            TableName=get_settings().table_name,
            Key=_counter_key(counter),
            UpdateExpression="SET n = :value",
            ConditionExpression=condition,
            ExpressionAttributeValues={":value": {"N": str(value)}, **values},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


__all__ = ["read_counters", "scan_counters", "scan_subscriptions", "set_counter"]
