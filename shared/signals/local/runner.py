"""``signals demo``: the whole system on a laptop, no Docker and no AWS account.

moto in server mode (loopback) stands in for S3, SQS and DynamoDB, with resources created from
template.yaml; a loopback server serves the bundled feed snapshots so the real fetch code runs; the
runner plays the schedule and the SQS event sources; a local gateway serves the API on port 3000.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from signals.local.template import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / "demo"
CORPUS_FILE = DEMO_DIR / "corpus.yaml"
LOCAL_VISIBILITY_TIMEOUT_S = 30  # real seconds in moto: short, so failed messages come back soon
SCHEDULE_INTERVAL_S = 15 * 60  # the template's rate(15 minutes)
DEMO_SUBSCRIPTION_MIN_SCORE = 6  # the demo subscriber wants what is notable, as a real one would
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


@dataclass
class CycleSummary:
    """What one ingest-score-deliver cycle did (printed by ``signals demo --once``)."""

    sources: int = 0
    items_ingested: int = 0
    items_updated: int = 0
    not_modified: int = 0
    fetch_failures: int = 0
    scored_messages: int = 0
    score_failures: int = 0
    delivery_messages: int = 0
    delivery_failures: int = 0
    signals: int = 0
    webhooks_received: int = 0
    webhooks_verified: int = 0
    errors: int = 0
    error_details: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


API_START_TIMEOUT_S = 60


def serve_api(port: int, environment: dict[str, str], urls: Any) -> None:
    """Entry point of the API process: the API handler behind the local gateway, until terminated."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the demo, which terminates us
    os.environ.clear()
    os.environ.update(environment)
    try:
        from signals.local.functions import load_handler
        from signals.local.gateway import Gateway

        gateway = Gateway(load_handler("api"), port=port).start()
    except BaseException as error:  # report, so the parent fails with the cause instead of a timeout
        urls.put(error)
        raise
    urls.put(gateway.url)
    # Serve until the demo ends, however it ends (Ctrl-C, SIGTERM, SIGKILL): a killed parent must
    # not leave this process holding the port and answering 500s from a moto that is gone.
    import multiprocessing
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:  # run directly, not by the demo
        threading.Event().wait()
    wait([parent.sentinel])
    os._exit(0)


def corpus_sources(
    base_url: str, corpus_file: Path = CORPUS_FILE, only: list[str] | None = None
) -> list[dict[str, Any]]:
    """The demo's source entries, pointed at the loopback feed server."""
    entries = yaml.safe_load(corpus_file.read_text())["sources"]
    chosen = [e for e in entries if not only or e["id"] in only]
    return [
        {
            "id": e["id"],
            "name": e["name"],
            "url": f"{base_url}/{e['path']}",
            "authority": e.get("authority", 1.0),
            "kind": e.get("kind", "news"),
            "poll_interval_s": SCHEDULE_INTERVAL_S,
            "enabled": True,
        }
        for e in chosen
    ]


