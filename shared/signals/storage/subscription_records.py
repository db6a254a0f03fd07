"""Subscriptions in DynamoDB: the record (``SUB#<id>`` / ``SUB``), its owner listing (gsi1) and its
fan-out index rows (``SUBIDX#<category or *>#<shard>`` / ``<min_score:02d>#<sub_id>``).

User edits are optimistic: each carries the version it read and the write is conditional on it
(``VersionConflict`` otherwise); the record and its index rows change in one transaction.
Delivery health (failure count, last success) is updated in place without touching the version.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from signals.config import get_settings
from signals.models import iso
from signals.storage.aws import client
from signals.webhooks.matching import (
    IndexRow,
    index_pk,
    index_rows,
    partition_name,
    score_upper_bound,
)
from signals.webhooks.subscriptions import Subscription

SUB_SK = "SUB"


class VersionConflict(Exception):
    """The subscription changed since it was read (optimistic lock): reread and try again."""


class SubscriptionGone(Exception):
    """The subscription no longer exists."""


def _serializer() -> Any:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


def _deserialize(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    d = TypeDeserializer()
    return {k: d.deserialize(v) for k, v in item.items()}


def _av(value: Any) -> dict[str, Any]:
    return _serializer().serialize(value)


def sub_pk(subscription_id: str) -> str:
    return f"SUB#{subscription_id}"


def owner_pk(owner: str) -> str:
    return f"OWNER#{owner}"


_KEY_ATTRS = ("pk", "sk", "gsi1pk", "gsi1sk")


def to_record(subscription: Subscription) -> dict[str, Any]:
    """The DynamoDB item for a subscription (attribute-value form)."""
    data = subscription.model_dump(mode="json", exclude_none=True)
    data.update(
        pk=sub_pk(subscription.id),
        sk=SUB_SK,
        gsi1pk=owner_pk(subscription.owner),
        gsi1sk=f"{iso(subscription.created_at)}#{subscription.id}",
    )
    return {k: _av(v) for k, v in data.items()}


def from_record(item: dict[str, Any]) -> Subscription:
    data = {k: v for k, v in _deserialize(item).items() if k not in _KEY_ATTRS}
    return Subscription.model_validate(data)


def _row_item(row: IndexRow) -> dict[str, Any]:
    return {
        "pk": {"S": row.pk},
        "sk": {"S": row.sk},
        "subscription_id": {"S": row.subscription_id},
        "min_score": {"N": str(row.min_score)},
        "event_types": {"L": [{"S": t} for t in row.event_types]},
        "tags": {"L": [{"S": t} for t in row.tags]},
        "sources": {"L": [{"S": s} for s in row.sources]},
    }


def _row_from_item(partition: str, item: dict[str, Any]) -> IndexRow:
    return IndexRow(
        partition=partition,
        min_score=int(item["min_score"]["N"]),
        subscription_id=item["subscription_id"]["S"],
        event_types=tuple(v["S"] for v in item["event_types"]["L"]),
        tags=tuple(v["S"] for v in item["tags"]["L"]),
        sources=tuple(v["S"] for v in item["sources"]["L"]),
    )


def _index_changes(before: Subscription | None, after: Subscription | None) -> list[dict[str, Any]]:
    settings = get_settings()
    table, shards = settings.table_name, settings.fanout_shards
    old = {(r.pk, r.sk): r for r in (index_rows(before, shards) if before else [])}
    new = {(r.pk, r.sk): r for r in (index_rows(after, shards) if after else [])}
    ops: list[dict[str, Any]] = [
        {"Delete": {"TableName": table, "Key": {"pk": {"S": pk}, "sk": {"S": sk}}}}
        for (pk, sk) in old
        if (pk, sk) not in new
    ]
    ops += [
        {"Put": {"TableName": table, "Item": _row_item(row)}}
        for key, row in new.items()
        if old.get(key) != row
    ]
    return ops


def _transact(ops: list[dict[str, Any]]) -> None:
    from botocore.exceptions import ClientError

    try:
        client("dynamodb").transact_write_items(TransactItems=ops)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            reasons = exc.response.get("CancellationReasons") or []
            if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or not reasons:
                raise VersionConflict("the subscription changed; read it again") from exc
        raise


def create(subscription: Subscription) -> None:
    """Store a new subscription and its fan-out index rows (one transaction)."""
    table = get_settings().table_name
    _transact(
        [
            {
                "Put": {
                    "TableName": table,
                    "Item": to_record(subscription),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            *_index_changes(None, subscription),
        ]
    )


def get(subscription_id: str, *, consistent: bool = True) -> Subscription | None:
    """One subscription by id (one GetItem), or None."""
    item = (
        client("dynamodb")
        .get_item(
            TableName=get_settings().table_name,
            Key={"pk": {"S": sub_pk(subscription_id)}, "sk": {"S": SUB_SK}},
            ConsistentRead=consistent,
        )
        .get("Item")
    )
    return from_record(item) if item else None


def get_owned(subscription_id: str, owner: str) -> Subscription | None:
    """The subscription when ``owner`` owns it; None otherwise (the API answers 404 either way)."""
    if not subscription_id or len(subscription_id) > 100:
        return None
    found = get(subscription_id)
    return found if found is not None and found.owner == owner else None


def list_owned(
    owner: str, *, limit: int, start_key: dict[str, Any] | None = None
) -> tuple[list[Subscription], dict[str, Any] | None]:
    """A page of an owner's subscriptions, oldest first (gsi1), and the key to continue from."""
    kwargs: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": owner_pk(owner)}},
        "Limit": limit,
    }
    if start_key:
        kwargs["ExclusiveStartKey"] = start_key
    response = client("dynamodb").query(**kwargs)
    return [from_record(i) for i in response.get("Items", [])], response.get("LastEvaluatedKey")


