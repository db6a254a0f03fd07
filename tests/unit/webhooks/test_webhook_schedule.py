"""Retry decisions: status handling, Retry-After, the backoff schedule and its exhaustion."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from signals.config import Settings
from signals.webhooks.schedule import AttemptFacts, RetryPolicy, decide, parse_retry_after, should_disable

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
SETTINGS = Settings()
POLICY = RetryPolicy.from_settings(SETTINGS)


def _decide(status=None, error=None, retry_after=None, step=0, manual=False, rng=None):
    facts = AttemptFacts(status, error, retry_after, step=step, manual=manual)
    return decide(POLICY, facts, NOW, rng or random.Random(7))


def test_the_policy_is_the_settings_read_once():
    assert POLICY.schedule == tuple(SETTINGS.delivery_retry_schedule_s)
    assert (POLICY.jitter_fraction, POLICY.retry_after_max_s, POLICY.disable_after_s) == (
        SETTINGS.delivery_jitter_fraction,
        SETTINGS.retry_after_max_s,
        SETTINGS.delivery_disable_after_s,
    )


def test_retry_after_is_capped_by_the_policy():
    capped = RetryPolicy(schedule=(5,), jitter_fraction=0.0, retry_after_max_s=60, disable_after_s=3600)
    decision = decide(capped, AttemptFacts(503, retry_after="86400"), NOW, random.Random(1))
    assert decision.retry_at == NOW + timedelta(seconds=60)


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_is_delivered(status):
    assert _decide(status).action == "delivered"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_failures_with_an_actionable_reason(status):
    decision = _decide(status)
    assert decision.action == "retry"
    assert "redirects are not followed" in decision.reason


def test_410_disables():
    assert _decide(410).action == "disable"


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(status):
    decision = _decide(status, retry_after="120")
    assert decision.retry_at is not None and decision.retry_at - NOW >= timedelta(seconds=120)


def test_retry_after_http_date():
    when = "Tue, 02 Jun 2026 12:10:00 GMT"
    assert parse_retry_after(when, NOW) == 600
    assert _decide(429, retry_after=when).retry_at >= NOW + timedelta(seconds=600)
    assert parse_retry_after("soon", NOW) is None


def test_500_and_timeouts_follow_the_schedule_within_jitter():
    schedule, jitter = SETTINGS.delivery_retry_schedule_s, SETTINGS.delivery_jitter_fraction
    for step, base in enumerate(schedule):
        for error, status in (("timeout: read timed out", None), (None, 500)):
            decision = _decide(status, error=error, step=step, rng=random.Random(step))
            assert decision.action == "retry" and decision.step == step + 1
            delay = (decision.retry_at - NOW).total_seconds()
            assert base * (1 - jitter) - 1 <= delay <= base * (1 + jitter) + 1


def test_schedule_spans_at_least_a_day_then_exhausts():
    assert sum(SETTINGS.delivery_retry_schedule_s) * (1 - SETTINGS.delivery_jitter_fraction) >= 24 * 3600
    assert _decide(500, step=len(SETTINGS.delivery_retry_schedule_s)).action == "exhausted"


def test_manual_retry_gets_one_attempt():
    assert _decide(500, manual=True).action == "exhausted"


def test_should_disable_after_the_window():
    assert not should_disable(None, NOW, 3600)
    assert not should_disable(NOW - timedelta(seconds=3599), NOW, 3600)
    assert should_disable(NOW - timedelta(seconds=3600), NOW, 3600)
