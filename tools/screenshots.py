"""``make screenshots``: what a reader sees, at 1280 px and 390 px, written to docs/screenshots/.

Starts ``signals demo`` on a small corpus (two bundled feeds) on a free port, waits until its
signals are scored, takes headless Chromium screenshots of ``/``, a 7+ signal's page, a 3/10
signal's page and ``/ops``, and stops the demo by its pid. Fails (exit 1) when a page overflows a
phone's width or logs an error, so a screenshot never hides a broken page.

    .venv/bin/python tools/screenshots.py [--out docs/screenshots] [--only SOURCE_ID ...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chromium_cdp import chromium

ROOT = Path(__file__).resolve().parents[1]
SMALL_CORPUS = ["anthropic-news-recent", "aisi-blog"]
WIDTHS = (1280, 390)
MAX_HEIGHT = 2400  # px: the first screens of a long feed page are what a reader judges it by
START_TIMEOUT_S = 180.0
SETTLE_S = 3.0  # the signal count must hold this long: the first ingest is scored


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _start_demo(only: list[str]) -> tuple[subprocess.Popen[str], str]:
    command = [str(Path(sys.executable).parent / "signals"), "demo", "--port", "0"]
    for source in only:
        command += ["--only", source]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SIGNALS_", "POWERTOOLS_"))}
    demo = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        start_new_session=True,
    )  # fmt: skip
    assert demo.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    for line in demo.stdout:  # the welcome lines name the pages' address
        match = re.search(r"pages\s+(http://127\.0\.0\.1:\d+)/", line)
        if match:
            return demo, match.group(1)
        if time.monotonic() > deadline:
            break
    _stop(demo)
    raise RuntimeError("the demo did not print its address")


def _stop(demo: subprocess.Popen[str]) -> None:
    """SIGTERM to the demo's pid (it stops its API process and moto), then wait for it."""
    if demo.poll() is None:
        demo.send_signal(signal.SIGTERM)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait(timeout=10)


def _scored_signals(base: str) -> list[dict]:
    """Every signal, once the count holds still (the first ingest has been scored)."""
    deadline, last, since = time.monotonic() + START_TIMEOUT_S, -1, time.monotonic()
    while time.monotonic() < deadline:
        items = _get_json(f"{base}/v1/signals?sort=score&limit=100")["items"]
        if len(items) != last:
            last, since = len(items), time.monotonic()
        elif items and time.monotonic() - since >= SETTLE_S:
            return items
        time.sleep(0.5)
    raise RuntimeError("the demo scored nothing in time")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", action="append", help=f"demo sources (default {' '.join(SMALL_CORPUS)})")
    args = parser.parse_args(argv)
    demo, base = _start_demo(args.only or SMALL_CORPUS)
    try:
        items = _scored_signals(base)
        high = next((s for s in items if s["score"] >= 7), None)
        low = next((s for s in items if s["score"] == 3), None)
        pages = {"home": "/", "ops": "/ops"}
        if high:
            pages["signal-7plus"] = f"/signals/{high['id']}"
        if low:
            pages["signal-3"] = f"/signals/{low['id']}"
        missing = {"a 7+ signal": high, "a 3/10 signal": low}
        for what, found in missing.items():
            if found is None:
                print(f"screenshots: the corpus has no {what}; add sources with --only", file=sys.stderr)
        args.out.mkdir(parents=True, exist_ok=True)
        problems = []
        with chromium() as browser:
            for name, path in pages.items():
                for width in WIDTHS:
                    report = browser.report(
                        f"{base}{path}", width=width, screenshot=True, max_height=MAX_HEIGHT
                    )
                    target = args.out / f"{name}-{width}.png"
                    target.write_bytes(report.png)
                    print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: {path}")
                    if report.overflows:
                        problems.append(f"{path} at {width} px is {report.scroll_width} px wide")
                    problems += [f"{path} at {width} px: {error}" for error in report.errors]
        for problem in problems:
            print(f"screenshots: {problem}", file=sys.stderr)
        return 1 if problems or None in missing.values() else 0
    finally:
        _stop(demo)


if __name__ == "__main__":
    sys.exit(main())
