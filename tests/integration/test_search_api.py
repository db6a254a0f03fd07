"""Search (``q``) through the API on moto: answers, errors, cursors and what a search costs.

The table holds a realistic sample of the demo corpus (every signal that mentions Claude or Opus,
and every 25th other one: about 400), written as the scorer writes (``records_for``).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
from demo_corpus import demo_signals
from fabricate import body, event, store
from signals.models import Signal
from signals.models.search_terms import signal_terms, terms


def _sample() -> list[Signal]:
    wanted = {"claud", "opus"}
    return [s for n, s in enumerate(demo_signals()) if wanted & set(signal_terms(s)) or n % 25 == 0]


@pytest.fixture(scope="module")
def table() -> Any:
    import boto3
    from moto import mock_aws
    from signals.config import reset_settings
    from signals.local.template import create_resources
    from signals.storage.aws import reset_clients

    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        dynamodb, s3, sqs = (boto3.client(n, region_name="us-east-1") for n in ("dynamodb", "s3", "sqs"))
        resources = create_resources(dynamodb=dynamodb, s3=s3, sqs=sqs, visibility_override=1)
        for key, value in resources.environment().items():
            patch.setenv(key, value)
        reset_settings()
        reset_clients()
        signals = _sample()
        store(dynamodb, resources.table_name, signals)
        yield signals


@pytest.fixture
def api(table: list[Signal]) -> Any:
    from signals.api import reading
    from signals.api.app import app

    reading.use_index(None)  # a fresh DynamoDB index: the month registry read once per test
    return app


def get(app: Any, path: str, params: Any = None) -> dict[str, Any]:
    return app.resolve(event(path, params), None)


class Calls:
    """DynamoDB calls and items read (botocore hooks on the code's client), as in test_api.py."""

    def __init__(self) -> None:
        from signals.storage.aws import client

        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.read = 0
        events = client("dynamodb").meta.events
        events.register("before-parameter-build.dynamodb", self._before)
        events.register("after-call.dynamodb", self._after)

    def _before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls.append((model.name, params))

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        pk = self.calls[-1][1].get("ExpressionAttributeValues", {}).get(":pk", {}).get("S")
        if model.name == "Query" and pk != "MONTHS":
            self.read += parsed.get("ScannedCount", parsed.get("Count", 0))

    def term_queries(self) -> list[str]:
        return [
            p["ExpressionAttributeValues"][":pk"]["S"]
            for op, p in self.calls
            if op == "Query" and p["ExpressionAttributeValues"][":pk"]["S"].startswith("TERM#")
        ]


def expected(signals: list[Signal], q: str) -> list[str]:
    wanted = set(terms(q))
    kept = [s for s in signals if wanted <= set(signal_terms(s))]
    return [s.id for s in sorted(kept, key=lambda s: (s.published_at, s.id), reverse=True)]


def walk(app: Any, params: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    cursor = None
    for _ in range(100):
        response = get(app, "/v1/signals", {**params, **({"cursor": cursor} if cursor else {})})
        assert response["statusCode"] == 200, response["body"]
        page = body(response)
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("q", ["Claude OPUS", "the introduced Claude’s"])
def test_search_pages_hold_every_match_newest_first(api: Any, table: list[Signal], q: str) -> None:
    want = expected(table, q)
    assert want
    assert walk(api, {"q": q, "limit": 6}) == want


def test_search_combines_with_the_other_filters(api: Any, table: list[Signal]) -> None:
    want = [i for i in expected(table, "claude") if next(s for s in table if s.id == i).score >= 6]
    assert want and walk(api, {"q": "claude", "min_score": 6, "limit": 50}) == want


def test_two_term_search_costs_one_query_per_term_and_month_and_reads_3x_what_it_returns(
    api: Any,
) -> None:
    get(api, "/v1/signals", {"limit": 1})  # the month registry, read once per container
    calls = Calls()
    page = body(get(api, "/v1/signals", {"q": "claude opus", "limit": 10}))
    returned = len(page["items"])
    assert returned == 10
    ops = Counter(op for op, _ in calls.calls)
    assert set(ops) == {"Query"}, ops  # no Scan, no GetItem
    per_partition = Counter(calls.term_queries())
    assert max(per_partition.values()) == 1, per_partition  # each term's month partition once
    months = {pk.rsplit("#", 1)[1] for pk in per_partition}
    assert len(per_partition) <= 2 * len(months)
    assert calls.read <= 3 * returned, (calls.read, returned)


def test_score_order_lists_the_claude_opus_releases_first(api: Any) -> None:
    page = body(get(api, "/v1/signals", {"q": "claude opus", "sort": "score", "limit": 5}))
    titles = [item["title"] for item in page["items"]]
    assert titles[0] == "Introducing Claude Opus 5" and all("Claude Opus" in t for t in titles), titles
    second = body(
        get(api, "/v1/signals", {"q": "claude opus", "sort": "score", "cursor": page["next_cursor"]})
    )
    assert not {i["id"] for i in second["items"]} & {i["id"] for i in page["items"]}


@pytest.mark.parametrize(
    ("q", "code", "says"),
    [
        ("the of and", "invalid_search", "no word to search for"),
        ("one two three four five six seven", "invalid_search", "at most 6"),
        ("x" * 201, "invalid_parameter", "q"),
    ],
)
def test_bad_searches_are_a_400_a_person_can_act_on(api: Any, q: str, code: str, says: str) -> None:
    response = get(api, "/v1/signals", {"q": q})
    assert response["statusCode"] == 400, response["body"]
    problem = body(response)
    assert problem["code"] == code and says in (problem["detail"] + str(problem.get("errors"))), problem


def test_feeds_keep_the_search(api: Any, table: list[Signal]) -> None:
    response = get(api, "/v1/feed.json", {"q": "claude opus"})
    assert response["statusCode"] == 200
    ids = [item["id"] for item in body(response)["items"]]
    assert ids and set(ids) <= set(expected(table, "claude opus"))


# --- search with the other follow features (entity=, updated_since), landed on separate branches


def test_search_and_entity_filters_meet(api: Any, table: list[Signal]) -> None:
    from signals.models.entity_slug import entity_slugs

    named = set(expected(table, "claude")) & {s.id for s in table if "anthropic" in entity_slugs(s.entities)}
    want = [i for i in expected(table, "claude") if i in named]
    unnamed = [i for i in expected(table, "claude") if i not in named]
    assert want and unnamed  # the filter has something to keep and something to drop
    assert walk(api, {"q": "claude", "entity": "Anthropic", "limit": 7}) == want


def test_updated_since_keeps_the_search_and_the_entity(api: Any, table: list[Signal]) -> None:
    from datetime import timedelta

    from signals.models import as_utc, utcnow
    from signals.models.entity_slug import entity_slugs

    since = utcnow() - timedelta(days=300)
    params = {"q": "claude", "entity": "anthropic", "updated_since": since.strftime("%Y-%m-%dT%H:%M:%SZ")}
    want = [
        s.id
        for s in sorted(table, key=lambda s: (s.updated_at, s.id))
        if as_utc(s.updated_at) > since
        and {"claud"} <= set(signal_terms(s))
        and "anthropic" in entity_slugs(s.entities)
    ]
    older = [s for s in table if as_utc(s.updated_at) <= since and "claud" in signal_terms(s)]
    assert want and older  # changes to list, and older ones the value must leave out
    response = get(api, "/v1/signals", {**params, "limit": 100})
    assert response["statusCode"] == 200, response["body"]
    page = body(response)
    assert [item["id"] for item in page["items"]] == want
    assert page["next_updated_since"] and response["headers"]["Signals-Next-Updated-Since"]
