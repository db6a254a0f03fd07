"""``signals eval``: how good the judgement is, on feeds it has not seen first.

- ``signals eval``: the shipped judge's figures on held-out feed groups (grouped cross-validation
  by publisher, stored in the model file by ``signals train``), per labelled set, with a
  calibration table, and each labelled set's first measurement (``first-measurements.json``
  beside the labels);
- ``signals eval --cv [--labels PATH...]``: run that grouped cross-validation now (scikit-learn);
- ``signals eval --labels FILE [--enricher judge|rules|bedrock]``: one analyst on one file. When the
  judge was trained on rows of that file, the report says how many: those figures are in-sample,
  not a generalisation figure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from signals.scoring.analyst import Analyst

DEFAULT_LABELS = Path("tests/data/labeled")
FIRST_MEASUREMENTS = "first-measurements.json"


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if args.folds < 2:
        from signals.cli.usage import UsageError

        raise UsageError(f"--folds {args.folds}: cross-validation needs at least 2 folds")
    if args.cv:
        return _cross_validate(args, out)
    if not args.labels:
        return _headline(args, out)
    from signals.scoring.evaluation import evaluate, format_report, load_labels

    label_path = args.labels[0]
    try:
        rows = load_labels(label_path)
    except (OSError, ValueError) as exc:
        from signals.cli.usage import labels_error

        raise labels_error(label_path, exc) from None
    # bedrock: needs AWS credentials; cache and budget in memory (no table), never run in CI
    analyst = _analyst(args.enricher)
    report = evaluate(rows, analyst)
    seen = _trained_rows(analyst, rows)
    if args.json:
        data = report.as_dict(with_rows=args.rows)
        data["rows_in_training"] = seen
        out.write(json.dumps(data, indent=2) + "\n")
    else:
        if seen:
            out.write(
                f"NOTE: {seen} of {len(rows)} rows were in the judge's training data: these figures are "
                "in-sample, not a generalisation figure (signals eval: held-out feed groups).\n\n"
            )
        out.write(format_report(report) + "\n")
    return 0


def _trained_rows(analyst: Any, rows: list) -> int:
    model = getattr(analyst, "model", None) or getattr(getattr(analyst, "rules", None), "model", None)
    keys = set((getattr(model, "trained_on", None) or {}).get("keys", []))
    if not keys:
        return 0
    from signals.scoring.training import row_key

    return sum(1 for row in rows if row_key(row) in keys)


def _headline(args: argparse.Namespace, out: TextIO) -> int:
    from signals.scoring.judge import shipped_model

    model = shipped_model()
    evaluation = model.evaluation
    if args.json:
        out.write(json.dumps({"model": model.version, "held_out": evaluation}, indent=2) + "\n")
        return 0
    out.write(f"judge {model.version}: trained on {model.trained_on.get('rows', '?')} labelled rows from ")
    out.write(f"{model.trained_on.get('groups', '?')} publisher groups\n\n")
    if not evaluation:
        out.write("no held-out figures stored with this model (signals train --cv, or signals eval --cv)\n")
    else:
        from signals.scoring.evaluation import format_held_out

        out.write(format_held_out(evaluation) + "\n")
    first = DEFAULT_LABELS / FIRST_MEASUREMENTS
    if first.exists():
        out.write("\nfirst measurement of each labelled set (before anything was tuned on it):\n")
        for entry in json.loads(first.read_text()):
            out.write(
                f"  {entry['set']:<22} {entry['analyst']:<22} acc {entry['accuracy']:.3f}  "
                f"Spearman {entry['spearman']:.3f}  ({entry['how']})\n"
            )
    return 0


def _cross_validate(args: argparse.Namespace, out: TextIO) -> int:
    try:
        from signals.scoring import training
    except ImportError as exc:
        print(
            f"signals eval --cv: {exc.name or exc} is not installed (pip install -e '.[dev]')",
            file=sys.stderr,
        )
        return 2
    try:
        sets = training.load_sets(args.labels or [DEFAULT_LABELS])
    except (OSError, ValueError) as exc:
        from signals.cli.usage import labels_error

        raise labels_error(" ".join(map(str, args.labels or [DEFAULT_LABELS])), exc) from None
    cv = training.grouped_cross_validation(sets, folds=args.folds)
    if args.json:
        out.write(json.dumps(cv.as_dict(), indent=2) + "\n")
    else:
        out.write(training.format_cross_validation(cv) + "\n")
    return 0


def _analyst(enricher: str) -> Analyst:
    from signals.scoring.enrichers import build_analyst
    from signals.storage.memory_analyses import InMemoryAnalyses

    return build_analyst(enricher=enricher, store=InMemoryAnalyses() if enricher == "bedrock" else None)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval", help="how good the judgement is: held-out feed groups first, or one labelled file"
    )
    parser.add_argument(
        "--labels",
        nargs="*",
        metavar="PATH",
        help="JSONL labels file (title, summary, category, score...); with --cv, files or folders",
    )
    parser.add_argument("--cv", action="store_true", help="run grouped cross-validation by publisher now")
    parser.add_argument("--folds", type=int, default=5, help="with --cv: folds (default 5)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--rows", action="store_true", help="with --json: include per-item predictions")
    parser.add_argument(
        "--enricher",
        choices=["judge", "rules", "bedrock"],
        default="judge",
        help="the analyst to use (bedrock: needs AWS credentials and costs money)",
    )
    parser.set_defaults(run=run)
