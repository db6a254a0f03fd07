"""`signals score`: a person tuning the scorer scores feed files offline and reads them ranked."""

from __future__ import annotations

import json
from pathlib import Path

from signals.cli import main

FEED = (
    Path(__file__).resolve().parents[3]
    / "demo"
    / "feeds"
    / "labs"
    / "anthropic-news__leontloveless__2026-08-14.xml"
)


def test_score_prints_the_feed_ranked_by_score(capsys):
    assert main(["score", str(FEED)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 10  # the feed's ten entries
    scores = [int(line.split()[0]) for line in lines]
    assert scores == sorted(scores, reverse=True)
    assert any("Introducing Claude Opus 5" in line for line in lines)


def test_score_json_gives_full_enrichments_within_the_spec(capsys):
    assert main(["score", "--json", str(FEED)]) == 0
    out = capsys.readouterr().out
    rows = json.loads(out)
    assert len(rows) == 10
    for row in rows:
        text = json.dumps(row)
        assert '"score"' in text and '"category"' in text and '"rationale"' in text


def test_score_of_a_missing_file_is_a_clear_error_not_a_crash(capsys, tmp_path):
    code = main(["score", str(tmp_path / "nope.xml")])
    assert code != 0
    assert "nope.xml" in capsys.readouterr().err
