"""Webhooks end to end against moto and loopback stub receivers.

Covers the subscription API (auth, isolation, property authz, optimistic locking, SSRF at
subscription time), fan-out reads, delivery (signatures the official library accepts, status
handling, retries with a fake clock, exhaustion to the DLQ, auto-disable), SSRF at delivery time
(DNS rebinding), isolation of slow endpoints, and partial batch responses.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from signals.config import get_settings, reset_settings
from signals.local.loopback_server import LoopbackServer as ThreadingHTTPServer  # quiet when a client resets
from signals.models import Category, ScoreBreakdown, Signal, SignalEvent, SourceRef
from signals.models.delivery import DeliveryTask
from signals.models.subscription import VersionConflict
from signals.storage import apikey_records
from signals.storage.aws import client
from signals.storage.delivery_records import DynamoDeliveryLog
from signals.storage.signal_records import to_record
from signals.storage.subscription_records import DynamoSubscriptionStore
from signals.webhooks import dispatch, signing, wiring
from signals.webhooks.matching import partition_name, shard_of
from signals.webhooks.subscriptions import wants
from standardwebhooks import Webhook

PUBLIC_IP = "93.184.216.34"


@pytest.fixture(autouse=True)
def _one_receiver_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every subscription here points at the one loopback receiver: lift the per-host cap (its own
    tests set it back down)."""
    monkeypatch.setenv("SIGNALS_SUBSCRIPTIONS_PER_HOST_MAX", "1000")
    reset_settings()


def store() -> DynamoSubscriptionStore:
    """The real subscription store (DynamoDB on moto), as the functions wire it."""
    return wiring.subscription_store()


def delivery_log() -> DynamoDeliveryLog:
    return DynamoDeliveryLog()


def handle(body: str, ctx: dispatch.DeliveryContext | None = None) -> dispatch.Outcome:
    """One delivery-queue message through the real stores."""
    return dispatch.handle_message(body, ctx or wiring.delivery_context())


def index_rows_of(category: str, score: int) -> list:
    """Every stored index row of ``category`` (or ``*``) with ``min_score <= score``, all shards."""
    rows = []
    for shard in range(get_settings().fanout_shards):
        start: str | None = None
        while True:
            found, start = store().matching_rows(
                partition_name(category, shard), score, limit=500, start_sk=start
            )
            rows.extend(found)
            if start is None:
                break
    return rows


# ------------------------------------------------------------------ fixtures and helpers


class LambdaContext:
    function_name = "deliver"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:deliver"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


class FakeClock:
    def __init__(self, start: datetime | None = None):
        self.now = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Stub:
    """Loopback receiver whose behaviour depends on the path."""

    server: ThreadingHTTPServer
    hits: list[Hit] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def stub():
    holder: dict[str, Stub] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            me = holder["stub"]
            me.hits.append(Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            me.order.append(f"received:{self.path}")
            kind = self.path.strip("/").split("/")[0]
            if kind == "hang":
                me.release.wait(10)
                return
            status, headers = {
                "ok": (200, {}),
                "moved": (301, {"Location": "/ok/redirect-target"}),
                "gone": (410, {}),
                "throttle": (429, {"Retry-After": "120"}),
                "unavailable": (503, {"Retry-After": "120"}),
                "error": (500, {}),
            }.get(kind, (404, {}))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["stub"] = Stub(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["stub"]
    holder["stub"].release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def local(aws, monkeypatch, stub):
    """moto + local mode (loopback http to the stub's port and the unreachable port 9) + small timeouts
    + no SQS delays (fake clock drives)."""
    for name, value in {
        "SIGNALS_LOCAL_MODE": "true",
        "SIGNALS_LOCAL_LOOPBACK_PORTS": f"[9, {stub.server.server_address[1]}]",
        "SIGNALS_DELIVERY_TIMEOUT_S": "0.5",
        "SIGNALS_DELIVERY_CONNECT_TIMEOUT_S": "0.5",
        "SIGNALS_SQS_MAX_DELAY_S": "0",
    }.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    return aws


def http_event(method: str, path: str, *, key: str | None = None, body: Any = None, headers=None, query=None):
    all_headers = {"content-type": "application/json", "origin": "https://evil.example", **(headers or {})}
    if key is not None:
        all_headers["authorization"] = f"Bearer {key}"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": all_headers,
        "queryStringParameters": query or None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "api.example",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "1.2.3.4",
                "userAgent": "t",
            },
            "requestId": "req-abc",
            "routeKey": "$default",
            "stage": "$default",
            "time": "02/Jun/2026:12:00:00 +0000",
            "timeEpoch": 0,
        },
        "body": body if isinstance(body, str) or body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any
    raw: str


@pytest.fixture
def api(monkeypatch):
    from signals.api import subscription_routes as routes
    from signals.api.app import app  # the real resolver: problem details, middleware, CORS policy

    monkeypatch.setattr(routes, "resolver", lambda host: [PUBLIC_IP])

    def call(method, path, key=None, body=None, headers=None, query=None) -> Answer:
        out = app.resolve(
            http_event(method, path, key=key, body=body, headers=headers, query=query), LambdaContext()
        )
        raw = out.get("body") or ""
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return Answer(
            out["statusCode"], {k.lower(): v for k, v in (out.get("headers") or {}).items()}, parsed, raw
        )

    return call


def make_signal(
    signal_id="sig-1", score=7, category=Category.SECURITY, tags=("llm",), source="src-a"
) -> Signal:
    now = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
    return Signal(
        id=signal_id,
        title="Model weights leak — “quoted” 日本語",
        url="https://example.com/a",
        published_at=now,
        scored_at=now,
        updated_at=now,
        score=score,
        category=category,
        tags=list(tags),
        summary="A summary.",
        score_breakdown=ScoreBreakdown(rubric_version="1", base=5, raw=float(score)),
        sources=[
            SourceRef(item_id="i1", source_id=source, name="A", url="https://example.com/a", published_at=now)
        ],
    )


def put_signal(aws, signal: Signal) -> SignalEvent:
    aws.dynamodb.put_item(TableName=aws.table_name, Item=to_record(signal))
    return SignalEvent(
        type="signal.created",
        event_id=f"evt-{signal.id}-v{signal.version}",
        signal_id=signal.id,
        signal_version=signal.version,
        occurred_at=signal.scored_at,
    )


def new_key(name="alice") -> str:
    text, _ = apikey_records.create_key(name)
    return text


def subscribe(api, key, url, **extra) -> dict:
    answer = api("POST", "/v1/subscriptions", key=key, body={"url": url, **extra})
    assert answer.status == 201, answer.raw
    return answer.body


def sqs_records(messages: list[dict]) -> dict:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:signals-DeliveryQueue",
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


def _deliver_handler():
    import importlib.util
    import sys

    name = "deliver_function_app"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[2] / "functions" / "deliver" / "app.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name].handler


def invoke_deliver(records_event: dict) -> dict:
    return _deliver_handler()(records_event, LambdaContext())


def send_to_queue(aws, body: str) -> None:
    aws.sqs.send_message(QueueUrl=aws.queue_urls["DeliveryQueue"], MessageBody=body)


