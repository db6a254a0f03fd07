"""Standard Webhooks signing: published and derived vectors, secret parsing, verification rules."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from signals.webhooks import signing
from standardwebhooks import Webhook

DATA = Path(__file__).resolve().parents[2] / "data" / "webhooks"
PUBLISHED = json.loads((DATA / "standard-webhooks-published.json").read_text())
DERIVED = json.loads((DATA / "standard-webhooks-derived.json").read_text())


@pytest.mark.parametrize(
    "vector", PUBLISHED["sign_vectors"] + DERIVED["vectors"], ids=lambda v: v["name"][:40]
)
def test_sign_reproduces_every_vector(vector):
    got = signing.sign(vector["secret"], vector["msg_id"], vector["timestamp"], vector["payload"].encode())
    assert got == vector["expected_signature"]


def test_published_signed_content_is_id_dot_timestamp_dot_body():
    vector = PUBLISHED["sign_vectors"][0]
    assert f"{vector['msg_id']}.{vector['timestamp']}.{vector['payload']}" == vector["signed_content"]


@pytest.mark.parametrize("case", PUBLISHED["secret_parsing_cases"], ids=lambda c: c["secret"] or "empty")
def test_secret_parsing(case):
    if case["expect"].startswith("error"):
        with pytest.raises(ValueError):
            signing.secret_key(case["secret"])
    else:
        assert len(signing.secret_key(case["secret"])) > 0


@pytest.mark.parametrize("case", PUBLISHED["sign_negative_cases_php"], ids=lambda c: c["timestamp"])
def test_sign_rejects_non_integer_or_negative_timestamps(case):
    text = case["timestamp"]
    value = float(text) if "." in text else (int(text) if text.lstrip("-").isdigit() else text)
    with pytest.raises(ValueError):
        signing.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_x", value, b"{}")


def _fresh(secret: str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") -> tuple[bytes, dict[str, str], int]:
    now = int(time.time())
    body = PUBLISHED["verify_defaults"]["payload"].encode()
    headers = signing.webhook_headers([secret], PUBLISHED["verify_defaults"]["msg_id"], now, body)
    return body, headers, now


def test_verify_accepts_fresh_signature_and_official_library_agrees():
    body, headers, _ = _fresh()
    signing.verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", body, headers)
    assert Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").verify(body, headers) == {"test": 2432232314}


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_verify_rejects_missing_header(missing):
    body, headers, _ = _fresh()
    del headers[missing]
    with pytest.raises(signing.SignatureError):
        signing.verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", body, headers)


@pytest.mark.parametrize(
    "case",
    [c for c in PUBLISHED["verify_negative_cases"] if "webhook-signature" in c or "webhook-timestamp" in c],
    ids=lambda c: c["name"][:40],
)
def test_verify_negative_vectors(case):
    body, headers, _ = _fresh()
    headers.update({k: v for k, v in case.items() if k.startswith("webhook-")})
    with pytest.raises(signing.SignatureError):
        signing.verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", body, headers)


@pytest.mark.parametrize("offset", [-301, 301])
def test_verify_rejects_timestamps_outside_tolerance(offset):
    body = b'{"test": 2432232314}'
    stamp = int(time.time()) + offset
    headers = signing.webhook_headers(["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], "msg_a", stamp, body)
    with pytest.raises(signing.SignatureError):
        signing.verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", body, headers)


def test_multi_signature_header_vector_is_valid_with_frozen_clock():
    case = DERIVED["multi_signature_header_example"]
    headers = {
        "webhook-id": case["msg_id"],
        "webhook-timestamp": str(case["timestamp"]),
        "webhook-signature": case["webhook-signature"],
    }
    signing.verify(case["secret"], case["payload"], headers, now=case["timestamp"])
    headers["webhook-signature"] = " ".join(
        s for s in case["webhook-signature"].split(" ") if not s.startswith("v1,g0h")
    )
    with pytest.raises(signing.SignatureError):
        signing.verify(case["secret"], case["payload"], headers, now=case["timestamp"])


def test_spec_example_header_parses_but_does_not_verify_with_unknown_secret():
    example = PUBLISHED["spec_example"]
    with pytest.raises(signing.SignatureError):
        signing.verify(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            example["to_sign_minified"].split(".", 2)[2],
            example["headers"],
            tolerance_s=None,
        )


def test_rotation_header_carries_two_signatures_and_either_secret_verifies():
    old, new = signing.generate_secret(), signing.generate_secret()
    body, now = b'{"type":"signal.created"}', int(time.time())
    headers = signing.webhook_headers([new, old], "msg_rot", now, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(body, headers)
    with pytest.raises(signing.SignatureError):
        signing.verify(signing.generate_secret(), body, headers)


def test_generated_secrets_are_32_random_bytes_and_unique():
    made = {signing.generate_secret() for _ in range(50)}
    assert len(made) == 50
    for secret in made:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 32
    with pytest.raises(ValueError):
        signing.generate_secret(16)


def test_webhook_id_is_stable_per_subscription_and_event_and_has_no_dot():
    first = signing.webhook_id("sub_1", "evt.with.dots")
    assert first == signing.webhook_id("sub_1", "evt.with.dots")
    assert first != signing.webhook_id("sub_2", "evt.with.dots")
    assert "." not in first
    with pytest.raises(ValueError):
        signing.sign(signing.generate_secret(), "bad.id", 1, b"")
