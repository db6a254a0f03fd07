"""The local servers stay quiet when a client drops its connection, and still report real errors."""

from __future__ import annotations

import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler

import pytest
from signals.local.loopback_server import LoopbackServer


class Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server():
    srv = LoopbackServer(("127.0.0.1", 0), Ok)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _report(server: LoopbackServer, error: BaseException) -> None:
    """What socketserver does when a request's handling raises: handle_error inside the except."""
    try:
        raise error
    except BaseException:
        server.handle_error(None, ("127.0.0.1", 50000))


@pytest.mark.parametrize("error", [ConnectionResetError(104, "reset"), BrokenPipeError(32, "pipe")])
def test_a_client_that_went_away_is_not_reported(server, capsys, error) -> None:
    _report(server, error)
    assert capsys.readouterr().err == ""


def test_any_other_error_is_still_reported_with_its_traceback(server, capsys) -> None:
    _report(server, RuntimeError("a real bug in a handler"))
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: a real bug in a handler" in err


def test_the_server_keeps_serving_after_clients_reset_mid_request(server) -> None:
    port = server.server_address[1]
    for _ in range(3):  # half a request line, then RST (SO_LINGER 0)
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET / HT")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.0 200")
