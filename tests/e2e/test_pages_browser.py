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

    home = dump_dom(f"{url}/?sort=time&show=all", tmp_path / "profile-home")  # 1/10: hidden by default
    text = visible_text(home)
    assert f"{lead.score}/10" in text and lead.category.label in text and lead.title in text
    assert f'href="/signals/{lead.id}"' in home

    page = dump_dom(f"{url}/signals/{signals[2].id}", tmp_path / "profile-signal")
    text = visible_text(page)
    signal = signals[2]
    assert f"{signal.score}/10 · {signal.category.label} · 2 Jun 2026, 03:01 UTC" in text
    assert signal.title in text and "Technical Impact" in text and "Why It Matters" in text
    assert "Back to feed" in text and 'href="/"' in page


# --------------------------------------------------------------------------- what a phone shows

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from chromium_cdp import chromium  # noqa: E402 - the tools folder is not a package


def _ops_figures() -> None:
    """A few days of figures, a failing source with a long error and a long id (what wraps badly)."""
    from datetime import timedelta

    from signals.models import utcnow
    from signals.models.source import SourceState
    from signals.ops import pipeline_stats
    from signals.storage.source_records import save_state

    signal = make_signal(1)
    now = utcnow()
    for days_ago, count in ((2, 30), (0, 5)):
        at = now - timedelta(days=days_ago)
        item = _item_of(signal, fetched_at=at - timedelta(minutes=3), published_at=at - timedelta(days=40))
        pipeline_stats.record_scored_batch([(signal, item, False)] * count, at=at)
        pipeline_stats.record_ingest(
            fetched=3, not_modified=1, failed=1, new_items=count, source_id="src1", at=at
        )
    save_state(SourceState(source_id="ai-security-institute-turing-mirror-of-the-blog", last_status="ok",
                           last_fetch_at=now, items_dated=40, first_published_at=now - timedelta(days=80),
                           last_published_at=now, items_seen=40))  # fmt: skip
    save_state(SourceState(source_id="src1", last_status="failed", consecutive_failures=4, last_fetch_at=now,
                           last_error="parse_error: SAXParseException: not well-formed (invalid token) "
                           "at line 1: https://publisher.example/a/very/long/feed/path.xml"))  # fmt: skip


def _item_of(signal: Any, **times: Any) -> Any:
    from signals.models import Item

    return Item(
        id="it1", source_id="src1", source_name="Source 1", feed_url="https://news.example/feed",
        url=signal.url, title=signal.title, content_hash="h", **times,
    )  # fmt: skip


@pytest.mark.parametrize("width", [390, 1280])
def test_pages_fit_the_screen_and_log_no_errors(site: Any, width: int) -> None:
    """No sideways scrolling on a phone (390 px) or a desktop, and nothing in the console: the
    feed, a signal page and /ops with figures, a failing source and long ids."""
    url, signals = site
    _ops_figures()
    paths = ["/", f"/signals/{signals[2].id}", "/ops"]
    with chromium() as browser:
        reports = [browser.report(f"{url}{path}", width=width) for path in paths]
    for path, report in zip(paths, reports, strict=True):
        assert not report.overflows, f"{path} at {width} px is {report.scroll_width} px wide"
        assert report.errors == [], f"{path} at {width} px logged {report.errors}"


def test_ops_shows_the_banner_and_whole_charts_on_a_phone(site: Any, tmp_path: Path) -> None:
    url, _ = site
    _ops_figures()
    dom = dump_dom(f"{url}/ops", tmp_path / "profile-ops")
    text = visible_text(dom)
    assert re.search(r"Operations degraded ?: 1 of 2 sources failing", text), text[:300]
    assert "p50 over 7 d" in text  # published 40 days before scoring: not "≤ 7 d"
    assert dom.count('class="chart"') == 5 and not re.search(r'<svg[^>]*\swidth="', dom)


# --------------------------------------------------------------------------- the front page on a phone


@pytest.fixture
def busy_site(aws: Any, tmp_path: Path) -> Any:
    """A front page with what stretches a layout: a long unbroken headline, many tags, many publishers."""
    from signals.api.app import app
    from signals.local.gateway import Gateway
    from signals.models import SourceRef

    base = make_signal(40)
    many = [
        SourceRef(
            item_id=f"it-{n}",
            source_id=f"publisher-{n}",
            name=f"A Publisher With A Long Name {n}",
            url=f"https://p{n}.example/story",
            published_at=base.published_at,
        )
        for n in range(6)
    ]
    signals = [
        *[make_signal(n, score=n % 7 + 3) for n in range(12)],
        make_signal(
            40,
            score=9,
            title="Supercalifragilisticexpialidocious" * 4 + " model released",
            tags=[f"a-rather-long-tag-number-{n}" for n in range(8)],
            sources=many,
        ),
    ]
    store(aws.dynamodb, aws.table_name, signals)
    gateway = Gateway(lambda event, context: app.resolve(event, context), port=0).start()
    try:
        yield gateway.url
    finally:
        gateway.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Any:
    with chromium(tmp_path / "profile-cdp") as one:
        yield one