def pump(aws, clock: FakeClock | None = None, rounds: int = 200) -> list[dict]:
    """Play the SQS event source: feed delivery-queue batches to the handler until it is empty.

    With a fake clock, a task that is not yet due moves the clock to its ``not_before`` (time passes).
    Returns every handler response.
    """
    responses = []
    for _ in range(rounds):
        got = aws.sqs.receive_message(QueueUrl=aws.queue_urls["DeliveryQueue"], MaxNumberOfMessages=10)
        messages = got.get("Messages", [])
        if not messages:
            break
        if clock is not None:
            for m in messages:
                data = json.loads(m["Body"])
                if data.get("kind") == "delivery" and data.get("not_before"):
                    due = datetime.fromisoformat(data["not_before"].replace("Z", "+00:00"))
                    clock.now = max(clock.now, due)
        response = invoke_deliver(sqs_records(messages))
        responses.append(response)
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        for m in messages:
            if m["MessageId"] not in failed:
                aws.sqs.delete_message(
                    QueueUrl=aws.queue_urls["DeliveryQueue"], ReceiptHandle=m["ReceiptHandle"]
                )
    return responses


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    real = wiring.delivery_context
    monkeypatch.setattr(wiring, "delivery_context", lambda **seams: real(clock=fake, **seams))
    return fake


# ------------------------------------------------------------------ API: auth, isolation, properties


def test_create_shows_secret_once_and_never_again_nor_in_logs(local, api, capsys, caplog):
    key = new_key()
    created = subscribe(api, key, "http://127.0.0.1:9/hook", filters={"min_score": 6})
    secret = created["secret"]
    assert secret.startswith("whsec_") and created["status"] == "active" and created["version"] == 1
    one = api("GET", f"/v1/subscriptions/{created['id']}", key=key)
    listed = api("GET", "/v1/subscriptions", key=key)
    assert one.status == 200 and listed.status == 200
    assert [s["id"] for s in listed.body["items"]] == [created["id"]]
    for answer in (one, listed):
        assert secret not in answer.raw and "whsec_" not in answer.raw and "secret" not in answer.raw
    rotated = api("POST", f"/v1/subscriptions/{created['id']}/rotate-secret", key=key)
    assert rotated.status == 200 and rotated.body["secret"] != secret
    logs = capsys.readouterr().out + capsys.readouterr().err + caplog.text
    assert secret not in logs and rotated.body["secret"] not in logs


def test_missing_or_wrong_key_is_401(local, api):
    new_key()
    for key in (None, "sig_wrong", ""):
        answer = api("GET", "/v1/subscriptions", key=key)
        assert answer.status == 401
        assert answer.body["code"] == "unauthorized"
    assert api("GET", "/v1/subscriptions", headers={"authorization": "Basic abc"}).status == 401


def test_another_keys_subscription_answers_404(local, api):
    alice, bob = new_key("alice"), new_key("bob")
    sub = subscribe(api, alice, "http://127.0.0.1:9/hook")
    base = f"/v1/subscriptions/{sub['id']}"
    for method, path, body in (
        ("GET", base, None),
        ("PATCH", base, {"description": "mine now"}),
        ("DELETE", base, None),
        ("POST", f"{base}/rotate-secret", None),
        ("POST", f"{base}/test", None),
        ("GET", f"{base}/deliveries", None),
    ):
        answer = api(method, path, key=bob, body=body)
        assert answer.status == 404, (method, path)
    assert api("GET", "/v1/subscriptions", key=bob).body["items"] == []
    assert api("GET", base, key=alice).body["description"] == ""  # untouched


def test_patch_of_read_only_property_is_400(local, api):
    key = new_key()
    sub = subscribe(api, key, "http://127.0.0.1:9/hook")
    for prop in ("status", "disabled", "failure_count", "owner"):
        answer = api("PATCH", f"/v1/subscriptions/{sub['id']}", key=key, body={prop: "x", "description": "d"})
        assert (answer.status, answer.body["code"]) == (400, "read_only_property"), prop
    assert api("GET", f"/v1/subscriptions/{sub['id']}", key=key).body["version"] == 1


def test_list_pages_with_a_signed_cursor(local, api):
    key = new_key()
    made = [subscribe(api, key, f"http://127.0.0.1:9/h{n}")["id"] for n in range(3)]
    first = api("GET", "/v1/subscriptions", key=key, query={"limit": "2"})
    assert first.status == 200 and len(first.body["items"]) == 2 and first.body["next_cursor"]
    second = api(
        "GET", "/v1/subscriptions", key=key, query={"limit": "2", "cursor": first.body["next_cursor"]}
    )
    assert sorted(s["id"] for s in first.body["items"] + second.body["items"]) == sorted(made)
    assert second.body.get("next_cursor") is None
    tampered = first.body["next_cursor"][:-2] + (
        "AA" if not first.body["next_cursor"].endswith("AA") else "BB"
    )
    assert api("GET", "/v1/subscriptions", key=key, query={"cursor": tampered}).status == 400
    other = api("GET", "/v1/subscriptions", key=new_key("bob"), query={"cursor": first.body["next_cursor"]})
    assert other.status == 400  # a cursor is bound to its key's listing
    assert api("GET", "/v1/subscriptions", key=key, query={"limit": "1000"}).status == 400


def test_sample_events_drive_the_handlers(local, api, monkeypatch):
    from signals.api.app import app

    # deliver: the sample batch's poison record is the only failure
    batch = json.loads(
        (Path(__file__).resolve().parents[2] / "events" / "sqs-delivery-batch.json").read_text()
    )
    put_signal(local, make_signal("sig-sample-0001"))
    response = invoke_deliver(batch)
    assert response["batchItemFailures"] == [{"itemIdentifier": batch["Records"][2]["messageId"]}]
    # api: the sample create request with its (stored) key
    request = json.loads(
        (Path(__file__).resolve().parents[2] / "events" / "http-create-subscription.json").read_text()
    )
    apikey_records.store_key("sig_SAMPLE-replace-me-with-your-own-key-0123456789abcdefXYZ", "sample")
    answer = app.resolve(request, LambdaContext())
    assert answer["statusCode"] == 201, answer["body"]
    assert json.loads(answer["body"])["secret"].startswith("whsec_")


BAD_BODIES = [
    # (body, extra headers, status, code)
    ("{not json", {}, 400, "invalid_json"),
    ("[" * 6000 + "]" * 6000, {}, 400, "invalid_json"),  # small, but nested past the parser's depth
    ('{"url": "https://a.example", "filters": {"min_score": ' + "9" * 5000 + "}}", {}, 400, "invalid_json"),
    ('{"url": "https://a.example", "filters": {"min_score": -' + "9" * 5000 + "}}", {}, 400, "invalid_json"),
    (None, {}, 400, "invalid_body"),
    ("null", {}, 400, "invalid_body"),
    ([1], {}, 400, "invalid_body"),
    ({"url": "https://a.example", "filters": {"min_score": 11}}, {}, 400, "invalid_body"),
    ({"url": "https://a.example", "colour": "red"}, {}, 400, "unknown_property"),
    ({"url": "https://a.example", "status": "active"}, {}, 400, "read_only_property"),
    ({"url": "https://a.example"}, {"content-type": "text/plain"}, 400, "unsupported_content_type"),
    (
        "url=https%3A%2F%2Fa.example",
        {"content-type": "application/x-www-form-urlencoded"},
        400,
        "unsupported_content_type",
    ),
    (json.dumps({"url": "https://a.example"}) + " " * 20_000, {}, 400, "body_too_large"),
]


@pytest.mark.parametrize(("body", "headers", "status", "code"), BAD_BODIES)
def test_bad_bodies_get_400_problems_with_stable_codes(local, api, body, headers, status, code):
    key = new_key()
    answer = api("POST", "/v1/subscriptions", key=key, body=body, headers=headers)
    assert (answer.status, answer.body["code"]) == (status, code), answer.raw
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.body["request_id"] == "req-abc" and "Traceback" not in answer.raw
    # without a valid key the same request is a 401: the caller is checked before the body
    assert api("POST", "/v1/subscriptions", key="sig_wrong", body=body, headers=headers).status == 401
    assert api("GET", "/v1/subscriptions", key=key).body["items"] == []


