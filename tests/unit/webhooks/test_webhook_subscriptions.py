"""Subscription shapes, fan-out index rows and subscription-time URL checks (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from signals.models import Category, ScoreBreakdown, Signal, SourceRef
from signals.storage.key_schema import fanout_pk, fanout_score_bound
from signals.storage.subscription_records import index_sk
from signals.webhooks.endpoints import InvalidEndpoint, validate_endpoint_url
from signals.webhooks.matching import accepts, index_rows, partitions_for, shard_of
from signals.webhooks.subscriptions import (
    SubscriptionCreate,
    SubscriptionFilters,
    SubscriptionPatch,
    new_subscription,
    rotated,
    wants,
)

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)


def make_signal(score=7, category=Category.SECURITY, tags=("llm",), source="src-a") -> Signal:
    return Signal(
        id="sig1",
        title="T",
        url="https://example.com/a",
        published_at=NOW,
        scored_at=NOW,
        updated_at=NOW,
        score=score,
        category=category,
        tags=list(tags),
        score_breakdown=ScoreBreakdown(rubric_version="1", base=5, raw=float(score)),
        sources=[
            SourceRef(item_id="i1", source_id=source, name="A", url="https://example.com/a", published_at=NOW)
        ],
    )


@pytest.mark.parametrize("field", ["status", "disabled", "failure_count", "owner", "secret", "version"])
def test_patch_rejects_read_only_properties(field):
    with pytest.raises(ValidationError, match="read-only"):
        SubscriptionPatch.model_validate({field: "x"})


def test_unknown_properties_are_rejected():
    with pytest.raises(ValidationError):
        SubscriptionCreate.model_validate({"url": "https://a.example/h", "colour": "red"})


def test_view_never_contains_the_secret_but_create_response_does():
    sub = new_subscription("key_1", SubscriptionCreate(url="https://a.example/h"), "whsec_c2VjcmV0", NOW)
    assert "whsec_" not in sub.view().model_dump_json()
    assert "owner" not in sub.view().model_dump()
    assert sub.with_secret().secret == "whsec_c2VjcmV0"


def test_rotation_keeps_the_old_secret_for_the_overlap_only():
    sub = new_subscription("key_1", SubscriptionCreate(url="https://a.example/h"), "whsec_b2xk", NOW)
    after = rotated(sub, "whsec_bmV3", 86400, NOW)
    assert after.signing_secrets(NOW) == ["whsec_bmV3", "whsec_b2xk"]
    assert after.signing_secrets(datetime(2026, 6, 3, 12, 0, 1, tzinfo=UTC)) == ["whsec_bmV3"]


def test_index_rows_by_category_or_star_and_in_memory_filters():
    any_cat = new_subscription("k", SubscriptionCreate(url="https://a.example/h"), "whsec_eA", NOW)
    shard = shard_of(any_cat.id, 8)
    assert [(r.partition, r.min_score) for r in index_rows(any_cat, 8)] == [(f"*#{shard}", 1)]
    # stored under SUBIDX#<partition>, sorted by threshold (the keys storage gives the rows)
    assert [(fanout_pk(r.partition), index_sk(r)) for r in index_rows(any_cat, 8)] == [
        (f"SUBIDX#*#{shard}", f"01#{any_cat.id}")
    ]
    filtered = new_subscription(
        "k",
        SubscriptionCreate(
            url="https://a.example/h",
            event_types=["signal.created"],
            filters=SubscriptionFilters(min_score=8, categories=["security", "business"], tags=["llm"]),
        ),
        "whsec_eA",
        NOW,
    )
    rows = index_rows(filtered, 8)
    shard = shard_of(filtered.id, 8)
    assert sorted(fanout_pk(r.partition) for r in rows) == [
        f"SUBIDX#business#{shard}",
        f"SUBIDX#security#{shard}",
    ]
    assert all(index_sk(r).startswith("08#") for r in rows)
    assert accepts(rows[0], "signal.created", make_signal(score=8))
    assert not accepts(rows[0], "signal.updated", make_signal(score=8))
    assert not accepts(rows[0], "signal.created", make_signal(score=8, tags=("other",)))
    assert wants(filtered, "signal.created", make_signal(score=8))
    assert not wants(filtered, "signal.created", make_signal(score=7))
    assert partitions_for(Category.SECURITY, 3) == ["security#3", "*#3"]
    assert "07#zzz" < fanout_score_bound(7) <= "08#sub_a"
    disabled = filtered.model_copy(update={"status": "disabled"})
    assert index_rows(disabled, 8) == []


def test_shards_are_stable_and_spread_subscriptions_evenly():
    ids = [f"sub_{n:024x}" for n in range(4000)]
    counts = [0] * 8
    for sub_id in ids:
        counts[shard_of(sub_id, 8)] += 1
    assert min(counts) > 400 and max(counts) < 600  # 500 each on average
    assert shard_of("sub_abc", 8) == shard_of("sub_abc", 8) and shard_of("sub_abc", 1) == 0


def _public(host):
    return ["93.184.216.34"]


SSRF_URLS = [
    "http://example.com/hook",
    "https://user:pw@example.com/hook",
    "https://example.com:22/hook",
    "https://127.0.0.1/",
    "https://localhost/",
    "https://169.254.169.254/latest/meta-data/",
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
    "https://0177.0.0.1/",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", SSRF_URLS)
def test_ssrf_attack_list_is_rejected(url):
    with pytest.raises(InvalidEndpoint):
        validate_endpoint_url(url, local_mode=False, allowed_ports=[443], resolver=_public)


@pytest.mark.parametrize("answer", ["169.254.169.254", "127.0.0.1", "10.1.2.3", "::ffff:127.0.0.1"])
def test_names_resolving_to_private_addresses_are_rejected(answer):
    with pytest.raises(InvalidEndpoint) as caught:
        validate_endpoint_url(
            "https://rebind.example/h", local_mode=False, allowed_ports=[443], resolver=lambda h: [answer]
        )
    assert caught.value.code == "blocked_destination"


def test_public_https_and_local_mode_loopback_are_allowed():
    assert validate_endpoint_url(
        "https://hooks.example.com/x", local_mode=False, allowed_ports=[443], resolver=_public
    )
    assert validate_endpoint_url(
        "http://127.0.0.1:8123/h", local_mode=True, allowed_ports=[443], loopback_ports=[8123]
    )
    with pytest.raises(InvalidEndpoint):
        validate_endpoint_url("http://127.0.0.1:8123/h", local_mode=False, allowed_ports=[443])
    # local mode's loopback is the demo receiver's port only: not moto's, not the API's (issue 12)
    for other in (
        "http://127.0.0.1:5000/h",
        "http://localhost:3000/x",
        "http://[::1]:8124/h",
        "http://127.0.0.1/h",
    ):
        with pytest.raises(InvalidEndpoint, match="receiver's port"):
            validate_endpoint_url(other, local_mode=True, allowed_ports=[443], loopback_ports=[8123])
    with pytest.raises(InvalidEndpoint):  # local mode allows loopback only
        validate_endpoint_url("http://10.0.0.1/h", local_mode=True, allowed_ports=[443])
