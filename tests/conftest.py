"""Shared fixtures: fake AWS credentials everywhere, and moto resources built from template.yaml."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Fake credentials before anything can build a client: a leak fails instead of reaching AWS.
_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_METRICS_NAMESPACE": "SignalsTest",
    "POWERTOOLS_SERVICE_NAME": "signals-test",
    "POWERTOOLS_DEV": "false",
    "SIGNALS_CURSOR_SECRET": "test-cursor-key-of-at-least-32-characters",
}
os.environ.update(_FAKE_ENV)
for _var in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(_var, None)

# moto's hook goes into every boto3 session created after this import, so a session the in-process
# demo stack cached (it talks to moto in another process) still obeys `mock_aws` in later tests.
import moto  # noqa: E402, F401

# Property-based tests (Hypothesis, Schemathesis) are derandomized: the same examples on every
# run, so CI is repeatable. Set SIGNALS_HYPOTHESIS_PROFILE=explore to search afresh locally.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
_hypothesis_settings.register_profile("explore", derandomize=False)
_hypothesis_settings.load_profile(os.environ.get("SIGNALS_HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
EVENTS = ROOT / "events"


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts with the fake environment, fresh settings and no cached clients."""
    from signals.config import reset_settings
    from signals.storage.aws import reset_clients

    for key, value in _FAKE_ENV.items():
        monkeypatch.setenv(key, value)
    reset_settings()
    reset_clients()
    yield
    reset_settings()
    reset_clients()


@dataclass
class AwsStack:
    """moto clients plus the names of the resources made from template.yaml."""

    dynamodb: Any
    s3: Any
    sqs: Any
    table_name: str
    bucket_name: str
    queue_urls: dict[str, str]

    def drain(self, logical_id: str, max_messages: int = 1000) -> list[dict[str, Any]]:
        """Receive (and delete) every visible message of a queue."""
        out: list[dict[str, Any]] = []
        url = self.queue_urls[logical_id]
        while len(out) < max_messages:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
            messages = got.get("Messages", [])
            if not messages:
                break
            for message in messages:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            out.extend(messages)
        return out


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsStack]:
    """moto (in-process) with the table, bucket and queues of template.yaml; env set like Lambda's."""
    from moto import mock_aws
    from signals.config import reset_settings
    from signals.local import moto_patches
    from signals.local.template import create_resources
    from signals.storage.aws import client

    moto_patches.install()
    with mock_aws():
        # the code's own clients (one boto3 session per process: a client costs milliseconds)
        dynamodb, s3, sqs = (client(name) for name in ("dynamodb", "s3", "sqs"))
        resources = create_resources(dynamodb=dynamodb, s3=s3, sqs=sqs, visibility_override=1)
        for key, value in resources.environment().items():
            monkeypatch.setenv(key, value)
        reset_settings()
        yield AwsStack(dynamodb, s3, sqs, resources.table_name, resources.bucket_name, resources.queue_urls)