def test_patch_body_errors_are_400_and_valid_patches_apply(local, api):
    key = new_key()
    sub = subscribe(api, key, "http://127.0.0.1:9/hook")
    path = f"/v1/subscriptions/{sub['id']}"
    assert api("PATCH", path, key=key, body="{").body["code"] == "invalid_json"
    assert api("PATCH", path, key=key, body={"filters": {"min_score": 0}}).body["code"] == "invalid_body"
    assert api("PATCH", path, key=None, body={"owner": "me"}).status == 401
    changed = api("PATCH", path, key=key, body={"filters": {"min_score": 8, "categories": ["security"]}})
    assert changed.status == 200 and changed.body["filters"]["min_score"] == 8
    assert changed.body["description"] == "" and changed.body["version"] == 2  # unset fields untouched


def test_optimistic_locking_one_of_two_same_version_patches_wins(local, api):
    key = new_key()
    sub = subscribe(api, key, "http://127.0.0.1:9/hook")
    path = f"/v1/subscriptions/{sub['id']}"
    first = api("PATCH", path, key=key, body={"description": "a"}, headers={"if-match": '"1"'})
    second = api("PATCH", path, key=key, body={"description": "b", "expected_version": 1})
    assert (first.status, second.status) == (200, 409)
    assert second.body["code"] == "version_conflict"
    stored = api("GET", path, key=key).body
    assert stored["version"] == 2 and stored["description"] == "a"

    # the race itself, interleaved deterministically: both writers read version 2, then both write
    # (moto does not serialise concurrent transactions the way DynamoDB does, so no threads here)
    reader_a, reader_b = store().get(sub["id"]), store().get(sub["id"])
    store().replace(reader_a, reader_a.model_copy(update={"description": "x"}))
    with pytest.raises(VersionConflict):
        store().replace(reader_b, reader_b.model_copy(update={"description": "y"}))
    after = store().get(sub["id"])
    assert after.version == 3 and after.description == "x"


R08 = [
    "http://example.com/hook",
    "https://user:pass@example.com/hook",
    "https://example.com:8080/hook",
    "https://127.0.0.1/",
    "https://localhost/",
    "https://169.254.169.254/",
    "https://2852039166/",
    "https://0xa9fea9fe/",
    "https://[::1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://[fd00:ec2::254]/",
    "https://10.0.0.1/",
    "https://100.64.0.1/",
    "https://192.168.1.1/",
    "https://0.0.0.0/",
]


def test_ssrf_attack_list_rejected_at_subscription_time(aws, api):
    key = new_key()
    answers = {url: api("POST", "/v1/subscriptions", key=key, body={"url": url}) for url in R08}
    codes = {"https_required", "url_userinfo", "port_not_allowed", "blocked_destination"}
    accepted = {url: a.status for url, a in answers.items() if a.status != 400 or a.body["code"] not in codes}
    assert accepted == {}
    assert api("GET", "/v1/subscriptions", key=key).body["items"] == []


def test_name_resolving_to_metadata_rejected_and_public_https_accepted(aws, api, monkeypatch):
    from signals.api import subscription_routes as routes

    key = new_key()
    monkeypatch.setattr(routes, "resolver", lambda host: ["169.254.169.254"])
    assert api("POST", "/v1/subscriptions", key=key, body={"url": "https://hooks.example/h"}).status == 400
    monkeypatch.setattr(routes, "resolver", lambda host: [PUBLIC_IP])
    assert api("POST", "/v1/subscriptions", key=key, body={"url": "https://hooks.example/h"}).status == 201


def test_admin_routes_send_no_wildcard_cors(local, api):
    key = new_key()
    answers = [
        api("GET", "/v1/subscriptions", key=key),
        api("POST", "/v1/subscriptions", key=key, body={"url": "http://127.0.0.1:9/h"}),
        api("GET", "/v1/subscriptions"),
    ]
    for answer in answers:
        assert answer.headers.get("access-control-allow-origin") != "*"


# ------------------------------------------------------------------ delivery


def test_delivery_is_signed_the_official_library_accepts_it_and_bytes_match(local, api, stub):
    key = new_key()
    sub = subscribe(api, key, f"{stub.base}/ok/a", filters={"min_score": 5})
    event = put_signal(local, make_signal())
    send_to_queue(local, event.model_dump_json())
    pump(local)
    assert len(stub.hits) == 1
    hit = stub.hits[0]
    Webhook(sub["secret"]).verify(hit.body, hit.headers)  # official receiver accepts
    signing.verify(sub["secret"], hit.body, hit.headers)
    payload = json.loads(hit.body)
    assert payload["type"] == "signal.created" and payload["data"]["id"] == "sig-1"
    assert payload["timestamp"] == "2026-06-02T12:00:00Z"
    assert "." not in hit.headers["webhook-id"]
    assert abs(int(hit.headers["webhook-timestamp"]) - time.time()) <= 5
    log = api("GET", f"/v1/subscriptions/{sub['id']}/deliveries", key=key).body["items"]
    assert [(d["status"], d["attempts"][0]["status_code"]) for d in log] == [("delivered", 200)]
    assert log[0]["webhook_id"] == hit.headers["webhook-id"]


def test_filters_select_subscribers(local, api, stub):
    key = new_key()
    subscribe(api, key, f"{stub.base}/ok/low", filters={"min_score": 3})
    subscribe(api, key, f"{stub.base}/ok/high", filters={"min_score": 9})
    subscribe(api, key, f"{stub.base}/ok/cat", filters={"categories": ["business"]})
    subscribe(api, key, f"{stub.base}/ok/tag", filters={"tags": ["robots"]})
    subscribe(api, key, f"{stub.base}/ok/src", filters={"sources": ["src-a"]})
    subscribe(api, key, f"{stub.base}/ok/upd", event_types=["signal.updated"])
    send_to_queue(local, put_signal(local, make_signal()).model_dump_json())
    pump(local)
    assert sorted(h.path for h in stub.hits) == ["/ok/low", "/ok/src"]


def test_an_entity_filter_gets_only_signals_naming_that_entity(local, api, stub):
    """Issue 16, follow anything: entities given as names are stored as slugs ("Open AI" -> openai)."""
    key = new_key()
    created = subscribe(api, key, f"{stub.base}/ok/openai", filters={"entities": ["Open AI"]})
    assert created["filters"]["entities"] == ["openai"]
    subscribe(api, key, f"{stub.base}/ok/anthropic", filters={"entities": ["anthropic"]})
    bad_body = {"url": f"{stub.base}/ok/x", "filters": {"entities": ["--"]}}
    bad = api("POST", "/v1/subscriptions", key=key, body=bad_body)
    assert bad.status == 400 and bad.body["code"] == "invalid_body"
    for n, entities in enumerate([["OpenAI", "Microsoft"], ["Meta"], ["Anthropic"]]):
        signal = make_signal(f"sig-{n}").model_copy(update={"entities": entities})
        send_to_queue(local, put_signal(local, signal).model_dump_json())
    pump(local)
    delivered = sorted((h.path, json.loads(h.body)["data"]["id"]) for h in stub.hits)
    assert delivered == [("/ok/anthropic", "sig-2"), ("/ok/openai", "sig-0")]


def test_attempts_reach_the_ops_stats(local, api, stub, monkeypatch):
    from signals.ops.pipeline_stats import read_report

    # the first retry far off: a slow machine must not see the failing endpoint's retry fall due
    monkeypatch.setenv("SIGNALS_DELIVERY_RETRY_SCHEDULE_S", "[600]")
    reset_settings()
    key = new_key()
    subscribe(api, key, f"{stub.base}/ok/s")
    subscribe(api, key, f"{stub.base}/error/s")
    send_to_queue(local, put_signal(local, make_signal()).model_dump_json())
    pump(local)
    report = read_report(1)
    assert (report.delivery.attempts, report.delivery.successes, report.delivery.failures) == (2, 1, 1)
    assert report.delivery_latency.count == 2


