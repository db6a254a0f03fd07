"""``signals redrive --queue score|delivery``: move DLQ messages back once the cause is fixed."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "redrive",
        help="move dead-lettered messages back to their queue",
        description="Receive from the queue's DLQ, send to the queue, delete from the DLQ only what was "
        "sent. Uses the queue URLs of the environment (SCORE_QUEUE_URL, SCORE_DLQ_URL, ...) and "
        "AWS_ENDPOINT_URL when set. Prints a JSON report; exits 1 if any message could not be moved.",
    )
    parser.add_argument("--queue", required=True, choices=["score", "delivery"], help="which pipeline queue")
    parser.add_argument(
        "--max", type=int, default=None, metavar="N", help="move at most N messages (default: setting)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from signals.ops.dlq_redrive import redrive

    if args.max is not None and args.max < 1:
        print("--max must be at least 1", file=sys.stderr)
        return 2
    try:
        report = redrive(args.queue, max_messages=args.max)
    except LookupError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict()))  # the last line of stdout is the report
    return 0 if report.failed == 0 and report.not_deleted == 0 else 1
