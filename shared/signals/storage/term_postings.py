"""Search-term postings for signals stored before search existed: ``signals migrate term-postings``.

Signals written by this version carry ``terms_indexed`` (``signal_records.to_record``) and get their
``TERM#<term>#<month>`` postings in the scorer's transaction. Older signal records lack the mark, so
``q=`` cannot find them until the scorer changes them. A paginated Scan finds them (an admin job,
like the other migrations) and one transaction per signal writes its term postings (at most
``search_terms_per_item_max``, within ``postings_per_signal_max``) and marks it, on the condition
that the record is still the version read and unmarked: a signal the scorer changed meanwhile is
skipped (its new version was written with its postings and the mark). Idempotent, safe beside live
traffic; no counts are involved.
"""

from __future__ import annotations

from typing import Any

from signals.config import get_settings
from signals.models import Signal
from signals.storage import key_schema
from signals.storage.aws import client
from signals.storage.signal_records import SIGNAL_SK, TERMS_INDEXED, posting_item, posting_pks


def term_posting_pks(signal: Signal) -> list[str]:
    """The search-term postings the signal has under this version (the ``TERM#`` part of its postings)."""
    return [pk for pk in posting_pks(signal) if pk.startswith("TERM#")]


def index_terms(signal: Signal) -> bool:
    """Write an old signal's term postings and mark it; False when it changed or was done meanwhile."""
    table = get_settings().table_name
    mark = {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": key_schema.signal_pk(signal.id)}, "sk": {"S": SIGNAL_SK}},
            "UpdateExpression": "SET #m = :one",
            "ConditionExpression": "#v = :v AND attribute_not_exists(#m)",
            "ExpressionAttributeNames": {"#m": TERMS_INDEXED, "#v": "version"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":v": {"N": str(signal.version)}},
        }
    }
    body = signal.model_dump_json()
    actions: list[dict[str, Any]] = [mark]
    actions += [
        {"Put": {"TableName": table, "Item": posting_item(pk, signal, body)}}
        for pk in term_posting_pks(signal)
    ]
    dynamodb = client("dynamodb")
    try:
        dynamodb.transact_write_items(TransactItems=actions)
    except dynamodb.exceptions.TransactionCanceledException:
        return False
    return True
