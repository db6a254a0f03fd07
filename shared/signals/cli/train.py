"""``signals train``: fit the learned judge on the labelled sets and write its model file.

Reproducible: seeded, from the labels files alone; the model's version names the labels and the
parameters it was fitted from, so the same inputs give the same model: byte for byte on small
data, and on the full sets to the solver's last digits (multi-threaded BLAS sums in its own order),
never a different judgement (``make test-slow`` checks both). Needs
scikit-learn (a development dependency): ``pip install -e '.[dev]'``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import TextIO

DEFAULT_LABELS = Path("tests/data/labeled")
JUDGE_SERIES = "2026.12"  # bump when features or the model's form change


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    _check_arguments(args)
    try:
        from signals.scoring import training
    except ImportError as exc:  # scikit-learn missing
        print(f"signals train: {exc.name or exc} is not installed (pip install -e '.[dev]')", file=sys.stderr)
        return 2
    from signals.scoring.judge import MODEL_PATH

    paths = args.labels or [DEFAULT_LABELS]
    try:
        sets = training.load_sets(paths)
    except (OSError, ValueError) as exc:
        from signals.cli.usage import labels_error

        raise labels_error(" ".join(map(str, paths)), exc) from None
    if args.max_rows_per_set:
        kept: dict[str, int] = {}
        small = []
        for name, row in sets:
            if kept.get(name, 0) < args.max_rows_per_set:
                kept[name] = kept.get(name, 0) + 1
                small.append((name, row))
        sets = small
    if not sets:
        print("signals train: no labelled rows", file=sys.stderr)
        return 2
    params = training.Params(seed=args.seed)
    version = model_version(sets, params)
    rows = [row for _, row in sets]
    started = time.perf_counter()
    features = training.featurise_rows(rows)
    counts: dict[str, int] = {}
    for name, _ in sets:
        counts[name] = counts.get(name, 0) + 1
    trained_on = {
        "sets": counts,
        "rows": len(rows),
        "groups": len({training.group_of(r) for r in rows}),
        "keys": sorted({training.row_key(r) for r in rows}),
    }
    doc = training.fit(rows, features, params=params, version=version, trained_on=trained_on)
    print(f"fitted judge {version} on {len(rows)} rows in {time.perf_counter() - started:.0f}s", file=out)
    if args.cv:
        cv = training.grouped_cross_validation(sets, folds=args.folds, params=params, features=features)
        doc["evaluation"] = cv.as_dict()
        print(training.format_cross_validation(cv), file=out)
        if args.cv_rows:
            Path(args.cv_rows).write_text(
                "\n".join(json.dumps(r, ensure_ascii=False) for r in cv.rows) + "\n"
            )
    target = Path(args.out or MODEL_PATH)
    training.write_model(doc, target)
    print(
        f"wrote {target} ({target.stat().st_size:,} bytes, {len(doc['features']):,} features, "
        f"7+ gate P>={doc['high_threshold']})",
        file=out,
    )
    return 0


def _check_arguments(args: argparse.Namespace) -> None:
    """Refuse bad options before minutes of fitting (``UsageError``: one line, exit status 2)."""
    from signals.cli.usage import UsageError

    if args.folds < 2:
        raise UsageError(f"--folds {args.folds}: cross-validation needs at least 2 folds")
    if args.max_rows_per_set < 0:
        raise UsageError(f"--max-rows-per-set {args.max_rows_per_set}: give 0 (all rows) or more")
    if args.out:
        folder = Path(args.out).resolve().parent
        if Path(args.out).is_dir() or not folder.is_dir():
            raise UsageError(f"--out {args.out}: give a file path in an existing folder")


def model_version(sets: list, params: object) -> str:
    """``<series>+<hash>``: the hash of every labelled row and the parameters, so a model names
    exactly what it was fitted from."""
    digest = hashlib.sha256()
    for name, row in sets:
        digest.update(name.encode())
        digest.update(row.model_dump_json().encode())
    digest.update(json.dumps(params.__dict__, sort_keys=True).encode())
    return f"{JUDGE_SERIES}+{digest.hexdigest()[:10]}"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train", help="fit the learned judge on labelled sets (needs scikit-learn)"
    )
    parser.add_argument(
        "--labels",
        nargs="*",
        metavar="PATH",
        help=f"labels files or folders of *.jsonl (default {DEFAULT_LABELS})",
    )
    parser.add_argument("--out", metavar="FILE", help="model file to write (default: the shipped model)")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument(
        "--cv",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure on held-out feed groups and store the figures in the model file (default on)",
    )
    parser.add_argument("--folds", type=int, default=5, help="grouped cross-validation folds (default 5)")
    parser.add_argument("--cv-rows", metavar="FILE", help="write the held-out predictions per row (JSONL)")
    parser.add_argument(
        "--max-rows-per-set", type=int, default=0, help="small-data mode: at most N rows of each set (tests)"
    )
    parser.set_defaults(run=run)
