"""The feed API in-process against moto: filters, orders, cursors, pages, feeds, call counts.

HTTP behaviour that does not depend on what is stored (CORS, headers, ETag/304, parameter errors,
404/405, OpenAPI) is tested without AWS in ``tests/unit/api/test_http_policy.py``.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import hypothesis
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
from fabricate import body, event, make_signal, store
from signals.models import Category, Signal

N = 150  # 7 h apart: about six weeks, three month partitions


@pytest.fixture(scope="module")
def _shared_table() -> Any:
    """One moto table with N fabricated signals for the read-only tests of this module (fast)."""
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
        signals = [make_signal(n) for n in range(N)]
        store(dynamodb, resources.table_name, signals)
        yield signals


@pytest.fixture
def api(_shared_table: list[Signal]) -> Any:
    """The resolver over the shared table (read-only: tests that write use ``aws``)."""
    from signals.api.app import app

    app.signals = _shared_table  # type: ignore[attr-defined]
    return app


def get(app: Any, path: str, params: Any = None, **kwargs: Any) -> dict[str, Any]:
    return app.resolve(event(path, params, **kwargs), None)


def newest_first(signals: list[Signal]) -> list[str]:
    return [s.id for s in sorted(signals, key=lambda s: (s.published_at, s.id), reverse=True)]


def walk(app: Any, params: dict[str, Any], between_pages: Any = None) -> list[str]:
    """Follow next_cursor to the end; ids in the order served."""
    ids: list[str] = []
    cursor = None
    for _ in range(200):
        response = get(app, "/v1/signals", {**params, **({"cursor": cursor} if cursor else {})})
        assert response["statusCode"] == 200, response["body"]
        page = body(response)
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids
        if between_pages:
            between_pages()
    raise AssertionError("pagination did not end")


class DynamoCalls:
    """Counts DynamoDB calls and items read, through botocore event hooks on the shared client."""

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
        if model.name == "Query" and self.partitions()[-1] != "table:MONTHS":  # feed items only
            self.read += parsed.get("ScannedCount", parsed.get("Count", 0))

    def partitions(self) -> list[str]:
        return [
            f"{p.get('IndexName', 'table')}:{p['ExpressionAttributeValues'][':pk']['S']}"
            for op, p in self.calls
            if op == "Query"
        ]


# --------------------------------------------------------------------------- tests that write
# These use their own moto stack (``aws``) and run before the module's shared table exists:
# keep them first in the file.


def test_hot_order_prefers_recent_significant_signals(aws: Any) -> None:
    from signals.api.app import app

    now = datetime.now(UTC)
    fresh_high = make_signal(1, published=now - timedelta(hours=1), score=8)
    old_higher = make_signal(2, published=now - timedelta(days=3), score=10)
    fresh_low = make_signal(3, published=now - timedelta(hours=2), score=2)
    ancient = make_signal(4, published=now - timedelta(days=30), score=10)  # outside the hot window
    store(aws.dynamodb, aws.table_name, [fresh_high, old_higher, fresh_low, ancient])
    first = body(get(app, "/v1/signals", {"sort": "hot", "limit": 2}))
    assert [i["id"] for i in first["items"]] == ["sig00001", "sig00003"]  # 8*~0.97 > 2*~0.94 > 10*0.125
    rest = body(get(app, "/v1/signals", {"sort": "hot", "limit": 2, "cursor": first["next_cursor"]}))
    assert [i["id"] for i in rest["items"]] == ["sig00002"] and rest["next_cursor"] is None


@pytest.mark.parametrize("params", [{}])  # the filters: tests/unit/ranking/test_hot.py, in memory
def test_hot_order_is_the_exact_ranking_and_reads_a_fraction_of_the_window(aws: Any, params: Any) -> None:
    import random

    from signals.api.app import app
    from signals.ranking.hot import hot_score
    from signals.ranking.query import FeedQuery

    # Given a week of signals, one every 20 minutes (504), mostly minor, a few major ones
    now = datetime.now(UTC)
    rng = random.Random(7)
    signals = [
        make_signal(
            n,
            # jittered: at an exact 20-minute grid, 10 a day older ties 5 now (hotness halves daily)
            published=now - timedelta(minutes=20 * n + 1, seconds=rng.randint(0, 59)),
            score=rng.choice([2, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8, 9, 10]),
        )
        for n in range(504)
    ]
    store(aws.dynamodb, aws.table_name, signals)
    query = FeedQuery(
        min_score=params.get("min_score", 1),
        categories=(params["category"],) if "category" in params else (),
        tags=(params["tag"],) if "tag" in params else (),
    )
    expected = sorted(
        (s for s in signals if query.matches(s)),
        key=lambda s: (hot_score(s, now), s.published_at.isoformat(), s.id),
        reverse=True,
    )

    # When a reader walks three hot pages of 10
    counter = DynamoCalls()
    walked, cursor = [], None
    for _ in range(3):
        page = body(
            get(
                app,
                "/v1/signals",
                {**params, "sort": "hot", "limit": 10, **({"cursor": cursor} if cursor else {})},
            )
        )
        walked += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]

    # Then they are the 30 hottest of the whole window in order (brute force over every signal;
    # the page's instant is a few ms after ``now``: no rank changes in between at this spacing)
    assert walked == [s.id for s in expected[:30]]
    if not params:  # a busy window: the sparse high tiers end the search early (500 read before)
        assert counter.read < 0.3 * 3 * len(expected), (counter.read, len(expected))


def test_pagination_neither_repeats_nor_skips_while_new_signals_arrive(aws: Any) -> None:
    from signals.api.app import app as api

    api.signals = [make_signal(n) for n in range(60)]
    store(aws.dynamodb, aws.table_name, api.signals)
    expected = newest_first([s for s in api.signals if s.score >= 4])
    arrivals = iter(range(1000, 1100))

    def publish_one() -> None:  # newer than everything served so far
        n = next(arrivals)
        store(aws.dynamodb, aws.table_name, [make_signal(n, published=datetime.now(UTC), score=9)])

    assert walk(api, {"min_score": 4, "limit": 9}, between_pages=publish_one) == expected
    assert walk(api, {"limit": 13}, between_pages=publish_one)[-50:] == newest_first(api.signals)[-50:]


# --------------------------------------------------------------------------- filters and orders


def test_default_page_is_newest_first_with_default_limit(api: Any) -> None:
    page = body(get(api, "/v1/signals"))
    assert [i["id"] for i in page["items"]] == newest_first(api.signals)[:20]
    assert page["limit"] == 20 and page["next_cursor"]


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"min_score": 7}, lambda s: s.score >= 7),
        ({"category": "safety-policy"}, lambda s: s.category is Category.SAFETY_POLICY),
        (
            [("category", "security"), ("category", "business"), ("min_score", 5)],
            lambda s: s.category in (Category.SECURITY, Category.BUSINESS) and s.score >= 5,
        ),
        ({"tag": "regulation"}, lambda s: "regulation" in s.tags),
        ({"source": "src2"}, lambda s: any(r.source_id == "src2" for r in s.sources)),
        ({"tag": "policy", "min_score": 6}, lambda s: "policy" in s.tags and s.score >= 6),
        (
            {"since": "2026-05-01T00:00:00Z", "until": "2026-05-20T12:00:00Z"},
            lambda s: (
                datetime(2026, 5, 1, tzinfo=UTC) <= s.published_at <= datetime(2026, 5, 20, 12, tzinfo=UTC)
            ),
        ),
    ],
)
def test_filters_select_exactly_the_matching_signals(api: Any, params: Any, keep: Any) -> None:
    pairs = list(params.items()) if isinstance(params, dict) else params
    ids = walk(api, dict(pairs) if isinstance(params, dict) else {}) if isinstance(params, dict) else None
    if ids is None:  # repeated parameter: walk by hand
        ids, cursor = [], None
        while True:
            page = body(get(api, "/v1/signals", pairs + ([("cursor", cursor)] if cursor else [])))
            ids += [i["id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
    expected = newest_first([s for s in api.signals if keep(s)])
    assert expected and ids == expected


def test_score_order_is_global_across_months(api: Any) -> None:
    ids = walk(api, {"sort": "score", "limit": 17})
    by_id = {s.id: s for s in api.signals}
    expected = sorted(api.signals, key=lambda s: (s.score, s.published_at, s.id), reverse=True)
    assert ids == [s.id for s in expected]
    assert by_id[ids[0]].score == 10


# --------------------------------------------------------------------------- cursors


def _problem(response: dict[str, Any], status: int, code: str) -> dict[str, Any]:
    assert response["statusCode"] == status, response["body"]
    assert response["headers"]["Content-Type"] == "application/problem+json"
    problem = body(response)
    assert problem["code"] == code and problem["status"] == status and problem["title"] and problem["detail"]
    assert problem["request_id"] == "req-123"
    assert "Traceback" not in response["body"]
    return problem


def test_tampered_cursor_is_rejected(api: Any) -> None:
    cursor = body(get(api, "/v1/signals", {"limit": 5}))["next_cursor"]
    payload, signature = cursor.split(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[raw.index(b'"k"') + 6] ^= 0x01
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode() + "." + signature
    for bad in (forged, cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB"), "garbage", "a.b.c"):
        _problem(get(api, "/v1/signals", {"limit": 5, "cursor": bad}), 400, "invalid_cursor")


def test_cursor_bound_to_its_filters_and_expiring(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cursor = body(get(api, "/v1/signals", {"min_score": 5, "limit": 5}))["next_cursor"]
    _problem(get(api, "/v1/signals", {"min_score": 6, "limit": 5, "cursor": cursor}), 400, "cursor_mismatch")
    assert get(api, "/v1/signals", {"min_score": 5, "limit": 3, "cursor": cursor})["statusCode"] == 200
    later = time.time() + 24 * 3600 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    _problem(get(api, "/v1/signals", {"min_score": 5, "limit": 5, "cursor": cursor}), 400, "cursor_expired")


# --------------------------------------------------------------------------- one signal, counts


def test_one_signal_has_everything(api: Any) -> None:
    data = body(get(api, "/v1/signals/sig00002"))
    assert Signal.model_validate(data) == api.signals[2]
    assert data["analysis"]["why_it_matters"] == "WIM text" and len(data["sources"]) == 2


def test_categories_and_tags_have_counts(api: Any) -> None:
    categories = {c["id"]: c for c in body(get(api, "/v1/categories"))["items"]}
    assert categories["safety-policy"]["label"] == "Safety & Policy"
    assert categories["safety-policy"]["count"] == sum(
        s.category is Category.SAFETY_POLICY for s in api.signals
    )
    assert categories["off-topic"]["count"] == 0
    tags = body(get(api, "/v1/tags"))["items"]
    assert tags[0] == {
        "tag": "frontier-models",
        "count": sum("frontier-models" in s.tags for s in api.signals),
    }


# --------------------------------------------------------------------------- pages


def test_signal_page_shows_what_a_reader_needs(api: Any) -> None:
    html = get(api, "/signals/sig00002")["body"]
    signal = api.signals[2]
    assert f"{signal.score}/10" in html and signal.category.label.replace("&", "&amp;") in html
    assert "Technical Impact" in html and "What to Watch Next" in html and 'href="/"' in html
    assert "<b>&amp;amp; co</b>" not in html and "&lt;b&gt;" in html  # autoescaped headline
    plain = get(api, "/signals/sig00001")["body"]  # no analysis: no sections, a line saying when
    assert "<h2>Technical Impact</h2>" not in plain and "Analyst notes" in plain
    missing = get(api, "/signals/nope")
    assert missing["statusCode"] == 404 and "Back to the feed" in missing["body"]


# --------------------------------------------------------------------------- DynamoDB cost


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"min_score": 7},
        {"category": "security"},
        {"category": "security", "min_score": 5},
        {"tag": "policy"},
    ],
)
def test_page_costs_one_query_per_partition_and_reads_only_what_it_returns(api: Any, params: Any) -> None:
    counter = DynamoCalls()
    page = body(get(api, "/v1/signals", {**params, "limit": 10}))
    returned = len(page["items"])
    ops = [op for op, _ in counter.calls]
    assert set(ops) == {"Query"}, ops  # no Scan, no GetItem
    partitions = counter.partitions()
    assert partitions.count("table:MONTHS") <= 1  # month registry: cached per container, cursor keeps it
    assert len(partitions) == len(set(partitions)), partitions  # one Query per partition touched
    assert returned == 10 and counter.read <= 1.5 * returned, (counter.read, returned)
    counter.calls.clear()
    counter.read = 0
    body(get(api, "/v1/signals", {**params, "limit": 10, "cursor": page["next_cursor"]}))
    partitions = counter.partitions()
    assert "table:MONTHS" not in partitions and len(partitions) == len(set(partitions)), partitions
    assert counter.read <= 1.5 * 10


def test_signal_page_costs_at_most_two_calls(api: Any) -> None:
    counter = DynamoCalls()
    assert get(api, "/signals/sig00003")["statusCode"] == 200
    assert get(api, "/v1/signals/sig00003")["statusCode"] == 200
    assert len(counter.calls) <= 4 and {op for op, _ in counter.calls} == {"GetItem"}


# --------------------------------------------------------------------------- feeds for readers


def test_feedparser_reads_rss_and_atom_like_the_json_api(api: Any) -> None:
    params = {"category": "safety-policy", "min_score": 3, "limit": 10}
    expected = [i["id"] for i in body(get(api, "/v1/signals", params))["items"]]
    for path in ("/v1/feed.rss", "/v1/feed.atom"):
        parsed = feedparser.parse(get(api, path, params)["body"].encode())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        ids = [entry.id for entry in parsed.entries]  # RSS: our page is the permalink, Atom: the urn
        assert ids in (
            [f"https://api.signals.example/signals/{i}" for i in expected],
            [f"urn:signals:{i}" for i in expected],
        )
        assert [entry.link for entry in parsed.entries] == [
            f"https://news.example/{int(i[3:])}" for i in expected
        ]
        assert parsed.entries[0].title == "Headline 0 <b>&amp; co</b>" or parsed.entries[0].title.startswith(
            "Headline"
        )


def test_json_feed_has_every_required_field(api: Any) -> None:
    response = get(api, "/v1/feed.json", {"limit": 5})
    assert response["headers"]["Content-Type"].startswith("application/feed+json")
    feed = body(response)
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"]
    assert feed["feed_url"].startswith("https://api.signals.example/v1/feed.json")
    assert len(feed["items"]) == 5
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_text") or item.get("content_html")
        assert item["url"].startswith("https://") and item["date_published"].endswith("Z")


def test_public_base_url_wins_over_host(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from signals.config import reset_settings

    monkeypatch.setenv("SIGNALS_PUBLIC_BASE_URL", "https://signals.news/")
    reset_settings()
    feed = body(get(api, "/v1/feed.json", {"limit": 1}))
    assert feed["items"][0]["url"].startswith("https://signals.news/signals/")


# --------------------------------------------------------------------------- the function


def test_handler_function_resolves_sample_events(api: Any) -> None:
    import importlib.util

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("api_function", root / "functions" / "api" / "app.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(module)

    class Context:
        function_name, memory_limit_in_mb, aws_request_id = "api", 1024, "ctx-1"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:api"

    sample = json.loads((root / "events" / "http-get-signals.json").read_text())
    response = module.handler(sample, Context())
    items = body(response)["items"]
    assert response["statusCode"] == 200 and items
    assert all(i["score"] >= 7 and i["category"] in ("safety-policy", "security") for i in items)
    one = json.loads((root / "events" / "http-get-signal.json").read_text())
    assert module.handler(one, Context())["statusCode"] == 404


# --------------------------------------------------------------------------- schemathesis


def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The resolver as a WSGI app (what API Gateway would send, as a v2 event)."""
    from urllib.parse import parse_qsl

    from signals.api.app import app

    raw = environ.get("QUERY_STRING", "")
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    evt = event(
        environ.get("PATH_INFO") or "/",
        parse_qsl(raw, keep_blank_values=True),
        method=environ["REQUEST_METHOD"],
        headers=headers,
    )
    evt["rawQueryString"] = raw
    result = app.resolve(evt, None)
    payload = result.get("body") or ""
    data = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
    start_response(f"{result['statusCode']} X", list(result.get("headers", {}).items()))
    return [data]