@pytest.mark.parametrize(
    ("path", "expect_status", "sub_status", "min_wait"),
    [
        ("/ok/x", "delivered", "active", None),
        ("/moved/x", "pending", "active", 1),
        ("/gone/x", "failed", "disabled", None),
        ("/throttle/x", "pending", "active", 120),
        ("/unavailable/x", "pending", "active", 120),
        ("/error/x", "pending", "active", 1),
        ("/hang/x", "pending", "active", 1),
    ],
)
def test_status_handling(local, api, stub, path, expect_status, sub_status, min_wait):
    key = new_key()
    sub = subscribe(api, key, f"{stub.base}{path}")
    event = put_signal(local, make_signal())
    task = DeliveryTask.first(sub["id"], event)
    started = datetime.now(UTC)
    outcome = handle(task.model_dump_json())
    record = delivery_log().get_delivery(sub["id"], task.delivery_id)
    assert record.status == expect_status
    assert store().get(sub["id"]).status == sub_status
    assert [h.path for h in stub.hits] == [path]  # one POST; a redirect is never followed
    queued = [json.loads(m["Body"]) for m in local.drain("DeliveryQueue")]
    if min_wait is None:
        assert queued == []
    else:
        (following,) = queued
        due = datetime.fromisoformat(following["not_before"].replace("Z", "+00:00"))
        assert due - started >= timedelta(seconds=min_wait * 0.8 if min_wait < 120 else min_wait)
        assert following["attempt"] == 2 and following["step"] == 1
    if path.startswith("/gone"):
        shown = api("GET", f"/v1/subscriptions/{sub['id']}", key=key).body
        assert "410" in shown["disabled_reason"]
    if path.startswith("/hang"):
        assert record.attempts[0].error.startswith("timeout")
        assert record.attempts[0].latency_ms < 1000 + 1000  # within the (test) timeout + 1 s
        assert outcome.kind == "retry_scheduled"
    if path.startswith("/moved"):
        assert "redirect" in record.last_error


def test_retries_follow_schedule_then_exhaust_to_dlq_and_stay_visible(local, api, stub, clock):
    key = new_key()
    sub = subscribe(api, key, f"{stub.base}/error/x")
    send_to_queue(local, put_signal(local, make_signal()).model_dump_json())
    start = clock.now
    pump(local, clock)
    settings = get_settings()
    attempts = len(settings.delivery_retry_schedule_s) + 1
    assert len(stub.hits) == attempts
    assert len({h.headers["webhook-id"] for h in stub.hits}) == 1  # stable across retries
    stamps = [int(h.headers["webhook-timestamp"]) for h in stub.hits]
    assert len(set(stamps)) == attempts  # per attempt
    offsets = [s - int(start.timestamp()) for s in stamps]
    expected = 0.0
    for n, base in enumerate(settings.delivery_retry_schedule_s, start=1):
        gap = offsets[n] - offsets[n - 1]
        assert (
            base * (1 - settings.delivery_jitter_fraction) - 1
            <= gap
            <= base * (1 + settings.delivery_jitter_fraction) + 1
        )
        expected += base
    assert offsets[-1] >= 24 * 3600
    (parked,) = local.drain("DeliveryDLQ")
    parked_task = json.loads(parked["Body"])
    assert parked_task["manual"] is True and parked_task["attempt"] == attempts + 1
    log = api("GET", f"/v1/subscriptions/{sub['id']}/deliveries", key=key).body["items"]
    assert log[0]["status"] == "failed" and len(log[0]["attempts"]) == attempts
    assert {a["status_code"] for a in log[0]["attempts"]} == {500}

    # a manual retry (or DLQ redrive) re-sends with the same webhook-id
    answer = api("POST", f"/v1/subscriptions/{sub['id']}/deliveries/{log[0]['id']}/retry", key=key)
    assert answer.status == 202
    pump(local, clock)
    assert len(stub.hits) == attempts + 1
    assert stub.hits[-1].headers["webhook-id"] == stub.hits[0].headers["webhook-id"]
    send_to_queue(local, parked["Body"])  # redrive from the DLQ
    pump(local, clock)
    assert stub.hits[-1].headers["webhook-id"] == stub.hits[0].headers["webhook-id"]


def test_failing_for_the_window_disables_with_reason_until_enabled(local, api, stub, clock, monkeypatch):
    monkeypatch.setenv("SIGNALS_DELIVERY_DISABLE_AFTER_S", "3600")
    reset_settings()
    key = new_key()
    sub = subscribe(api, key, f"{stub.base}/error/x")
    send_to_queue(local, put_signal(local, make_signal()).model_dump_json())
    pump(local, clock)
    shown = api("GET", f"/v1/subscriptions/{sub['id']}", key=key).body
    assert shown["status"] == "disabled" and "no successful delivery" in shown["disabled_reason"]
    hits = len(stub.hits)
    assert hits < len(get_settings().delivery_retry_schedule_s) + 1  # stopped early
    send_to_queue(local, put_signal(local, make_signal("sig-2")).model_dump_json())
    pump(local, clock)
    assert len(stub.hits) == hits  # no further attempts while disabled
    enabled = api("POST", f"/v1/subscriptions/{sub['id']}/enable", key=key)
    assert enabled.status == 200 and enabled.body["status"] == "active" and enabled.body["failure_count"] == 0


def test_dead_endpoint_does_not_delay_a_live_one(local, api, stub, monkeypatch):
    key = new_key()
    dead = subscribe(api, key, f"{stub.base}/hang/dead")
    live = subscribe(api, key, f"{stub.base}/ok/live")
    event = put_signal(local, make_signal())
    original_close = DynamoDeliveryLog.close_attempt

    def close_and_note(self, task, attempt, status, **kw):
        stub.order.append(f"closed:{task.subscription_id}:{attempt.error or attempt.status_code}")
        return original_close(self, task, attempt, status, **kw)

    monkeypatch.setattr(DynamoDeliveryLog, "close_attempt", close_and_note)
    # the dead endpoint's task comes first in the batch
    for sub in (dead, live):
        send_to_queue(local, DeliveryTask.first(sub["id"], event).model_dump_json())
    messages = local.sqs.receive_message(QueueUrl=local.queue_urls["DeliveryQueue"], MaxNumberOfMessages=10)[
        "Messages"
    ]
    assert len(messages) == 2
    response = invoke_deliver(sqs_records(messages))
    assert response["batchItemFailures"] == []
    live_done = stub.order.index(f"closed:{live['id']}:200")
    dead_done = next(i for i, e in enumerate(stub.order) if e.startswith(f"closed:{dead['id']}:timeout"))
    assert live_done < dead_done


def test_dns_rebinding_is_blocked_at_delivery_without_connecting(aws, api, monkeypatch):
    key = new_key()
    sub = subscribe(api, key, "https://hooks.rebind.example/h")  # resolved to a public IP at subscribe time
    event = put_signal(aws, make_signal())
    connects: list[Any] = []
    real_connect = socket.socket.connect

    def spy(self, address):
        connects.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    for private in ("169.254.169.254", "127.0.0.1"):
        ctx = wiring.delivery_context(resolver=lambda host, ip=private: [ip])
        task = DeliveryTask.first(sub["id"], event.model_copy(update={"event_id": f"evt-{private}"}))
        outcome = handle(task.model_dump_json(), ctx)
        assert outcome.kind == "retry_scheduled"
        record = delivery_log().get_delivery(sub["id"], task.delivery_id)
        assert record.attempts[0].error.startswith("blocked_destination")
    assert not [a for a in connects if a[0] in ("169.254.169.254", "127.0.0.1") and a[1] == 443]


