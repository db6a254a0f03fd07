"""``signals digest --date YYYY-MM-DD [--rebuild]``: build (or rebuild) one UTC day's digest."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "digest",
        help="build one day's digest (as the daily schedule does)",
        description="Build the digest of one UTC day from the signals published that day and store it "
        "once (DIGEST#<day>); a day already stored is left as it is unless --rebuild. Prints a JSON "
        "report: date, written, stories, notable, quiet.",
    )
    parser.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the UTC day")
    parser.add_argument("--rebuild", action="store_true", help="replace the stored digest of that day")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from signals.cli.usage import UsageError
    from signals.ops.digest_schedule import run_digest
    from signals.ranking.daily_digest import parse_day

    try:
        day = parse_day(args.date)
    except ValueError as exc:
        raise UsageError(f"--date {exc}") from None
    print(json.dumps(run_digest(day, rebuild=args.rebuild).as_dict()))
    return 0