def count_owned(owner: str) -> int:
    """How many subscriptions an owner has (Select COUNT on gsi1: no items transferred)."""
    total = 0
    kwargs: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": owner_pk(owner)}},
        "Select": "COUNT",
    }
    while True:
        response = client("dynamodb").query(**kwargs)
        total += response["Count"]
        if "LastEvaluatedKey" not in response:
            return total
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def replace(before: Subscription, after: Subscription) -> Subscription:
    """Write a user edit: ``after`` (same id) replaces ``before`` if nobody changed it meanwhile.

    Writes only the user-owned attributes and the status, so concurrent health updates survive.
    Returns the stored subscription (version incremented by one).
    """
    table = get_settings().table_name
    stored = after.model_copy(update={"version": before.version + 1})
    data = stored.model_dump(mode="json")
    fields = [
        "url",
        "event_types",
        "filters",
        "description",
        "secrets",
        "updated_at",
        "status",
        "disabled_reason",
        "disabled_at",
        "version",
    ]
    sets, removes, values, names = [], [], {":expected": {"N": str(before.version)}}, {}
    for n, field in enumerate(fields):
        names[f"#f{n}"] = field
        if data[field] is None:
            removes.append(f"#f{n}")
        else:
            sets.append(f"#f{n} = :v{n}")
            values[f":v{n}"] = _av(data[field])
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    update = {
        "TableName": table,
        "Key": {"pk": {"S": sub_pk(before.id)}, "sk": {"S": SUB_SK}},
        "UpdateExpression": expression,
        "ConditionExpression": "attribute_exists(pk) AND #version = :expected",
        "ExpressionAttributeNames": {**names, "#version": "version"},
        "ExpressionAttributeValues": values,
    }
    _transact([{"Update": update}, *_index_changes(before, stored)])
    return stored


def delete(subscription: Subscription) -> None:
    """Delete a subscription and its index rows (its delivery log expires on its own)."""
    table = get_settings().table_name
    _transact(
        [
            {
                "Delete": {
                    "TableName": table,
                    "Key": {"pk": {"S": sub_pk(subscription.id)}, "sk": {"S": SUB_SK}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
            *_index_changes(subscription, None),
        ]
    )


def record_success(subscription_id: str, now: datetime) -> None:
    """A 2xx arrived: reset the failure streak."""
    _health_update(
        subscription_id,
        "SET last_success_at = :now, failure_count = :zero REMOVE failing_since",
        {":now": {"S": iso(now)}, ":zero": {"N": "0"}},
    )


def record_failure(subscription_id: str, now: datetime) -> Subscription | None:
    """A failed attempt: count it, start the failing window if not started; the updated record."""
    return _health_update(
        subscription_id,
        "SET failure_count = if_not_exists(failure_count, :zero) + :one, "
        "failing_since = if_not_exists(failing_since, :now)",
        {":now": {"S": iso(now)}, ":zero": {"N": "0"}, ":one": {"N": "1"}},
    )


def _health_update(subscription_id: str, expression: str, values: dict[str, Any]) -> Subscription | None:
    from botocore.exceptions import ClientError

    try:
        response = client("dynamodb").update_item(
            TableName=get_settings().table_name,
            Key={"pk": {"S": sub_pk(subscription_id)}, "sk": {"S": SUB_SK}},
            UpdateExpression=expression,
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None  # deleted meanwhile
        raise
    return from_record(response["Attributes"])


def disable(subscription_id: str, reason: str, now: datetime) -> Subscription | None:
    """Disable a subscription (410, or failing too long) and drop its index rows; None if gone."""
    for _ in range(3):  # a concurrent edit only costs a reread
        current = get(subscription_id)
        if current is None or current.status == "disabled":
            return current
        after = current.model_copy(
            update={"status": "disabled", "disabled_reason": reason, "disabled_at": now, "updated_at": now}
        )
        try:
            return replace(current, after)
        except VersionConflict:
            continue
    return get(subscription_id)


def matching_rows(
    partition: str, score: int, *, limit: int, start_sk: str | None = None
) -> tuple[list[IndexRow], str | None]:
    """One page of a fan-out partition's rows with ``min_score <= score``; the sk to continue from."""
    kwargs: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "KeyConditionExpression": "pk = :pk AND sk < :upper",
        "ExpressionAttributeValues": {
            ":pk": {"S": index_pk(partition)},
            ":upper": {"S": score_upper_bound(score)},
        },
        "Limit": limit,
    }
    if start_sk:
        kwargs["ExclusiveStartKey"] = {"pk": {"S": index_pk(partition)}, "sk": {"S": start_sk}}
    response = client("dynamodb").query(**kwargs)
    rows = [_row_from_item(partition, item) for item in response.get("Items", [])]
    last = response.get("LastEvaluatedKey")
    return rows, (last["sk"]["S"] if last else None)


def iter_matching_rows(category: str, score: int, *, page: int = 500) -> Iterator[IndexRow]:
    """Every row of a category (or ``*``) with ``min_score <= score``, across all shards (tests, tools)."""
    for shard in range(get_settings().fanout_shards):
        start: str | None = None
        while True:
            rows, start = matching_rows(partition_name(category, shard), score, limit=page, start_sk=start)
            yield from rows
            if start is None:
                break


def reset_health(subscription_id: str) -> None:
    """Forget the failure streak (an explicit re-enable)."""
    _health_update(subscription_id, "SET failure_count = :zero REMOVE failing_since", {":zero": {"N": "0"}})
