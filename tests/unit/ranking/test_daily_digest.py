"""The daily digest's content: what it read, the top stories each once, and a quiet day said plainly."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from fabricate import make_signal
from signals.ranking.daily_digest import build_digest, parse_day, previous_day

DAY = datetime(2026, 2, 12, tzinfo=UTC)


def at(hour: int) -> datetime:
    return DAY + timedelta(hours=hour)


def test_a_digest_opens_with_what_it_read_and_lists_the_notable_stories_best_first() -> None:
    # Given the day's stories (two reports each: one from src<n%4>, one from the wire), one of the
    # day before, and the same story twice (a re-read page)
    signals = [make_signal(n, published=at(n), score=s) for n, s in [(1, 8), (2, 9), (3, 4), (5, 7)]]
    signals += [make_signal(9, published=DAY - timedelta(hours=1), score=10), signals[0]]

    digest = build_digest("2026-02-12", signals, now=at(30))

    # Then it counts the day's 4 stories once, their 8 items from 4 sources, and lists 3 at 7+
    assert digest.opening == "8 items from 4 sources; 4 stories; 3 at 7+."
    assert (digest.items, digest.sources, digest.stories, digest.notable) == (8, 4, 4, 3)
    assert [e.id for e in digest.entries] == ["sig00002", "sig00001", "sig00005"]
    assert not digest.quiet and digest.entries[0].reports == 2
    # the same from a one-pass stream, as the store yields a day page by page
    assert build_digest("2026-02-12", iter(signals), now=at(30)) == digest


def test_the_list_stops_at_the_configured_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    from signals.config import reset_settings

    monkeypatch.setenv("SIGNALS_DIGEST_LIST_MAX", "2")
    reset_settings()
    signals = [make_signal(n, published=at(n), score=8) for n in range(1, 6)]

    digest = build_digest("2026-02-12", signals)

    assert digest.notable == 5 and [e.id for e in digest.entries] == ["sig00005", "sig00004"]  # newest first


def test_a_quiet_day_says_so_instead_of_padding_the_list() -> None:
    signals = [make_signal(n, published=at(n), score=5) for n in (1, 2)]

    digest = build_digest("2026-02-12", signals)

    assert digest.quiet and digest.entries == []
    assert (
        digest.opening == "4 items from 3 sources; 2 stories; 0 at 7+."
        " A quiet day: nothing scored 7 or more, so there is no list."
    )


def test_an_empty_day_is_a_quiet_day_too() -> None:
    digest = build_digest("2026-02-12", [])

    assert digest.quiet and digest.opening.endswith("A quiet day: nothing was published.")


@pytest.mark.parametrize("text", ["2026-2-12", "2026-02-30", "yesterday", "2026-02-12T00:00", ""])
def test_a_malformed_day_is_refused_with_the_expected_shape(text: str) -> None:
    with pytest.raises(ValueError, match="expected YYYY-MM-DD"):
        parse_day(text)


def test_the_schedule_digests_the_last_complete_utc_day() -> None:
    assert previous_day(datetime(2026, 3, 1, 6, 0, tzinfo=UTC)) == "2026-02-28"
