"""Cold starts stay honest: each handler module imports only what its function needs.

Times are measured by ``make bench`` (``tests/bench/bench_imports.py``); what is deterministic is
*which* modules a fresh interpreter loads when Lambda imports a handler, checked here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_LOADED = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", {path!r})
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
print(json.dumps(sorted(sys.modules)))
"""

#: Modules a handler must not load at import: another function's machinery, or a cost paid on
#: first use (boto3 clients are lazy; HTML templates, Swagger's OpenAPI models, feedparser too).
NOT_AT_IMPORT = {
    "ingest": [
        "yaml",  # it reads the bundled sources.json (make sources): PyYAML is ~6 ms
        "boto3",
        "feedparser",
        "jinja2",
        "aws_lambda_powertools.event_handler",
        "aws_lambda_powertools.utilities.batch",
        "signals.scoring.rubric",
        "signals.webhooks.signing",
    ],
    "scorer": [
        "boto3",
        "feedparser",
        "jinja2",
        "urllib3",
        "aws_lambda_powertools.event_handler",
        "aws_lambda_powertools.utilities.batch",  # signals.partial_batch instead (~50 ms)
        "aws_lambda_powertools.utilities.data_classes",
        "signals.http.client",
        "signals.feeds.fetcher",
    ],
    "api": [
        "boto3",
        "feedparser",
        "jinja2",
        "urllib3",
        "aws_lambda_powertools.event_handler.openapi.models",
        "aws_lambda_powertools.utilities.batch",
        # the resolvers and event classes the API does not use (signals/deferred_inits.py): ~30 ms
        "asyncio",
        "aws_lambda_powertools.event_handler.appsync",
        "aws_lambda_powertools.event_handler.bedrock_agent",
        "aws_lambda_powertools.utilities.data_classes.sqs_event",
        # routers included by their first request (signals.api.app.ON_FIRST_REQUEST): ~24 ms
        "signals.api.subscription_routes",
        "signals.api.ops_routes",
        "signals.webhooks",
        "signals.ops",
        "signals.scoring.rubric",
        "signals.http.client",
    ],
    "deliver": [
        "boto3",
        "feedparser",
        "jinja2",
        "aws_lambda_powertools.event_handler",
        "aws_lambda_powertools.utilities.batch",  # signals.partial_batch instead (~50 ms)
        "aws_lambda_powertools.utilities.data_classes",
        "signals.scoring.rubric",
        "signals.feeds.fetcher",
        # the API's subscription models and rules, and the digest's: a digest delivery or a
        # subscription to disable loads them when it comes
        "signals.webhooks.subscriptions",
        "signals.webhooks.subscription_service",
        "signals.webhooks.digest_events",
    ],
    "digest": [
        "boto3",
        "feedparser",
        "jinja2",
        "urllib3",
        "aws_lambda_powertools.event_handler",
        "aws_lambda_powertools.utilities.batch",
        "signals.scoring.rubric",
        "signals.http.client",
        "signals.webhooks.signing",
    ],
}


# training-only dependencies are never loaded by a handler, and the judge's model file is read on
# the first scored item, not at import; the X-Ray SDK (its recorder builds botocore clients) and
# botocore's client machinery come with the first invocation (signals/tracing.py), not the import.
# (Powertools imports the top-level ``botocore`` package alone, for its user agent: 1 ms.)
for _modules in NOT_AT_IMPORT.values():
    _modules += ["sklearn", "scipy", "numpy", "signals.scoring.training", "signals.scoring.judge"]
    _modules += ["aws_xray_sdk", "botocore.session", "botocore.client", "wrapt"]
    # settings are read by signals.config itself: pydantic-settings cost ~40 ms of every cold import
    _modules += ["pydantic_settings", "dotenv"]


def loaded_by(function: str) -> set[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "shared"),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    code = _LOADED.format(path=str(ROOT / "functions" / function / "app.py"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("function", sorted(NOT_AT_IMPORT))
def test_handler_import_loads_only_what_its_function_needs(function: str) -> None:
    # When: a fresh interpreter imports the handler module, as Lambda's cold start does
    loaded = loaded_by(function)

    # Then: its own entry point is there, and none of the costs it does not need
    assert "signals.telemetry" in loaded and "signals.tracing" in loaded
    assert not [m for m in NOT_AT_IMPORT[function] if m in loaded]


_BUILT = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", {path!r})
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
from pydantic import BaseModel
def models(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from models(sub)
ours = {{m for m in models(BaseModel) if m.__module__.startswith("signals.")}}
built = sorted(m.__qualname__ for m in ours if m.__pydantic_complete__)
print(json.dumps({{"models": len(ours), "built": built}}))
"""


@pytest.mark.parametrize("function", sorted(NOT_AT_IMPORT))
def test_handler_import_builds_no_model_it_does_not_instantiate(function: str) -> None:
    # When: a fresh interpreter imports the handler module
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared"), "AWS_DEFAULT_REGION": "us-east-1"}
    env["SIGNALS_CURSOR_SECRET"] = "test-cursor-key-of-at-least-32-characters"
    code = _BUILT.format(path=str(ROOT / "functions" / function / "app.py"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])

    # Then: its models are defined but not built (signals.base_model: defer_build), so the first
    # request builds only the ones it uses. Built by being instantiated at import: the settings (when
    # an init validates them), Spend (models/analysis.NO_SPEND) and SubscriptionFilters (a default)
    assert report["models"] >= 10
    assert set(report["built"]) <= {"Settings", "Spend", "SubscriptionFilters"}


def test_every_model_derives_from_the_deferred_base() -> None:
    # Given every module of the package imported
    import importlib
    import pkgutil

    import signals
    from pydantic import BaseModel
    from signals.base_model import SignalsModel

    for info in pkgutil.walk_packages(signals.__path__, "signals."):
        importlib.import_module(info.name)

    def models(cls: type) -> list[type]:
        return [m for sub in cls.__subclasses__() for m in (sub, *models(sub))]

    # Then every pydantic model of Signals is built on first use
    ours = [m for m in models(BaseModel) if m.__module__.startswith("signals.") and m is not SignalsModel]
    assert len(ours) >= 50
    assert [m.__qualname__ for m in ours if not issubclass(m, SignalsModel)] == []
    assert all(m.model_config.get("defer_build") for m in ours)
