"""Headless Chromium driven over the DevTools protocol with the standard library alone.

What a page looks like at a given width (a PNG of the whole page), whether it overflows sideways,
and what it logged as errors (console errors, uncaught exceptions, CSP refusals, failed loads).
Used by ``tools/screenshots.py`` (``make screenshots``) and ``tests/e2e/test_pages_browser.py``.
Chromium is started by pid and stopped by that pid; its profile is a temporary folder.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
START_TIMEOUT_S = 30.0
LOAD_TIMEOUT_S = 30.0


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


class _Socket:
    """A client WebSocket (RFC 6455): text frames out (masked), whole messages in."""

    def __init__(self, url: str) -> None:
        match = re.match(r"ws://([^/:]+):(\d+)(/.*)", url)
        assert match, url
        host, port, path = match.group(1), int(match.group(2)), match.group(3)
        self.sock = socket.create_connection((host, port), timeout=LOAD_TIMEOUT_S)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("DevTools closed the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
        self.buffer = head.split(b"\r\n\r\n", 1)[1]

    def _exact(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def send(self, text: str) -> None:
        data = text.encode()
        mask = os.urandom(4)
        size = len(data)
        if size < 126:
            header = struct.pack("!BB", 0x81, 0x80 | size)
        elif size < 1 << 16:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, size)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, size)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)

    def receive(self) -> str:
        message = b""
        while True:
            first, second = self._exact(2)
            size = second & 0x7F
            if size == 126:
                size = struct.unpack("!H", self._exact(2))[0]
            elif size == 127:
                size = struct.unpack("!Q", self._exact(8))[0]
            payload = self._exact(size)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the connection")
            if opcode in (0x9, 0xA):  # ping / pong: not part of a message
                continue
            message += payload
            if first & 0x80:
                return message.decode()

    def pending(self) -> bool:
        return bool(self.buffer) or bool(select.select([self.sock], [], [], 0)[0])

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class Page:
    """One tab: commands answered in order, events kept for the caller to read."""

    def __init__(self, ws_url: str) -> None:
        self.ws = _Socket(ws_url)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event: str, timeout: float = LOAD_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(e["method"] == event for e in self.events):
                return
            message = json.loads(self.ws.receive())
            if "method" in message:
                self.events.append(message)
        raise TimeoutError(f"no {event} within {timeout}s")

    def drain(self) -> None:
        while self.ws.pending():
            message = json.loads(self.ws.receive())
            if "method" in message:
                self.events.append(message)

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser-logged errors (CSP, failed loads)."""
        out = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(
                    "console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
                )
            elif method == "Runtime.exceptionThrown":
                out.append("exception: " + params["exceptionDetails"].get("text", ""))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                entry = params["entry"]
                out.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
        return out


class Chromium:
    """A headless Chromium of our own (started here, stopped by its pid)."""

    def __init__(self) -> None:
        self.profile = tempfile.TemporaryDirectory(prefix="signals-chromium-")
        command = [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-extensions", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", f"--user-data-dir={self.profile.name}", "about:blank",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.port = self._devtools_port()

    def _devtools_port(self) -> int:
        port_file = Path(self.profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if port_file.exists() and port_file.read_text().strip():
                return int(port_file.read_text().splitlines()[0])
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited: {self.process.stderr.read().decode()[-500:]}")
            time.sleep(0.1)
        self.stop()
        raise TimeoutError("chromium did not open its DevTools port")

    def new_page(self) -> Page:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as response:
            return Page(json.loads(response.read())["webSocketDebuggerUrl"])

    def load(self, url: str, *, width: int, screenshot: bool = False, max_height: int = 20000) -> PageReport:
        """Load ``url`` in a viewport ``width`` px wide (a phone's when narrow) and report on it; the
        screenshot is of the whole page, down to ``max_height`` px."""
        page = self.new_page()
        try:
            for domain in ("Page", "Runtime", "Log"):
                page.call(f"{domain}.enable")
            page.call(
                "Emulation.setDeviceMetricsOverride",
                width=width, height=900, deviceScaleFactor=1, mobile=width < 600,
            )  # fmt: skip
            page.call("Page.navigate", url=url)
            page.wait_for("Page.loadEventFired")
            sizes = page.call(
                "Runtime.evaluate",
                expression="JSON.stringify([document.documentElement.scrollWidth,"
                "document.documentElement.clientWidth, document.documentElement.scrollHeight])",
                returnByValue=True,
            )
            scroll_width, client_width, height = json.loads(sizes["result"]["value"])
            png = b""
            if screenshot:
                shot = page.call(
                    "Page.captureScreenshot",
                    format="png",
                    captureBeyondViewport=True,
                    clip={"x": 0, "y": 0, "width": width, "height": min(height, max_height), "scale": 1},
                )
                png = base64.b64decode(shot["data"])
            page.drain()
            return PageReport(url, width, scroll_width, client_width, height, page.errors(), png)
        finally:
            page.ws.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.profile.cleanup()


@contextlib.contextmanager
def chromium() -> Iterator[Chromium]:
    browser = Chromium()
    try:
        yield browser
    finally:
        browser.stop()