def _schema() -> Any:
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", wsgi)
    schema.config.generation.update(modes=list(schemathesis.GenerationMode))  # positive and negative
    # the feed surface this module owns; routers of other features test their own routes
    return schema.include(path_regex=r"^/(v1/(signals|categories|tags|feed)|signals/|$)")


SCHEMA = _schema()


@SCHEMA.parametrize()
@hypothesis.settings(max_examples=25, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_schemathesis_finds_no_server_error_and_no_schema_violation(case: Any, api: Any) -> None:
    from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

    response = case.call()
    # Every check Schemathesis has (``--checks all``). One check, "valid data is accepted", is left
    # out for the two things OpenAPI cannot say: a cursor is valid only when this server signed it
    # (a forged one must be refused: test_tampered_cursor_is_rejected), ``since`` may not be
    # later than ``until`` (a rule across two parameters), and a ``source`` must be one the
    # stored sources know (like a category, but the list is data, not schema). ``updated_since``
    # must be a past instant, or a value the API returned, within a year: text the schema cannot tell.
    query = case.query or {}
    since, until = str(query.get("since", "")), str(query.get("until", ""))
    # a ``q`` of stop words only ("the of") is a 400 too: which words are common is not schema
    crossed = bool(since and until and since > until)
    unsayable = crossed or any(name in query for name in ("cursor", "source", "q", "updated_since"))
    excluded = [positive_data_acceptance] if unsayable else []
    # A query string holds text only: a "not an array" ``tag`` (false, 0) arrives as the one-item
    # list of tags ["false"], which is valid; it cannot violate the schema on the wire.
    # The same for ``entity``, where a lone value (not an array) also arrives as a one-item list.
    tags, entities = query.get("tag"), query.get("entity")
    lone_tag = tags is not None and not all(
        isinstance(t, str) for t in (tags if isinstance(tags, list) else [tags])
    )
    lone_entity = entities is not None and not (
        isinstance(entities, list) and all(isinstance(v, str) for v in entities)
    )
    if lone_tag or lone_entity:
        excluded.append(negative_data_rejection)
    case.validate_response(response, excluded_checks=excluded)
    echoed = any("traceback" in str(value).lower() for value in query.values())  # a source or q, quoted back
    if response.status_code >= 400 and not echoed:  # error bodies never leak internals
        assert "Traceback" not in response.text


def test_head_mirrors_get_without_the_body(api):
    from signals.api.app import handle

    got = handle(event("/v1/feed.rss", {"min_score": 5}), None)
    head = handle(event("/v1/feed.rss", {"min_score": 5}, method="HEAD"), None)
    assert head["statusCode"] == got["statusCode"] == 200
    assert head["body"] == "" and got["body"]
    assert head["headers"]["ETag"] == got["headers"]["ETag"]
    assert head["headers"]["Content-Type"] == got["headers"]["Content-Type"]
    assert handle(event("/v1/signals/nope", method="HEAD"), None)["statusCode"] == 404


def test_schemathesis_checks_updated_since_answers_with_valid_values(api: Any) -> None:
    """Generated values of ``updated_since`` are mostly not instants (400s, checked above); these are
    the answers a poller gets, checked against the schema with every Schemathesis check."""
    operation = SCHEMA["/v1/signals"]["GET"]
    first = datetime.now(UTC) - timedelta(days=200)
    values = [first.strftime("%Y-%m-%dT%H:%M:%SZ"), "2026-06-02T10:06:00Z~sig00001"]
    for value in values:
        for query in ({"updated_since": value, "limit": 3}, {"updated_since": value, "min_score": 7}):
            case = operation.Case(query=query)
            response = case.call()
            assert response.status_code == 200, response.text
            headers = {k.lower(): v for k, v in response.headers.items()}
            assert headers["signals-next-updated-since"] == ([response.json()["next_updated_since"]])
            case.validate_response(response)
            if value == values[0]:
                assert response.json()["items"]  # a 200-day window of the shared table holds changes
