"""The DynamoDB side of stories: candidate-key rows, item-seen records, the transactional write.

Records (single table, see ``storage/key_schema.py``):

* story candidate key: ``pk = STORYKEY#<key>``, ``sk = KEYS``, ``sids`` = string set of story ids.
  One row per key (not one per story) so that a whole batch's candidate keys are read with one
  BatchGetItem; ``ADD sids :id`` is atomic and idempotent. Bucketed keys keep each set small.
* item seen: ``pk = ITEM#<item_id>``, ``sk = ITEM``, with the story id and the content hash that
  was scored. Written with ``attribute_not_exists(pk) OR content_hash <> :h`` inside the same
  transaction as the signal: a redelivered message changes nothing, an edited item goes through.
  It is also the delivery-event **outbox**: ``pending`` (a JSON list of ``SignalEvent``) is
  written with the signal, so an event is recorded exactly when its change is; once the batch's
  events are on the delivery queue, :meth:`StoryRecords.clear_pending` removes it (one conditional
  transaction per 100 records). A redelivered item whose record still carries ``pending`` re-sends
  those events (same deterministic event ids, so consumers dedupe).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from signals.config import get_settings
from signals.models import Signal, SignalEvent
from signals.models.story import DuplicateItem, SeenItem, StoryState, VersionConflict
from signals.storage import key_schema
from signals.storage import signal_records as signal_store
from signals.storage.aws import client

STORY_KEY_SK = "KEYS"
ITEM_SK = "ITEM"
BATCH_GET_LIMIT = 100  # DynamoDB BatchGetItem limit
TRANSACT_LIMIT = 100  # DynamoDB TransactWriteItems limit
BATCH_GET_RETRIES = 5


def _pending_json(events: Sequence[SignalEvent]) -> str:
    return "[" + ",".join(e.model_dump_json() for e in events) + "]"


def _seen_from_record(record: dict[str, Any]) -> SeenItem:
    pending_raw = record.get("pending", {}).get("S")
    pending: tuple[SignalEvent, ...] = ()
    if pending_raw:
        pending = tuple(SignalEvent.model_validate(e) for e in json.loads(pending_raw))
    return SeenItem(
        record["pk"]["S"].removeprefix("ITEM#"),
        record["story_id"]["S"],
        record["content_hash"]["S"],
        pending,
    )


def _seen_record(seen: SeenItem) -> dict[str, Any]:
    record: dict[str, Any] = {
        **_item_key(seen.item_id),
        "story_id": {"S": seen.story_id},
        "content_hash": {"S": seen.content_hash},
    }
    if seen.pending:
        record["pending"] = {"S": _pending_json(seen.pending)}
    return record


def _item_key(item_id: str) -> dict[str, Any]:
    return {"pk": {"S": key_schema.item_pk(item_id)}, "sk": {"S": ITEM_SK}}


def _story_key(key: str) -> dict[str, Any]:
    return {"pk": {"S": key_schema.story_key_pk(key)}, "sk": {"S": STORY_KEY_SK}}


def _signal_key(signal_id: str) -> dict[str, Any]:
    return {"pk": {"S": key_schema.signal_pk(signal_id)}, "sk": {"S": signal_store.SIGNAL_SK}}


def batch_get(request_keys: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every existing item among ``request_keys`` (BatchGetItem in chunks of 100, unprocessed retried)."""
    table = get_settings().table_name
    dynamodb = client("dynamodb")
    unique = list({(k["pk"]["S"], k["sk"]["S"]): k for k in request_keys}.values())
    found: list[dict[str, Any]] = []
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        pending: dict[str, Any] = {
            table: {"Keys": unique[start : start + BATCH_GET_LIMIT], "ConsistentRead": True}
        }
        for _ in range(BATCH_GET_RETRIES):
            response = dynamodb.batch_get_item(RequestItems=pending)
            found.extend(response.get("Responses", {}).get(table, []))
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                break
        else:
            raise RuntimeError("BatchGetItem left keys unprocessed after retries")
    return found


