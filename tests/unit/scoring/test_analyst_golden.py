"""The rule analyst's output, frozen: speed work must not change a single result.

``tests/data/analyst-golden.jsonl`` holds ~300 items (every row of the labelled dev set and a few
items of every demo feed, with the fields the analyst reads) and the exact enrichment each one
got. A deliberate rubric or rule change that moves results regenerates the expected outputs for
the same inputs, and the diff shows what moved:

    .venv/bin/python tests/unit/scoring/test_analyst_golden.py --regenerate
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from signals.models import Item
from signals.scoring.analyst import RuleAnalyst

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "analyst-golden.jsonl"
WHEN = datetime(2026, 8, 22, tzinfo=UTC)


def golden_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line]


def as_item(n: int, fields: dict[str, Any]) -> Item:
    # the analyst reads title, summary, source_name, categories and authority; the rest is filler
    return Item(
        id=f"golden-{n}",
        source_id="golden",
        feed_url="https://example.com/feed",
        url=f"https://example.com/{n}",
        published_at=WHEN,
        fetched_at=WHEN,
        content_hash=f"h{n}",
        **fields,
    )


def enrichment_of(analyst: RuleAnalyst, n: int, row: dict[str, Any]) -> dict[str, Any]:
    enrichment = analyst.enrich(as_item(n, row["item"]), corroboration=row["corroboration"])
    return enrichment.model_dump(mode="json", exclude_none=True)


def test_enrichment_matches_the_golden_outputs():
    # Given the stored items, When the rule analyst enriches each of them
    analyst = RuleAnalyst()
    rows = golden_rows()
    assert len(rows) >= 300
    mismatches = [
        (n, row["item"]["title"], got, row["expected"])
        for n, row in enumerate(rows)
        if (got := enrichment_of(analyst, n, row)) != row["expected"]
    ]
    # Then every output is exactly the stored one (category, score, tags, entities, summary,
    # rationale and the whole score breakdown)
    if mismatches:
        n, title, got, expected = mismatches[0]
        fields = sorted(k for k in expected.keys() | got.keys() if got.get(k) != expected.get(k))
        pytest.fail(
            f"{len(mismatches)} of {len(rows)} enrichments changed; first: row {n} {title!r}, "
            f"fields {fields}: got {[got.get(k) for k in fields]}, expected "
            f"{[expected.get(k) for k in fields]}. If the change is intended, regenerate (see module doc)."
        )


def regenerate() -> None:
    """Rewrite the expected outputs of the stored inputs with the current analyst."""
    analyst = RuleAnalyst()
    lines = []
    for n, row in enumerate(golden_rows()):
        row["expected"] = enrichment_of(analyst, n, row)
        lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
    GOLDEN.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{GOLDEN}: {len(lines)} rows rewritten")


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        sys.exit(__doc__)
    regenerate()
