"""`signals redrive`: DLQ messages go back to their queue; nothing is deleted before it was sent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from signals.cli import main


def fill(aws: Any, queue: str, count: int) -> list[str]:
    bodies = [json.dumps({"n": n}) for n in range(count)]
    for body in bodies:
        aws.sqs.send_message(
            QueueUrl=aws.queue_urls[queue],
            MessageBody=body,
            MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}},
        )
    return bodies


def last_line(out: str) -> dict[str, Any]:
    return json.loads(out.strip().splitlines()[-1])


def bodies_in(aws: Any, queue: str) -> list[str]:
    return sorted(m["Body"] for m in aws.drain(queue))


def test_redrive_moves_every_dlq_message_back_with_its_attributes(aws, capsys):
    sent = fill(aws, "ScoreDLQ", 23)

    assert main(["redrive", "--queue", "score"]) == 0

    report = last_line(capsys.readouterr().out)
    assert report == {"queue": "score", "moved": 23, "failed": 0, "not_deleted": 0, "remaining": 0}
    got = aws.sqs.receive_message(
        QueueUrl=aws.queue_urls["ScoreQueue"],
        MaxNumberOfMessages=1,
        MessageAttributeNames=["All"],
        VisibilityTimeout=0,
    )["Messages"][0]
    assert got["MessageAttributes"]["origin"]["StringValue"] == "test"
    assert bodies_in(aws, "ScoreQueue") == sorted(sent)
    assert bodies_in(aws, "ScoreDLQ") == []


def test_redrive_max_moves_only_that_many(aws, capsys):
    fill(aws, "DeliveryDLQ", 12)

    assert main(["redrive", "--queue", "delivery", "--max", "7"]) == 0

    assert last_line(capsys.readouterr().out)["moved"] == 7
    assert len(bodies_in(aws, "DeliveryQueue")) == 7
    assert len(bodies_in(aws, "DeliveryDLQ")) == 5


def test_entries_the_send_refuses_stay_in_the_dlq(aws, monkeypatch, capsys):
    from signals.config import reset_settings
    from signals.storage.aws import client

    monkeypatch.setenv("SIGNALS_REDRIVE_VISIBILITY_S", "0")  # refused messages are visible again at once
    reset_settings()
    sent = fill(aws, "ScoreDLQ", 10)
    sqs = client("sqs")
    real_send = sqs.send_message_batch

    def send_all_but_odd(QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        keep = [e for e in Entries if json.loads(e["MessageBody"])["n"] % 2 == 0]
        refused = [e for e in Entries if e not in keep]
        response = real_send(QueueUrl=QueueUrl, Entries=keep)
        failed = [{"Id": e["Id"], "SenderFault": False, "Code": "InternalError"} for e in refused]
        return {"Successful": response.get("Successful", []), "Failed": failed}

    monkeypatch.setattr(sqs, "send_message_batch", send_all_but_odd)

    assert main(["redrive", "--queue", "score"]) == 1

    report = last_line(capsys.readouterr().out)
    assert (report["moved"], report["failed"]) == (5, 5)
    moved, left = bodies_in(aws, "ScoreQueue"), bodies_in(aws, "ScoreDLQ")
    assert sorted(moved + left) == sorted(sent)  # nothing lost, nothing twice
    assert all(json.loads(b)["n"] % 2 == 1 for b in left)


def test_an_unreachable_source_queue_moves_nothing_and_loses_nothing(aws, monkeypatch, capsys):
    from botocore.exceptions import ClientError
    from signals.config import reset_settings
    from signals.storage.aws import client

    monkeypatch.setenv("SIGNALS_REDRIVE_VISIBILITY_S", "0")
    reset_settings()
    sent = fill(aws, "DeliveryDLQ", 4)

    def outage(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendMessageBatch")

    client("sqs").meta.events.register("before-call.sqs.SendMessageBatch", outage)

    assert main(["redrive", "--queue", "delivery"]) == 1
    assert last_line(capsys.readouterr().out)["moved"] == 0
    assert bodies_in(aws, "DeliveryDLQ") == sorted(sent)


@pytest.mark.parametrize("argv", [["redrive", "--queue", "nope"], ["redrive"]])
def test_bad_arguments_are_rejected(argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2


def test_an_unconfigured_queue_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.delenv("SCORE_DLQ_URL", raising=False)
    assert main(["redrive", "--queue", "score"]) == 2
    assert "not configured" in capsys.readouterr().err