class LocalStack:
    """moto server + resources + loopback feeds + API gateway + event-source players."""

    def __init__(
        self,
        *,
        port: int = 3000,
        sources_file: Path | None = None,
        only: list[str] | None = None,
        workdir: Path | None = None,
    ):
        self.port, self.sources_file, self.only = port, sources_file, only
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="signals-demo-"))
        self._stoppers: list[Any] = []
        # Set by a stop request (a signal): the schedule loop and the pollers end at their next
        # check even when the KeyboardInterrupt that came with it was swallowed by the code it hit.
        self.stopping = threading.Event()
        self.api_url = ""
        self.receiver: Any = None
        self.demo_key: str | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self, *, serve_api: bool = True) -> LocalStack:
        import logging

        from moto.server import ThreadedMotoServer

        from signals.local import moto_patches

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
        moto_patches.install()
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        self._stoppers.append(moto.stop)
        host, moto_port = moto.get_host_and_port()
        os.environ.update(FAKE_CREDENTIALS)
        os.environ.pop("AWS_PROFILE", None)
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": f"http://{host}:{moto_port}",
                "SIGNALS_LOCAL_MODE": "true",
                "SIGNALS_FETCH_ALLOW_LOOPBACK": "true",
                # Cursors are signed with a key of this run (the API refuses to start without one).
                "SIGNALS_CURSOR_SECRET": os.environ.get("SIGNALS_CURSOR_SECRET") or secrets.token_urlsafe(32),
                # One fan-out shard: a laptop has one subscriber, and each shard costs a Query per
                # event against moto over HTTP (AWS spreads them; locally they only add minutes).
                "SIGNALS_FANOUT_SHARDS": os.environ.get("SIGNALS_FANOUT_SHARDS", "1"),
                # The bundled feeds are snapshots months old: a week's hot window would be empty,
                # so the demo ranks `sort=hot` over all of them (still decayed by age).
                "SIGNALS_HOT_WINDOW_DAYS": os.environ.get("SIGNALS_HOT_WINDOW_DAYS", "3650"),
                "POWERTOOLS_METRICS_NAMESPACE": "Signals",
                "POWERTOOLS_METRICS_DISABLED": os.environ.get("POWERTOOLS_METRICS_DISABLED", "true"),
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            }
        )
        self._create_resources()
        self._write_sources()
        self._start_webhooks()  # first: the API process inherits the receiver's loopback port
        if serve_api:
            self.api_url = self._start_api_process()
        return self

    def _start_api_process(self) -> str:
        """The API function in a process of its own, as Lambda runs it in a container of its own.

        Pages then answer while the pipeline functions work in this process (each process runs one
        invocation at a time: see ``signals.local.functions``).
        """
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        urls = context.Queue()
        process = context.Process(
            target=serve_api, args=(self.port, dict(os.environ), urls), name="signals-api", daemon=True
        )
        process.start()
        self._stoppers.append(process.terminate)
        url = urls.get(timeout=API_START_TIMEOUT_S)
        if isinstance(url, BaseException):
            raise url
        return url

    def stop(self) -> None:
        for stop in reversed(self._stoppers):
            try:
                stop()
            except Exception:  # noqa: S112 - best effort shutdown of local servers
                continue
        self._stoppers.clear()

    def _create_resources(self) -> None:
        import boto3

        from signals.config import reset_settings
        from signals.local.template import create_resources
        from signals.storage.aws import reset_clients

        endpoint = os.environ["AWS_ENDPOINT_URL"]
        clients = {
            name: boto3.client(name, endpoint_url=endpoint, region_name="us-east-1")
            for name in ("dynamodb", "s3", "sqs")
        }
        self.resources = create_resources(**clients, visibility_override=LOCAL_VISIBILITY_TIMEOUT_S)
        os.environ.update(self.resources.environment())
        reset_settings()
        reset_clients()
        self.sqs = clients["sqs"]

    def source_count(self) -> int:
        """How many sources the ingest function will read."""
        data = yaml.safe_load(Path(os.environ["SIGNALS_SOURCES_FILE"]).read_text()) or {}
        return len(data.get("sources", []) if isinstance(data, dict) else data)

    def interval_label(self) -> str:
        return f"{int(self.interval_s // 60)} minutes" if self.interval_s >= 60 else f"{self.interval_s:g} s"

    def _write_sources(self) -> None:
        """Point the ingest function at the demo corpus (or a given sources file)."""
        if self.sources_file is not None:
            os.environ["SIGNALS_SOURCES_FILE"] = str(Path(self.sources_file).resolve())
        else:
            from signals.local.feed_server import FeedServer

            feeds = FeedServer(DEMO_DIR / "feeds").start()
            self._stoppers.append(feeds.stop)
            path = self.workdir / "demo-sources.yaml"
            path.write_text(
                yaml.safe_dump({"sources": corpus_sources(feeds.url, only=self.only)}, sort_keys=False)
            )
            os.environ["SIGNALS_SOURCES_FILE"] = str(path)
        from signals.config import reset_settings

        reset_settings()

    def _start_webhooks(self) -> None:
        """A demo API key, a local receiver that verifies signatures, and a subscription to it."""
        try:
            from signals.local.receiver import start_demo_webhooks
        except ImportError:  # webhooks not part of this build
            return
        self.receiver, self.demo_key = start_demo_webhooks(echo=False, min_score=DEMO_SUBSCRIPTION_MIN_SCORE)
        self._stoppers.append(self.receiver.stop)

    # ------------------------------------------------------------------ event sources
    def run_cycle(self) -> CycleSummary:
        """One scheduled ingest, then score and deliver until both queues are drained."""
        from signals.local.functions import load_handler
        from signals.local.lambda_context import LambdaContext
        from signals.local.sqs_source import SqsEventSource

        started = time.monotonic()
        summary = CycleSummary()
        event = json.loads((PROJECT_ROOT / "events" / "schedule.json").read_text())
        report = load_handler("ingest")(event, LambdaContext("ingest", timeout_ms=300_000)) or {}
        summary.sources = int(report.get("sources", 0))
        summary.items_ingested = int(report.get("items_new", 0))
        summary.items_updated = int(report.get("items_updated", 0))
        summary.not_modified = int(report.get("not_modified", 0))
        summary.fetch_failures = int(report.get("failed", 0))
        summary.error_details.extend(str(e) for e in report.get("errors", []))

        scorer = SqsEventSource(
            self.sqs, self.resources.queue_urls["ScoreQueue"], load_handler("scorer"), function="scorer"
        )
        deliver = SqsEventSource(
            self.sqs, self.resources.queue_urls["DeliveryQueue"], load_handler("deliver"), function="deliver"
        )
        # Scoring emits delivery events and deliveries may re-enqueue: drain until both are quiet.
        for _ in range(1000):
            scored = scorer.drain()
            delivered = deliver.drain()
            summary.scored_messages += scored.received - scored.failed
            summary.score_failures += scored.failed
            summary.delivery_messages += delivered.received - delivered.failed
            summary.delivery_failures += delivered.failed
            if not scored.received and not delivered.received:
                break
        summary.signals = self.count_signals()
        if self.receiver is not None:
            summary.webhooks_received = self.receiver.webhooks_received
            summary.webhooks_verified = self.receiver.webhooks_verified
        summary.errors = summary.fetch_failures + summary.score_failures
        if summary.score_failures:
            summary.error_details.append(
                f"{summary.score_failures} score message(s) failed (see logs / score DLQ)"
            )
        summary.seconds = round(time.monotonic() - started, 2)
        return summary

    def count_signals(self) -> int:
        """How many signals the API reports (sum of its per-category counts)."""
        from signals.local.functions import load_handler
        from signals.local.gateway import to_event
        from signals.local.lambda_context import LambdaContext

        response = load_handler("api")(
            to_event("GET", "/v1/categories", {}, b"", "127.0.0.1"), LambdaContext("api")
        )
        if response.get("statusCode") != 200:
            return 0
        return sum(int(row["count"]) for row in json.loads(response["body"])["items"])

    interval_s: float = SCHEDULE_INTERVAL_S

    def serve_forever(self, interval_s: float | None = None) -> None:
        """Play the schedule every ``interval_s`` and the SQS pollers continuously, until Ctrl-C."""
        from signals.local.functions import load_handler
        from signals.local.sqs_source import SqsEventSource

        interval_s = interval_s or self.interval_s
        stop = self.stopping

        def poll(queue: str, function: str) -> None:
            source = SqsEventSource(
                self.sqs, self.resources.queue_urls[queue], load_handler(function), function=function
            )
            while not stop.is_set():
                try:
                    source.poll_once(wait_seconds=1)
                except Exception:  # keep the local poller alive like the managed one
                    time.sleep(1)

        for queue, function in (("ScoreQueue", "scorer"), ("DeliveryQueue", "deliver")):
            threading.Thread(
                target=poll, args=(queue, function), daemon=True, name=f"poll-{function}"
            ).start()
        event = json.loads((PROJECT_ROOT / "events" / "schedule.json").read_text())
        from signals.local.lambda_context import LambdaContext

        while not stop.is_set():
            load_handler("ingest")(event, LambdaContext("ingest", timeout_ms=300_000))
            stop.wait(interval_s)
