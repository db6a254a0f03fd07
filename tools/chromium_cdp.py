"""Headless Chromium driven over the DevTools protocol with the standard library alone.

Chromium runs with ``--remote-debugging-pipe``: it reads commands from fd 3 and writes answers and
events to fd 4, each message a JSON object ended by a NUL byte (no port, no WebSocket). One page:
load it at a width (a phone's when narrow), evaluate expressions (DevTools evaluation is not subject
to the page's CSP), read what it logged as errors (console errors, uncaught exceptions, CSP
refusals, failed loads) and report its width and a full-page PNG. Used by ``tools/screenshots.py``
(``make screenshots``) and ``tests/e2e/test_pages_browser.py``. Chromium is started here, closed
over the pipe (killed by its pid if it lingers); its profile is a temporary folder unless one is given.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ANSWER_TIMEOUT_S = 60.0  # one command's answer, or one awaited event (a page load)
VIEWPORT_HEIGHT = 900  # px


@dataclass
class PageReport:
    """What one page load showed: its sizes, the errors it logged and (when asked) a screenshot."""

    url: str
    width: int
    scroll_width: int
    client_width: int
    height: int
    errors: list[str] = field(default_factory=list)
    png: bytes = b""

    @property
    def overflows(self) -> bool:
        """Wider than the screen: a phone would scroll sideways (or, without a viewport tag, zoom out)."""
        return max(self.scroll_width, self.client_width) > self.width


class Browser:
    """One headless Chromium (started here, closed over the pipe, killed by pid if it lingers), one page."""

    def __init__(self, profile: Path | None = None) -> None:
        self._profile = None  # a temporary one unless given; its helpers may still write as it exits
        if profile is None:
            self._profile = tempfile.TemporaryDirectory(
                prefix="signals-chromium-", ignore_cleanup_errors=True
            )
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_fds() -> None:  # in the child: fd 3 reads our commands, fd 4 writes its answers
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)  # out of the way of 3 and 4 first
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        command = [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--remote-debugging-pipe", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-extensions",
            f"--user-data-dir={self._profile.name if self._profile else profile}", "about:blank",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            pass_fds=(3, 4),  # kept open through exec (the child's own 3 and 4, made above)
            preexec_fn=wire_fds,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=True)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError(f"no answer from Chromium within {ANSWER_TIMEOUT_S}s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = False) -> Any:
        """Send a command and return its result; events that arrive meanwhile are kept in ``events``."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(self, method: str) -> dict[str, Any]:
        """The first ``method`` event (already kept, or the next to arrive)."""
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def load(self, url: str, *, width: int, height: int = VIEWPORT_HEIGHT) -> None:
        """Load ``url`` in a viewport ``width`` CSS pixels wide (a phone: mobile emulation)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            session=True,
        )
        self.events.clear()  # what the previous page logged is not this one's
        self.send("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True
        )
        return result["result"].get("value")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries (CSP refusals, failed loads)."""
        self.evaluate("0")  # a round trip: events sent before its answer are in ``events``
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                args = params.get("args", [])
                found.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in args))
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                found.append(
                    "exception: " + details.get("exception", {}).get("description", details.get("text", ""))
                )
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                found.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
        return found

    def report(
        self, url: str, *, width: int, screenshot: bool = False, max_height: int = 20000
    ) -> PageReport:
        """Load ``url`` at ``width`` px and report on it; the screenshot is of the whole page, down to
        ``max_height`` px."""
        self.load(url, width=width)
        scroll_width, client_width, height = self.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
            " document.documentElement.scrollHeight]"
        )
        png = b""
        if screenshot:
            clip = {"x": 0, "y": 0, "width": width, "height": min(height, max_height), "scale": 1}
            shot = self.send(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True, "clip": clip},
                session=True,
            )
            png = base64.b64decode(shot["data"])
        return PageReport(url, width, scroll_width, client_width, height, self.errors(), png)

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.send("Browser.close")  # a clean exit: its helper processes stop with it
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self._to_browser)
        os.close(self._from_browser)
        if self._profile:
            self._profile.cleanup()


@contextlib.contextmanager
def chromium(profile: Path | None = None) -> Iterator[Browser]:
    browser = Browser(profile)
    try:
        yield browser
    finally:
        browser.close()