FILTERS = [("sort", "time"), ("category", "security"), ("min_score", "5"), ("tag", "policy")]


def test_front_page_fits_a_phone_and_logs_no_error(busy_site: Any, browser: Any) -> None:
    from urllib.parse import urlencode

    for path in ("/", "/?" + urlencode(FILTERS), "/?show=all&sort=score"):
        for width in (390, 1280):
            browser.load(f"{busy_site}{path}", width=width)
            assert browser.evaluate("document.querySelectorAll('article.card').length") > 0 or path != "/"
            wide, view = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert view == width and wide <= width, (path, width, wide)  # no horizontal overflow
            assert browser.errors() == [], (path, width)


def test_filter_links_keep_each_other_in_the_browser(busy_site: Any, browser: Any) -> None:
    from urllib.parse import parse_qsl, urlencode, urlsplit

    browser.load(f"{busy_site}/?{urlencode(FILTERS)}", width=390)
    hrefs = browser.evaluate("Array.from(document.querySelectorAll('nav.filters a')).map(a => a.href)")
    assert len(hrefs) >= 15
    for href in hrefs:
        query = parse_qsl(urlsplit(href).query)
        names = {k for k, _ in query} | {k for k, _ in FILTERS}
        changed = {k for k in names if [v for n, v in query if n == k] != [v for n, v in FILTERS if n == k]}
        assert len(changed) <= 1, (href, changed)  # one filter changes, the others are kept
    # following the "Newest" -> "Highest score" link keeps the category, score and tag
    score_link = browser.evaluate(
        "Array.from(document.querySelectorAll('nav.filters a'))"
        ".find(a => a.textContent === 'Highest score').href"
    )
    browser.load(score_link, width=390)
    on = browser.evaluate("Array.from(document.querySelectorAll('nav.filters a.on')).map(a => a.textContent)")
    assert on == ["Highest score", "Security", "5+"], on
    feeds = browser.evaluate("Array.from(document.querySelectorAll('link[rel=alternate]')).map(l => l.href)")
    assert len(feeds) == 3 and all("category=security" in f and "tag=policy" in f for f in feeds), feeds


# --------------------------------------------------------------------------- the search box


def test_the_search_box_searches_within_the_filters_and_says_what_it_found(aws: Any) -> None:
    """Typed into and submitted in Chromium: the results page keeps the other filters, says
    "N results for …", lists only signals with every word, and a search without any says so."""
    from signals.api.app import app
    from signals.local.gateway import Gateway

    titles = ["Introducing Claude Opus 5", "Claude Sonnet arrives", "Opus magnum of open models"]
    signals = [make_signal(n, title=title, score=8) for n, title in enumerate(titles)]
    store(aws.dynamodb, aws.table_name, signals)
    gateway = Gateway(lambda event, context: app.resolve(event, context), port=0).start()
    try:
        with chromium() as browser:
            browser.load(f"{gateway.url}/?min_score=5&show=all", width=390)
            browser.evaluate("document.querySelector('#q').value = 'Claude OPUS'")
            browser.events.clear()
            browser.evaluate("document.querySelector('form.search').submit()")
            browser.wait_for("Page.loadEventFired")
            address = browser.evaluate("location.search")
            text = browser.evaluate("document.querySelector('main').innerText")
            cards = browser.evaluate(
                "[...document.querySelectorAll('article.card h2')].map(h => h.innerText)"
            )
            assert browser.errors() == []
            browser.load(f"{gateway.url}/?sort=score&q=quantum+teleportation", width=390)
            empty = browser.evaluate("document.querySelector('main').innerText")
    finally:
        gateway.stop()
    assert "q=Claude+OPUS" in address and "min_score=5" in address and "show=all" in address, address
    assert "1 result for “Claude OPUS”" in text, text[:400]
    assert cards == ["Introducing Claude Opus 5"]
    assert "No signals have every word of “quantum teleportation”" in empty, empty[:400]
