"""A loopback HTTP server that turns requests into API Gateway HTTP API (v2) events.

Does what ``sam local start-api`` would: one event per request, the handler's response written
back verbatim (status, headers, cookies, base64 bodies).
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from signals.local.lambda_context import LambdaContext
from signals.local.loopback_server import LoopbackServer

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
MAX_REQUEST_BODY = 1024 * 1024  # API Gateway's payload limit is larger; 1 MiB is plenty locally


def to_event(
    method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str
) -> dict[str, Any]:
    """The API Gateway v2 event for one HTTP request."""
    parts = urlsplit(target)
    query_pairs = parse_qsl(parts.query, keep_blank_values=True)
    query: dict[str, str] = {}
    for key, value in query_pairs:
        query[key] = f"{query[key]},{value}" if key in query else value  # API Gateway joins repeats
    lowered = {k.lower(): v for k, v in headers.items()}
    cookies = [c.strip() for c in lowered.pop("cookie", "").split(";") if c.strip()]
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path or "/",
        "rawQueryString": parts.query,
        "headers": lowered,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": lowered.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": parts.path or "/",
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": uuid.uuid4().hex,
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = query
    if cookies:
        event["cookies"] = cookies
    if body:
        try:
            event["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    return event


def _make_request_handler(handler: Handler, timeout_ms: int) -> type[BaseHTTPRequestHandler]:
    # The server reads and writes sockets on a thread per connection, but the handler runs one
    # event at a time: Lambda never gives one container two requests at once, and the API's
    # resolver keeps the current request in module state (two at once mixed up their headers: a
    # page answered with the JSON routes' CSP when a browser fetched its stylesheet meanwhile).
    invocation = threading.Lock()

    class _Request(BaseHTTPRequestHandler):
        server_version = "signals-local-gateway"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the handler logs
            return

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_REQUEST_BODY:
                self._write(413, {"content-type": "application/json"}, b'{"code":"payload_too_large"}')
                return
            body = self.rfile.read(length) if length else b""
            event = to_event(
                self.command, self.path, dict(self.headers.items()), body, self.client_address[0]
            )
            try:
                with invocation:  # one request at a time, as one Lambda container serves them
                    response = handler(event, LambdaContext("api", timeout_ms=timeout_ms))
            except Exception:  # the real API Gateway answers 500 when the function crashes
                self._write(500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}')
                raise
            raw = response.get("body") or ""
            payload = base64.b64decode(raw) if response.get("isBase64Encoded") else raw.encode("utf-8")
            headers = {k.lower(): str(v) for k, v in (response.get("headers") or {}).items()}
            for name, values in (response.get("multiValueHeaders") or {}).items():
                headers[name.lower()] = ", ".join(values)
            cookies = response.get("cookies") or []
            self._write(int(response.get("statusCode", 200)), headers, payload, cookies)

        def _write(
            self, status: int, headers: dict[str, str], payload: bytes, cookies: list[str] = ()
        ) -> None:  # type: ignore[assignment]
            self.send_response(status)
            for name, value in headers.items():
                if name != "content-length":
                    self.send_header(name, value)
            for cookie in cookies:
                self.send_header("set-cookie", cookie)
            self.send_header("content-length", str(0 if self.command == "HEAD" else len(payload)))
            self.end_headers()
            if self.command != "HEAD" and status not in (204, 304):
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    return _Request


class Gateway:
    """The local API: ``Gateway(handler, port).start()`` serves until ``stop()``."""

    def __init__(
        self, handler: Handler, *, host: str = "127.0.0.1", port: int = 3000, timeout_ms: int = 10_000
    ):
        self.server = LoopbackServer((host, port), _make_request_handler(handler, timeout_ms))
        self._thread = threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Gateway:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
