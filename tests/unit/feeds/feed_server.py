"""A loopback feed server for ingest tests: per-path documents with validators; can stall or fail."""

from __future__ import annotations

import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler

from signals.feeds.sources import Source
from signals.local.loopback_server import LoopbackServer as ThreadingHTTPServer  # quiet when a client resets


def etag_of(body: bytes) -> str:
    return f'W/"{zlib.crc32(body):08x}"'


LAST_MODIFIED = "Tue, 02 Jun 2026 16:00:00 GMT"


def rss(entries: list[tuple[str, str, str]]) -> bytes:
    items = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://example.com/{guid}?utm_source=rss</link>"
        f"<description>{body}</description><pubDate>Tue, 02 Jun 2026 12:00:00 GMT</pubDate></item>"
        for guid, title, body in entries
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()
    )


class FeedServer:
    """Serves per-path documents with validators; records request headers; can stall or fail."""

    def __init__(self) -> None:
        self.docs: dict[str, bytes] = {}
        self.status: dict[str, tuple[int, dict[str, str]]] = {}
        self.stall: set[str] = set()
        self.requests: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.requests.append((self.path, dict(self.headers.items())))
                if self.path in outer.stall:
                    time.sleep(3)
                    return
                if self.path in outer.status:
                    code, headers = outer.status[self.path]
                    self.send_response(code)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = outer.docs.get(self.path, b"")
                if self.headers.get("If-None-Match") == etag_of(body):
                    self.send_response(304)
                    self.send_header("ETag", etag_of(body))
                    self.end_headers()
                    return
                self.send_response(200 if self.path in outer.docs else 404)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag_of(body))
                self.send_header("Last-Modified", LAST_MODIFIED)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def source(self, sid: str, path: str) -> Source:
        return Source(id=sid, name=sid.title(), url=f"http://127.0.0.1:{self.server.server_address[1]}{path}")
