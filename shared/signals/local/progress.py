"""How far the demo's first cycle is: feeds fetched and items scored, of how many.

The ingest function runs in the demo's process: its calls to the local AWS are watched (botocore
events on its own clients: a source's state is stored once per fetched feed, and its score
messages are sent in batches), so the counting needs nothing from the ingest code. The scorer
workers count what they scored in shared memory (``workers.Tally``). The figures are published
in shared memory too, where the API process reads them for the pages' "still ingesting" line.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, TextIO

from signals.storage.key_schema import source_pk

PROGRESS_INTERVAL_S = 3.0  # the terminal prints a progress line this often during the first cycle
_FIELDS = ("feeds_done", "feeds_total", "items_scored", "items_queued", "ingesting")


class SharedProgress:
    """The first cycle's figures in shared memory (written by the demo, read by the API process)."""

    def __init__(self, context: Any):
        self.values = context.Array("q", len(_FIELDS))

    def set(self, **figures: int) -> None:
        for name, value in figures.items():
            self.values[_FIELDS.index(name)] = value

    def get(self, name: str) -> int:
        return int(self.values[_FIELDS.index(name)])

    def notice(self) -> str:
        """The pages' line while the first cycle runs; empty once it is done."""
        if not self.get("ingesting"):
            return ""
        return (
            f"Still ingesting: {self.get('feeds_done')} of {self.get('feeds_total')} feeds fetched, "
            f"{self.get('items_scored'):,} of {self.get('items_queued'):,} items scored so far. "
            "Signals appear as they are scored."
        )


class IngestWatch:
    """Counts, from the ingest's own AWS calls, feeds finished and items queued for scoring."""

    def __init__(self, score_queue_url: str):
        self.score_queue_url = score_queue_url
        self.feeds_done = 0
        self.items_queued = 0
        self._lock = threading.Lock()

    def attach(self, dynamodb: Any, sqs: Any) -> None:
        dynamodb.meta.events.register("before-parameter-build.dynamodb.PutItem", self._put_item)
        sqs.meta.events.register("before-parameter-build.sqs.SendMessageBatch", self._send_batch)

    def _put_item(self, params: dict[str, Any], **_: Any) -> None:
        pk = params.get("Item", {}).get("pk", {}).get("S", "")
        if pk.startswith(source_pk("")):
            with self._lock:
                self.feeds_done += 1

    def _send_batch(self, params: dict[str, Any], **_: Any) -> None:
        if params.get("QueueUrl") == self.score_queue_url:
            with self._lock:
                self.items_queued += len(params.get("Entries", []))

    def reset(self) -> None:
        with self._lock:
            self.feeds_done = self.items_queued = 0


class ProgressReporter:
    """During the first cycle: a line on the terminal every few seconds, and the pages' figures."""

    def __init__(
        self,
        watch: IngestWatch,
        scored: Any,
        *,
        feeds_total: int,
        shared: SharedProgress | None,
        out: TextIO | None = None,
    ):
        self.watch, self.scored, self.feeds_total, self.shared = watch, scored, feeds_total, shared
        self.out = out or sys.stderr
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-progress", daemon=True)

    def figures(self) -> dict[str, int]:
        queued = self.watch.items_queued
        return {
            "feeds_done": min(self.watch.feeds_done, self.feeds_total),
            "feeds_total": self.feeds_total,
            # a message received again (its visibility ran out mid-batch) is scored twice, idempotently
            "items_scored": min(self.scored(), queued),
            "items_queued": queued,
        }

    def line(self) -> str:
        f = self.figures()
        return (
            f"first ingest: feeds fetched {f['feeds_done']} of {f['feeds_total']}, "
            f"items scored {f['items_scored']:,} of {f['items_queued']:,} queued"
        )

    def start(self) -> ProgressReporter:
        self.publish(ingesting=True)
        self._thread.start()
        return self

    def publish(self, *, ingesting: bool) -> None:
        if self.shared is not None:
            self.shared.set(**self.figures(), ingesting=int(ingesting))

    def _run(self) -> None:
        ticks = 0
        while not self.done.wait(1.0):
            self.publish(ingesting=True)
            ticks += 1
            if ticks % int(PROGRESS_INTERVAL_S) == 0:
                print(self.line(), file=self.out, flush=True)

    def finish(self) -> None:
        """The first cycle is done: a last line, and the pages stop saying "still ingesting"."""
        self.done.set()
        self.publish(ingesting=False)
        print(self.line() + " (done)", file=self.out, flush=True)
