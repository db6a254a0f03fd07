"""``signals digest --date YYYY-MM-DD [--rebuild]``: one JSON line; a bad date is one line, exit 2."""

from __future__ import annotations

import json
from typing import Any

import pytest
from signals.cli import main


@pytest.mark.parametrize("date", ["2026-02-30", "12/02/2026", "yesterday"])
def test_a_bad_date_is_one_line_and_exit_status_2(capsys: pytest.CaptureFixture[str], date: str) -> None:
    code = main(["digest", "--date", date])

    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert (
        captured.err.strip()
        == f"signals digest: --date {date!r} is not a date; expected YYYY-MM-DD, e.g. 2026-02-12"
    )


def test_a_day_is_built_once_and_rebuilt_on_demand(capsys: pytest.CaptureFixture[str], aws: Any) -> None:
    assert main(["digest", "--date", "2026-02-12"]) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert main(["digest", "--date", "2026-02-12"]) == 0
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert main(["digest", "--date", "2026-02-12", "--rebuild"]) == 0
    rebuilt = json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    assert (first["written"], again["written"], rebuilt["written"]) == (True, False, True)
    assert first == {"date": "2026-02-12", "written": True, "stories": 0, "notable": 0, "quiet": True}