def test_partial_batch_reports_only_failures_and_nothing_is_lost(local, api, stub, monkeypatch):
    key = new_key()
    subs = [subscribe(api, key, f"{stub.base}/ok/{n}") for n in range(3)]
    event = put_signal(local, make_signal())
    for sub in subs:
        send_to_queue(local, DeliveryTask.first(sub["id"], event).model_dump_json())
    send_to_queue(local, '{"poison": true')
    real_get = DynamoSubscriptionStore.get
    broken = subs[1]["id"]

    def flaky_get(self, subscription_id, **kw):
        if subscription_id == broken:
            raise RuntimeError("injected DynamoDB outage")
        return real_get(self, subscription_id, **kw)

    monkeypatch.setattr(DynamoSubscriptionStore, "get", flaky_get)
    messages = local.sqs.receive_message(QueueUrl=local.queue_urls["DeliveryQueue"], MaxNumberOfMessages=10)[
        "Messages"
    ]
    assert len(messages) == 4
    response = invoke_deliver(sqs_records(messages))
    failed_ids = {f["itemIdentifier"] for f in response["batchItemFailures"]}
    by_body = {m["MessageId"]: m["Body"] for m in messages}
    assert len(failed_ids) == 2
    assert any("poison" in by_body[i] for i in failed_ids)
    assert any(broken in by_body[i] for i in failed_ids)
    assert sorted(h.path for h in stub.hits) == ["/ok/0", "/ok/2"]
    # the outage ends; SQS redelivers only the failed ones
    monkeypatch.setattr(DynamoSubscriptionStore, "get", real_get)
    retry = [m for m in messages if m["MessageId"] in failed_ids and "poison" not in m["Body"]]
    assert invoke_deliver(sqs_records(retry))["batchItemFailures"] == []
    assert sorted(h.path for h in stub.hits) == ["/ok/0", "/ok/1", "/ok/2"]
    # and a duplicate of an already-made attempt sends nothing
    invoke_deliver(sqs_records(retry))
    assert len(stub.hits) == 3


@dataclass
class FanOutRun:
    outcomes: list[Any] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    pages: list[list[dict]] = field(default_factory=list)  # the continuations each message made
    rows_read: list[int] = field(default_factory=list)  # index rows each message read


def run_fan_out(local, event: SignalEvent, reads: list[tuple[str, int]]) -> FanOutRun:
    """Handle the event and every fan-out page it leads to, as the deliver function would."""
    run, pending = FanOutRun(), [event.model_dump_json()]
    while pending:
        before = len(reads)
        run.outcomes.append(handle(pending.pop()))
        run.rows_read.append(sum(count for _, count in reads[before:]))
        run.pages.append([])
        for m in local.drain("DeliveryQueue"):
            data = json.loads(m["Body"])
            if data.get("kind") == "delivery":
                run.tasks.append(data)
            else:
                pending.append(m["Body"])
                run.pages[-1].append(data)
    return run


def count_fanout_reads() -> list[tuple[str, int]]:
    """(partition key, items read) of every fan-out index Query made from now on."""
    reads: list[tuple[str, int]] = []
    pending: list[str] = []
    ddb = client("dynamodb")

    def before(params, **kw):
        pk = params.get("ExpressionAttributeValues", {}).get(":pk", {}).get("S", "")
        pending.append(pk)

    def after(parsed, **kw):
        pk = pending.pop()
        if pk.startswith("SUBIDX#"):
            reads.append((pk, parsed.get("ScannedCount", 0)))

    ddb.meta.events.register("provide-client-params.dynamodb.Query", before)
    ddb.meta.events.register("after-call.dynamodb.Query", after)
    ddb.meta.events.register("provide-client-params.dynamodb.Scan", lambda **kw: reads.append(("SCAN", -1)))
    return reads


def make_subscriptions(key_id: str, n: int, filters_for=lambda n: None) -> list:
    from signals.webhooks.subscriptions import SubscriptionCreate, SubscriptionFilters, new_subscription

    made = []
    for i in range(n):
        filters = filters_for(i) or SubscriptionFilters()
        sub = new_subscription(
            key_id, SubscriptionCreate(url="http://127.0.0.1:9/h", filters=filters), "whsec_eA"
        )
        sub = sub.model_copy(update={"id": f"sub_{i:024x}"})  # deterministic ids: deterministic shards
        store().create(sub)
        made.append(sub)
    return made


def test_fanout_reads_only_matching_index_rows(local, monkeypatch):
    from signals.webhooks.subscriptions import SubscriptionFilters

    key = apikey_records.store_key("sig_PR82bEt7ZaNdxbzYxx8uH9-J9Hi7NW7aMuUjDo_oguc", "fan")
    categories = [None, "security", "business", "models-research"]
    made = make_subscriptions(
        key.key_id,
        80,
        lambda n: SubscriptionFilters(
            min_score=1 + n % 10, categories=[categories[n % 4]] if categories[n % 4] else []
        ),
    )
    signal = make_signal(score=6, category=Category.SECURITY)
    event = put_signal(local, signal)
    expected = {s.id for s in made if wants(s, "signal.created", signal)}
    shards = get_settings().fanout_shards

    reads = count_fanout_reads()
    run = run_fan_out(local, event, reads)
    assert len(run.outcomes) == 1  # a small fan-out is one message
    assert ("SCAN", -1) not in reads
    queried = {pk for pk, _ in reads}
    assert queried == {f"SUBIDX#{c}#{n}" for c in ("security", "*") for n in range(shards)}
    assert sum(count for _, count in reads) == len(expected)  # every row read is a match
    assert {t["subscription_id"] for t in run.tasks} == expected


def test_fanout_rows_spread_across_shards_one_page_message_each(local, monkeypatch):
    monkeypatch.setenv("SIGNALS_FANOUT_SHARDS", "8")
    monkeypatch.setenv("SIGNALS_SUBSCRIPTIONS_PER_KEY_MAX", "1000")  # 160 subscriptions of one key
    reset_settings()
    key = apikey_records.store_key("sig_CYqu8Vu6mhbyuwgi8yurWZwObxVTm0bP4Dyu_HwYreU", "shard")
    made = make_subscriptions(key.key_id, 160)  # no category filter: the would-be hot partition
    per_shard = {n: len(store().matching_rows(f"*#{n}", 10, limit=1000)[0]) for n in range(8)}
    assert sum(per_shard.values()) == 160
    assert min(per_shard.values()) >= 10 and max(per_shard.values()) <= 35  # 20 each on average
    assert store().matching_rows("*", 10, limit=1000)[0] == []  # nothing left in an unsharded partition

    monkeypatch.setenv("SIGNALS_FANOUT_PAGE_SIZE", "10")  # 160 rows: far more than one page
    reset_settings()
    reads = count_fanout_reads()
    run = run_fan_out(local, put_signal(local, make_signal()), reads)
    assert sorted(t["subscription_id"] for t in run.tasks) == sorted(s.id for s in made)  # each once
    # the first page overflowed: the rest continued as one message per shard, each within its shard
    shards_of = [{part.rsplit("#", 1)[1] for part in page["partitions"]} for page in run.pages[0]]
    assert sorted(shards_of, key=sorted) == [{str(n)} for n in range(8)]
    later = [page for pages in run.pages[1:] for page in pages]
    assert later and all(len({part.rsplit("#", 1)[1] for part in p["partitions"]}) == 1 for p in later)
    assert max(run.rows_read) <= 10  # every invocation stayed within one page


