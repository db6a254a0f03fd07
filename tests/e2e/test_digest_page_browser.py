"""Headless Chromium opens the daily digest page: it fits a phone (390 px) and a desktop, logs
nothing in the console, and shows the opening counts and the days around it."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from chromium_cdp import chromium  # the tools folder is not a package
from fabricate import make_signal, store

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium missing: apt-get install chromium"),
]
DAY = datetime(2026, 2, 12, tzinfo=UTC)
LONG = "Anthropic-and-OpenAI-announce-an-unusually-long-hyphenated-identifier-that-does-not-wrap-easily"


@pytest.fixture
def digest_site(aws: Any) -> Any:
    from signals.api.app import app
    from signals.local.gateway import Gateway
    from signals.ops.digest_schedule import run_digest

    signals = [
        make_signal(n, published=DAY + timedelta(hours=n), score=9 if n % 2 else 5, title=f"{LONG} {n}")
        for n in range(1, 6)
    ]
    signals.append(make_signal(9, published=DAY - timedelta(hours=3), score=4))
    store(aws.dynamodb, aws.table_name, signals)
    run_digest("2026-02-11")  # a quiet day before
    run_digest("2026-02-12")
    gateway = Gateway(lambda event, context: app.resolve(event, context), port=0).start()
    try:
        yield gateway.url
    finally:
        gateway.stop()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_digest_page_fits_the_screen_and_logs_no_errors(digest_site: Any, width: int) -> None:
    paths = ["/digest/2026-02-12", "/digest/2026-02-11", "/digest"]
    with chromium() as browser:
        reports = [browser.report(f"{digest_site}{path}", width=width) for path in paths]
    for path, report in zip(paths, reports, strict=True):
        assert not report.overflows, f"{path} at {width} px is {report.scroll_width} px wide"
        assert report.errors == [], f"{path} at {width} px logged {report.errors}"


def test_the_browser_shows_the_opening_the_stories_and_the_days_around_it(
    digest_site: Any, tmp_path: Path
) -> None:
    page = f"{digest_site}/digest/2026-02-12"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", dom)))

    assert "10 items from 5 sources; 5 stories; 3 at 7+." in text
    assert 'href="/digest/2026-02-11"' in dom and 'rel="next"' not in dom
    assert dom.count('href="/signals/sig0000') == 3
