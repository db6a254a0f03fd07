#!/usr/bin/env python3
"""Merge two annotators' labels of each batch into a labelled set, with agreement per batch.

    python tools/labelling/merge.py BATCH_DIR... --pool draw.jsonl --set NAME > labelled.jsonl

Each BATCH_DIR holds ``items.jsonl`` and the two annotators' ``A.jsonl`` and ``B.jsonl``
(``BATCH_DIR:A2,B2`` names other files, for a batch labelled again)
(``{"id", "category", "score"}``). A row takes the pool row's text and provenance, ``category``
(A's), ``category_alt`` (B's, where it differs), ``score`` (the mean), ``annotator_scores``,
``batch`` and ``group``. Agreement per batch is printed to stderr as one JSON line each.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from signals.scoring.evaluation import spearman

CATEGORIES = {
    "safety-policy",
    "security",
    "models-research",
    "open-source",
    "products",
    "compute-infra",
    "business",
    "society",
    "off-topic",
}


def read(path: Path) -> dict[str, dict]:
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["id"]] = row
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("batches", nargs="+")
    ap.add_argument("--pool", required=True, nargs="+")
    ap.add_argument("--set", required=True)
    args = ap.parse_args()
    pool: dict[str, dict] = {}
    for path in args.pool:
        pool.update(read(Path(path)))
    for spec in args.batches:
        # BATCH_DIR, or BATCH_DIR:A2,B2 for a batch relabelled by two fresh annotators
        folder, _, names = spec.partition(":")
        name_a, name_b = names.split(",") if names else ("A", "B")
        batch = Path(folder)
        items = read(batch / "items.jsonl")
        a, b = read(batch / f"{name_a}.jsonl"), read(batch / f"{name_b}.jsonl")
        missing = [i for i in items if i not in a or i not in b]
        if missing:
            print(f"{batch}: {len(missing)} items lack a label; batch skipped", file=sys.stderr)
            continue
        same_cat = 0
        sa, sb = [], []
        for item_id in items:
            la, lb = a[item_id], b[item_id]
            assert la["category"] in CATEGORIES and lb["category"] in CATEGORIES, (batch, item_id)
            assert 1 <= int(la["score"]) <= 10 and 1 <= int(lb["score"]) <= 10, (batch, item_id)
            same_cat += la["category"] == lb["category"]
            sa.append(int(la["score"]))
            sb.append(int(lb["score"]))
            src = pool[item_id]
            row = {
                "id": item_id,
                "feed_title": src["feed_title"],
                "title": src["title"],
                "summary": src.get("summary") or "",
                "link": src.get("link") or "",
                "published": src.get("published"),
                "feed": src["feed"],
                "group": src["group"],
                "origin": f"{src['origin_repo']}:{src['origin_path']}@{src['origin_commit'][:12]}",
                "category": la["category"],
                "score": (int(la["score"]) + int(lb["score"])) / 2,
                "annotator_scores": [int(la["score"]), int(lb["score"])],
                "batch": f"{args.set}/{batch.name}",
            }
            if lb["category"] != la["category"]:
                row["category_alt"] = lb["category"]
            print(json.dumps(row, ensure_ascii=False))
        n = len(items)
        report = {
            "batch": f"{args.set}/{batch.name}",
            "items": n,
            "category_agreement": round(same_cat / n, 3),
            "score_spearman": round(spearman(sa, sb), 3),
            "score_mean_abs_diff": round(sum(abs(x - y) for x, y in zip(sa, sb, strict=True)) / n, 3),
            "scores_3_apart": sum(abs(x - y) >= 3 for x, y in zip(sa, sb, strict=True)),
        }
        print(json.dumps(report), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