def test_rotation_signs_with_both_secrets_during_overlap(local, api, stub):
    key = new_key()
    sub = subscribe(api, key, f"{stub.base}/ok/r")
    new_secret = api("POST", f"/v1/subscriptions/{sub['id']}/rotate-secret", key=key).body["secret"]
    send_to_queue(local, put_signal(local, make_signal()).model_dump_json())
    pump(local)
    (hit,) = stub.hits
    assert len(hit.headers["webhook-signature"].split(" ")) == 2
    Webhook(sub["secret"]).verify(hit.body, hit.headers)
    Webhook(new_secret).verify(hit.body, hit.headers)


def test_test_event_reaches_the_receiver(local, api, stub):
    key = new_key()
    sub = subscribe(api, key, f"{stub.base}/ok/t")
    answer = api("POST", f"/v1/subscriptions/{sub['id']}/test", key=key)
    assert answer.status == 202
    pump(local)
    (hit,) = stub.hits
    Webhook(sub["secret"]).verify(hit.body, hit.headers)
    assert json.loads(hit.body)["type"] == "webhook.test"


def test_delete_removes_subscription_and_its_index_rows(local, api):
    key = new_key()
    sub = subscribe(api, key, "http://127.0.0.1:9/h", filters={"categories": ["security", "business"]})
    assert len(index_rows_of("security", 10)) == 1
    assert api("DELETE", f"/v1/subscriptions/{sub['id']}", key=key).status == 204
    assert api("GET", f"/v1/subscriptions/{sub['id']}", key=key).status == 404
    assert index_rows_of("security", 10) == []  # every shard
    assert index_rows_of("business", 10) == []


# ------------------------------------------------------------------ keys CLI and the local receiver


