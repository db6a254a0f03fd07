"""Following an entity or a tag against moto (issue 16 part 4): the entity postings written with
each signal (and removed when obsolete), and an entity page read as one Query per month partition."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fabricate import body, event, make_signal, store
from test_api import DynamoCalls

START = datetime(2026, 6, 20, tzinfo=UTC)
NAMES = [["Anthropic", "Claude"], ["OpenAI"], ["Open AI", "Anthropic"], ["EU AI Act"]]


def signals() -> list[Any]:
    """60 signals two days apart (four month partitions); a quarter name Anthropic, a quarter Claude."""
    return [
        make_signal(n, published=START - timedelta(days=2 * n), entities=NAMES[n % len(NAMES)])
        for n in range(60)
    ]


@pytest.fixture
def api(aws: Any) -> Any:
    from signals.api import reading
    from signals.api.app import app

    reading.use_index(None)
    app.signals = signals()  # type: ignore[attr-defined]
    store(aws.dynamodb, aws.table_name, app.signals)
    return app


def current_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def about(app: Any, slug: str) -> list[str]:
    from signals.models.entity_slug import entity_slugs

    ordered = sorted(app.signals, key=lambda s: s.published_at, reverse=True)
    return [s.id for s in ordered if slug in entity_slugs(s.entities)]


def test_entity_filter_is_one_query_per_month_partition_of_its_postings(api: Any) -> None:
    expected = about(api, "openai")  # "OpenAI" and "Open AI": one entity
    assert len(expected) == 30
    counter = DynamoCalls()
    response = api.resolve(event("/v1/signals", {"entity": "OpenAI", "limit": 50}), None)
    assert [s["id"] for s in body(response)["items"]] == expected
    partitions = [p for p in counter.partitions() if p != "table:MONTHS"]
    months = {s.published_at.strftime("%Y-%m") for s in api.signals} | {current_month()}
    assert sorted(partitions) == sorted(f"table:ENT#openai#{m}" for m in months), partitions
    assert {op for op, _ in counter.calls} == {"Query"}
    assert counter.read == len(expected)  # the postings hold only matches: nothing read is dropped


def test_entity_page_reads_one_query_per_month_and_shows_the_thread(api: Any) -> None:
    counter = DynamoCalls()
    response = api.resolve(event("/entities/anthropic", {"limit": 10}), None)
    assert response["statusCode"] == 200, response["body"]
    page = response["body"]
    shown = [i for i in about(api, "anthropic") if f'href="/signals/{i}"' in page]
    assert shown == about(api, "anthropic")[:10]
    partitions = [p for p in counter.partitions() if p != "table:MONTHS"]
    # 10 of about 4 a month: the (empty) current month, then three months of the thread
    assert len(partitions) == len(set(partitions)) <= 4, partitions
    assert all(p.startswith("table:ENT#anthropic#") for p in partitions)
    assert counter.read <= 11


def test_obsolete_entity_postings_are_removed(aws: Any) -> None:
    from signals.storage.signal_records import obsolete_keys

    old = make_signal(1, entities=["Anthropic", "OpenAI"])
    new = old.model_copy(update={"entities": ["Anthropic"], "version": 2})
    gone = {k["pk"]["S"] for k in obsolete_keys(old, new) if k["pk"]["S"].startswith("ENT#")}
    assert gone == {"ENT#openai#" + old.published_at.strftime("%Y-%m")}


def test_entity_counts(api: Any) -> None:
    items = body(api.resolve(event("/v1/entities"), None))["items"]
    assert {i["slug"]: i["count"] for i in items} == {
        "anthropic": 30,
        "openai": 30,
        "claude": 15,
        "eu-ai-act": 15,
    }
