"""The demo builds the digests of its corpus's last complete days after the first cycle."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
from fabricate import body, event, make_signal

DAY = datetime(2026, 1, 30, tzinfo=UTC)


def test_the_demo_digests_every_complete_day_of_its_corpus_once(aws: Any) -> None:
    from signals.api.app import app
    from signals.local.demo_digests import build_demo_digests
    from signals.storage.story_records import StoryRecords

    # signals on Jan 30, Feb 1 (two months) and "today" (Feb 2: not complete, not digested)
    for n, hours in [(1, 1), (2, 50), (3, 51), (4, 75)]:
        signal = make_signal(n, published=DAY + timedelta(hours=hours), score=8)
        StoryRecords().write_story(
            item_id=f"i{n}", content_hash="h", signal=signal, previous=None, story_keys=[]
        )

    built = build_demo_digests(now=datetime(2026, 2, 2, 9, tzinfo=UTC))

    assert built == ["2026-01-30", "2026-02-01"]
    page = body(app.resolve(event("/v1/digest/2026-02-01"), None))
    assert page["digest"]["opening"] == "4 items from 3 sources; 2 stories; 2 at 7+."
    assert page["previous"] == "2026-01-30" and page["next"] is None
    assert "Daily digest" in app.resolve(event("/"), None)["body"]  # linked from the front page


def test_the_demo_digests_only_its_last_days(aws: Any, monkeypatch: Any) -> None:
    """A corpus of ten years has ~480 days with signals: the demo builds the last few, not all."""
    from signals.config import reset_settings
    from signals.local.demo_digests import build_demo_digests
    from signals.storage.story_records import StoryRecords

    for n, hours in [(1, 1), (2, 50), (3, 75)]:
        signal = make_signal(n, published=DAY + timedelta(hours=hours), score=8)
        StoryRecords().write_story(
            item_id=f"i{n}", content_hash="h", signal=signal, previous=None, story_keys=[]
        )
    monkeypatch.setenv("SIGNALS_DEMO_DIGEST_DAYS", "1")
    reset_settings()

    assert build_demo_digests(now=datetime(2026, 2, 5, 9, tzinfo=UTC)) == ["2026-02-02"]
