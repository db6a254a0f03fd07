"""``signals migrate subscription-counters|api-keys|entity-postings|term-postings|change-postings``
(``--dry-run``): one-off fills of a table written by an older Signals (``signals.ops.migrations``;
when to run them: docs/operations.md, Deploying).

All are idempotent and resumable (a second run changes nothing; an interrupted run is simply run
again) and use the table of the environment (``SIGNALS_TABLE_NAME``, ``AWS_ENDPOINT_URL`` when set).
Each change is printed on its own line, then one summary line. Exit 0 when done, 1 when counters
kept moving under live writes (run it again), 2 when it could not run (one-line error).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="fill data an older Signals did not write (subscription counters, the API-key index)",
        description="One-off, idempotent migrations of the table. Each scans the table (an admin job).",
    )
    actions = parser.add_subparsers(dest="migration", required=True, metavar="MIGRATION")
    counters = actions.add_parser(
        "subscription-counters",
        help="recount the per-key and per-host subscription counters (the caps) from the subscriptions",
    )
    keys = actions.add_parser("api-keys", help="put API keys stored before the listing index into it")
    entities = actions.add_parser(
        "entity-postings", help="give signals stored before entity postings their postings and counts"
    )
    terms = actions.add_parser(
        "term-postings", help="give signals stored before search (q=) existed their search-term postings"
    )
    postings = actions.add_parser(
        "change-postings", help="give signals stored before updated_since existed their change posting"
    )
    runs = (
        (counters, run_counters),
        (keys, run_keys),
        (entities, run_entities),
        (terms, run_terms),
        (postings, run_postings),
    )
    for action, run in runs:
        action.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
        action.set_defaults(run=run)


def _failed(exc: Exception) -> int:
    message = " ".join(str(exc).split()) or type(exc).__name__
    print(f"error: migrate could not read or write the table: {message}", file=sys.stderr)
    return 2


def run_counters(args: argparse.Namespace) -> int:
    from signals.config import get_settings
    from signals.ops.migrations import migrate_subscription_counters
    from signals.webhooks.subscription_service import counters_of

    try:
        report = migrate_subscription_counters(counters_of(get_settings()), dry_run=args.dry_run)
    except Exception as exc:  # an unreachable table, missing permissions...: one line, not a traceback
        return _failed(exc)
    verb = "would set" if report.dry_run else "set"
    for change in report.changes:
        stored = "absent" if change.stored is None else change.stored
        print(f"{verb} {change.counter}: {stored} -> {change.counted}")
    print(
        f"subscription-counters: {len(report.changes)} counter(s) {verb}, {report.subscriptions} "
        f"subscription(s), {report.rounds} round(s), {len(report.unsettled)} still changing"
        + (" (run it again)" if report.unsettled else "")
    )
    return 0 if report.complete else 1


def run_keys(args: argparse.Namespace) -> int:
    from signals.ops.migrations import reindex_api_keys

    try:
        report = reindex_api_keys(dry_run=args.dry_run)
    except Exception as exc:
        return _failed(exc)
    verb = "would index" if report.dry_run else "indexed"
    for key_id in report.indexed:
        print(f"{verb} {key_id}")
    print(f"api-keys: {len(report.indexed)} key(s) {verb}")
    return 0


def run_entities(args: argparse.Namespace) -> int:
    from signals.ops.migrations import migrate_entity_postings

    return _run_index("entity-postings", migrate_entity_postings, args.dry_run)


def run_terms(args: argparse.Namespace) -> int:
    from signals.ops.migrations import migrate_term_postings

    return _run_index("term-postings", migrate_term_postings, args.dry_run)


def _run_index(name: str, migrate: Callable[..., Any], dry_run: bool) -> int:
    """Run one index backfill (an ``EntityReport``): a line per signal, then the summary."""
    try:
        report = migrate(dry_run=dry_run)
    except Exception as exc:
        return _failed(exc)
    verb = "would index" if report.dry_run else "indexed"
    for signal_id in report.indexed:
        print(f"{verb} {signal_id}")
    print(
        f"{name}: {len(report.indexed)} signal(s) {verb}, {report.postings} posting(s), "
        f"{len(report.skipped)} skipped (changed meanwhile: the scorer indexed them)"
    )
    return 0


def run_postings(args: argparse.Namespace) -> int:
    from signals.ops.migrations import backfill_change_postings

    try:
        report = backfill_change_postings(dry_run=args.dry_run)
    except Exception as exc:
        return _failed(exc)
    verb = "would post" if report.dry_run else "posted"
    for signal_id in report.written:
        print(f"{verb} {signal_id}")
    print(f"change-postings: {len(report.written)} of {report.scanned} signal(s) {verb}")
    return 0
