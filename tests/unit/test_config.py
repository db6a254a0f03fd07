"""Settings read from the environment by ``signals.config`` (no pydantic-settings at run time)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from signals.config import Settings


def test_prefixed_names_are_read_case_insensitively(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALS_FETCH_CONCURRENCY", "3")
    monkeypatch.setenv("signals_max_items_per_feed", "7")
    settings = Settings()
    assert (settings.fetch_concurrency, settings.max_items_per_feed) == (3, 7)


def test_resource_names_come_from_their_unprefixed_variables_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "from-template")
    monkeypatch.setenv("SIGNALS_TABLE_NAME", "prefixed")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    settings = Settings()
    assert settings.table_name == "from-template"
    assert settings.aws_region == "eu-west-1"
    monkeypatch.setenv("AWS_REGION", "eu-central-1")  # AWS_REGION is the first choice
    assert Settings().aws_region == "eu-central-1"


def test_lists_are_json_and_bad_json_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALS_WEBHOOK_ALLOWED_PORTS", "[443, 9443]")
    assert Settings().webhook_allowed_ports == [443, 9443]
    monkeypatch.setenv("SIGNALS_WEBHOOK_ALLOWED_PORTS", "443,9443")
    with pytest.raises(ValueError, match="SIGNALS_WEBHOOK_ALLOWED_PORTS must be JSON"):
        Settings()


def test_values_are_validated_and_keywords_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALS_FETCH_CONCURRENCY", "many")
    with pytest.raises(ValidationError, match="fetch_concurrency"):
        Settings()
    assert Settings(fetch_concurrency=5).fetch_concurrency == 5
    monkeypatch.delenv("SIGNALS_FETCH_CONCURRENCY")
    assert Settings().fetch_concurrency == Settings.model_fields["fetch_concurrency"].default
