"""The cursor key (issue 12, finding 6): no public default, read once from SSM, weak keys stop the API."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import boto3
import pytest
from moto import mock_aws
from signals.api import cursor
from signals.api.cursor_key import KNOWN_PUBLIC_KEYS, CursorKeyError, cursor_key
from signals.config import reset_settings

ROOT = Path(__file__).resolve().parents[3]
PARAMETER = "/signals/test/cursor-secret"
STRONG = "k3y-from-ssm-" + "x" * 40


@pytest.fixture
def ssm_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The deployed setup: no SIGNALS_CURSOR_SECRET, the key in an SSM SecureString (moto)."""
    from aws_lambda_powertools.utilities.parameters import base

    monkeypatch.delenv("SIGNALS_CURSOR_SECRET", raising=False)
    monkeypatch.setenv("SIGNALS_CURSOR_SECRET_PARAMETER", PARAMETER)
    reset_settings()
    base.DEFAULT_PROVIDERS.clear()  # Powertools' provider (and its cache) belong to this test alone
    with mock_aws():
        ssm = boto3.client("ssm", region_name="us-east-1")
        ssm.put_parameter(Name=PARAMETER, Value=STRONG, Type="SecureString")
        yield ssm
    base.DEFAULT_PROVIDERS.clear()


def test_no_key_at_all_is_refused_naming_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGNALS_CURSOR_SECRET", raising=False)
    monkeypatch.delenv("SIGNALS_CURSOR_SECRET_PARAMETER", raising=False)
    reset_settings()
    with pytest.raises(CursorKeyError, match="CursorSecretParameterName"):
        cursor_key()


@pytest.mark.parametrize("weak", ["short-key", "x" * 31, *sorted(KNOWN_PUBLIC_KEYS)])
def test_weak_environment_keys_are_refused(monkeypatch: pytest.MonkeyPatch, weak: str) -> None:
    monkeypatch.setenv("SIGNALS_CURSOR_SECRET", weak)
    reset_settings()
    with pytest.raises(CursorKeyError, match="SIGNALS_CURSOR_SECRET"):
        cursor_key()
    with pytest.raises(CursorKeyError):  # and nothing gets signed with it
        cursor.encode("q1", {"m": []})


def test_the_old_public_template_default_is_refused_even_from_ssm(ssm_key) -> None:
    ssm_key.put_parameter(
        Name=PARAMETER, Value="change-me-change-me-change-me-change-me", Type="SecureString", Overwrite=True
    )
    with pytest.raises(CursorKeyError, match="published default"):
        cursor_key()


def test_ssm_key_is_read_once_per_container(ssm_key) -> None:
    from aws_lambda_powertools.utilities.parameters.ssm import SSMProvider

    with mock.patch.object(SSMProvider, "_get", autospec=True, side_effect=SSMProvider._get) as fetch:
        assert cursor_key() == STRONG
        token = cursor.encode("q1", {"m": []}, now=1_780_000_000.0)
        assert cursor.decode(token, "q1", now=1_780_000_010.0) == {"m": []}
        assert cursor_key() == STRONG
    assert fetch.call_count == 1
    assert fetch.call_args.kwargs.get("decrypt") is True


def test_environment_key_overrides_the_parameter_without_calling_ssm(
    ssm_key, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aws_lambda_powertools.utilities.parameters.ssm import SSMProvider

    local = "local-key-set-explicitly-of-32-chars-or-more"
    monkeypatch.setenv("SIGNALS_CURSOR_SECRET", local)
    reset_settings()
    with mock.patch.object(SSMProvider, "_get", autospec=True) as fetch:
        assert cursor_key() == local
    fetch.assert_not_called()


def test_missing_parameter_is_refused(ssm_key) -> None:
    ssm_key.delete_parameter(Name=PARAMETER)
    with pytest.raises(CursorKeyError, match="cannot be read"):
        cursor_key()


@pytest.mark.parametrize("key", ["", "change-me-change-me-change-me-change-me"])
def test_api_function_fails_its_init_with_a_log_line_naming_the_fix(key: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALS_CURSOR_SECRET")}
    env.update({"PYTHONPATH": str(ROOT / "shared"), "SIGNALS_CURSOR_SECRET": key})
    code = (
        "import importlib.util; "
        f"spec = importlib.util.spec_from_file_location('app', {str(ROOT / 'functions/api/app.py')!r}); "
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode != 0
    assert "CursorKeyError" in run.stderr
    assert "cannot start without a usable cursor key" in run.stdout + run.stderr
    assert "docs/operations.md#cursor-key" in run.stdout + run.stderr
