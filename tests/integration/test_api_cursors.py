"""Cursors on a feed spanning ten years, against DynamoDB (moto): short, and every signal once.

A page resumes every index lane strictly below one position (a key-range bound per Query), so a
cursor holds that position and its month, not the month partitions read so far (issue 15).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
from fabricate import body, event, make_signal, store

#: a signal every other month, January 2016 to May 2026 (63 month partitions)
YEARS = [
    make_signal(n, published=datetime(2016 + n // 6, n % 6 * 2 + 1, 3, 9, tzinfo=UTC)) for n in range(63)
]


def walk(app: Any, params: list[tuple[str, str]]) -> tuple[list[str], list[int]]:
    """Every page to the end: the ids served and the size of each cursor handed out."""
    ids: list[str] = []
    sizes: list[int] = []
    cursor = None
    for _ in range(100):
        response = app.resolve(event("/v1/signals", params + ([("cursor", cursor)] if cursor else [])), None)
        assert response["statusCode"] == 200, response["body"]
        page = body(response)
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids, sizes
        sizes.append(len(cursor))
    raise AssertionError("pagination did not end")


def test_cursors_stay_under_300_bytes_and_pages_cover_the_feed_once(aws: Any) -> None:
    from signals.api.app import app

    store(aws.dynamodb, aws.table_name, YEARS)
    newest = sorted(YEARS, key=lambda s: (s.published_at, s.id), reverse=True)
    highest = sorted(YEARS, key=lambda s: (s.score, s.published_at, s.id), reverse=True)
    pair = {"security", "business"}
    cases = [
        ([("limit", "9")], [s.id for s in newest]),
        # score order merges one lane per month: each page Queries every month partition
        ([("sort", "score"), ("limit", "20")], [s.id for s in highest]),
        (
            [*(("category", c) for c in sorted(pair)), ("limit", "3")],
            [s.id for s in newest if s.category in pair],
        ),
    ]
    for params, expected in cases:
        ids, sizes = walk(app, params)
        assert ids == expected, params
        assert len(sizes) >= 3 and max(sizes) < 300, (params, sizes)  # were 1.8–3.4 KB
