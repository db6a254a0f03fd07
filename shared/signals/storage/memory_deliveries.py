"""An in-memory ``DeliveryLog`` for unit tests: the claim, close and reopen conditions of
``DynamoDeliveryLog`` (a duplicate attempt is refused, a stale claim is retaken after its lease, a
later attempt owns the record) without DynamoDB.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from signals.models import iso
from signals.models.delivery import Delivery, DeliveryAttempt, DeliveryBusy, DeliveryStatus, DeliveryTask


class StaleClose(RuntimeError):
    """A close for an attempt that no longer owns the record (DynamoDB's failed condition)."""


class MemoryDeliveryLog:
    """Deliveries by (subscription, delivery id), with the claim bookkeeping DynamoDB keeps."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def claim_attempt(self, task: DeliveryTask, now: datetime, lease_s: int) -> bool:
        epoch = int(now.timestamp())
        key = (task.subscription_id, task.delivery_id)
        with self._lock:
            record = self._records.get(key)
            if record is not None:
                n, delivery = task.attempt, record["delivery"]
                fresh = delivery.attempt_count < n or (
                    delivery.attempt_count == n and record["closed"] < n and record["lease_until"] < epoch
                )
                if not fresh or (not task.manual and delivery.status == "delivered"):
                    return False
            previous = record["delivery"] if record else None
            delivery = Delivery(
                id=task.delivery_id,
                subscription_id=task.subscription_id,
                event_id=task.event_id,
                event_type=task.event_type,
                webhook_id=task.webhook_id,
                signal_id=task.signal_id
                if task.signal_id is not None
                else getattr(previous, "signal_id", None),
                signal_version=task.signal_version
                if task.signal_version is not None
                else getattr(previous, "signal_version", None),
                occurred_at=task.occurred_at,
                status="pending",
                attempt_count=task.attempt,
                attempts=previous.attempts if previous else [],
                last_error=previous.last_error if previous else None,
                created_at=previous.created_at if previous else now,
                updated_at=now,
            )
            self._records[key] = {
                "delivery": delivery,
                "closed": record["closed"] if record else 0,
                "lease_until": epoch + lease_s,
                "listed_at": record["listed_at"] if record else f"{iso(now)}#{task.delivery_id}",
            }
            return True

    def close_attempt(
        self,
        task: DeliveryTask,
        attempt: DeliveryAttempt,
        status: DeliveryStatus,
        *,
        next_attempt_at: datetime | None = None,
    ) -> None:
        with self._lock:
            record = self._records.get((task.subscription_id, task.delivery_id))
            if record is None or record["delivery"].attempt_count != task.attempt:
                raise StaleClose("a later attempt owns the record now")
            failed = bool(attempt.error) or status != "delivered"
            record["closed"] = task.attempt
            record["delivery"] = record["delivery"].model_copy(
                update={
                    "status": status,
                    "attempts": [*record["delivery"].attempts, attempt],
                    "updated_at": attempt.at,
                    "last_error": (attempt.error or f"HTTP {attempt.status_code}") if failed else None,
                    "next_attempt_at": next_attempt_at,
                }
            )

    def get_delivery(self, subscription_id: str, delivery_id: str) -> Delivery | None:
        record = self._records.get((subscription_id, delivery_id))
        return record["delivery"].model_copy(deep=True) if record else None

    def list_deliveries(
        self, subscription_id: str, *, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[Delivery], dict[str, Any] | None]:
        before = (start_key or {}).get("gsi1sk")
        mine = sorted(
            (r for (sub, _), r in self._records.items() if sub == subscription_id),
            key=lambda r: r["listed_at"],
            reverse=True,
        )
        page = [r for r in mine if before is None or r["listed_at"] < before][:limit]
        last = {"gsi1sk": page[-1]["listed_at"]} if len(page) == limit else None
        return [r["delivery"].model_copy(deep=True) for r in page], last

    def reopen(self, subscription_id: str, delivery_id: str, now: datetime) -> Delivery:
        with self._lock:
            record = self._records.get((subscription_id, delivery_id))
            if record is None or record["delivery"].status == "pending":
                raise DeliveryBusy("the delivery is still being attempted")
            record["delivery"] = record["delivery"].model_copy(
                update={"status": "pending", "updated_at": now}
            )
            return record["delivery"].model_copy(deep=True)


__all__ = ["MemoryDeliveryLog", "StaleClose"]
