"""Keep-alive HTTP for the moto process: one connection per client connection, not per request.

werkzeug's development server (moto's ``ThreadedMotoServer``) answers every request with
``Connection: close``, so each of the demo's tens of thousands of calls opened a TCP connection,
started a server thread, wrote headers and body in separate system calls, then waited on a
selector to drain the socket before closing it; the clients paid a connect each time too. A
profile of the demo put a third of the moto process's samples in that transport. This handler
serves the same WSGI app (moto's dispatcher, with the same patches) over HTTP/1.1 keep-alive, as
AWS endpoints do: it reads each request's body whole (Content-Length, or chunked) before calling
the app, so the stream is always at the next request line, and writes each response in one
``sendall`` with its Content-Length. What the app answers is unchanged.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from werkzeug.serving import WSGIRequestHandler

_NO_BODY = (204, 304)


class KeepAliveHandler(WSGIRequestHandler):
    """werkzeug's request handler (its environ, its error handling), with keep-alive responses."""

    protocol_version = "HTTP/1.1"

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        if environ.get("wsgi.input_terminated"):  # chunked: werkzeug's reader stops at the last chunk
            body = environ["wsgi.input"].read()
        else:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length < 0:  # cannot find the next request: answer this one, then close
                self.close_connection = True
                body = b""
            else:
                body = self.rfile.read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        status, headers, chunks = self._call_app(environ)
        self._respond(status, headers, b"".join(chunks), environ["REQUEST_METHOD"] == "HEAD")

    def _call_app(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        started: list[Any] = []
        chunks: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return chunks.append

        try:
            result = self.server.app(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception as error:  # as werkzeug does: log it, answer 500
            if self.server.passthrough_errors:
                raise
            from werkzeug.exceptions import InternalServerError

            self.server.log("error", f"Error on request: {error!r}")
            chunks.clear()
            chunks.extend(InternalServerError()(environ, start_response))
        return started[0], started[1], chunks

    def _respond(self, status: str, headers: list[tuple[str, str]], body: bytes, head: bool) -> None:
        code = int(status.split(None, 1)[0])
        lines = [f"HTTP/1.1 {status}", f"Server: {self.version_string()}", f"Date: {self.date_time_string()}"]
        has_length = False
        for key, value in headers:
            lowered = key.lower()
            if lowered in ("connection", "transfer-encoding"):
                continue
            has_length = has_length or lowered == "content-length"
            lines.append(f"{key}: {value}")
        if not has_length and code not in _NO_BODY and not 100 <= code < 200:
            lines.append(f"Content-Length: {0 if head else len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        send_body = not head and code not in _NO_BODY
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body if send_body else b""))
        if logging.getLogger("werkzeug").isEnabledFor(logging.INFO):  # (the demo's is at ERROR)
            self.log_request(code, len(body))


def make_moto_server(host: str, port: int) -> Any:
    """moto's threaded server (its dispatcher app, its backends) with keep-alive connections."""
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    class KeepAliveMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = DomainDispatcherApplication(create_backend_app)
            self._server = make_server(
                self._ip_address, self._port, app, threaded=True, request_handler=KeepAliveHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    return KeepAliveMotoServer(ip_address=host, port=port, verbose=False)