def test_keys_cli_prints_a_key_once_and_stores_only_its_hash(aws, capsys):
    from signals.cli import main

    assert main(["keys", "create", "--name", "ci"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert apikey_records.authenticate(printed).name == "ci"
    items = aws.dynamodb.scan(TableName=aws.table_name)["Items"]  # test-only inspection of the table
    assert printed not in json.dumps(items)
    assert apikey_records.key_hash(printed) in json.dumps(items)


def test_local_receiver_and_demo_subscription(local, monkeypatch, capsys):
    from signals.local.receiver import ensure_demo_key, start_demo_webhooks

    monkeypatch.setenv("SIGNALS_DEMO_API_KEY", "sig__IKdn71K-0-nf1TGgR3HfQO-wxUlHvort8Cf9jsaBiU")
    reset_settings()
    assert (
        ensure_demo_key() == "sig__IKdn71K-0-nf1TGgR3HfQO-wxUlHvort8Cf9jsaBiU" == ensure_demo_key()
    )  # idempotent
    receiver, key = start_demo_webhooks()
    try:
        assert key == "sig__IKdn71K-0-nf1TGgR3HfQO-wxUlHvort8Cf9jsaBiU"
        (sub,) = store().list_owned(apikey_records.authenticate(key).key_id, limit=5)[0]
        send_to_queue(local, put_signal(local, make_signal()).model_dump_json())
        pump(local)
        (got,) = receiver.received
        assert got.verified and "signal.created" in receiver.show()
        assert (receiver.webhooks_received, receiver.webhooks_verified) == (1, 1)
        assert "[verified] signal.created" in capsys.readouterr().out
        assert delivery_log().list_deliveries(sub.id, limit=5)[0][0].status == "delivered"
        # a forged delivery (wrong secret) is rejected with 401 and shown as such
        body = b'{"type":"signal.created"}'
        forged = signing.webhook_headers([signing.generate_secret()], "msg_forged", int(time.time()), body)
        import urllib.request

        request = urllib.request.Request(sub.url, data=body, headers=forged, method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 401
        assert not receiver.received[-1].verified
        assert (receiver.webhooks_received, receiver.webhooks_verified) == (2, 1)
    finally:
        receiver.stop()


# ------------------------------------------------------------------ schemathesis: the subscription routes

SCHEMA_KEY = "sig_3UeZcBCVJA4-5linkNxGpEo1i-7ggSJRv0RTlDueJM4"


def subscriptions_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The resolver as a WSGI app: the v2 event API Gateway would send, body and headers included."""
    from urllib.parse import parse_qsl

    from signals.api.app import app

    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw_body = environ["wsgi.input"].read(length) if length else b""
    raw_query = environ.get("QUERY_STRING", "")
    evt = http_event(environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/")
    evt["headers"] = headers
    evt["rawQueryString"] = raw_query
    query: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value  # v2 joins repeats
    evt["queryStringParameters"] = query or None
    try:
        evt["body"], evt["isBase64Encoded"] = (raw_body.decode("utf-8") or None), False
    except UnicodeDecodeError:
        evt["body"], evt["isBase64Encoded"] = base64.b64encode(raw_body).decode(), True
    result = app.resolve(evt, LambdaContext())
    payload = result.get("body") or ""
    data = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
    start_response(f"{result['statusCode']} X", list((result.get("headers") or {}).items()))
    return [data]


def _subscription_schema() -> Any:
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", subscriptions_wsgi)
    schema.config.generation.update(modes=list(schemathesis.GenerationMode))  # positive and negative
    return schema.include(path_regex=r"^/v1/subscriptions")


SUBSCRIPTION_SCHEMA = _subscription_schema()


@SUBSCRIPTION_SCHEMA.auth()
class _DemoKey:
    """The stored key, as Schemathesis' own auth: its ignored-auth check then probes without it."""

    def get(self, case: Any, context: Any) -> str:
        return SCHEMA_KEY

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def schema_world(local, monkeypatch):
    """A stored demo key with one subscription, and a resolver that never leaves the machine."""
    from signals.api import subscription_routes as routes

    monkeypatch.setattr(routes, "resolver", lambda host: [PUBLIC_IP])
    key = apikey_records.store_key(SCHEMA_KEY, "schemathesis")
    from signals.webhooks.subscriptions import SubscriptionCreate, new_subscription

    made = new_subscription(key.key_id, SubscriptionCreate(url="http://127.0.0.1:9/h"), "whsec_eA")
    store().create(made.model_copy(update={"id": routes.EXAMPLE_SUBSCRIPTION_ID}))  # the documented example
    return local


@SUBSCRIPTION_SCHEMA.parametrize()
@hypothesis.settings(max_examples=20, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_schemathesis_subscription_routes_conform(case: Any, schema_world: Any) -> None:
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    response = case.call()
    # Every check Schemathesis has (``--checks all``). "Valid data is accepted" is left out for what
    # OpenAPI cannot say: a cursor is valid only when this server signed it, and a webhook URL only
    # when the SSRF guard allows its scheme, host and addresses (both refused with 400 on purpose).
    body = case.body if isinstance(case.body, dict) else {}
    unsayable = "cursor" in (case.query or {}) or "url" in body
    case.validate_response(response, excluded_checks=[positive_data_acceptance] if unsayable else [])
    assert response.status_code not in (422, 500)
    if response.status_code >= 400:  # a stable code and the request id, never internals
        problem = response.json()
        assert problem["code"] and problem["request_id"] == "req-abc"
        assert "Traceback" not in response.text and "whsec_" not in response.text


def test_local_receiver_shows_what_it_received_to_a_person(aws):
    """GET on the demo receiver lists each webhook with its verdict (what `make demo` prints)."""
    import urllib.request

    from signals.local.receiver import start_receiver

    receiver = start_receiver(secret_lookup=lambda path: [])
    try:
        request = urllib.request.Request(receiver.url + "/hooks/x", data=b'{"type": "t"}', method="POST")
        try:
            urllib.request.urlopen(request, timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 401  # no secret: rejected, and shown as such
        with urllib.request.urlopen(receiver.url, timeout=5) as response:
            page = response.read().decode()
        assert "REJECTED" in page
    finally:
        receiver.stop()


# ------------------------------------------------------------------ the in-memory twins stay honest


def _store_script(subscriptions, deliveries, key_id: str) -> list[Any]:
    """One sequence of port calls; what a caller could observe after each."""
    from signals.webhooks.subscriptions import SubscriptionCreate, SubscriptionFilters, new_subscription

    seen: list[Any] = []
    now = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
    made = new_subscription(
        key_id,
        SubscriptionCreate(url="http://127.0.0.1:9/h", filters=SubscriptionFilters(categories=["security"])),
        "whsec_eA",
        now,
    ).model_copy(update={"id": "sub_000000000000000000000001"})
    subscriptions.create(made)
    with pytest.raises(VersionConflict):
        subscriptions.create(made)
    shard = f"#{shard_of(made.id, 8)}"
    seen.append([r.subscription_id for r in subscriptions.matching_rows("security" + shard, 7, limit=5)[0]])
    health = subscriptions.record_failure(made.id, now)
    seen.append((health.failure_count, health.failing_since, health.version))
    edited = subscriptions.replace(
        made, made.model_copy(update={"filters": SubscriptionFilters(min_score=8)})
    )
    with pytest.raises(VersionConflict):
        subscriptions.replace(made, made.model_copy(update={"description": "late"}))
    stored = subscriptions.get(made.id)
    seen.append((edited.version, stored.version, stored.failure_count, stored.filters.min_score))
    seen.append(subscriptions.matching_rows("security" + shard, 10, limit=5)[0])
    seen.append([r.subscription_id for r in subscriptions.matching_rows("*" + shard, 8, limit=5)[0]])
    seen.append(subscriptions.matching_rows("*" + shard, 7, limit=5)[0])  # below its threshold
    seen.append(
        (subscriptions.count_owned(key_id), [s.id for s in subscriptions.list_owned(key_id, limit=5)[0]])
    )
    task = DeliveryTask(
        delivery_id="d1", subscription_id=made.id, event_id="e1", event_type="signal.created", occurred_at=now
    )
    seen.append(deliveries.claim_attempt(task, now, 60))
    seen.append(deliveries.claim_attempt(task, now, 60))  # the same attempt again
    from signals.models.delivery import DeliveryAttempt, DeliveryBusy

    with pytest.raises(DeliveryBusy):
        deliveries.reopen(made.id, "d1", now)
    deliveries.close_attempt(
        task, DeliveryAttempt(attempt=1, at=now, status_code=200, latency_ms=5), "delivered"
    )
    seen.append(deliveries.claim_attempt(task.model_copy(update={"attempt": 2}), now, 60))  # delivered: no
    reopened = deliveries.reopen(made.id, "d1", now)
    got = deliveries.get_delivery(made.id, "d1")
    seen.append((reopened.status, got.model_dump(exclude={"created_at", "updated_at"})))
    subscriptions.delete(subscriptions.get(made.id))
    seen.append((subscriptions.get(made.id), subscriptions.matching_rows("*" + shard, 10, limit=5)[0]))
    return seen


def test_the_in_memory_stores_answer_as_dynamodb_does(aws):
    from signals.storage.memory_deliveries import MemoryDeliveryLog
    from signals.storage.memory_subscriptions import MemorySubscriptionStore
    from signals.webhooks.matching import index_rows

    rows_for = lambda s: index_rows(s, 8)  # noqa: E731
    in_dynamodb = _store_script(DynamoSubscriptionStore(rows_for), DynamoDeliveryLog(), "key_a")
    in_memory = _store_script(MemorySubscriptionStore(rows_for), MemoryDeliveryLog(), "key_a")
    assert in_memory == in_dynamodb
    assert in_dynamodb[0] == ["sub_000000000000000000000001"] and in_dynamodb[3] == []  # rows moved
    assert in_dynamodb[7:9] == [True, False]  # a claimed attempt is not claimed twice


# ------------------------------------------------------------------ abuse limits (issue 12, finding 9)


def test_sends_by_hand_over_the_limit_answer_429_with_retry_after(local, api, stub, monkeypatch):
    monkeypatch.setenv("SIGNALS_MANUAL_SENDS_PER_SUBSCRIPTION_MAX", "2")
    reset_settings()
    key = new_key()
    sub = subscribe(api, key, f"{stub.base}/ok/limited")
    assert [api("POST", f"/v1/subscriptions/{sub['id']}/test", key=key).status for _ in range(2)] == [
        202,
        202,
    ]
    refused = api("POST", f"/v1/subscriptions/{sub['id']}/test", key=key)
    assert refused.status == 429 and refused.body["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    pump(local)
    assert len(stub.hits) == 2  # the refused one sent nothing


def test_a_failed_test_event_never_reaches_the_delivery_dlq(local, api, stub):
    key = new_key()
    sub = subscribe(api, key, f"{stub.base}/error/t")
    assert api("POST", f"/v1/subscriptions/{sub['id']}/test", key=key).status == 202
    pump(local)
    assert len(stub.hits) == 1
    dlq = local.sqs.receive_message(QueueUrl=local.queue_urls["DeliveryDLQ"], MaxNumberOfMessages=10)
    assert dlq.get("Messages", []) == []
    (delivery,) = api("GET", f"/v1/subscriptions/{sub['id']}/deliveries", key=key).body["items"]
    assert delivery["status"] == "failed"


def test_concurrent_creates_at_max_minus_one_leave_exactly_max_in_dynamodb(local, monkeypatch):
    from signals.webhooks import errors
    from signals.webhooks.subscriptions import SubscriptionCreate

    monkeypatch.setenv("SIGNALS_SUBSCRIPTIONS_PER_KEY_MAX", "3")
    reset_settings()
    service = wiring.subscription_service(resolver=lambda host: [PUBLIC_IP])
    for n in range(2):
        service.create("key_race", SubscriptionCreate(url=f"http://127.0.0.1:9/{n}"))
    both_in, real_create = threading.Barrier(2, timeout=10), DynamoSubscriptionStore.create

    def racing_create(self, subscription):  # both requests got past every check before either writes
        both_in.wait()
        return real_create(self, subscription)

    monkeypatch.setattr(DynamoSubscriptionStore, "create", racing_create)

    def create(n: int):
        try:
            return service.create("key_race", SubscriptionCreate(url=f"http://127.0.0.1:9/race-{n}"))
        except errors.TooManySubscriptions as exc:
            return exc

    results: list[Any] = [None, None]
    threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, create(n))) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(r).__name__ for r in results) == ["Subscription", "TooManySubscriptions"]
    assert store().count_owned("key_race") == 3
    counter = local.dynamodb.get_item(
        TableName=local.table_name, Key={"pk": {"S": "SUBCOUNT#owner#key_race"}, "sk": {"S": "COUNT"}}
    )["Item"]
    assert counter["n"] == {"N": "3"}


def test_one_key_may_aim_only_so_many_subscriptions_at_one_host(local, api, monkeypatch):
    monkeypatch.setenv("SIGNALS_SUBSCRIPTIONS_PER_HOST_MAX", "2")
    reset_settings()
    key = new_key()
    first = subscribe(api, key, "http://127.0.0.1:9/a")
    subscribe(api, key, "http://127.0.0.1:9/b")
    refused = api("POST", "/v1/subscriptions", key=key, body={"url": "http://127.0.0.1:9/c"})
    assert refused.status == 409 and refused.body["code"] == "too_many_subscriptions_for_host"
    subscribe(api, new_key("bob"), "http://127.0.0.1:9/c")  # another key: its own count
    assert api("DELETE", f"/v1/subscriptions/{first['id']}", key=key).status == 204
    subscribe(api, key, "http://127.0.0.1:9/c")  # the delete freed a place


def test_the_in_memory_rate_limits_answer_as_dynamodb_does(aws):
    from signals.storage.memory_rate_limits import MemoryRateLimits
    from signals.storage.rate_limits import DynamoRateLimits

    def script(limits) -> list[int | None]:
        at = datetime(2026, 6, 2, 12, 0, 50, tzinfo=UTC)
        hits = [limits.hit("sub:s1", 2, 60, at) for _ in range(3)]
        hits.append(limits.hit("sub:s2", 2, 60, at))  # another scope
        hits.append(limits.hit("sub:s1", 2, 60, at + timedelta(seconds=10)))  # the next window
        return hits

    assert script(DynamoRateLimits()) == script(MemoryRateLimits()) == [None, None, 10, None, None]


# ------------------------------------------------------------------ issue 12: a 2xx is a success (finding 16)


def _big_answer_server(with_length: bool) -> ThreadingHTTPServer:
    big = b"x" * (1 << 20)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if with_length else "HTTP/1.0"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            if with_length:
                self.send_header("Content-Length", str(len(big)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client may stop reading after its prefix
                self.wfile.write(big)

        def log_message(self, *args):
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "until-close"])
def test_a_2xx_with_a_1_mib_body_is_delivered_once(local, api, with_length, monkeypatch):
    server = _big_answer_server(with_length)
    monkeypatch.setenv("SIGNALS_LOCAL_LOOPBACK_PORTS", f"[{server.server_address[1]}]")  # this receiver's
    reset_settings()
    try:
        key = new_key()
        sub = subscribe(api, key, f"http://127.0.0.1:{server.server_address[1]}/big")
        event = put_signal(local, make_signal())
        task = DeliveryTask.first(sub["id"], event)
        outcome = handle(task.model_dump_json())
        record = delivery_log().get_delivery(sub["id"], task.delivery_id)
        assert outcome.kind == "delivered"
        assert record.status == "delivered" and len(record.attempts) == 1
        assert record.attempts[0].status_code == 200 and record.attempts[0].error is None
        assert local.drain("DeliveryQueue") == []  # no retry
        assert store().get(sub["id"]).status == "active"
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------ issue 12: forged cursor state (finding 6)

FORGED_STATES = [
    {"k": "SUB#x"},
    {"k": 7},
    {"k": [1, 2]},
    {"k": {}},
    {"k": {"pk": 5}},
    {"k": {"pk": {"N": "5"}}},
    {"k": {"pk": {"S": "x" * 1000}}},
    {"k": {"gsi1sk": 3}},
    {"k": {"nope": {"S": "x"}}},
    {
        "k": {
            "pk": {"S": "SUB#a"},
            "sk": {"S": "SUB"},
            "gsi1pk": {"S": "OWNER#someone-else"},
            "gsi1sk": {"S": "a"},
        }
    },
    {"k": {"pk": {"S": "SUB#a"}, "sk": {"S": "SUB"}}},
]


@pytest.mark.parametrize("state", FORGED_STATES, ids=[str(i) for i in range(len(FORGED_STATES))])
def test_a_cursor_signed_with_the_key_but_holding_a_wrong_state_is_a_400(local, api, state):
    from signals.api import cursor as cursors

    key = new_key()
    key_id = apikey_records.authenticate(key).key_id
    sub = subscribe(api, key, "http://127.0.0.1:9/hook")
    forged = cursors.encode(f"subscriptions:{key_id}", state)
    answer = api("GET", "/v1/subscriptions", key=key, query={"cursor": forged})
    assert (answer.status, answer.body["code"]) == (400, "invalid_cursor"), answer.raw
    assert "Traceback" not in answer.raw
    forged = cursors.encode(f"deliveries:{sub['id']}", state)
    answer = api("GET", f"/v1/subscriptions/{sub['id']}/deliveries", key=key, query={"cursor": forged})
    assert (answer.status, answer.body["code"]) == (400, "invalid_cursor"), answer.raw


def test_the_cursors_the_api_issues_still_page_subscriptions_to_the_end(local, api):
    key = new_key()
    made = [subscribe(api, key, f"http://127.0.0.1:9/hook/{n}")["id"] for n in range(3)]
    seen, cursor = [], None
    for _ in range(5):
        query = {"limit": "1", **({"cursor": cursor} if cursor else {})}
        page = api("GET", "/v1/subscriptions", key=key, query=query)
        assert page.status == 200, page.raw
        seen += [s["id"] for s in page.body["items"]]
        cursor = page.body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 3


# ---------------------------------------------------- issue 12: keys list / revoke / strength (finding 8)


def test_keys_list_and_revoke_and_a_revoked_key_answers_401_everywhere(local, api, capsys):
    from signals.cli import main

    key, other = new_key("alice"), new_key("bob")
    alice = apikey_records.authenticate(key)
    sub = subscribe(api, key, "http://127.0.0.1:9/hook")
    assert main(["keys", "list"]) == 0
    listing = capsys.readouterr().out
    assert alice.key_id in listing and "alice" in listing and "bob" in listing
    assert key not in listing and apikey_records.key_hash(key) not in listing
    assert sorted(k.name for k in apikey_records.list_keys()) == ["alice", "bob"]
    # When alice's key is revoked by its id
    assert main(["keys", "revoke", alice.key_id]) == 0
    assert "revoked" in capsys.readouterr().out
    # Then every subscription route answers 401 to it, and bob's key still works
    path = f"/v1/subscriptions/{sub['id']}"
    for method, route, body in [
        ("GET", "/v1/subscriptions", None),
        ("POST", "/v1/subscriptions", {"url": "http://127.0.0.1:9/h"}),
        ("GET", path, None),
        ("PATCH", path, {"description": "x"}),
        ("DELETE", path, None),
        ("POST", f"{path}/test", None),
        ("POST", f"{path}/rotate-secret", None),
        ("GET", f"{path}/deliveries", None),
    ]:
        answer = api(method, route, key=key, body=body)
        assert (answer.status, answer.body["code"]) == (401, "unauthorized"), (method, route, answer.raw)
    assert api("GET", "/v1/subscriptions", key=other).status == 200
    (listed,) = [k for k in apikey_records.list_keys() if k.key_id == alice.key_id]
    assert listed.revoked_at is not None
    assert main(["keys", "revoke", alice.key_id]) == 0  # idempotent: the first time stays
    assert apikey_records.revoke_key(alice.key_id).revoked_at == listed.revoked_at
    assert main(["keys", "revoke", "key_nope"]) == 1
    assert apikey_records.authenticate(key) is None


@pytest.mark.parametrize(
    "weak",
    ["sig_demo", "sig_demo-key-for-scripts", "a" * 64, "sig_" + "ab" * 20, "x" * 31, "sig_ has spaces " * 4],
)
def test_a_chosen_key_without_enough_entropy_is_refused_with_a_clear_error(local, monkeypatch, weak):
    from signals.local.receiver import ensure_demo_key

    with pytest.raises(apikey_records.WeakKey, match="API key"):
        apikey_records.store_key(weak, "weak")
    monkeypatch.setenv("SIGNALS_DEMO_API_KEY", weak)
    reset_settings()
    with pytest.raises(ValueError, match="API key"):
        ensure_demo_key()
    assert apikey_records.authenticate(weak) is None  # nothing stored
    assert apikey_records.store_key(apikey_records.new_key_text(), "random").name == "random"
