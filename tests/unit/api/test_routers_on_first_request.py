"""Routers included by their first request (``signals.api.app.ON_FIRST_REQUEST``), not at cold start.

A cold start does not import the subscription API or the ops reports; a request under their paths
includes them first, so every request is answered exactly as if they had been there all along.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _deferred_routes() -> dict[str, list]:
    from signals.api.app import ON_FIRST_REQUEST, app

    app.include_pending()
    routes = app._static_routes + app._dynamic_routes
    return {module: [r for r in routes if r.func.__module__ == module] for module in ON_FIRST_REQUEST}


def test_every_route_of_a_deferred_router_is_under_its_paths_and_not_public() -> None:
    from signals.api.app import ON_FIRST_REQUEST, _under

    for module, routes in _deferred_routes().items():
        # Then: each of its routes is included by a request to it (a route outside the prefixes
        # would answer 404 until another request included the router) ...
        assert len(routes) == len(importlib.import_module(module).router._routes) > 0
        assert [r.path for r in routes if not _under(r.path, ON_FIRST_REQUEST[module])] == []
        # ... and none is public: CORS preflights answer the same before and after it is included
        assert [r.path for r in routes if r.cors] == []


def test_no_other_route_answers_under_a_deferred_routers_paths() -> None:
    from signals.api.app import ON_FIRST_REQUEST, app

    deferred = {id(r) for routes in _deferred_routes().values() for r in routes}
    others = [r for r in app._static_routes + app._dynamic_routes if id(r) not in deferred]
    samples = [
        f"{p}{tail}"
        for prefixes in ON_FIRST_REQUEST.values()
        for p in prefixes
        for tail in ("", "/x", "/x/y")
    ]

    # Then: a path there is never answered by another route before the router is included
    assert len(others) >= 20
    assert [(r.path, s) for r in others for s in samples if r.rule.match(s)] == []


_FRESH = """
import hashlib, importlib.util, json, sys
sys.path.insert(0, {tests!r})
from fabricate import event
spec = importlib.util.spec_from_file_location("app", {handler!r})
handler = importlib.util.module_from_spec(spec); spec.loader.exec_module(handler)
from signals.api.app import handle

def loaded():
    routers = [m for m in {deferred!r} if m in sys.modules]
    return routers + [m for m in sys.modules if m.startswith("signals.webhooks")][:1]

report = [{{"loaded": loaded()}}]
for path, params, method, stage in {requests!r}:
    request = event(path, params, method=method)
    if stage:  # a named stage: API Gateway puts it in front of rawPath (requestContext.http.path too)
        request["rawPath"] = request["requestContext"]["http"]["path"] = f"/{{stage}}{{path}}"
        request["requestContext"]["stage"] = stage
    response = handle(request, None)
    report.append({{"status": response["statusCode"], "loaded": loaded()}})
    if path == "/v1/openapi.json":
        report[-1]["paths"] = sorted(json.loads(response["body"])["paths"])
        report[-1]["sha256"] = hashlib.sha256(response["body"].encode()).hexdigest()
print(json.dumps(report))
"""

OPS, SUBSCRIPTIONS = "signals.api.ops_routes", "signals.api.subscription_routes"


def fresh(*requests: tuple) -> list[dict]:
    """A fresh interpreter imports the API handler, as a Lambda cold start does, then answers
    ``(path, params, method, stage)`` requests in order: what was loaded before and after each."""
    from signals.api.app import ON_FIRST_REQUEST

    tests, handler = str(ROOT / "tests" / "unit" / "api"), str(ROOT / "functions/api/app.py")
    code = _FRESH.format(
        tests=tests, handler=handler, deferred=list(ON_FIRST_REQUEST), requests=list(requests)
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared"), "AWS_DEFAULT_REGION": "us-east-1"}
    env["SIGNALS_CURSOR_SECRET"] = "test-cursor-key-of-at-least-32-characters"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_cold_start_includes_a_router_with_its_first_request() -> None:
    report = fresh(
        ("/assets/signals.css", None, "GET", None),
        ("/v1/signals", {"limit": "0"}, "GET", None),
        ("/v1/stats", None, "DELETE", None),
        ("/v1/subscriptions", None, "GET", None),
    )

    # Then: no router (nor the webhooks package) is imported by the import, a page asset, or an
    # error answer; a wrong method on an ops path gets 405 from the ops router; the first
    # subscription request is answered by its router (401 without a key, not 404)
    assert [r["status"] for r in report[1:]] == [200, 400, 405, 401]
    assert [r["loaded"] for r in report] == [[], [], [], [OPS], [OPS, SUBSCRIPTIONS, "signals.webhooks"]]


def test_a_named_stage_is_routed_like_the_default_one() -> None:
    report = fresh(("/v1/subscriptions", None, "GET", "prod"), ("/v1/health", None, "POST", "prod"))

    # Then: the stage is not part of the path routes are matched on (401 and 405, not 404)
    assert [r["status"] for r in report[1:]] == [401, 405]


def test_the_openapi_document_lists_every_route_and_is_the_same_whatever_came_first() -> None:
    document = ("/v1/openapi.json", None, "GET", None)
    first = fresh(document)
    after_ops = fresh(("/ops", None, "DELETE", None), document)
    after_subscriptions = fresh(("/v1/subscriptions", None, "GET", None), document)

    # Then: asked first, the document includes both routers and lists their routes ...
    assert first[0]["loaded"] == [] and first[1]["loaded"][:2] == [OPS, SUBSCRIPTIONS]
    assert {"/v1/subscriptions", "/v1/subscriptions/{subscription_id}", "/v1/health", "/ops"} <= set(
        first[1]["paths"]
    )
    # ... and every container serves the same bytes (one ETag) whichever request included them
    assert first[1]["sha256"] == after_ops[-1]["sha256"] == after_subscriptions[-1]["sha256"]


_RACE = """
import json, sys, threading, time
sys.path.insert(0, {tests!r})
from fabricate import event
from signals.api.app import app, handle

slow = app.include_router
def include_slowly(router, prefix=None):
    time.sleep(0.3)  # the second request arrives while the first is including the router
    slow(router, prefix)
app.include_router = include_slowly
answers = []
def first_request():
    answers.append(handle(event("/v1/subscriptions"), None)["statusCode"])
threads = [threading.Thread(target=first_request) for _ in range(2)]
for t in threads:
    t.start(); time.sleep(0.05)
for t in threads:
    t.join()
print(json.dumps(answers))
"""


def test_two_first_requests_at_once_are_both_answered_by_the_router() -> None:
    code = _RACE.format(tests=str(ROOT / "tests" / "unit" / "api"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared"), "AWS_DEFAULT_REGION": "us-east-1"}
    env["SIGNALS_CURSOR_SECRET"] = "test-cursor-key-of-at-least-32-characters"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)

    # Then: the second waits for the router the first is including (never a 404 in between)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [401, 401]
