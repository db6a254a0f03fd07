"""The DynamoDB side of stories: candidate-key rows, item-seen records, the transactional write.

Records (single table, see ``storage/keys.py``):

* story candidate key: ``pk = STORYKEY#<key>``, ``sk = KEYS``, ``sids`` = string set of story ids.
  One row per key (not one per story) so that a whole batch's candidate keys are read with one
  BatchGetItem; ``ADD sids :id`` is atomic and idempotent. Bucketed keys keep each set small.
* item seen: ``pk = ITEM#<item_id>``, ``sk = ITEM``, with the story id and the content hash that
  was scored. Written with ``attribute_not_exists(pk) OR content_hash <> :h`` inside the same
  transaction as the signal: a redelivered message changes nothing, an edited item goes through.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from signals.config import get_settings
from signals.models import Signal
from signals.storage import keys
from signals.storage import signals as signal_store
from signals.storage.aws import client

STORY_KEY_SK = "KEYS"
ITEM_SK = "ITEM"
BATCH_GET_LIMIT = 100  # DynamoDB BatchGetItem limit
TRANSACT_LIMIT = 100  # DynamoDB TransactWriteItems limit
BATCH_GET_RETRIES = 5


class DuplicateItem(Exception):
    """The item-seen condition failed: this item (with this content) was already scored."""


class VersionConflict(Exception):
    """The signal changed since it was read (another writer won the version check)."""


@dataclass(frozen=True)
class SeenItem:
    item_id: str
    story_id: str
    content_hash: str


@dataclass
class StoryState:
    """What one batch read: item-seen records, story ids per candidate key, signals by id."""

    seen: dict[str, SeenItem] = field(default_factory=dict)
    stories_by_key: dict[str, set[str]] = field(default_factory=dict)
    signals: dict[str, Signal] = field(default_factory=dict)


def _item_key(item_id: str) -> dict[str, Any]:
    return {"pk": {"S": keys.item_pk(item_id)}, "sk": {"S": ITEM_SK}}


def _story_key(key: str) -> dict[str, Any]:
    return {"pk": {"S": keys.story_key_pk(key)}, "sk": {"S": STORY_KEY_SK}}


def _signal_key(signal_id: str) -> dict[str, Any]:
    return {"pk": {"S": keys.signal_pk(signal_id)}, "sk": {"S": signal_store.SIGNAL_SK}}


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


def read_state(item_ids: Iterable[str], story_keys: Iterable[str]) -> StoryState:
    """Item-seen records and candidate-key rows, in one BatchGetItem per 100 keys."""
    request = [_item_key(i) for i in dict.fromkeys(item_ids)] + [
        _story_key(k) for k in dict.fromkeys(story_keys)
    ]
    state = StoryState()
    for record in batch_get(request):
        pk = record["pk"]["S"]
        if pk.startswith("ITEM#"):
            item_id = pk.removeprefix("ITEM#")
            state.seen[item_id] = SeenItem(item_id, record["story_id"]["S"], record["content_hash"]["S"])
        elif pk.startswith("STORYKEY#"):
            state.stories_by_key[pk.removeprefix("STORYKEY#")] = set(record.get("sids", {}).get("SS", []))
    return state


def read_signals(signal_ids: Iterable[str]) -> dict[str, Signal]:
    """Signals by id (one BatchGetItem per 100 ids)."""
    ids = list(dict.fromkeys(signal_ids))
    if not ids:
        return {}
    return {s.id: s for s in (signal_store.from_record(r) for r in batch_get([_signal_key(i) for i in ids]))}


def write_story(
    *,
    item_id: str,
    content_hash: str,
    signal: Signal,
    previous: Signal | None,
    story_keys: Sequence[str],
) -> None:
    """One transaction: the item-seen guard, the signal (created, or updated under its version),
    its index records, the story's candidate keys and the counters.

    Raises :class:`DuplicateItem` if the item was already scored with this content, and
    :class:`VersionConflict` if the signal changed since ``previous`` was read.
    """
    table = get_settings().table_name
    seen_put = {
        "Put": {
            "TableName": table,
            "Item": {
                **_item_key(item_id),
                "story_id": {"S": signal.id},
                "content_hash": {"S": content_hash},
            },
            "ConditionExpression": "attribute_not_exists(pk) OR content_hash <> :h",
            "ExpressionAttributeValues": {":h": {"S": content_hash}},
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
    if len(actions) > TRANSACT_LIMIT:
        raise ValueError(f"story write needs {len(actions)} actions, more than {TRANSACT_LIMIT}")
    _transact(actions)


def _transact(actions: list[dict[str, Any]]) -> None:
    dynamodb = client("dynamodb")
    try:
        dynamodb.transact_write_items(TransactItems=actions)
    except dynamodb.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons") or []
        codes = [r.get("Code") for r in reasons]
        if codes and codes[0] == "ConditionalCheckFailed":
            raise DuplicateItem() from exc
        if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
            raise VersionConflict() from exc
        raise
