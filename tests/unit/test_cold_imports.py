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
