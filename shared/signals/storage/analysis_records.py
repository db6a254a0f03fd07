"""The model analyst's records in DynamoDB: cached answers and the daily spending counter.

| record | pk | sk |
|---|---|---|
| cached model answer | ``ANALYSIS#<sha256 of prompt version, model id and the text sent>`` | ``ANALYSIS`` |
| daily budget counter | ``BUDGET#<yyyy-mm-dd>`` (UTC day) | ``BUDGET`` |

A cached answer lets a redelivery or a replay reuse what was paid for once. The budget counter is
one item per day updated with atomic ``ADD``: a call first *reserves* its worst case (estimated
input + ``max_tokens`` output) with a conditional update that fails when the day's remaining room is
smaller, then *settles* the difference once the real usage is known. Concurrent scorers therefore
never spend past the budget (a crash between reserve and settle over-counts, the safe side).
Both records carry ``expires_at`` (table TTL).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from signals.config import get_settings
from signals.models import iso, utcnow
from signals.models.analysis import CachedAnalysis, Spend, budget_day
from signals.storage import key_schema
from signals.storage.aws import client

ANALYSIS_SK = key_schema.ANALYSIS_SK
BUDGET_SK = key_schema.BUDGET_SK
BUDGET_RETENTION_DAYS = 35  # long enough to chart a month of spending


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


class DynamoAnalyses:
    """The ``AnalysisCache`` port over the table: answers by key, and the day's budget counter."""

    def get_cached(self, key: str) -> CachedAnalysis | None:
        """The cached answer for ``key`` (one GetItem), or None; expired records count as absent."""
        response = client("dynamodb").get_item(
            TableName=get_settings().table_name,
            Key={"pk": {"S": key_schema.analysis_pk(key)}, "sk": {"S": ANALYSIS_SK}},
        )
        record = response.get("Item")
        if not record:
            return None
        if int(record.get("expires_at", {}).get("N", "0")) <= _epoch(utcnow()):
            return None  # TTL deletion is lazy (and never happens in moto)
        return CachedAnalysis.model_validate_json(record["body"]["S"])

    def put_cached(self, key: str, cached: CachedAnalysis) -> None:
        """Store an answer under ``key`` (last writer wins: answers for one key are interchangeable)."""
        settings = get_settings()
        expires = cached.created_at + timedelta(days=settings.bedrock_cache_ttl_days)
        client("dynamodb").put_item(
            TableName=settings.table_name,
            Item={
                "pk": {"S": key_schema.analysis_pk(key)},
                "sk": {"S": ANALYSIS_SK},
                "model_id": {"S": cached.model_id},
                "prompt_version": {"S": cached.prompt_version},
                "created_at": {"S": iso(cached.created_at)},
                "expires_at": {"N": str(_epoch(expires))},
                "body": {"S": cached.model_dump_json()},
            },
        )

    def reserve(self, spend: Spend, *, token_budget: int, usd_budget: float, day: str | None = None) -> bool:
        """Atomically count ``spend`` against today's budget; False (nothing counted) if it would not fit."""
        from botocore.exceptions import ClientError

        usd_budget_micros = round(usd_budget * 1_000_000)
        token_room = token_budget - spend.tokens
        usd_room = usd_budget_micros - spend.usd_micros
        if token_room < 0 or usd_room < 0:
            return False  # one call alone is bigger than the whole budget
        day = day or budget_day()
        try:
            client("dynamodb").update_item(
                TableName=get_settings().table_name,
                Key={"pk": {"S": key_schema.budget_pk(day)}, "sk": {"S": BUDGET_SK}},
                UpdateExpression="ADD tokens :tokens, usd_micros :usd, calls :one "
                "SET expires_at = if_not_exists(expires_at, :expires)",
                ConditionExpression="(attribute_not_exists(tokens) OR tokens <= :token_room) "
                "AND (attribute_not_exists(usd_micros) OR usd_micros <= :usd_room)",
                ExpressionAttributeValues={
                    ":tokens": {"N": str(spend.tokens)},
                    ":usd": {"N": str(spend.usd_micros)},
                    ":one": {"N": "1"},
                    ":token_room": {"N": str(token_room)},
                    ":usd_room": {"N": str(usd_room)},
                    ":expires": {"N": str(_epoch(utcnow() + timedelta(days=BUDGET_RETENTION_DAYS)))},
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def settle(self, reserved: Spend, actual: Spend, *, day: str) -> None:
        """Replace a reservation by the real usage (``actual`` zero when the call failed unpaid)."""
        delta_tokens = actual.tokens - reserved.tokens
        delta_micros = actual.usd_micros - reserved.usd_micros
        if delta_tokens == 0 and delta_micros == 0:
            return
        client("dynamodb").update_item(
            TableName=get_settings().table_name,
            Key={"pk": {"S": key_schema.budget_pk(day)}, "sk": {"S": BUDGET_SK}},
            UpdateExpression="ADD tokens :tokens, usd_micros :usd",
            ExpressionAttributeValues={":tokens": {"N": str(delta_tokens)}, ":usd": {"N": str(delta_micros)}},
        )

    def spent(self, day: str | None = None) -> Spend:
        """What a day's counter holds (strongly consistent read)."""
        response = client("dynamodb").get_item(
            TableName=get_settings().table_name,
            Key={"pk": {"S": key_schema.budget_pk(day or budget_day())}, "sk": {"S": BUDGET_SK}},
            ConsistentRead=True,
        )
        record = response.get("Item") or {}
        tokens = int(record.get("tokens", {}).get("N", "0"))
        micros = int(record.get("usd_micros", {}).get("N", "0"))
        return Spend(tokens=tokens, usd=micros / 1_000_000)
