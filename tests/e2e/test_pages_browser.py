"""Headless Chromium loads the feed page and a signal page from a loopback server (what a person sees)."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
from fabricate import make_signal, store

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="headless Chromium missing: apt-get install chromium (the CI script does)",
    ),
]


def dump_dom(url: str, profile: Path) -> str:
    """The DOM Chromium built for ``url`` (no JavaScript is needed by our pages)."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--dump-dom", url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def visible_text(dom: str) -> str:
    text = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


@pytest.fixture
def site(aws: Any, tmp_path: Path) -> Any:
    from signals.api.app import app
    from signals.local.gateway import Gateway

    signals = [make_signal(n) for n in range(6)]
    store(aws.dynamodb, aws.table_name, signals)
    gateway = Gateway(lambda event, context: app.resolve(event, context), port=0).start()
    try:
        yield gateway.url, signals
    finally:
        gateway.stop()


def test_feed_and_signal_pages_show_what_a_reader_needs(site: Any, tmp_path: Path) -> None:
    url, signals = site
    lead = signals[0]

    home = dump_dom(f"{url}/", tmp_path / "profile-home")
    text = visible_text(home)
    assert f"{lead.score}/10" in text and lead.category.label in text and lead.title in text
    assert f'href="/signals/{lead.id}"' in home

    page = dump_dom(f"{url}/signals/{signals[2].id}", tmp_path / "profile-signal")
    text = visible_text(page)
    signal = signals[2]
    assert f"{signal.score}/10 · {signal.category.label} · 2 Jun 2026, 03:01 UTC" in text
    assert signal.title in text and "Technical Impact" in text and "Why It Matters" in text
    assert "Back to feed" in text and 'href="/"' in page
