"""``signals migrate term-postings``: signals stored before search existed get their search-term
postings once, so ``q=`` finds them; a signal the scorer changed meanwhile is left to the scorer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
from fabricate import body, event, make_signal, store
from signals.cli import main

SKIPPED = "0 skipped (changed meanwhile: the scorer indexed them)"


def store_old(aws: Any, signals: list[Any]) -> None:
    """As an older Signals wrote them: no term postings, no mark."""
    store(aws.dynamodb, aws.table_name, signals)
    for item in aws.dynamodb.scan(TableName=aws.table_name)["Items"]:
        key = {"pk": item["pk"], "sk": item["sk"]}
        if item["pk"]["S"].startswith("TERM#"):
            aws.dynamodb.delete_item(TableName=aws.table_name, Key=key)
        elif item["sk"]["S"] == "SIGNAL":
            aws.dynamodb.update_item(
                TableName=aws.table_name, Key=key, UpdateExpression="REMOVE terms_indexed"
            )


def found(q: str) -> list[str]:
    from signals.api.app import app

    page = body(app.resolve(event("/v1/signals", {"q": q, "limit": 50}), None))
    return sorted(s["id"] for s in page["items"])


def term_postings(aws: Any) -> int:
    items = aws.dynamodb.scan(TableName=aws.table_name)["Items"]
    return sum(item["pk"]["S"].startswith("TERM#") for item in items)


def test_old_signals_become_searchable_once(aws: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from signals.api import reading
    from signals.storage.term_postings import term_posting_pks

    reading.use_index(None)
    titles = ["Anthropic ships Claude Opus", "OpenAI opens a Tokyo office", "Claude gets a memory"]
    signals = [make_signal(n, title=titles[n]) for n in range(3)]
    store_old(aws, signals)
    assert found("claude") == [] and term_postings(aws) == 0
    want = sum(len(term_posting_pks(s)) for s in signals)

    assert main(["migrate", "term-postings", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"term-postings: 3 signal(s) would index, {want} posting(s), " + SKIPPED
    )
    assert term_postings(aws) == 0
    assert main(["migrate", "term-postings"]) == 0
    capsys.readouterr()

    assert found("claude") == ["sig00000", "sig00002"] and found("tokyo office") == ["sig00001"]
    assert term_postings(aws) == want
    # a second run finds nothing to do
    assert main(["migrate", "term-postings"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "term-postings: 0 signal(s) indexed, 0 posting(s), " + SKIPPED
    ]


def test_new_signals_are_marked_and_a_changed_one_is_skipped(aws: Any) -> None:
    from signals.storage.entity_postings import unindexed_signals
    from signals.storage.signal_records import TERMS_INDEXED
    from signals.storage.term_postings import index_terms

    store_old(aws, [make_signal(1, title="Claude Opus")])
    store(aws.dynamodb, aws.table_name, [make_signal(7)])  # written by this version: marked
    (old,) = unindexed_signals(100, TERMS_INDEXED)
    assert old.id == "sig00001"
    stale = old.model_copy(update={"version": old.version + 1})  # not the stored version
    assert index_terms(stale) is False
    assert index_terms(old) is True
    assert index_terms(old) is False  # marked: done once
