""" "Earlier in this story" against moto: the scorer's transaction writes each signal's thread entries
(and removes those an update drops), the API and the page read them with one Query per thread,
never a Scan, and a signal page costs a bounded number of DynamoDB calls."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
from fabricate import body, event, make_signal
from signals.models import Category, ScoreBreakdown, Signal

START = datetime(2026, 6, 2, 17, 1, tzinfo=UTC)


def funding_round(n: int, days: int, entities: list[str]) -> Signal:
    return make_signal(
        n,
        published=START - timedelta(days=days),
        category=Category.BUSINESS,
        title=f"Round {n}",
        entities=entities,
        score_breakdown=ScoreBreakdown(rubric_version="r", base=7.0, raw=8.0, event="funding"),
    )


def write(signal: Signal, previous: Signal | None = None) -> None:
    from signals.storage.story_records import StoryRecords

    StoryRecords().write_story(
        item_id=f"item-{signal.id}-{signal.version}",
        content_hash=f"h{signal.version}",
        signal=signal,
        previous=previous,
        story_keys=[],
    )


class Calls:
    """DynamoDB operations through the shared client, with the partition each Query read."""

    def __init__(self) -> None:
        from signals.storage.aws import client

        self.calls: list[tuple[str, str]] = []
        client("dynamodb").meta.events.register("before-parameter-build.dynamodb.*", self._record)

    def _record(self, model: Any, params: Any, **_: Any) -> None:
        values = params.get("ExpressionAttributeValues", {})
        self.calls.append((model.name, values.get(":pk", {}).get("S", "")))


def get(path: str) -> dict[str, Any]:
    from signals.api.app import app

    return app.resolve(event(path), None)


def thread_rows(aws: Any) -> list[tuple[str, str]]:
    rows = aws.dynamodb.scan(TableName=aws.table_name)[
        "Items"
    ]  # the test inspects the table; the code never scans
    return sorted((r["pk"]["S"], r["sk"]["S"]) for r in rows if r["pk"]["S"].startswith("THREAD#"))


def test_the_scorer_writes_thread_entries_and_the_page_reads_them_with_one_query_per_thread(aws: Any) -> None:
    # Given four Anthropic rounds (one also Google's) and an OpenAI round, written by the scorer's transaction
    rounds = [funding_round(n, 100 * n, ["Anthropic"]) for n in range(4)]
    rounds[0] = funding_round(0, 0, ["Anthropic", "Google"])
    for signal in [*rounds, funding_round(9, 50, ["OpenAI"])]:
        write(signal)
    assert len(thread_rows(aws)) == 6  # one entry per (signal, thread)

    # When the newest round's related signals and page are read
    calls = Calls()
    related = body(get(f"/v1/signals/{rounds[0].id}/related"))
    # Then: the earlier Anthropic rounds, newest first, through Queries of its two threads only
    assert [i["id"] for i in related["items"]] == [rounds[1].id, rounds[2].id, rounds[3].id]
    assert related["items"][0]["thread"] == "funding#anthropic" and related["signal_id"] == rounds[0].id
    assert [name for name, _ in calls.calls] == ["GetItem", "Query", "Query"]
    assert {pk for _, pk in calls.calls[1:]} == {"THREAD#funding#anthropic", "THREAD#funding#google"}

    calls.calls.clear()
    page = get(f"/signals/{rounds[0].id}")
    assert page["statusCode"] == 200 and "Earlier in this story" in page["body"]
    assert page["body"].index(f'/signals/{rounds[1].id}"') < page["body"].index(f'/signals/{rounds[2].id}"')
    # a signal page costs one GetItem and at most one Query per thread (SIGNALS_STORY_THREADS_PER_SIGNAL_MAX)
    assert len(calls.calls) <= 1 + 3 and {n for n, _ in calls.calls} <= {"GetItem", "Query"}
    assert get("/v1/signals/nope/related")["statusCode"] == 404


def test_an_update_that_changes_the_story_moves_its_thread_entries(aws: Any) -> None:
    first = funding_round(1, 10, ["Anthropic"])
    write(first)
    moved = first.model_copy(update={"entities": ["OpenAI"], "version": 2})
    write(moved, previous=first)
    assert [pk for pk, _ in thread_rows(aws)] == ["THREAD#funding#openai"]
