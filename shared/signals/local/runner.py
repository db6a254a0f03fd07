"""``signals demo``: the whole system on a laptop, no Docker and no AWS account.

moto in server mode (loopback, a process of its own: ``moto_process.py``) stands in for S3, SQS and
DynamoDB, with resources created from template.yaml; a loopback server serves the bundled feed
snapshots so the real fetch code runs; the runner plays the schedule (the ingest function runs in
this process) and queue workers play the SQS event sources (``workers.py``: processes, so items are
scored while later feeds are fetched); a local gateway serves the API on port 3000. The first
cycle reports its progress (``progress.py``) on the terminal and on the pages.
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
# Scorer workers polling the score queue at once (the managed event source runs several
# invocations concurrently); with moto on one core, two keep the other core busy.
LOCAL_SCORER_WORKERS = 2
DEMO_CACHE_MAX_AGE_S = "5"  # seconds: pages and the month registry refresh this often while the demo fills
QUIET_POLL_S = 0.25  # how often a cycle checks whether scoring and delivery have caught up


def serve_api(port: int, environment: dict[str, str], urls: Any, progress: Any = None) -> None:
    """Entry point of the API process: the API handler behind the local gateway, until terminated.

    ``progress`` (a ``progress.SharedProgress``) gives the pages their "still ingesting" line."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the demo, which terminates us
    os.environ.clear()
    os.environ.update(environment)
    try:
        from signals.local.functions import load_handler
        from signals.local.gateway import Gateway

        if progress is not None:
            from signals.rendering import site_notice

            site_notice.set_source(progress.notice)

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
        self.workers: Any = None  # the queue workers (started by the first cycle)
        self.watch: Any = None
        self.shared_progress: Any = None

    # ------------------------------------------------------------------ lifecycle
    def start(self, *, serve_api: bool = True) -> LocalStack:
        import multiprocessing

        from signals.local.moto_process import MotoProcess
        from signals.local.progress import SharedProgress

        moto = MotoProcess()  # a process of its own: moto works on one core, the functions on the other
        self._stoppers.append(moto.stop)
        endpoint = moto.start()
        self.shared_progress = SharedProgress(multiprocessing.get_context("spawn"))
        os.environ.update(FAKE_CREDENTIALS)
        os.environ.pop("AWS_PROFILE", None)
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": endpoint,
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
                # The API reads its month registry once per cache period: with AWS's 60 s, a page
                # opened before the first signal kept showing none for a minute while they arrived.
                "SIGNALS_CACHE_MAX_AGE_S": os.environ.get("SIGNALS_CACHE_MAX_AGE_S", DEMO_CACHE_MAX_AGE_S),
                "POWERTOOLS_METRICS_NAMESPACE": "Signals",
                "POWERTOOLS_METRICS_DISABLED": os.environ.get("POWERTOOLS_METRICS_DISABLED", "true"),
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            }
        )
        self._create_resources()
        self._write_sources()
        self._start_webhooks()  # first: the API process inherits the receiver's loopback port
        self._start_workers()  # their imports overlap the API's: scoring starts with the first feed
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
            target=serve_api,
            args=(self.port, dict(os.environ), urls, self.shared_progress),
            name="signals-api",
            daemon=True,
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
    def _start_workers(self) -> None:
        """The queue workers (``workers.py``) and the watch on the ingest's calls, once per stack."""
        if self.workers is not None:
            return
        from signals.local.progress import IngestWatch
        from signals.local.workers import WorkerPool, WorkerSpec
        from signals.storage.aws import client

        urls = self.resources.queue_urls
        specs = [WorkerSpec("scorer", urls["ScoreQueue"])] * LOCAL_SCORER_WORKERS
        specs += [WorkerSpec("deliver", urls["DeliveryQueue"])]
        self.workers = WorkerPool(specs, dict(os.environ)).start()
        self._stoppers.append(self.workers.stop)
        self.watch = IngestWatch(urls["ScoreQueue"])
        self.watch.attach(client("dynamodb"), client("sqs"))

    def _ingest(self) -> dict[str, Any]:
        """One scheduled ingest run (the handler, in this process); its report."""
        from signals.local.functions import load_handler
        from signals.local.lambda_context import LambdaContext

        event = json.loads((PROJECT_ROOT / "events" / "schedule.json").read_text())
        return load_handler("ingest")(event, LambdaContext("ingest", timeout_ms=300_000)) or {}

    def _quiet(self) -> bool:
        """Both queues empty and no batch in flight in any worker (nothing received in between)."""
        tally = self.workers.tally
        batches, in_flight = tally.total("batches"), tally.total("in_flight")
        if in_flight:  # busy: no need to ask the queues (each ask counts every message in moto)
            return False
        empty = all(self._visible(queue) == 0 for queue in ("ScoreQueue", "DeliveryQueue"))
        return empty and tally.total("in_flight") == 0 and tally.total("batches") == batches

    def _visible(self, queue: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.resources.queue_urls[queue], AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def wait_until_quiet(self) -> bool:
        """Wait until scoring and delivery have caught up (False if the demo is stopping)."""
        while not self.stopping.is_set():
            if self._quiet():
                return True
            self.stopping.wait(QUIET_POLL_S)
        return False

    def _cycle(self, progress: bool) -> dict[str, Any]:
        """Ingest while the workers score and deliver, until all is quiet; the ingest's report.

        The scorer workers take each feed's messages as soon as the ingest sends them (the managed
        event source does the same), so scoring overlaps the fetching of later feeds."""
        from signals.local.progress import ProgressReporter

        self._start_workers()
        self.watch.reset()
        scored_before = self._scored()
        reporter = None
        if progress:
            reporter = ProgressReporter(
                self.watch,
                lambda: self._scored() - scored_before,
                feeds_total=self.source_count(),
                shared=self.shared_progress,
            ).start()
        try:
            report = self._ingest()
            self.wait_until_quiet()
        finally:
            if reporter is not None:
                reporter.finish()
        from signals.local.demo_digests import build_demo_digests

        build_demo_digests()  # the corpus's last days, as the daily schedule would have built them
        return report

    def _scored(self) -> int:
        tally = self.workers.tally
        return tally.get("scorer", "received") - tally.get("scorer", "failed")

    def run_cycle(self, *, progress: bool = False) -> CycleSummary:
        """One scheduled ingest, scored and delivered as it goes, until both queues are drained."""
        started = time.monotonic()
        summary = CycleSummary()
        self._start_workers()
        tally = self.workers.tally
        before = {(f, n): tally.get(f, n) for f in ("scorer", "deliver") for n in ("received", "failed")}
        report = self._cycle(progress)
        done = {key: tally.get(*key) - value for key, value in before.items()}
        summary.sources = int(report.get("sources", 0))
        summary.items_ingested = int(report.get("items_new", 0))
        summary.items_updated = int(report.get("items_updated", 0))
        summary.not_modified = int(report.get("not_modified", 0))
        summary.fetch_failures = int(report.get("failed", 0))
        summary.error_details.extend(str(e) for e in report.get("errors", []))
        summary.scored_messages = done["scorer", "received"] - done["scorer", "failed"]
        summary.score_failures = done["scorer", "failed"]
        summary.delivery_messages = done["deliver", "received"] - done["deliver", "failed"]
        summary.delivery_failures = done["deliver", "failed"]
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
        """Play the schedule every ``interval_s`` (the workers score and deliver continuously), until
        Ctrl-C; the first cycle reports its progress on the terminal and the pages."""
        interval_s = interval_s or self.interval_s
        first = True
        while not self.stopping.is_set():
            started = time.monotonic()
            if first:
                self._cycle(progress=True)
                first = False
            else:
                self._ingest()
            self.stopping.wait(max(0.0, interval_s - (time.monotonic() - started)))
