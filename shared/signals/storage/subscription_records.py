"""Subscriptions in DynamoDB: the record (``SUB#<id>`` / ``SUB``), its owner listing (gsi1) and its
fan-out index rows (``SUBIDX#<partition>`` / ``<min_score:02d>#<sub_id>``, partition
``<category or *>#<shard>``).

``DynamoSubscriptionStore`` implements ``webhooks.ports.SubscriptionStore``. Which rows a
subscription owns is a domain rule, given to the store as ``rows_for``; how rows are keyed is
decided here. User edits are optimistic: each carries the version it read and the write is
conditional on it (``VersionConflict`` otherwise); the record and its index rows change in one
transaction. Delivery health (failure count, last success) is updated in place without touching
the version.

Caps are atomic: each subscription occupies counters the domain names (``counted_in``: counter ->
cap, e.g. its owner's and its owner's-at-this-host), kept in ``SUBCOUNT#<counter>`` items that
change in the same transaction as the record, an increment conditional on ``n < cap``; a full
counter cancels the whole write (``CapReached``), so two concurrent creates cannot both pass a
count read before either was written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from signals.config import get_settings
from signals.models import iso
from signals.models.subscription import CapReached, IndexRow, Subscription, VersionConflict
from signals.storage import key_schema
from signals.storage.aws import client

SUB_SK = key_schema.SUB_SK

#: The domain rule the store is given: the index rows a subscription owns (none when disabled).
RowsFor = Callable[[Subscription], Sequence[IndexRow]]

#: The domain rule for caps: the counters a subscription occupies, each with its cap.
CountersFor = Callable[[Subscription], Mapping[str, int]]


def no_counters(_: Subscription) -> Mapping[str, int]:
    return {}


def counter_changes(
    counted_in: CountersFor, before: Subscription | None, after: Subscription | None
) -> tuple[list[str], dict[str, int]]:
    """Counters to decrement, and those to increment (with their caps), when ``before`` becomes ``after``."""
    old = counted_in(before) if before else {}
    new = counted_in(after) if after else {}
    return [c for c in old if c not in new], {c: cap for c, cap in new.items() if c not in old}


#: The subscription's user-owned attributes and its status: what a user edit (``replace``) writes.
EDITABLE_FIELDS = (
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
)
_KEY_ATTRS = ("pk", "sk", "gsi1pk", "gsi1sk")


# --------------------------------------------------------------------------- key shapes
# (``storage/key_schema.py``: ``sub_pk``, ``owner_pk``, ``fanout_pk``, ``fanout_sk``, ``fanout_score_bound``)


def index_sk(row: IndexRow) -> str:
    return key_schema.fanout_sk(row.min_score, row.subscription_id)


# --------------------------------------------------------------------------- items


def _av(value: Any) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer().serialize(value)


def _deserialize(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    d = TypeDeserializer()
    return {k: d.deserialize(v) for k, v in item.items()}


def to_record(subscription: Subscription) -> dict[str, Any]:
    """The DynamoDB item for a subscription (attribute-value form)."""
    data = subscription.model_dump(mode="json", exclude_none=True)
    data.update(
        pk=key_schema.sub_pk(subscription.id),
        sk=SUB_SK,
        gsi1pk=key_schema.owner_pk(subscription.owner),
        gsi1sk=f"{iso(subscription.created_at)}#{subscription.id}",
    )
    return {k: _av(v) for k, v in data.items()}


def from_record(item: dict[str, Any]) -> Subscription:
    data = {k: v for k, v in _deserialize(item).items() if k not in _KEY_ATTRS}
    return Subscription.model_validate(data)


def row_item(row: IndexRow) -> dict[str, Any]:
    """The DynamoDB item of a fan-out index row."""
    return {
        "pk": {"S": key_schema.fanout_pk(row.partition)},
        "sk": {"S": index_sk(row)},
        "subscription_id": {"S": row.subscription_id},
        "min_score": {"N": str(row.min_score)},
        "event_types": {"L": [{"S": t} for t in row.event_types]},
        "tags": {"L": [{"S": t} for t in row.tags]},
        "sources": {"L": [{"S": s} for s in row.sources]},
        **({"entities": {"L": [{"S": e} for e in row.entities]}} if row.entities else {}),
    }


def _row_from_item(partition: str, item: dict[str, Any]) -> IndexRow:
    return IndexRow(
        partition=partition,
        min_score=int(item["min_score"]["N"]),
        subscription_id=item["subscription_id"]["S"],
        event_types=tuple(v["S"] for v in item["event_types"]["L"]),
        tags=tuple(v["S"] for v in item["tags"]["L"]),
        sources=tuple(v["S"] for v in item["sources"]["L"]),
        entities=tuple(v["S"] for v in item.get("entities", {}).get("L", [])),  # rows before entities
    )


def _sub_key(subscription_id: str) -> dict[str, Any]:
    return {"pk": {"S": key_schema.sub_pk(subscription_id)}, "sk": {"S": SUB_SK}}


def _edit_update(table: str, before: Subscription, stored: Subscription) -> dict[str, Any]:
    """The conditional update writing a user edit (only the user-owned attributes and the status)."""
    data = stored.model_dump(mode="json")
    sets, removes, values, names = [], [], {":expected": {"N": str(before.version)}}, {}
    for n, name in enumerate(EDITABLE_FIELDS):
        names[f"#f{n}"] = name
        if data[name] is None:
            removes.append(f"#f{n}")
        else:
            sets.append(f"#f{n} = :v{n}")
            values[f":v{n}"] = _av(data[name])
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    return {
        "TableName": table,
        "Key": _sub_key(before.id),
        "UpdateExpression": expression,
        "ConditionExpression": "attribute_exists(pk) AND #version = :expected",
        "ExpressionAttributeNames": {**names, "#version": "version"},
        "ExpressionAttributeValues": values,
    }


# --------------------------------------------------------------------------- the store


class DynamoSubscriptionStore:
    """``SubscriptionStore`` over the single table (every call one request or one transaction)."""

    def __init__(self, rows_for: RowsFor, counted_in: CountersFor = no_counters):
        self._rows_for = rows_for
        self._counted_in = counted_in

    def _counter_ops(self, before: Subscription | None, after: Subscription | None) -> list[dict[str, Any]]:
        """Counter updates: ``-1`` for counters left, ``+1`` if below the cap for counters joined."""
        table = get_settings().table_name
        left, joined = counter_changes(self._counted_in, before, after)

        def update(counter: str, delta: int, cap: int | None) -> dict[str, Any]:
            op: dict[str, Any] = {
                "TableName": table,
                "Key": {"pk": {"S": key_schema.sub_count_pk(counter)}, "sk": {"S": key_schema.SUB_COUNT_SK}},
                "UpdateExpression": "ADD n :delta",
                "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
            }
            if cap is not None:
                op["ConditionExpression"] = "attribute_not_exists(n) OR n < :cap"
                op["ExpressionAttributeValues"][":cap"] = {"N": str(cap)}
            return {"Update": op}

        return [update(c, -1, None) for c in left] + [update(c, 1, cap) for c, cap in joined.items()]

    def _index_changes(self, before: Subscription | None, after: Subscription | None) -> list[dict[str, Any]]:
        table = get_settings().table_name
        old = {
            (key_schema.fanout_pk(r.partition), index_sk(r)): r
            for r in (self._rows_for(before) if before else [])
        }
        new = {
            (key_schema.fanout_pk(r.partition), index_sk(r)): r
            for r in (self._rows_for(after) if after else [])
        }
        ops: list[dict[str, Any]] = [
            {"Delete": {"TableName": table, "Key": {"pk": {"S": pk}, "sk": {"S": sk}}}}
            for (pk, sk) in old
            if (pk, sk) not in new
        ]
        ops += [
            {"Put": {"TableName": table, "Item": row_item(row)}}
            for key, row in new.items()
            if old.get(key) != row
        ]
        return ops

    def create(self, subscription: Subscription) -> None:
        """Store a new subscription and its fan-out index rows (one transaction)."""
        put = {
            "TableName": get_settings().table_name,
            "Item": to_record(subscription),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        counters = self._counter_ops(None, subscription)
        _transact([*counters, {"Put": put}, *self._index_changes(None, subscription)])

    def get(self, subscription_id: str, *, consistent: bool = True) -> Subscription | None:
        """One subscription by id (one GetItem), or None."""
        item = (
            client("dynamodb")
            .get_item(
                TableName=get_settings().table_name, Key=_sub_key(subscription_id), ConsistentRead=consistent
            )
            .get("Item")
        )
        return from_record(item) if item else None

    def list_owned(
        self, owner: str, *, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[Subscription], dict[str, Any] | None]:
        """A page of an owner's subscriptions, oldest first (gsi1), and the key to continue from."""
        kwargs: dict[str, Any] = {**_owner_query(owner), "Limit": limit}
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        response = client("dynamodb").query(**kwargs)
        return [from_record(i) for i in response.get("Items", [])], response.get("LastEvaluatedKey")

    def count_owned(self, owner: str) -> int:
        """How many subscriptions an owner has (Select COUNT on gsi1: no items transferred)."""
        total = 0
        kwargs: dict[str, Any] = {**_owner_query(owner), "Select": "COUNT"}
        while True:
            response = client("dynamodb").query(**kwargs)
            total += response["Count"]
            if "LastEvaluatedKey" not in response:
                return total
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def replace(self, before: Subscription, after: Subscription) -> Subscription:
        """Write a user edit: ``after`` (same id) replaces ``before`` if nobody changed it meanwhile.

        Writes only the user-owned attributes and the status, so concurrent health updates survive.
        Returns the stored subscription (version incremented by one).
        """
        stored = after.model_copy(update={"version": before.version + 1})
        update = _edit_update(get_settings().table_name, before, stored)
        counters = self._counter_ops(before, stored)
        _transact([*counters, {"Update": update}, *self._index_changes(before, stored)])
        return stored

    def delete(self, subscription: Subscription) -> None:
        """Delete a subscription at the version read, its index rows and its place in its counters (its
        delivery log expires on its own); ``VersionConflict`` if it changed or went meanwhile."""
        delete = {
            "TableName": get_settings().table_name,
            "Key": _sub_key(subscription.id),
            # the version read: a concurrent edit (another host) must not leave its counter behind
            "ConditionExpression": "attribute_exists(pk) AND #version = :expected",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":expected": {"N": str(subscription.version)}},
        }
        counters = self._counter_ops(subscription, None)
        _transact([*counters, {"Delete": delete}, *self._index_changes(subscription, None)])

    def record_success(self, subscription_id: str, now: datetime) -> None:
        """A 2xx arrived: reset the failure streak."""
        _health_update(
            subscription_id,
            "SET last_success_at = :now, failure_count = :zero REMOVE failing_since",
            {":now": {"S": iso(now)}, ":zero": {"N": "0"}},
        )

    def record_failure(self, subscription_id: str, now: datetime) -> Subscription | None:
        """A failed attempt: count it, start the failing window if not started; the updated record."""
        return _health_update(
            subscription_id,
            "SET failure_count = if_not_exists(failure_count, :zero) + :one, "
            "failing_since = if_not_exists(failing_since, :now)",
            {":now": {"S": iso(now)}, ":zero": {"N": "0"}, ":one": {"N": "1"}},
        )

    def reset_health(self, subscription_id: str) -> None:
        """Forget the failure streak (an explicit re-enable)."""
        _health_update(
            subscription_id, "SET failure_count = :zero REMOVE failing_since", {":zero": {"N": "0"}}
        )

    def matching_rows(
        self, partition: str, score: int, *, limit: int, start_sk: str | None = None
    ) -> tuple[list[IndexRow], str | None]:
        """One page of a fan-out partition's rows with ``min_score <= score``; the sk to continue from."""
        kwargs: dict[str, Any] = {
            "TableName": get_settings().table_name,
            "KeyConditionExpression": "pk = :pk AND sk < :upper",
            "ExpressionAttributeValues": {
                ":pk": {"S": key_schema.fanout_pk(partition)},
                ":upper": {"S": key_schema.fanout_score_bound(score)},
            },
            "Limit": limit,
        }
        if start_sk:
            kwargs["ExclusiveStartKey"] = {
                "pk": {"S": key_schema.fanout_pk(partition)},
                "sk": {"S": start_sk},
            }
        response = client("dynamodb").query(**kwargs)
        rows = [_row_from_item(partition, item) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return rows, (last["sk"]["S"] if last else None)


def _owner_query(owner: str) -> dict[str, Any]:
    return {
        "TableName": get_settings().table_name,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": key_schema.owner_pk(owner)}},
    }


def _transact(ops: list[dict[str, Any]]) -> None:
    """One transaction; ``CapReached(counter)`` when a counter was full, ``VersionConflict`` when the
    record changed (counter updates come first in ``ops``, so reason ``i`` names op ``i``)."""
    from botocore.exceptions import ClientError

    try:
        client("dynamodb").transact_write_items(TransactItems=ops)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            reasons = exc.response.get("CancellationReasons") or []
            for op, reason in zip(ops, reasons, strict=False):
                update = op.get("Update", {})
                if reason.get("Code") == "ConditionalCheckFailed" and ":cap" in update.get(
                    "ExpressionAttributeValues", {}
                ):
                    counter = update["Key"]["pk"]["S"].removeprefix(key_schema.sub_count_pk(""))
                    raise CapReached(counter) from exc
            if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or not reasons:
                raise VersionConflict("the subscription changed; read it again") from exc
        raise


def _health_update(subscription_id: str, expression: str, values: dict[str, Any]) -> Subscription | None:
    from botocore.exceptions import ClientError

    try:
        response = client("dynamodb").update_item(
            TableName=get_settings().table_name,
            Key=_sub_key(subscription_id),
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


__all__ = [
    "EDITABLE_FIELDS",
    "SUB_SK",
    "CapReached",
    "CountersFor",
    "DynamoSubscriptionStore",
    "RowsFor",
    "VersionConflict",
    "counter_changes",
    "from_record",
    "index_sk",
    "no_counters",
    "row_item",
    "to_record",
]
