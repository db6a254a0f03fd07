"""Tracing (signals/tracing.py): every handler runs inside Powertools' ``capture_lambda_handler`` with
its annotations, the Tracer and the X-Ray SDK are made on the first invocation (never at import),
and botocore is patched then, covering clients made before the patch."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment
from signals.feeds.ingest import IngestReport
from signals.tracing import NoTracing, tracer
from signals.webhooks.dispatch import Outcome

ROOT = Path(__file__).resolve().parents[2]


class FakeSegment(BaseSegment):
    def __init__(self, name: str):
        self.name, self.annotations = name, {}

    def put_annotation(self, key: str, value: Any) -> None:
        self.annotations[key] = value

    def close(self, end_time: int | None = None) -> None: ...
    def add_subsegment(self, subsegment: Any) -> None: ...
    def remove_subsegment(self, subsegment: Any) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None: ...


class FakeProvider(BaseProvider):
    """Records the subsegments opened, the annotations put in the open one, and what was patched."""

    def __init__(self) -> None:
        self.segments: list[FakeSegment] = []
        self.open: list[FakeSegment] = []
        self.patched: list[str] = []

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        segment = FakeSegment(name or "")
        self.segments.append(segment)
        self.open.append(segment)
        try:
            yield segment
        finally:
            self.open.pop()

    def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> Any:
        raise NotImplementedError

    def put_annotation(self, key: str, value: Any) -> None:
        self.open[-1].put_annotation(key, value)

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...

    def patch(self, modules: Any) -> None:
        self.patched += list(modules)

    def patch_all(self) -> None:
        self.patched.append("*")


class Context:
    function_name = "fn"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fn"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def load(function: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"traced_{function}_app", ROOT / "functions" / function / "app.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    tracer.use(fake, disabled=False)
    yield fake
    tracer.use(None)


def _ingest(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    report = IngestReport(sources=12, fetched=9, failed=1, items_new=40)
    monkeypatch.setattr(module, "scheduled_run", lambda sources, remaining_ms: report)
    return {}


def _scorer(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(module, "collaborators", lambda: None)
    failures = {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    monkeypatch.setattr(module, "score_messages", lambda event, collaborators: failures)
    return {"Records": [{"messageId": "m1"}, {"messageId": "m2"}, {"messageId": "m3"}]}


def _deliver(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    outcome = Outcome(kind="delivered", delivery_id="dlv_1")
    monkeypatch.setattr(module.wiring, "delivery_context", lambda: None)
    monkeypatch.setattr(module.delivery_batch, "handle_batch", lambda bodies, ctx: {"m1": outcome})
    return {"Records": [{"messageId": "m1", "body": "{}", "receiptHandle": "r", "attributes": {}}]}


def _api(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(module, "handle", lambda event, context: {"statusCode": 404, "body": "{}"})
    return {"rawPath": "/v1/subscriptions/sub_0123abcd/test", "requestContext": {"http": {"method": "POST"}}}


CASES = {
    "ingest": (_ingest, {"sources": 12, "fetched": 9, "failed": 1, "items_new": 40}),
    "scorer": (_scorer, {"messages": 3, "failed": 1}),
    "deliver": (_deliver, {"messages": 1, "delivered": 1, "failed": 0, "delivery_id": "dlv_1"}),
    "api": (_api, {"method": "POST", "status": 404, "subscription_id": "sub_0123abcd"}),
}


@pytest.mark.parametrize("function", sorted(CASES))
def test_each_handler_runs_in_the_tracers_subsegment_with_its_annotations(
    function: str, provider: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: the handler module, its work replaced by a known result
    module = load(function)
    stub, annotations = CASES[function]
    event = stub(module, monkeypatch)

    # When: Lambda invokes it
    module.handler(event, Context())

    # Then: one "## handler" subsegment holds the handler's figures, and botocore was patched
    (segment,) = provider.segments
    assert segment.name == "## handler"
    assert {k: v for k, v in segment.annotations.items() if k not in ("ColdStart", "Service")} == annotations
    assert provider.patched == ["botocore"]


def test_the_tracer_is_built_once_on_the_first_invocation(provider: FakeProvider) -> None:
    calls: list[int] = []

    @tracer.capture_lambda_handler
    def handler(event: Any, context: Any) -> int:
        calls.append(1)
        return len(calls)

    assert not tracer.built  # decorating builds nothing
    assert handler({}, Context()) == 1 and handler({}, Context()) == 2
    assert tracer.built and provider.patched == ["botocore"]  # patched once
    assert [s.name for s in provider.segments] == ["## handler", "## handler"]


def test_outside_lambda_the_tracer_is_disabled_over_a_provider_that_records_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    tracer.use(None)
    try:
        assert tracer.tracer.disabled and isinstance(tracer.tracer.provider, NoTracing)
    finally:
        tracer.use(None)


_DISABLED_RUN = """
import json, sys
from signals.tracing import tracer
@tracer.capture_lambda_handler
def handler(event, context):
    tracer.annotate(n=1)
    return "ok"
answer = handler({}, None)
loaded = sorted(m for m in ("aws_xray_sdk.core", "botocore.client") if m in sys.modules)
print(json.dumps([answer, loaded]))
"""


def test_a_disabled_tracer_never_loads_the_xray_recorder_nor_botocore() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared"), "POWERTOOLS_TRACE_DISABLED": "true"}
    env["LAMBDA_TASK_ROOT"] = "/var/task"  # as in Lambda: only the variable turns it off
    out = subprocess.run(
        [sys.executable, "-c", _DISABLED_RUN], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(out.stdout.splitlines()[-1]) == ["ok", []]


_ENABLED_RUN = """
import json
import botocore.session
from botocore.stub import Stubber
made_before = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
stub = Stubber(made_before); stub.add_response("describe_limits", {}); stub.activate()

from signals.tracing import tracer
from aws_xray_sdk.core import xray_recorder

class Capture:
    entities = []
    def send_entity(self, entity):
        self.entities.append(json.loads(entity.serialize()))
    def set_daemon_address(self, address): ...

@tracer.capture_lambda_handler
def handler(event, context):
    made_before.describe_limits()
    tracer.annotate(items=3)
    return "ok"

tracer.tracer  # built as on the first invocation
xray_recorder.configure(emitter=Capture())
handler({}, None)
print(json.dumps([[e["name"], e.get("annotations", {})] for e in Capture.entities]))
"""


def test_enabled_in_lambda_it_records_the_handler_and_aws_calls_of_clients_made_before_the_patch(
    tmp_path: Path,
) -> None:
    # Given: Lambda's environment with a sampled trace header; X-Ray's emitter captured (no UDP)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared"), "LAMBDA_TASK_ROOT": str(tmp_path)}
    env["_X_AMZN_TRACE_ID"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    env.pop("POWERTOOLS_TRACE_DISABLED", None)

    out = subprocess.run(
        [sys.executable, "-c", _ENABLED_RUN], capture_output=True, text=True, env=env, check=True
    )

    # Then: the DynamoDB call of a client made before the patch is a subsegment, and the handler's
    # subsegment carries its annotation
    entities = json.loads(out.stdout.splitlines()[-1])
    assert ["dynamodb", {}] in entities
    (handler,) = [annotations for name, annotations in entities if name == "## handler"]
    assert handler["items"] == 3 and handler["ColdStart"] is True
