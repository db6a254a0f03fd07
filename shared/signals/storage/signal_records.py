"""The signal record in DynamoDB: how a Signal is stored, indexed and read back by id.

The feed indexes (gsi1..gsi3, postings) are derived from the signal here and nowhere else,
so the writer (scorer) and the readers (API) cannot disagree. Key shapes: ``storage/key_schema.py``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from signals.config import get_settings
from signals.models import Signal
from signals.models.entity_slug import entity_slugs
from signals.models.search_terms import signal_terms
from signals.storage import key_schema
from signals.storage.aws import client
from signals.storage.thread_records import thread_records

SIGNAL_SK = key_schema.SIGNAL_SK
#: set on every signal record whose entity postings and counts exist (``storage/entity_postings.py``)
ENTITIES_INDEXED = "entities_indexed"
#: set on every signal record whose search-term postings exist (``storage/term_postings.py``)
TERMS_INDEXED = "terms_indexed"


def index_attributes(signal: Signal) -> dict[str, str]:
    """The GSI key attributes that place a signal in the feed orders (time, category, score)."""
    month = key_schema.month(signal.published_at)
    by_time = key_schema.time_sort_key(signal.published_at, signal.id)
    return {
        "gsi1pk": key_schema.time_index_pk(month),
        "gsi1sk": by_time,
        "gsi2pk": key_schema.category_index_pk(signal.category.value, month),
        "gsi2sk": by_time,
        "gsi3pk": key_schema.score_index_pk(month),
        "gsi3sk": key_schema.score_sort_key(signal.score, signal.published_at, signal.id),
    }


def to_record(signal: Signal) -> dict[str, Any]:
    """The DynamoDB item (low-level attribute-value form) for a signal."""
    attributes = {
        "pk": key_schema.signal_pk(signal.id),
        "sk": SIGNAL_SK,
        **index_attributes(signal),
        "published_at": key_schema.iso(signal.published_at),
        "score": signal.score,
        "category": signal.category.value,
        "version": signal.version,
        "body": signal.model_dump_json(),
        ENTITIES_INDEXED: 1,
        TERMS_INDEXED: 1,
    }
    return {
        name: {"N": str(value)} if isinstance(value, int) else {"S": value}
        for name, value in attributes.items()
    }


def from_record(record: dict[str, Any]) -> Signal:
    """The Signal stored in a DynamoDB item (low-level form)."""
    return Signal.model_validate_json(record["body"]["S"])


def get_signal(signal_id: str, *, consistent: bool = False) -> Signal | None:
    """One signal by id (one GetItem), or None."""
    response = client("dynamodb").get_item(
        TableName=get_settings().table_name,
        Key={"pk": {"S": key_schema.signal_pk(signal_id)}, "sk": {"S": SIGNAL_SK}},
        ConsistentRead=consistent,
    )
    record = response.get("Item")
    return from_record(record) if record else None


# --------------------------------------------------------------------------- feed postings
# Postings are small copies of the signal (its body) under base-table keys, one per way the feed
# is filtered, so that every filtered feed page is one Query per month partition that returns
# only matching items (no FilterExpression, no Scan). See storage/key_schema.py for the shapes.

MIN_SCORE_THRESHOLDS = range(2, 11)  # min_score=1 is the whole feed (gsi1) or a category (gsi2)


def counter_shard(signal_id: str) -> int:
    """The shard of the shared records (counters, month registry) a signal's writes go to.

    Every scoring transaction touches these records; spreading them over ``counter_shards`` items
    keeps concurrent scorers from conflicting on one hot item. Readers combine all shards.
    """
    digest = hashlib.sha256(signal_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") % get_settings().counter_shards


def posting_pks(signal: Signal) -> list[str]:
    """The partition keys of every posting a signal has (sort key: its time sort key).

    At most ``postings_per_signal_max``, so that a scoring transaction that moves every posting
    (put the new ones, delete the old ones) stays within DynamoDB's 100 actions
    (``storage/story_records.transaction_actions_max``). Kept in this order when a signal has more:
    min-score, tags, sources, entities, then search terms fill what is left. A signal past the
    budget (score 9+ with many tags, a story many publishers reported) is not found by its last
    search terms, or, in the extreme, in the lanes of its last sources.
    """
    month = key_schema.month(signal.published_at)
    pks: list[str] = []
    for threshold in MIN_SCORE_THRESHOLDS:
        if signal.score >= threshold:
            pks.append(key_schema.min_score_pk(threshold, month))
            pks.append(key_schema.min_score_pk(threshold, month, signal.category.value))
    pks.extend(key_schema.tag_pk(tag, month) for tag in dict.fromkeys(signal.tags))
    pks.extend(
        key_schema.source_posting_pk(src, month) for src in dict.fromkeys(s.source_id for s in signal.sources)
    )
    pks.extend(key_schema.entity_pk(slug, month) for slug in entity_slugs(signal.entities))
    pks.extend(search_term_pks(signal, month))
    return pks[: get_settings().postings_per_signal_max]


def entity_posting_pks(signal: Signal) -> list[str]:
    """The entity postings of a signal (``ENT#<slug>#<month>``): one per entity slug, capped."""
    return [pk for pk in posting_pks(signal) if pk.startswith("ENT#")]


def search_term_pks(signal: Signal, month: str) -> list[str]:
    """Search (``q=``): one posting per term of the signal (bounded by ``search_terms_per_item_max``)."""
    return [key_schema.term_pk(term, month) for term in signal_terms(signal)]


def posting_item(pk: str, signal: Signal, body: str) -> dict[str, Any]:
    return {
        "pk": {"S": pk},
        "sk": {"S": key_schema.time_sort_key(signal.published_at, signal.id)},
        "score": {"N": str(signal.score)},
        "category": {"S": signal.category.value},
        "body": {"S": body},
    }


def records_for(signal: Signal) -> list[dict[str, Any]]:
    """Every record a signal needs written: the signal itself first, then its index postings.

    Writers (the scorer) put the first one with their own condition (idempotency/version), then
    put the rest unconditionally (they are idempotent overwrites), and delete ``obsolete_keys``.
    Readers (the API) rely on all of them. Owned by the feed API.
    """
    record = to_record(signal)
    body = record["body"]["S"]
    month = key_schema.month(signal.published_at)
    shard = counter_shard(signal.id)
    return [
        record,
        {"pk": {"S": key_schema.MONTHS_PK}, "sk": {"S": key_schema.months_sk(month, shard)}},
        *(posting_item(pk, signal, body) for pk in posting_pks(signal)),
        *thread_records(signal),  # "Earlier in this story" (storage/thread_records.py)
        change_posting(signal, body),  # updated_since (storage/change_index.py)
    ]


def change_key(signal: Signal) -> dict[str, Any]:
    """The key of a signal's change posting: under the time it was scored or last changed."""
    return {
        "pk": {"S": key_schema.change_pk(key_schema.month(signal.updated_at))},
        "sk": {"S": key_schema.time_sort_key(signal.updated_at, signal.id)},
    }


def change_posting(signal: Signal, body: str) -> dict[str, Any]:
    """The change posting (a body copy) that ``updated_since`` reads."""
    return {**change_key(signal), "body": {"S": body}}


def obsolete_keys(old: Signal | None, new: Signal) -> list[dict[str, Any]]:
    """Keys of postings and thread entries ``old`` had that ``new`` no longer has (to delete)."""
    if old is None:
        return []
    stale_change = [change_key(old)] if change_key(old) != change_key(new) else []
    old_sk = key_schema.time_sort_key(old.published_at, old.id)
    moved = old_sk != key_schema.time_sort_key(new.published_at, new.id)
    kept = set() if moved else set(posting_pks(new)) | {r["pk"]["S"] for r in thread_records(new)}
    old_pks = [*posting_pks(old), *(r["pk"]["S"] for r in thread_records(old))]
    return [{"pk": {"S": pk}, "sk": {"S": old_sk}} for pk in old_pks if pk not in kept] + stale_change


def counter_updates(old: Signal | None, new: Signal) -> list[dict[str, Any]]:
    """UpdateItem arguments that keep the category, tag and entity counts (``/v1/categories``, ``/v1/tags``,
    ``/v1/entities``).

    Call once per stored change (after the conditional write of the signal record succeeded).
    """
    deltas: dict[str, int] = {}
    for signal, step in ((old, -1), (new, 1)):
        if signal is None:
            continue
        deltas[f"cat:{signal.category.value}"] = deltas.get(f"cat:{signal.category.value}", 0) + step
        for tag in dict.fromkeys(signal.tags):
            deltas[f"tag:{tag}"] = deltas.get(f"tag:{tag}", 0) + step
        for slug in entity_slugs(signal.entities):  # /v1/entities, /v1/opml
            deltas[f"ent:{slug}"] = deltas.get(f"ent:{slug}", 0) + step
    changed = {name: delta for name, delta in deltas.items() if delta}
    if not changed:
        return []
    names = {f"#a{i}": name for i, name in enumerate(changed)}
    values = {f":d{i}": {"N": str(delta)} for i, delta in enumerate(changed.values())}
    return [
        {
            "TableName": get_settings().table_name,
            "Key": {
                "pk": {"S": key_schema.COUNTS_PK},
                "sk": {"S": key_schema.counts_sk(counter_shard(new.id))},
            },
            "UpdateExpression": "ADD " + ", ".join(f"#a{i} :d{i}" for i in range(len(changed))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    ]
