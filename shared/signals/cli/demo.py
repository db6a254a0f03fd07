"""``signals demo``: run the whole pipeline locally (see ``signals.local.runner``)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the whole system locally on moto (no Docker, no AWS account)",
        description="Start moto, create the template's resources, ingest the bundled feed snapshots, "
        "score them and serve the API at http://127.0.0.1:PORT.",
    )
    parser.add_argument("--port", type=int, default=3000, help="API port (default 3000)")
    parser.add_argument(
        "--once", action="store_true", help="run one ingest-score-deliver cycle, print a JSON summary, exit"
    )
    parser.add_argument(
        "--sources", type=Path, help="a sources.yaml to ingest live instead of the bundled snapshots"
    )
    parser.add_argument(
        "--only", action="append", metavar="SOURCE_ID", help="limit the demo corpus to these source ids"
    )
    parser.add_argument(
        "--interval", type=float, default=15 * 60, help="seconds between scheduled ingests (default 900)"
    )
    parser.set_defaults(run=run)


def _stop_on_signals(stack: object) -> None:
    """SIGTERM (``kill``, ``timeout``, service managers, a process-group kill) and Ctrl-C stop the
    demo alike: the stack is told to stop first, then the main thread is interrupted. Telling the stack
    matters: code the interrupt lands in may swallow a KeyboardInterrupt, and the schedule loop
    would then sleep its whole interval."""

    def interrupt(signum: int, frame: object) -> None:
        stack.stopping.set()  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse bad options in one line before anything starts (``UsageError``: exit status 2)."""
    import yaml

    from signals.cli.usage import UsageError
    from signals.local.runner import CORPUS_FILE

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: a TCP port is 0..65535 (0: any free port)")
    if args.interval <= 0:
        raise UsageError(f"--interval {args.interval:g}: give a number of seconds above 0")
    if args.sources is not None:
        if args.only:
            raise UsageError("--only chooses from the demo corpus; with --sources, edit that file instead")
        if not args.sources.is_file():
            raise UsageError(f"--sources {args.sources}: no such file (a sources.yaml like the repo's)")
    if args.only:
        known = [entry["id"] for entry in yaml.safe_load(CORPUS_FILE.read_text())["sources"]]
        unknown = [name for name in args.only if name not in known]
        if unknown:
            raise UsageError(
                f"--only: unknown source id(s) {', '.join(map(repr, unknown))}; the demo corpus has "
                f"{len(known)} ({', '.join(known[:5])}, ...: see demo/corpus.yaml)"
            )


def run(args: argparse.Namespace) -> int:
    check_arguments(args)
    # Logs go to stderr so stdout carries only what the command prints (the --once summary is JSON).
    real_stdout, sys.stdout = sys.stdout, sys.stderr
    from signals.local.runner import LocalStack

    stack = LocalStack(port=0 if args.once else args.port, sources_file=args.sources, only=args.only)
    _stop_on_signals(stack)
    stack.interval_s = args.interval
    try:
        stack.start(serve_api=not args.once)
        if args.once:
            summary = stack.run_cycle(progress=True)  # progress lines on stderr
            print(json.dumps(summary.as_dict(), indent=2), file=real_stdout)
            return 0 if summary.errors == 0 else 1
        _print_welcome(stack, real_stdout)
        # The first ingest starts now; signals appear on the pages as the scorer stores them.
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a person stops the demo
            stack.serve_forever()
        return 0
    finally:
        sys.stdout = real_stdout
        stack.stop()
        if stack.stopping.is_set():
            _exit_now(130 if args.once else 0)  # an interrupted --once has no summary to trust


def _exit_now(code: int) -> None:
    """End the process once the stack is stopped, without waiting for worker threads still inside a
    call to the (now stopped) local AWS: a stop must take seconds, whatever moment it lands on.

    First the finalizers multiprocessing runs at a normal exit (priority 0 and up): they unlink the
    semaphores behind the stack's shared counters and queues, which ``os._exit`` would otherwise
    leave for the resource tracker to report as leaked."""
    import multiprocessing.util

    with contextlib.suppress(Exception):
        multiprocessing.util._run_finalizers(0)  # what multiprocessing's own atexit hook runs first
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _print_welcome(stack, out) -> None:  # type: ignore[no-untyped-def]
    base = stack.api_url
    lines = [
        "",
        f"Signals is running locally. Ingesting {stack.source_count()} feeds now; signals appear as "
        "they are scored (progress below until the first cycle is done), then every "
        f"{stack.interval_label()}.",
        "",
        f"  feed (JSON)      {base}/v1/signals",
        f"  top stories      {base}/v1/signals?sort=score&min_score=7",
        f"  pages            {base}/",
        f"  RSS / Atom       {base}/v1/feed.rss   {base}/v1/feed.atom   {base}/v1/feed.json",
        f"  API docs         {base}/docs",
        f"  operations       {base}/ops",
    ]
    if stack.receiver is not None:
        lines += [
            f"  webhooks         {stack.receiver.url}  (what the demo subscriber received, verified)",
            f"  demo API key     {stack.demo_key}  (Authorization: Bearer ... on /v1/subscriptions)",
        ]
    lines += ["", "Ctrl-C stops everything."]
    print("\n".join(lines), file=out, flush=True)
