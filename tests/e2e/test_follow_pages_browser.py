"""Headless Chromium on the follow pages (issue 16 part 4): ``/entities/<slug>`` and ``/tags/<tag>``
at 390 and 1280 px: they fit the screen, log no console error, list the thread and offer its feeds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from chromium_cdp import chromium
from fabricate import make_signal, store

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium missing: apt-get install chromium"),
]


@pytest.fixture
def site(aws: Any) -> Any:
    from signals.api.app import app
    from signals.local.gateway import Gateway

    signals = [
        make_signal(n, entities=["Anthropic", "A Rather Long Entity Name Of Some Research Institute"])
        for n in range(8)
    ]
    signals.append(
        make_signal(20, tags=[f"a-rather-long-tag-number-{n}" for n in range(8)], entities=["OpenAI"])
    )
    store(aws.dynamodb, aws.table_name, signals)
    gateway = Gateway(lambda event, context: app.resolve(event, context), port=0).start()
    try:
        yield gateway.url
    finally:
        gateway.stop()


PATHS = ["/entities/anthropic", "/tags/policy", "/entities/cohere", "/entities/no-such-entity"]


@pytest.mark.parametrize("width", [390, 1280])
def test_follow_pages_fit_the_screen_and_log_no_errors(site: Any, width: int, tmp_path: Path) -> None:
    with chromium(tmp_path / "profile") as browser:
        for path in PATHS:
            browser.load(f"{site}{path}", width=width)
            wide, view = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert view == width and wide <= width, (path, width, wide)
            errors = browser.errors()
            if path.endswith("no-such-entity"):  # its own 404 status is logged as a failed load
                errors = [e for e in errors if "404" not in e]
            assert errors == [], (path, width, errors)
        browser.load(f"{site}/entities/anthropic", width=width)
        cards = browser.evaluate("document.querySelectorAll('article.card').length")
        assert cards == 8
        feeds = browser.evaluate(
            "Array.from(document.querySelectorAll('link[rel=alternate]')).map(l => l.href)"
        )
        assert len(feeds) == 3 and all(f.endswith("?entity=anthropic") for f in feeds), feeds
        assert browser.evaluate("document.querySelector('h1').textContent") == "Anthropic"
        browser.load(f"{site}/tags/policy", width=width)
        tagged = browser.evaluate("document.querySelectorAll('article.card').length")
        assert tagged == 3  # make_signal tags every third signal "policy"
        link = browser.evaluate("document.querySelector('p.entities a').getAttribute('href')")
        assert link == "/entities/anthropic"
