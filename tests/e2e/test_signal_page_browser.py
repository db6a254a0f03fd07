"""Headless Chromium on two signal pages (a 9/10 with notes, sources, tags and earlier signals; a 3/10
without notes): no console error under the page CSP, no horizontal overflow at 390 or 1280 px."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
from fabricate import make_signal, store
from signals.models import Category, FactorScore, ScoreBreakdown, SourceRef

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium missing: apt-get install chromium"),
]
WHEN = datetime(2026, 6, 2, 17, 1, tzinfo=UTC)
# measures the laid-out page once loaded (added to a copy of the page only: the served page has no script)
MEASURE = (
    "<script>addEventListener('load', () => { const d = document.documentElement;"
    " document.body.setAttribute('data-overflow', String(d.scrollWidth - d.clientWidth)); });</script>"
)


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--enable-logging=stderr", "--v=0", *args,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def breakdown() -> ScoreBreakdown:
    evidence = ["Anthropic", "hundreds of millions of users", "a very long evidence phrase" * 3]
    factors = [
        FactorScore(name="event", value=1, weight=0, contribution=0, evidence=["funding", "money 65"]),
        FactorScore(name="scale", value=1, weight=0.6, contribution=0.6, evidence=evidence),
        FactorScore(
            name="concrete_facts", value=1, weight=1, contribution=0.9, evidence=["money", "numbers"]
        ),
        FactorScore(
            name="self_promotion", value=1, weight=-0.3, contribution=-0.3, evidence=["we're thrilled"]
        ),
    ]
    return ScoreBreakdown(rubric_version="r", base=8.0, raw=9.2, event="funding", factors=factors)


@pytest.fixture
def site(aws: Any) -> Any:
    from signals.api.app import app
    from signals.local.gateway import Gateway

    sources = [
        SourceRef(
            item_id=f"i{n}", source_id=f"s{n}", name=name, url=url, published_at=WHEN + timedelta(hours=n)
        )
        for n, (name, url) in enumerate(
            [
                ("Anthropic News", "https://www.anthropic.com/news/series-h"),
                ("Anthropic News (Turing mirror)", "https://www.anthropic.com/news/series-h?ref=turing"),
                ("A publisher with an exceptionally long name for a small screen", "https://long.example/x"),
            ]
        )
    ]
    major = make_signal(
        2, score=9, category=Category.BUSINESS, published=WHEN, entities=["Anthropic"],
        title="Anthropic raises $65B in Series H funding at a $965B post-money valuation, its largest yet",
        summary="Anthropic has raised $65 billion in Series H funding led by Altimeter Capital and Sequoia.",
        context="The round follows a $30 billion Series G in February. " * 4,
        rationale="Anthropic: a $65B Series H round, news that changes the field.",
        tags=["funding", "anthropic", "claude", "frontier-models", "an-unusually-long-tag-name-for-a-phone"],
        sources=sources, score_breakdown=breakdown(),
    )  # fmt: skip
    earlier = make_signal(
        4, score=8, published=WHEN - timedelta(days=110), entities=["Anthropic"],
        title="Anthropic raises $30 billion in Series G funding", score_breakdown=breakdown(),
    )  # fmt: skip
    minor = make_signal(3, score=3, published=WHEN.replace(hour=0, minute=0), published_date_only=True)
    store(aws.dynamodb, aws.table_name, [major, earlier, minor])
    gateway = Gateway(lambda event, context: app.resolve(event, context), port=0).start()
    try:
        yield gateway.url, major, minor
    finally:
        gateway.stop()


def measured_copy(url: str, path: str, tmp_path: Path, name: str) -> Path:
    """The served page, saved with the measuring script and its stylesheet's absolute address."""
    import urllib.request

    with urllib.request.urlopen(f"{url}{path}", timeout=30) as response:  # loopback only
        html = response.read().decode()
    copy = tmp_path / f"{name}.html"
    copy.write_text(
        html.replace('href="/assets/', f'href="{url}/assets/').replace("</body>", MEASURE + "</body>")
    )
    return copy


@pytest.mark.parametrize("width", [390, 1280])
def test_signal_pages_fit_the_screen_and_log_no_console_error(site: Any, tmp_path: Path, width: int) -> None:
    url, major, minor = site
    for signal in (major, minor):
        # the real page, under its CSP: nothing refused, no error in the console
        served = chromium(f"--window-size={width},900", "--dump-dom", f"{url}/signals/{signal.id}",
                          profile=tmp_path / f"p-{signal.id}")  # fmt: skip
        console = [line for line in served.stderr.splitlines() if "CONSOLE" in line or "Refused to" in line]
        assert console == [], console
        assert "Back to feed" in served.stdout
        # the same page laid out at this width: nothing wider than the screen
        copy = measured_copy(url, f"/signals/{signal.id}", tmp_path, signal.id)
        dom = chromium(
            f"--window-size={width},900", "--dump-dom", copy.as_uri(), profile=tmp_path / "p-m"
        ).stdout
        overflow = re.search(r'data-overflow="(-?\d+)"', dom)
        assert overflow is not None, dom[-500:]
        assert int(overflow.group(1)) <= 0, (signal.score, width, overflow.group(1))
    major_dom = chromium("--dump-dom", f"{url}/signals/{major.id}", profile=tmp_path / "p-x").stdout
    assert "Earlier in this story" in major_dom and "What moved the score" in major_dom
    minor_dom = chromium("--dump-dom", f"{url}/signals/{minor.id}", profile=tmp_path / "p-y").stdout
    assert "3/10" in minor_dom and "Analyst notes" in minor_dom and ">2 Jun 2026</time>" in minor_dom
