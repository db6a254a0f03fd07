"""``signals eval --labels FILE [--json]``: measure the scorer against labelled items."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from signals.scoring.analyst import Analyst


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from signals.scoring.evaluation import evaluate, format_report, load_labels

    try:
        rows = load_labels(args.labels)
    except (OSError, ValueError) as exc:
        print(f"signals eval: {args.labels}: {exc}", file=sys.stderr)
        return 2
    # bedrock: needs AWS credentials; cache and budget in memory (no table), never run in CI
    report = evaluate(rows, _analyst(args.enricher))
    if args.json:
        out.write(json.dumps(report.as_dict(with_rows=args.rows), indent=2) + "\n")
    else:
        out.write(format_report(report) + "\n")
    return 0


def _analyst(enricher: str) -> Analyst:
    from signals.scoring.enrichers import build_analyst
    from signals.storage.analyses import InMemoryAnalyses

    return build_analyst(enricher=enricher, store=InMemoryAnalyses() if enricher == "bedrock" else None)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="evaluate the scorer on a labelled JSONL file")
    parser.add_argument(
        "--labels", required=True, metavar="FILE", help="JSONL: title, summary, category, score..."
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--rows", action="store_true", help="with --json: include per-item predictions")
    parser.add_argument(
        "--enricher",
        choices=["rules", "bedrock"],
        default="rules",
        help="the analyst to use (bedrock: needs AWS credentials and costs money)",
    )
    parser.set_defaults(run=run)
