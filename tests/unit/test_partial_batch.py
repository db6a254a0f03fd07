"""SQS partial-batch responses (signals.partial_batch): what Powertools' BatchProcessor answered for
the scorer and the deliverer, without its import cost."""

from __future__ import annotations

import logging

import pytest
from signals import partial_batch


def records(*bodies: str) -> list[dict]:
    return [{"messageId": f"m{n}", "body": body, "receiptHandle": "r"} for n, body in enumerate(bodies)]


def handler(seen: list[tuple[str, str]]):
    def handle(message_id: str, body: str) -> None:
        seen.append((message_id, body))
        if body == "bad":
            raise ValueError(f"cannot read {message_id}")

    return handle


def test_only_the_failed_records_are_reported_and_every_record_runs(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[tuple[str, str]] = []
    with caplog.at_level(logging.WARNING):
        response = partial_batch.process(records("ok", "bad", "ok", "bad"), handler(seen))

    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]}
    assert seen == [("m0", "ok"), ("m1", "bad"), ("m2", "ok"), ("m3", "bad")]
    assert caplog.text.count("record failed; reported for retry") == 2
    assert "cannot read m1" in caplog.text


def test_a_clean_batch_reports_nothing_and_an_empty_one_too() -> None:
    assert partial_batch.process(records("ok", "ok"), handler([])) == {"batchItemFailures": []}
    assert partial_batch.process([], handler([])) == {"batchItemFailures": []}


def test_a_batch_that_fails_whole_raises_so_the_invocation_counts_as_an_error() -> None:
    with pytest.raises(partial_batch.EntireBatchFailed) as raised:
        partial_batch.process(records("bad", "bad"), handler([]))

    assert [message_id for message_id, _ in raised.value.errors] == ["m0", "m1"]
    assert "all 2 records" in str(raised.value) and "ValueError" in str(raised.value)


def test_a_record_without_a_message_id_fails_the_batch_before_any_record_runs() -> None:
    seen: list[tuple[str, str]] = []
    with pytest.raises(ValueError, match="without a messageId"):
        partial_batch.process([{"messageId": "m0", "body": "ok"}, {"body": "ok"}], handler(seen))
    assert seen == []
