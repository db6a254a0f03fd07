"""The delivery log: one item per (subscription, event) (``SUB#<id>`` / ``DELIVERY#<delivery_id>``),
listed newest first through gsi1 (``DELIVERIES#<sub_id>`` / ``<iso>#<delivery_id>``).

``DynamoDeliveryLog`` implements ``webhooks.ports.DeliveryLog``. An attempt is *claimed* with a
conditional update before the POST is made, so a duplicate task message (fan-out redelivered, SQS
at-least-once) cannot make the same attempt twice; a claim that was never closed (the function
died mid-attempt) can be taken again after a lease.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from signals.config import get_settings
from signals.models import iso
from signals.models.delivery import Delivery, DeliveryAttempt, DeliveryBusy, DeliveryStatus, DeliveryTask
from signals.storage import key_schema
from signals.storage.aws import client

DELIVERY_RETENTION_S = 30 * 24 * 3600


def _key(subscription_id: str, delivery_id: str) -> dict[str, Any]:
    return {"pk": {"S": key_schema.sub_pk(subscription_id)}, "sk": {"S": key_schema.delivery_sk(delivery_id)}}


def _from_item(item: dict[str, Any]) -> Delivery:
    from boto3.dynamodb.types import TypeDeserializer

    d = TypeDeserializer()
    data = {k: d.deserialize(v) for k, v in item.items()}
    return Delivery(
        id=data["delivery_id"],
        subscription_id=data["subscription_id"],
        event_id=data["event_id"],
        event_type=data["event_type"],
        webhook_id=data["webhook_id"],
        signal_id=data.get("signal_id"),
        signal_version=data.get("signal_version"),
        occurred_at=data["occurred_at"],
        status=data["status"],
        attempt_count=data.get("attempt_count", 0),
        attempts=[DeliveryAttempt.model_validate_json(a) for a in data.get("attempts", [])],
        last_error=data.get("last_error"),
        next_attempt_at=data.get("next_attempt_at"),
        created_at=data["created_at"],
        updated_at=data["updated_at"],
    )


#: What claiming an attempt sets (the record is created by the first claim).
_CLAIM_SETS = (
    "attempt_count = :n",
    "lease_until = :lease",
    "#status = :pending",
    "updated_at = :created",
    "closed_attempt = if_not_exists(closed_attempt, :zero)",
    "subscription_id = :sub",
    "event_id = :event",
    "event_type = :type",
    "webhook_id = :wid",
    "delivery_id = :did",
    "occurred_at = :occurred",
    "created_at = if_not_exists(created_at, :created)",
    "gsi1pk = :g1pk",
    "gsi1sk = if_not_exists(gsi1sk, :g1sk)",
    "expires_at = :expires",
    "attempts = if_not_exists(attempts, :empty)",
)


def _claim_update(task: DeliveryTask, now: datetime, lease_s: int) -> dict[str, Any]:
    """The conditional update that claims attempt ``task.attempt`` (creating the record if new)."""
    epoch = int(now.timestamp())
    values: dict[str, Any] = {
        ":n": {"N": str(task.attempt)},
        ":now": {"N": str(epoch)},
        ":lease": {"N": str(epoch + lease_s)},
        ":zero": {"N": "0"},
        ":pending": {"S": "pending"},
        ":delivered": {"S": "delivered"},
        ":sub": {"S": task.subscription_id},
        ":event": {"S": task.event_id},
        ":type": {"S": task.event_type},
        ":wid": {"S": task.webhook_id},
        ":did": {"S": task.delivery_id},
        ":occurred": {"S": iso(task.occurred_at)},
        ":created": {"S": iso(now)},
        ":g1pk": {"S": key_schema.deliveries_pk(task.subscription_id)},
        ":g1sk": {"S": f"{iso(now)}#{task.delivery_id}"},
        ":expires": {"N": str(epoch + DELIVERY_RETENTION_S)},
        ":empty": {"L": []},
    }
    sets = list(_CLAIM_SETS)
    if task.signal_id is not None:
        sets.append("signal_id = :signal")
        values[":signal"] = {"S": task.signal_id}
    if task.signal_version is not None:
        sets.append("signal_version = :sver")
        values[":sver"] = {"N": str(task.signal_version)}
    fresh = "(attempt_count < :n OR (attempt_count = :n AND closed_attempt < :n AND lease_until < :now))"
    # automatic attempts never touch a delivered delivery; a manual retry (reopened) may
    condition = (
        f"attribute_not_exists(pk) OR {fresh}"
        if task.manual
        else (f"attribute_not_exists(pk) OR (#status <> :delivered AND {fresh})")
    )
    if task.manual:
        del values[":delivered"]
    return {
        "TableName": get_settings().table_name,
        "Key": _key(task.subscription_id, task.delivery_id),
        "UpdateExpression": "SET " + ", ".join(sets) + " REMOVE next_attempt_at",
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": values,
    }


def _close_update(
    task: DeliveryTask, attempt: DeliveryAttempt, status: DeliveryStatus, next_attempt_at: datetime | None
) -> dict[str, Any]:
    """The update recording an attempt's outcome, if no later attempt owns the record."""
    values: dict[str, Any] = {
        ":n": {"N": str(task.attempt)},
        ":status": {"S": status},
        ":attempt": {"L": [{"S": attempt.model_dump_json(exclude_none=True)}]},
        ":updated": {"S": iso(attempt.at)},
    }
    expression = (
        "SET closed_attempt = :n, #status = :status, attempts = list_append(attempts, :attempt), "
        "updated_at = :updated"
    )
    removes = []
    if attempt.error or status != "delivered":
        expression += ", last_error = :error"
        values[":error"] = {"S": attempt.error or f"HTTP {attempt.status_code}"}
    else:
        removes.append("last_error")
    if next_attempt_at is not None:
        expression += ", next_attempt_at = :next"
        values[":next"] = {"S": iso(next_attempt_at)}
    else:
        removes.append("next_attempt_at")
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    return {
        "TableName": get_settings().table_name,
        "Key": _key(task.subscription_id, task.delivery_id),
        "UpdateExpression": expression,
        "ConditionExpression": "attempt_count = :n",  # a later attempt owns the record now
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": values,
    }


