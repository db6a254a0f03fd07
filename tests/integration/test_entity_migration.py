"""``signals migrate entity-postings``: signals stored before entity postings existed get them and
their counts, once; a signal the scorer changed meanwhile is left to the scorer (issue 16 part 4)."""

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
    """As an older Signals wrote them: no entity postings, no ``ent:`` counts, no mark."""
    store(aws.dynamodb, aws.table_name, signals)
    for item in aws.dynamodb.scan(TableName=aws.table_name)["Items"]:
        key = {"pk": item["pk"], "sk": item["sk"]}
        if item["pk"]["S"].startswith("ENT#"):
            aws.dynamodb.delete_item(TableName=aws.table_name, Key=key)
        elif item["sk"]["S"] == "SIGNAL":
            aws.dynamodb.update_item(
                TableName=aws.table_name, Key=key, UpdateExpression="REMOVE entities_indexed"
            )
        elif item["pk"]["S"] == "COUNTS":
            names = [n for n in item if n.startswith("ent:")]
            if names:
                aws.dynamodb.update_item(
                    TableName=aws.table_name,
                    Key=key,
                    UpdateExpression="REMOVE " + ", ".join(f"#n{i}" for i in range(len(names))),
                    ExpressionAttributeNames={f"#n{i}": n for i, n in enumerate(names)},
                )


def entity_ids(slug: str) -> list[str]:
    from signals.api.app import app

    return [
        s["id"] for s in body(app.resolve(event("/v1/signals", {"entity": slug, "limit": 50}), None))["items"]
    ]


def test_old_signals_get_their_entity_postings_and_counts_once(
    aws: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from signals.api import reading
    from signals.api.app import app

    reading.use_index(None)
    signals = [make_signal(n, entities=[["Anthropic"], ["OpenAI", "Anthropic"], []][n % 3]) for n in range(6)]
    store_old(aws, signals)
    assert entity_ids("anthropic") == []

    assert main(["migrate", "entity-postings", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "entity-postings: 6 signal(s) would index, 6 posting(s), " + SKIPPED
    )
    assert entity_ids("anthropic") == []
    assert main(["migrate", "entity-postings"]) == 0
    capsys.readouterr()

    assert sorted(entity_ids("anthropic")) == ["sig00000", "sig00001", "sig00003", "sig00004"]
    counts = {i["slug"]: i["count"] for i in body(app.resolve(event("/v1/entities"), None))["items"]}
    assert counts == {"anthropic": 4, "openai": 2}
    # a second run finds nothing, and counts stay
    assert main(["migrate", "entity-postings"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "entity-postings: 0 signal(s) indexed, 0 posting(s), " + SKIPPED
    ]
    counts = {i["slug"]: i["count"] for i in body(app.resolve(event("/v1/entities"), None))["items"]}
    assert counts == {"anthropic": 4, "openai": 2}


def test_a_signal_changed_since_it_was_read_is_skipped(aws: Any) -> None:
    from signals.storage.entity_postings import index_entities, unindexed_signals

    store_old(aws, [make_signal(1, entities=["Anthropic"])])
    (old,) = unindexed_signals(100)
    stale = old.model_copy(update={"version": old.version + 1})  # not the stored version
    assert index_entities(stale) is False
    assert index_entities(old) is True
    assert index_entities(old) is False  # marked: done once
