"""The scorer's service over in-memory ports: what the handler returns for an SQS batch, and what
it meters and counts (the same batch through the handler against moto: tests/integration/test_scorer.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from signals.models import Item, ScoreRequest, Signal
from signals.partial_batch import EntireBatchFailed
from signals.scoring.analyst import RuleAnalyst
from signals.scoring.service import Collaborators, score_messages
from signals.storage.memory_archive import InMemoryArchive
from signals.storage.memory_queues import InMemoryEventQueue
from signals.storage.memory_stories import InMemoryStories
from signals.telemetry import metrics
from test_session import EO, NOW, make_item


class RecordedStats:
    """A ``StatsSink`` that keeps what it was told."""

    def __init__(self) -> None:
        self.stored: list[tuple[str, str, bool]] = []
        self.errors = 0

    def record_scored_batch(self, stored: Sequence[tuple[Signal, Item, bool]]) -> None:
        self.stored += [(signal.id, item.id, merged) for signal, item, merged in stored]

    def record_scoring_error(self, count: int) -> None:
        self.errors += count


@pytest.fixture(autouse=True)
def _clean_metrics() -> Any:
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


def counted(name: str) -> float:
    entry = metrics.metric_set.get(name)
    return sum(entry["Value"]) if entry else 0


def sqs_event(bodies: list[str]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m-{n}",
                "receiptHandle": f"r-{n}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:score",
                "awsRegion": "us-east-1",
            }
            for n, body in enumerate(bodies)
        ]
    }


def test_a_batch_is_scored_and_poison_messages_fail_alone():
    # Given a batch of two reports of one story, one bad JSON body and a claim check with no item
    archive, stories, queue, stats = (
        InMemoryArchive(),
        InMemoryStories(),
        InMemoryEventQueue(),
        RecordedStats(),
    )
    collaborators = Collaborators(RuleAnalyst(), stories, archive, queue, stats)
    first, second = make_item("policywire", *EO), make_item("wire", EO[0], "https://wire.example/2026/eo")

    def body(item: Item) -> str:
        key = archive.put(item)
        return ScoreRequest(
            item_key=key, item_id=item.id, source_id=item.source_id, enqueued_at=NOW
        ).model_dump_json()

    ghost = ScoreRequest(
        item_key="items/ghost/none.json", item_id="ghost", source_id="ghost", enqueued_at=NOW
    )
    bodies = [body(first), "{not json", body(second), ghost.model_dump_json()]

    # When the service handles it
    response = score_messages(sqs_event(bodies), collaborators)

    # Then exactly the poison messages are reported, and the good ones are one stored story
    assert sorted(f["itemIdentifier"] for f in response["batchItemFailures"]) == ["m-1", "m-3"]
    assert list(stories.signals) == [first.id]
    assert queue.sent[0].type == "signal.created"
    # and the batch is metered and counted once
    assert counted("ScoreErrors") == 2 and counted("ItemsScored") == 2
    assert counted("ItemsMergedIntoStories") == 1
    assert stats.stored == [(first.id, first.id, False), (first.id, second.id, True)]
    assert stats.errors == 2


def test_a_redelivered_batch_counts_duplicates_and_stores_nothing_new():
    archive, stories, queue, stats = (
        InMemoryArchive(),
        InMemoryStories(),
        InMemoryEventQueue(),
        RecordedStats(),
    )
    collaborators = Collaborators(RuleAnalyst(), stories, archive, queue, stats)
    item = make_item("policywire", *EO)
    key = archive.put(item)
    body = ScoreRequest(
        item_key=key, item_id=item.id, source_id=item.source_id, enqueued_at=NOW
    ).model_dump_json()
    score_messages(sqs_event([body]), collaborators)
    metrics.clear_metrics()

    response = score_messages(sqs_event([body]), collaborators)

    assert response["batchItemFailures"] == []
    assert counted("ItemsDuplicate") == 1 and counted("ItemsScored") == 0 and counted("ScoreErrors") == 0
    assert stats.stored == [(item.id, item.id, False)] and stats.errors == 0
    assert stories.writes == 1 and len(queue.sent) == 1


def test_a_batch_of_only_poison_fails_the_invocation_and_is_still_counted():
    stats = RecordedStats()
    collaborators = Collaborators(
        RuleAnalyst(), InMemoryStories(), InMemoryArchive(), InMemoryEventQueue(), stats
    )

    # When every message of the batch is unreadable
    with pytest.raises(EntireBatchFailed) as raised:
        score_messages(sqs_event(["{not json", "[]"]), collaborators)

    # Then the invocation fails (SQS retries the batch, alarms see an error), and the failures
    # are metered and counted before it does
    assert [message_id for message_id, _ in raised.value.errors] == ["m-0", "m-1"]
    assert counted("ScoreErrors") == 2 and stats.errors == 2 and stats.stored == []