class DynamoDeliveryLog:
    """``DeliveryLog`` over the single table."""

    def claim_attempt(self, task: DeliveryTask, now: datetime, lease_s: int) -> bool:
        """Take attempt ``task.attempt``; False when it was already made (or is being made) elsewhere."""
        from botocore.exceptions import ClientError

        try:
            client("dynamodb").update_item(**_claim_update(task, now, lease_s))
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def close_attempt(
        self,
        task: DeliveryTask,
        attempt: DeliveryAttempt,
        status: DeliveryStatus,
        *,
        next_attempt_at: datetime | None = None,
    ) -> None:
        """Record an attempt's outcome and the delivery's new status (closes the claim)."""
        client("dynamodb").update_item(**_close_update(task, attempt, status, next_attempt_at))

    def get_delivery(self, subscription_id: str, delivery_id: str) -> Delivery | None:
        """One delivery of a subscription, or None."""
        item = (
            client("dynamodb")
            .get_item(
                TableName=get_settings().table_name,
                Key=_key(subscription_id, delivery_id),
                ConsistentRead=True,
            )
            .get("Item")
        )
        return _from_item(item) if item else None

    def list_deliveries(
        self, subscription_id: str, *, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[Delivery], dict[str, Any] | None]:
        """A page of a subscription's deliveries, newest first; expired items filtered (moto keeps them)."""
        kwargs: dict[str, Any] = {
            "TableName": get_settings().table_name,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": key_schema.deliveries_pk(subscription_id)}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        response = client("dynamodb").query(**kwargs)
        now = int(time.time())
        items = [i for i in response.get("Items", []) if int(i.get("expires_at", {}).get("N", now + 1)) > now]
        return [_from_item(i) for i in items], response.get("LastEvaluatedKey")

    def reopen(self, subscription_id: str, delivery_id: str, now: datetime) -> Delivery:
        """Mark a finished delivery pending again for a manual retry; ``DeliveryBusy`` if still pending."""
        from botocore.exceptions import ClientError

        try:
            response = client("dynamodb").update_item(
                TableName=get_settings().table_name,
                Key=_key(subscription_id, delivery_id),
                UpdateExpression="SET #status = :pending, updated_at = :now",
                ConditionExpression="attribute_exists(pk) AND #status <> :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":pending": {"S": "pending"}, ":now": {"S": iso(now)}},
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise DeliveryBusy("the delivery is still being attempted") from exc
            raise
        return _from_item(response["Attributes"])


__all__ = ["DELIVERY_RETENTION_S", "DeliveryBusy", "DynamoDeliveryLog"]
