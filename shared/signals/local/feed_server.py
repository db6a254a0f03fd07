"""Serves the bundled feed snapshots over loopback HTTP, with ETag and Last-Modified.

The demo points its sources here so the real fetch code (conditional GET included) runs offline.
"""

from __future__ import annotations

import hashlib
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

from signals.local.loopback_server import LoopbackServer


class _FeedRequest(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_file():
            etag = '"' + hashlib.sha256(path.read_bytes()).hexdigest()[:20] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return None
            self._etag = etag
        return super().send_head()

    def end_headers(self) -> None:
        etag = getattr(self, "_etag", None)
        if etag:
            self.send_header("ETag", etag)
            self._etag = None
        super().end_headers()

    def guess_type(self, path: Any) -> str:
        name = str(path)
        if name.endswith(".json"):
            return "application/feed+json"
        if name.endswith(".atom"):
            return "application/atom+xml"
        if name.endswith((".xml", ".rss")):
            return "application/rss+xml"
        return super().guess_type(path)


class FeedServer:
    """Static loopback server over a folder of feed files."""

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 0):
        handler = partial(_FeedRequest, directory=str(root))
        self.server = LoopbackServer((host, port), handler)
        self._thread = threading.Thread(target=self.server.serve_forever, name="feed-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
