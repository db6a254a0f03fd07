"""Every scorer output on the whole demo corpus and every labelled set, frozen as digests: speed
work on the rules, the features or the judge must not move a single byte.

``tests/data/scoring-outputs-digest.json`` holds, per corpus (the demo feeds, each
``tests/data/labeled/*.jsonl``), the item count and a SHA-256 over, for each item in order: the
judge's enrichment, the rules' enrichment (both as JSON: score, category, tags, entities,
summary, rationale, the whole breakdown) and the judge's features (names and exact values).
The judge breaks ties between equally weighted features by feature name, so outputs do not depend
on the process's string hashing (they once did: 3,927 of 11,082 items changed their evidence
between two hash seeds); the script still pins ``PYTHONHASHSEED=0`` so a return of that shows as
a difference between two runs, not as noise. Checking takes about a minute on one core, so it is a
slow test (``make test-slow``); during speed work run it directly:

    .venv/bin/python tests/unit/scoring/test_outputs_golden.py            # check
    .venv/bin/python tests/unit/scoring/test_outputs_golden.py --dump F   # one line per item, to diff
    .venv/bin/python tests/unit/scoring/test_outputs_golden.py --regenerate  # after a deliberate change
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
DIGEST = ROOT / "tests" / "data" / "scoring-outputs-digest.json"
DEMO_FEEDS = ROOT / "demo" / "feeds"
LABELED = ROOT / "tests" / "data" / "labeled"
WHEN = datetime(2026, 8, 22, tzinfo=UTC)


def corpora() -> Iterator[tuple[str, list[Any]]]:
    """(name, items) of the demo corpus (parsed as ingest does) and of each labelled set."""
    from signals.cli.score import items_from
    from signals.cli.usage import UsageError
    from signals.scoring.evaluation import load_labels

    demo = []
    for path in sorted(DEMO_FEEDS.rglob("*")):
        if path.is_file() and path.suffix != ".md" and path.name != "dedupe-hints.json":
            try:
                demo.extend(items_from(str(path.relative_to(ROOT)), now=WHEN))
            except UsageError:  # a bundled file that is not a feed (a JSON dump): no items, as ingest
                continue
    yield "demo", demo
    for path in sorted(LABELED.glob("*.jsonl")):
        yield path.stem, [row.to_item() for row in load_labels(path)]


def item_lines(items: list[Any]) -> Iterator[str]:
    """One canonical line per item: the judge's and the rules' outputs and the judge's features."""
    from signals.scoring.features import featurize
    from signals.scoring.judge import JudgeAnalyst

    judge = JudgeAnalyst()
    for n, item in enumerate(items):
        corroboration = 1 + n % 3  # exercise the corroboration paths too
        rules, findings = judge.rules.analyse(item, corroboration=corroboration)
        enrichment = judge.enrich(item, corroboration=corroboration)
        features = featurize(item, rules, findings)
        yield json.dumps(
            {
                "judge": enrichment.model_dump(mode="json"),
                "rules": rules.model_dump(mode="json"),
                # (a set's order varies between processes: sorted)
                "findings": repr(findings._replace(kinds_in_title=sorted(findings.kinds_in_title))),
                "features": sorted((k, repr(v)) for k, v in features.items()),
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )


def digests(dump: Any = None) -> dict[str, dict[str, Any]]:
    out = {}
    for name, items in corpora():
        h = hashlib.sha256()
        for line in item_lines(items):
            h.update(line.encode() + b"\n")
            if dump is not None:
                dump.write(f"{name}\t{line}\n")
        out[name] = {"items": len(items), "sha256": h.hexdigest()}
    return out


@pytest.mark.slow
def test_every_output_matches_the_stored_digests():
    # Given the demo corpus and the labelled sets, When the judge (and the rules under it) score
    # every item (in a process with a fixed string hashing), Then each corpus's outputs hash to
    # exactly the stored digest
    run = subprocess.run(
        [sys.executable, __file__],
        env={**os.environ, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, f"outputs changed (the module doc says how to find the items):\n{run.stdout}"


def main(argv: list[str]) -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, __file__, *argv], {**os.environ, "PYTHONHASHSEED": "0"})
    if argv == ["--regenerate"]:
        DIGEST.write_text(json.dumps(digests(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{DIGEST} rewritten")
        return 0
    if len(argv) == 2 and argv[0] == "--dump":
        with open(argv[1], "w", encoding="utf-8") as handle:
            got = digests(handle)
    elif not argv:
        got = digests()
    else:
        sys.exit(__doc__)
    expected = json.loads(DIGEST.read_text(encoding="utf-8"))
    changed = sorted(name for name in expected.keys() | got.keys() if expected.get(name) != got.get(name))
    for name in sorted(got):
        print(f"{name:20s} {got[name]['items']:5d} {'CHANGED' if name in changed else 'same'}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
