"""Proof that nothing is lost (RELIABILITY.md R-22): the pipeline under injected faults.

The real ingest (``run_ingest`` over demo-corpus feeds served from loopback) and the real scorer
handler (fed by ``SqsEventSource`` playing the event source mapping) run against moto while
botocore ``before-call`` hooks on the application's own clients inject DynamoDB throttling, S3
500s and SQS send failures; the scorer raises on "poison" items and some invocations die
mid-batch as a Lambda timeout would. Then:

1. after the infrastructure faults stop (the poison stays poison), every archived item is in
   exactly one story or in the score DLQ, and no item is in two stories or twice in one;
2. once the poison is fixed, ``signals redrive --queue score`` and a drain complete the set:
   every archived item in exactly one story, the DLQ empty.

Fault schedules are Hypothesis-generated (a few examples, derandomized, no shrinking: bounded).
"""

from __future__ import annotations

import hashlib
import os
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from signals.local.template import PROJECT_ROOT

FEED_IDS = ["stanford-hai", "allenai", "anthropic-news-recent", "google-ai"]  # 34 items, small feeds
FAULTY_RUNS = 3  # scheduled ingest runs while faults are on
RUN_SPACING = timedelta(days=2)  # longer than the backoff ceiling: a failed feed is due next run
MAX_BATCHES = 500


class LambdaTimeout(BaseException):
    """The runtime killing an invocation: not an Exception, so no handler code can catch it."""


class PoisonItem(Exception):
    """A scorer bug that only some items trigger."""


@dataclass
class Schedule:
    seed: int
    dynamodb: float  # probability that one DynamoDB call is throttled
    s3: float  # probability that one S3 call answers 500
    sqs: float  # probability that one SQS send fails
    poison_mod: int  # items whose id hash % poison_mod == 0 are poison (0: none)
    timeout_every: int  # every Nth scorer invocation is killed before its 2nd item or its return (0: never)