class StoryRecords:
    """The scorer's ``StoryStore`` port over the table (see the module docstring for the records)."""

    def read_state(self, item_ids: Iterable[str], story_keys: Iterable[str]) -> StoryState:
        """Item-seen records and candidate-key rows, in one BatchGetItem per 100 keys."""
        request = [_item_key(i) for i in dict.fromkeys(item_ids)] + [
            _story_key(k) for k in dict.fromkeys(story_keys)
        ]
        state = StoryState()
        for record in batch_get(request):
            pk = record["pk"]["S"]
            if pk.startswith("ITEM#"):
                seen = _seen_from_record(record)
                state.seen[seen.item_id] = seen
            elif pk.startswith("STORYKEY#"):
                state.stories_by_key[pk.removeprefix("STORYKEY#")] = set(record.get("sids", {}).get("SS", []))
        return state

    def read_signals(self, signal_ids: Iterable[str]) -> dict[str, Signal]:
        """Signals by id (one BatchGetItem per 100 ids)."""
        ids = list(dict.fromkeys(signal_ids))
        if not ids:
            return {}
        return {
            s.id: s for s in (signal_store.from_record(r) for r in batch_get([_signal_key(i) for i in ids]))
        }

    def write_story(
        self,
        *,
        item_id: str,
        content_hash: str,
        signal: Signal,
        previous: Signal | None,
        story_keys: Sequence[str],
        pending: Sequence[SignalEvent] = (),
    ) -> None:
        """One transaction: the item-seen guard (carrying the ``pending`` delivery events: the outbox),
        the signal (created, or updated under its version), its index records, the story's candidate
        keys and the counters.

        Raises :class:`DuplicateItem` if the item was already scored with this content, and
        :class:`VersionConflict` if the signal changed since ``previous`` was read.
        """
        seen = SeenItem(item_id, signal.id, content_hash, tuple(pending))
        actions = _story_actions(get_settings().table_name, seen, signal, previous, story_keys)
        if len(actions) > TRANSACT_LIMIT:
            raise ValueError(f"story write needs {len(actions)} actions, more than {TRANSACT_LIMIT}")
        _transact(actions)

    def clear_pending(self, seen: Iterable[SeenItem]) -> int:
        """Remove the sent ``pending`` events from item-seen records; returns the number of calls.

        One transaction per 100 records, each update conditional on the record still holding the
        content it had when its events were queued: an edit of the same item that landed meanwhile
        (new content, new marks) keeps its marks. Records that fail that condition are dropped and
        the rest retried; contention is retried a bounded number of times.
        """
        settings = get_settings()
        table = settings.table_name
        dynamodb = client("dynamodb")
        todo = [s for s in seen if s.pending]
        calls = 0
        for start in range(0, len(todo), TRANSACT_LIMIT):
            chunk = todo[start : start + TRANSACT_LIMIT]
            for _ in range(settings.outbox_clear_attempts):
                if not chunk:
                    break
                calls += 1
                try:
                    dynamodb.transact_write_items(TransactItems=[_clear_action(table, s) for s in chunk])
                    break
                except dynamodb.exceptions.TransactionCanceledException as exc:
                    codes = [r.get("Code") for r in exc.response.get("CancellationReasons") or []]
                    # rewritten since (its marks are its own now): leave it; the rest go again
                    chunk = [
                        s for s, code in zip(chunk, codes, strict=False) if code != "ConditionalCheckFailed"
                    ]
            else:
                raise RuntimeError(f"outbox marks of {len(chunk)} items not cleared after retries")
        return calls


def _story_actions(
    table: str, seen: SeenItem, signal: Signal, previous: Signal | None, story_keys: Sequence[str]
) -> list[dict[str, Any]]:
    """The write's transaction: item-seen guard first and the signal second (their positions say
    which condition cancelled it), then index records, obsolete records, candidate keys, counters."""
    seen_put = {
        "Put": {
            "TableName": table,
            "Item": _seen_record(seen),
            "ConditionExpression": "attribute_not_exists(pk) OR content_hash <> :h",
            "ExpressionAttributeValues": {":h": {"S": seen.content_hash}},
            # a duplicate learns from the cancellation whether events are still pending: no extra read
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }
    records = signal_store.records_for(signal)
    signal_put: dict[str, Any] = {"TableName": table, "Item": records[0]}
    if previous is None:
        signal_put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        signal_put["ConditionExpression"] = "#v = :v"
        signal_put["ExpressionAttributeNames"] = {"#v": "version"}
        signal_put["ExpressionAttributeValues"] = {":v": {"N": str(previous.version)}}
    actions: list[dict[str, Any]] = [seen_put, {"Put": signal_put}]
    actions += [{"Put": {"TableName": table, "Item": record}} for record in records[1:]]
    written = {(r["pk"]["S"], r["sk"]["S"]) for r in records}
    actions += [
        {"Delete": {"TableName": table, "Key": key}}
        for key in signal_store.obsolete_keys(previous, signal)
        if (key["pk"]["S"], key["sk"]["S"]) not in written
    ]
    actions += [
        {
            "Update": {
                "TableName": table,
                "Key": _story_key(key),
                "UpdateExpression": "ADD sids :s",
                "ExpressionAttributeValues": {":s": {"SS": [signal.id]}},
            }
        }
        for key in dict.fromkeys(story_keys)
    ]
    actions += [{"Update": update} for update in signal_store.counter_updates(previous, signal)]
    return actions


def _transact(actions: list[dict[str, Any]]) -> None:
    dynamodb = client("dynamodb")
    try:
        dynamodb.transact_write_items(TransactItems=actions)
    except dynamodb.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons") or []
        codes = [r.get("Code") for r in reasons]
        if codes and codes[0] == "ConditionalCheckFailed":
            old = reasons[0].get("Item")
            raise DuplicateItem(_seen_from_record(old) if old else None) from exc
        if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
            raise VersionConflict() from exc
        raise


def _clear_action(table: str, seen: SeenItem) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": _item_key(seen.item_id),
            "UpdateExpression": "REMOVE pending",
            "ConditionExpression": "content_hash = :h",
            "ExpressionAttributeValues": {":h": {"S": seen.content_hash}},
        }
    }
