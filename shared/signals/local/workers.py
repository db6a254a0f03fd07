"""Queue workers: the SQS event source mappings played by processes, as Lambda runs containers.

Each worker is a process of its own (a Lambda container: one invocation at a time, its own
Powertools state) that polls one queue and invokes one function with each batch, deleting what
succeeded (``sqs_source.SqsEventSource``). Several scorer workers poll the score queue at once,
as the managed event source scales out, so a feed's items are scored while later feeds are still
being fetched, and both of the machine's cores work.

The workers count what they did in shared memory (:class:`Tally`): the demo's progress line,
its summary and its "quiet" check (every queue empty and no batch in flight) read it there.
"""

from __future__ import annotations

import io
import os
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any

IDLE_POLL_S = 0.1  # an idle worker polls its queue this often (short polls: see Tally.in_flight)
FIELDS = ("received", "failed", "batches", "in_flight")


class Tally:
    """Per-function counters in shared memory: messages received and failed, batches that received
    something, and batches in flight (a worker counts itself in flight from before its receive
    until its batch is settled, so "nothing in flight" means no message is invisible in a worker)."""

    def __init__(self, context: Any, functions: tuple[str, ...]):
        self.functions = functions
        self.values = context.Array("q", len(functions) * len(FIELDS))  # with a lock

    def _index(self, function: str, name: str) -> int:
        return self.functions.index(function) * len(FIELDS) + FIELDS.index(name)

    def add(self, function: str, **deltas: int) -> None:
        with self.values.get_lock():
            for name, delta in deltas.items():
                self.values[self._index(function, name)] += delta

    def get(self, function: str, name: str) -> int:
        return int(self.values[self._index(function, name)])

    def total(self, name: str) -> int:
        with self.values.get_lock():
            return sum(self.get(f, name) for f in self.functions)


@dataclass(frozen=True)
class WorkerSpec:
    """One worker: which function it invokes with which queue's batches."""

    function: str
    queue_url: str


def _metrics_disabled(environment: dict[str, str]) -> bool:
    return environment.get("POWERTOOLS_METRICS_DISABLED", "false").lower() in ("1", "true", "yes", "on")


class _WithoutMetrics(io.TextIOBase):
    """A worker's stdout with metrics off: Powertools honours POWERTOOLS_METRICS_DISABLED when it
    flushes at the end of an invocation, but prints the EMF document anyway when one metric
    reaches 100 values mid-batch (a scorer batch of more than 100 items did, flooding the demo's
    terminal). Lines that are EMF documents are dropped; everything else (logs) goes through."""

    def __init__(self, target: Any):
        self.target = target
        self.dropping = False  # print() writes the document, then its newline, in two calls

    def write(self, text: str) -> int:
        if text.startswith('{"_aws"'):
            self.dropping = not text.endswith("\n")
        elif not (self.dropping and text == "\n"):
            self.dropping = False
            self.target.write(text)
        else:
            self.dropping = False
        return len(text)

    def flush(self) -> None:
        self.target.flush()


def serve_queue(spec: WorkerSpec, environment: dict[str, str], tally: Tally) -> None:
    """Entry point of a worker process: poll, invoke, settle, until the parent is gone."""
    import multiprocessing

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the demo, which terminates us
    # Function output (logs, EMF metrics) goes to stderr: the demo's stdout carries only what the
    # command prints (the --once summary is JSON).
    sys.stdout = _WithoutMetrics(sys.stderr) if _metrics_disabled(environment) else sys.stderr
    os.environ.clear()
    os.environ.update(environment)
    from signals.local.functions import load_handler
    from signals.local.sqs_source import SqsEventSource
    from signals.storage.aws import client

    handler = load_handler(spec.function)
    source = SqsEventSource(client("sqs"), spec.queue_url, handler, function=spec.function)
    parent = multiprocessing.parent_process()
    while parent is None or parent.is_alive():
        tally.add(spec.function, in_flight=1)
        outcome = None
        try:
            outcome = source.poll_once(wait_seconds=0)
        except Exception:  # moto busy or restarting: keep polling, like the managed poller
            outcome = None
        finally:
            received = outcome.received if outcome else 0
            failed = outcome.failed if outcome else 0
            tally.add(
                spec.function, received=received, failed=failed, batches=int(received > 0), in_flight=-1
            )
        if not received:
            time.sleep(IDLE_POLL_S)
    os._exit(0)


class WorkerPool:
    """Starts the workers; ``stop()`` terminates them (a batch cut short comes back to its queue
    after the visibility timeout, as a Lambda timeout's would)."""

    def __init__(self, specs: list[WorkerSpec], environment: dict[str, str]):
        import multiprocessing

        self.context = multiprocessing.get_context("spawn")
        self.specs, self.environment = specs, environment
        self.tally = Tally(self.context, tuple(dict.fromkeys(s.function for s in specs)))
        self.processes: list[Any] = []

    def start(self) -> WorkerPool:
        for n, spec in enumerate(self.specs):
            process = self.context.Process(
                target=serve_queue,
                args=(spec, self.environment, self.tally),
                name=f"signals-{spec.function}-{n}",
                daemon=True,
            )
            process.start()
            self.processes.append(process)
        return self

    def stop(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        self.processes.clear()