@dataclass
class Faults:
    """Decides, call by call, which AWS calls fail; consulted by the hooks and the patches."""

    schedule: Schedule
    active: bool = True
    poison_active: bool = True
    rng: random.Random = field(init=False)
    injected: Counter[str] = field(default_factory=Counter)
    invocation: int = 0
    scored_in_invocation: int = 0
    item_writes: int = 0  # S3 PutObject calls of items seen so far
    kill_ingest_at: int | None = None  # the item write at which the ingest run is killed (once)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.schedule.seed)

    def before_call(self, model: Any, params: dict[str, Any] | None = None, **_: Any) -> None:
        service = model.service_model.service_name
        item_write = model.name == "PutObject" and "/items/" in str((params or {}).get("url_path", ""))
        if service == "s3" and item_write:
            self.item_writes += 1
            if self.kill_ingest_at is not None and self.item_writes >= self.kill_ingest_at:
                self.kill_ingest_at = None
                self.injected["ingest_killed"] += 1
                raise LambdaTimeout()  # the runtime ends the ingest run mid-feed, between item writes
        if not self.active:
            return
        if service == "dynamodb" and self.rng.random() < self.schedule.dynamodb:
            self._raise("ProvisionedThroughputExceededException", 400, model.name)
        if (
            service == "s3"
            and model.name in ("PutObject", "GetObject")
            and self.rng.random() < self.schedule.s3
        ):
            self._raise("InternalError", 500, model.name)
        if (
            service == "sqs"
            and model.name.startswith("SendMessage")
            and self.rng.random() < self.schedule.sqs
        ):
            self._raise("ServiceUnavailable", 503, model.name)

    def _raise(self, code: str, status: int, operation: str) -> None:
        self.injected[code] += 1
        error = {
            "Error": {"Code": code, "Message": "injected"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        raise ClientError(error, operation)  # type: ignore[arg-type]

    def is_poison(self, item_id: str) -> bool:
        mod = self.schedule.poison_mod
        return bool(mod) and int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % mod == 0

    def timing_out(self) -> bool:
        every = self.schedule.timeout_every
        return self.active and bool(every) and self.invocation % every == 0


@contextmanager
def pipeline(schedule: Schedule) -> Iterator[dict[str, Any]]:
    """A fresh moto stack from template.yaml, loopback feeds, and the faults wired in."""
    import boto3
    import yaml
    from moto import mock_aws
    from signals.config import reset_settings
    from signals.local import moto_patches
    from signals.local.feed_server import FeedServer
    from signals.local.runner import CORPUS_FILE, DEMO_DIR
    from signals.local.template import create_resources
    from signals.storage.aws import client, reset_clients

    moto_patches.install()  # moto's transactions copy whole tables; the patch keeps semantics
    feeds = FeedServer(DEMO_DIR / "feeds").start()
    try:
        with (
            mock_aws(),
            # One fetch at a time: the fault RNG is consumed in call order, so a schedule is
            # reproducible only if the ingest threads cannot interleave their AWS calls.
            mock.patch.dict(
                os.environ,
                {
                    "SIGNALS_FETCH_ALLOW_LOOPBACK": "true",
                    "SIGNALS_FETCH_CONCURRENCY": "1",
                    "SIGNALS_LOCAL_MODE": "true",  # webhooks to the loopback subscriber below
                    "SIGNALS_SQS_MAX_DELAY_S": "0",
                },
            ),
        ):
            dynamodb, s3, sqs = (boto3.client(n, region_name="us-east-1") for n in ("dynamodb", "s3", "sqs"))
            resources = create_resources(dynamodb=dynamodb, s3=s3, sqs=sqs, visibility_override=1)
            # Visibility 0: a message the scorer did not delete is received again at once, so
            # maxReceiveCount is reached without sleeping (the redrive to the DLQ is SQS's own).
            sqs.set_queue_attributes(
                QueueUrl=resources.queue_urls["ScoreQueue"], Attributes={"VisibilityTimeout": "0"}
            )
            os.environ.update(resources.environment())
            reset_settings()
            reset_clients()
            faults = Faults(schedule)
            for service in ("dynamodb", "s3", "sqs"):
                client(service).meta.events.register(f"before-call.{service}", faults.before_call)
            entries = yaml.safe_load(CORPUS_FILE.read_text())["sources"]
            yield {
                "faults": faults,
                "sqs": sqs,
                "s3": s3,
                "dynamodb": dynamodb,
                "resources": resources,
                "entries": [e for e in entries if e["id"] in FEED_IDS],
                "feeds_url": feeds.url,
            }
    finally:
        feeds.stop()
        reset_settings()
        reset_clients()


def _sources(stack: dict[str, Any]) -> list[Any]:
    from signals.feeds.sources import Source

    return [
        Source(id=e["id"], name=e["name"], url=f"{stack['feeds_url']}/{e['path']}", poll_interval_s=900)
        for e in stack["entries"]
    ]


def _scorer(stack: dict[str, Any]) -> Any:
    """The scorer handler as the event source mapping sees it: a killed invocation is an error."""
    from signals.local.functions import load_handler

    handler = load_handler("scorer")
    faults: Faults = stack["faults"]

    def invoke(event: dict[str, Any], context: Any) -> Any:
        faults.invocation += 1
        faults.scored_in_invocation = 0
        try:
            response = handler(event, context)
        except LambdaTimeout:
            raise RuntimeError("Task timed out") from None
        except Exception:
            # An invocation that failed anyway (e.g. every record poison) can still be the one the
            # runtime kills: count it, so the schedule's timeouts happen whatever the batch sizes
            # (moto's visibility clock is real time, so batches are not reproducible run to run).
            if faults.timing_out():
                faults.injected["timeout"] += 1
                raise RuntimeError("Task timed out") from None
            raise
        if faults.timing_out():  # killed after the work, before the runtime returned the response
            faults.injected["timeout"] += 1
            raise RuntimeError("Task timed out")
        return response

    return invoke


def _patched_score_once(faults: Faults) -> Any:
    from signals.scoring.session import ScoringSession

    real = ScoringSession._score_once

    def score_once(self: Any, item: Any) -> Any:
        if faults.poison_active and faults.is_poison(item.id):
            faults.injected["poison"] += 1
            raise PoisonItem(item.id)
        if faults.timing_out() and faults.scored_in_invocation >= 1:
            faults.injected["timeout"] += 1
            raise LambdaTimeout()
        outcome = real(self, item)
        faults.scored_in_invocation += 1
        return outcome

    return mock.patch.object(ScoringSession, "_score_once", score_once)


def ingest_and_drain(stack: dict[str, Any], when: Any) -> None:
    """One scheduled ingest run (a crash is a failed run, as in Lambda), then drain the score queue."""
    from signals.feeds.ingest import run_ingest
    from signals.local.sqs_source import SqsEventSource

    with suppress(Exception, LambdaTimeout):  # a failed or killed run: the next one picks up the work
        run_ingest(_sources(stack), now=when)
    drain(stack, SqsEventSource)


def drain(stack: dict[str, Any], event_source: Any) -> None:
    source = event_source(
        stack["sqs"], stack["resources"].queue_urls["ScoreQueue"], _scorer(stack), function="scorer"
    )
    for _ in range(MAX_BATCHES):
        if not source.poll_once().received:
            return
    raise AssertionError("score queue did not drain")


# --------------------------------------------------------------------------- webhooks


class Subscriber:
    """A loopback webhook endpoint that answers 204 and keeps each ``webhook-id`` it receives."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler
        from threading import Thread

        from signals.local.loopback_server import LoopbackServer as ThreadingHTTPServer  # quiet resets

        received: list[str] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append(self.headers.get("webhook-id", ""))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def subscribe_to_everything(url: str) -> str:
    """One active subscription to every signal event, stored as the API would store it."""
    from signals.webhooks.subscriptions import SubscriptionCreate, new_subscription
    from signals.webhooks.wiring import subscription_store

    request = SubscriptionCreate(url=url, event_types=["signal.created", "signal.updated"])
    subscription = new_subscription("owner-no-loss", request, "whsec_" + "A" * 32)
    subscription_store().create(subscription)
    return subscription.id


@contextmanager
def committed_events() -> Iterator[set[str]]:
    """The ids of every delivery event a story write committed (its outbox), as the writes happen."""
    from signals.storage.story_records import StoryRecords

    committed: set[str] = set()
    real = StoryRecords.write_story

    def write_story(self: Any, **kwargs: Any) -> None:
        real(self, **kwargs)  # raises when the write did not commit: nothing is owed then
        committed.update(event.event_id for event in kwargs.get("pending", ()))

    with mock.patch.object(StoryRecords, "write_story", write_story):
        yield committed


def drain_deliveries(stack: dict[str, Any]) -> None:
    from signals.local.functions import load_handler
    from signals.local.sqs_source import SqsEventSource

    url = stack["resources"].queue_urls["DeliveryQueue"]
    source = SqsEventSource(stack["sqs"], url, load_handler("deliver"), function="deliver")
    for _ in range(MAX_BATCHES):
        if not source.poll_once().received:
            return
    raise AssertionError("delivery queue did not drain")


# --------------------------------------------------------------------------- observations


def archived_item_ids(stack: dict[str, Any]) -> set[str]:
    """Item ids with at least one archived version (``items/<source>/<item_id>/<hash>.json``)."""
    ids: set[str] = set()
    paginator = stack["s3"].get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=stack["resources"].bucket_name, Prefix="items/"):
        ids.update(obj["Key"].split("/")[2] for obj in page.get("Contents", []))
    return ids


def story_memberships(stack: dict[str, Any]) -> Counter[str]:
    """How many times each item id appears across all stored stories' sources (test-only Scan)."""
    from signals.models import Signal

    counts: Counter[str] = Counter()
    paginator = stack["dynamodb"].get_paginator("scan")
    for page in paginator.paginate(TableName=stack["resources"].table_name):
        for record in page["Items"]:
            if record["pk"]["S"].startswith("SIGNAL#") and record["sk"]["S"] == "SIGNAL":
                from signals.storage.signal_records import from_record

                signal: Signal = from_record(record)
                counts.update(ref.item_id for ref in signal.sources)
    return counts


def dead_lettered_item_ids(stack: dict[str, Any]) -> list[str]:
    """Item ids of the score DLQ's messages (peeked: each is made visible again afterwards)."""
    import json

    sqs, url = stack["sqs"], stack["resources"].queue_urls["ScoreDLQ"]
    seen: dict[str, dict[str, Any]] = {}
    for _ in range(100):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
            "Messages", []
        )
        if not got:
            break
        seen.update((m["MessageId"], m) for m in got)
    for message in seen.values():
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    return [json.loads(m["Body"])["item_id"] for m in seen.values()]


SCHEDULES = st.builds(
    Schedule,
    seed=st.integers(0, 2**16),
    dynamodb=st.sampled_from([0.0, 0.05, 0.15]),
    s3=st.sampled_from([0.0, 0.05, 0.1]),
    sqs=st.sampled_from([0.0, 0.1, 0.2]),
    poison_mod=st.sampled_from([0, 7, 11]),
    timeout_every=st.sampled_from([0, 2, 3]),
)


@settings(
    max_examples=int(os.environ.get("SIGNALS_FAULT_EXAMPLES", "1")),  # more in a nightly run
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@example(Schedule(seed=7, dynamodb=0.05, s3=0.05, sqs=0.1, poison_mod=7, timeout_every=2))
@given(schedule=SCHEDULES)
def test_every_archived_item_ends_in_exactly_one_story_or_the_dlq(schedule: Schedule) -> None:
    from signals.models import utcnow
    from signals.ops.dlq_redrive import redrive

    start = utcnow() - RUN_SPACING * (FAULTY_RUNS + 2)
    subscriber = Subscriber()
    port = {"SIGNALS_LOCAL_LOOPBACK_PORTS": f"[{subscriber.server.server_address[1]}]"}
    with mock.patch.dict(os.environ, port), pipeline(schedule) as stack, committed_events() as committed:
        faults: Faults = stack["faults"]
        subscription_id = subscribe_to_everything(subscriber.url)
        with _patched_score_once(faults):
            # Given: scheduled runs while AWS calls fail, poison items crash the scorer and some
            # invocations are killed mid-batch
            for run in range(FAULTY_RUNS):
                if run == 0:  # and the first run is killed mid-feed, after some of its item writes
                    faults.kill_ingest_at = 5
                ingest_and_drain(stack, start + RUN_SPACING * run)
            assert faults.injected["ingest_killed"] == 1, faults.injected

            # (the schedule's faults really happened)
            assert bool(faults.injected["timeout"]) == bool(schedule.timeout_every), faults.injected
            infra = faults.injected.total() - sum(
                faults.injected[k] for k in ("poison", "timeout", "ingest_killed")
            )
            assert bool(infra) == bool(schedule.dynamodb or schedule.s3 or schedule.sqs)

            # When: the infrastructure recovers (the poison is still poison) and the schedule runs on
            faults.active = False
            ingest_and_drain(stack, start + RUN_SPACING * FAULTY_RUNS)

            # Then: every archived item is in exactly one story or dead-lettered; none twice
            archived = archived_item_ids(stack)
            members = story_memberships(stack)
            dead = dead_lettered_item_ids(stack)
            assert archived, "nothing was archived: the corpus feeds were not fetched"
            assert not [i for i, n in members.items() if n > 1], "an item is in two stories (or twice in one)"
            assert set(members) <= archived, "a story lists an item that was never archived"
            unaccounted = {i for i in archived if members[i] != 1 and i not in dead}
            assert not unaccounted, f"lost: {sorted(unaccounted)[:5]} (faults {dict(faults.injected)})"
            poison = {i for i in archived if faults.is_poison(i)}
            assert poison <= set(dead) and not poison & set(members)

            # When: the poison is fixed and the DLQ redriven
            faults.poison_active = False
            report = redrive("score")
            assert report.failed == 0 and report.not_deleted == 0
            from signals.local.sqs_source import SqsEventSource

            drain(stack, SqsEventSource)

            # Then: the set is complete
            members = story_memberships(stack)
            assert set(members) == archived
            assert set(members.values()) == {1}
            assert dead_lettered_item_ids(stack) == []

            # And: every event a story write committed reaches the subscriber (by webhook id,
            # which is stable per subscription and event: a redelivery is the same message)
            drain_deliveries(stack)
            from signals.models.delivery import webhook_id

            owed = {webhook_id(subscription_id, event) for event in committed}
            assert committed, "no story write committed a delivery event"
            missing = owed - set(subscriber.received)
            assert not missing, f"{len(missing)} of {len(owed)} committed events never delivered"
            assert set(subscriber.received) <= owed, "a webhook for an event no write committed"
    subscriber.stop()


def test_the_demo_feeds_used_exist():
    import yaml

    entries = yaml.safe_load((PROJECT_ROOT / "demo" / "corpus.yaml").read_text())["sources"]
    assert {e["id"] for e in entries} >= set(FEED_IDS)


@pytest.mark.parametrize("mod", [7, 11])
def test_poison_predicate_marks_some_but_not_all_items(mod):
    faults = Faults(Schedule(seed=0, dynamodb=0, s3=0, sqs=0, poison_mod=mod, timeout_every=0))
    marks = [faults.is_poison(f"item-{n}") for n in range(200)]
    assert 0 < sum(marks) < 200
