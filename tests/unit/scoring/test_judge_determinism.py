"""The judge writes the same evidence for an item in every process. Ties between equally weighted
features once went by the order of a set of strings, which follows each process's string hashing
(3,927 of 11,082 items changed their evidence between two hash seeds): two Lambda containers could
explain one item two ways. Two interpreters with different ``PYTHONHASHSEED`` must agree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LABELS = ROOT / "tests" / "data" / "labeled" / "signals-dev.jsonl"

SCRIPT = f"""
import json
from signals.scoring.evaluation import load_labels
from signals.scoring.judge import JudgeAnalyst
judge = JudgeAnalyst()
for row in load_labels({str(LABELS)!r}):
    e = judge.enrich(row.to_item())
    print(json.dumps([e.rationale, [f.model_dump(mode="json") for f in e.score_breakdown.factors]]))
"""


def _explanations(seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "shared")}
    command = [sys.executable, "-c", SCRIPT]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_two_processes_explain_every_item_the_same_way():
    first, second = _explanations("1"), _explanations("2")
    assert len(first) == len(second) > 100
    differing = [n for n, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
    assert differing == [], f"{len(differing)} items explained differently, e.g. row {differing[:3]}"
