"""The safe client against a loopback server: pinning, redirects, deadlines, caps."""

from __future__ import annotations

import gzip
import socket
import time
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler

import pytest
from loopback_server import LoopbackServer, respond
from signals.http import (
    BadScheme,
    BlockedDestination,
    ConnectError,
    InvalidUrl,
    Timeout,
    TooLarge,
    TooManyRedirects,
    fetch,
)

LOOP = {"allow_loopback": True, "connect_timeout": 1.0, "read_timeout": 1.0, "total_deadline": 3.0}


def test_plain_get_returns_status_headers_body(server: LoopbackServer) -> None:
    server.routes["/feed"] = respond(200, b"<rss/>", {"ETag": '"v1"'})
    result = fetch("GET", server.url("/feed?x=1"), headers={"User-Agent": "Signals/test"}, **LOOP)
    assert (result.status, result.body, result.redirects) == (200, b"<rss/>", 0)
    assert result.headers["etag"] == '"v1"'  # case-insensitive
    method, path, headers = server.requests[0]
    assert (method, path, headers["User-Agent"]) == ("GET", "/feed?x=1", "Signals/test")


def test_non_2xx_is_a_result_not_an_error(server: LoopbackServer) -> None:
    server.routes["/down"] = respond(503, b"busy", {"Retry-After": "120"})
    result = fetch("GET", server.url("/down"), **LOOP)
    assert (result.status, result.headers["Retry-After"]) == (503, "120")


def test_loopback_is_blocked_without_opt_in(server: LoopbackServer) -> None:
    server.routes["/feed"] = respond(200, b"x")
    with pytest.raises(BlockedDestination):
        fetch("GET", server.url("/feed"))
    assert server.requests == []


def test_connects_to_the_checked_address_with_the_name_as_host(server: LoopbackServer) -> None:
    # Given a name whose resolver answers loopback once, then a metadata address (rebinding)
    server.routes["/feed"] = respond(200, b"ok")
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])
    url = f"http://feeds.test:{server.port}/feed"
    result = fetch("GET", url, resolver=lambda name: next(answers), **LOOP)
    # Then the request reached the checked address, and the Host header kept the name
    assert result.body == b"ok"
    assert server.requests[0][2]["Host"] == f"feeds.test:{server.port}"


def test_rebinding_to_a_private_address_never_connects(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a resolver that answered a public address earlier and now answers the metadata address
    connects: list[object] = []
    real_connect = socket.socket.connect

    def spy(self: socket.socket, address: object) -> None:
        connects.append(address)
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", spy)
    answers = iter([["93.184.216.34"], ["169.254.169.254"], ["127.0.0.1"]])
    resolver = lambda name: next(answers)  # noqa: E731
    from signals.http import check_host

    check_host("hooks.example.com", resolver=resolver)  # subscription time: fine
    # When delivery time comes, Then it is blocked and no socket connects anywhere
    for _ in range(2):
        with pytest.raises(BlockedDestination):
            fetch("POST", "https://hooks.example.com/in", body=b"{}", resolver=resolver)
    assert connects == []


def test_redirects_are_followed_and_each_hop_is_checked(server: LoopbackServer) -> None:
    server.routes["/old"] = respond(301, b"", {"Location": "/new"})
    server.routes["/new"] = respond(200, b"moved")
    result = fetch("GET", server.url("/old"), max_redirects=5, **LOOP)
    assert (result.body, result.redirects, result.final_url) == (b"moved", 1, server.url("/new"))

    server.routes["/to-metadata"] = respond(
        302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    with pytest.raises(BlockedDestination):
        fetch("GET", server.url("/to-metadata"), max_redirects=5, **LOOP)


def test_redirects_are_not_followed_when_max_is_zero(server: LoopbackServer) -> None:
    server.routes["/old"] = respond(302, b"", {"Location": "/new"})
    result = fetch("GET", server.url("/old"), max_redirects=0, **LOOP)
    assert (result.status, result.headers["Location"]) == (302, "/new")
    assert [r[1] for r in server.requests] == ["/old"]


def test_redirect_loop_stops(server: LoopbackServer) -> None:
    server.routes["/a"] = respond(302, b"", {"Location": "/b"})
    server.routes["/b"] = respond(302, b"", {"Location": "/a"})
    with pytest.raises(TooManyRedirects):
        fetch("GET", server.url("/a"), max_redirects=5, **LOOP)
    assert len(server.requests) == 6  # the first request and five hops


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://example.com/feed.xml", "gopher://x/"])
def test_redirect_to_other_schemes_is_refused(server: LoopbackServer, target: str) -> None:
    server.routes["/r"] = respond(302, b"", {"Location": target})
    with pytest.raises(BadScheme):
        fetch("GET", server.url("/r"), max_redirects=5, **LOOP)


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("file:///etc/passwd", BadScheme),
        ("ftp://example.com/x", BadScheme),
        ("http://user:pw@example.com/", InvalidUrl),
        ("http:///nohost", InvalidUrl),
        ("http://example.com:99999/", InvalidUrl),
    ],
)
def test_unfetchable_urls(url: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        fetch("GET", url, resolver=lambda name: ["93.184.216.34"])


def test_refused_connection_is_a_connect_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(ConnectError):
        fetch("GET", f"http://127.0.0.1:{port}/", **LOOP)


def _slow_headers(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(1.5)
    respond(200, b"late")(handler)


def _tarpit(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    for _ in range(100):  # one byte every 50 ms: each read is quick, the whole never ends
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.05)


def test_read_timeout(server: LoopbackServer) -> None:
    server.routes["/slow"] = _slow_headers
    with pytest.raises(Timeout):
        fetch("GET", server.url("/slow"), allow_loopback=True, read_timeout=0.2, total_deadline=5.0)


def test_total_deadline_stops_a_tarpit(server: LoopbackServer) -> None:
    server.routes["/tarpit"] = _tarpit
    with pytest.raises(Timeout):
        fetch("GET", server.url("/tarpit"), allow_loopback=True, read_timeout=1.0, total_deadline=0.4)


def test_oversized_body_is_refused(server: LoopbackServer) -> None:
    server.routes["/big"] = respond(200, b"x" * 300_000)
    with pytest.raises(TooLarge):
        fetch("GET", server.url("/big"), max_bytes=100_000, **LOOP)


def _chunked(body: bytes) -> object:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for start in range(0, len(body), 8192):
            part = body[start : start + 8192]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        handler.wfile.write(b"0\r\n\r\n")

    return route


def test_oversized_chunked_body_without_length_is_refused(server: LoopbackServer) -> None:
    server.routes["/big"] = _chunked(b"y" * 300_000)  # type: ignore[assignment]
    with pytest.raises(TooLarge):
        fetch("GET", server.url("/big"), max_bytes=100_000, **LOOP)


def _bomb(encoding: str, decoded_mib: int) -> bytes:
    wbits = 31 if encoding == "gzip" else 15
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(decoded_mib)]
    parts.append(compressor.flush())
    return b"".join(parts)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compression_bomb_stops_at_the_cap_with_bounded_memory(server: LoopbackServer, encoding: str) -> None:
    # Given ~64 MiB of zeros compressed to ~64 KiB
    bomb = _bomb(encoding, 64)
    assert len(bomb) < 200_000
    server.routes["/bomb"] = respond(200, bomb, {"Content-Encoding": encoding})
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            fetch("GET", server.url("/bomb"), max_bytes=1 << 20, **LOOP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Then memory stays near the 1 MiB cap, nowhere near the 64 MiB the bomb expands to
    assert peak < 8 << 20


def test_gzip_body_is_decoded(server: LoopbackServer) -> None:
    server.routes["/gz"] = respond(200, gzip.compress(b"<feed/>"), {"Content-Encoding": "gzip"})
    assert fetch("GET", server.url("/gz"), **LOOP).body == b"<feed/>"


def test_post_sends_the_body(server: LoopbackServer) -> None:
    received: list[bytes] = []

    def sink(handler: BaseHTTPRequestHandler) -> None:
        received.append(handler.rfile.read(int(handler.headers["Content-Length"])))
        respond(204)(handler)

    server.routes["/hook"] = sink
    headers = {"Content-Type": "application/json"}
    result = fetch("POST", server.url("/hook"), body=b'{"a":1}', headers=headers, **LOOP)
    assert (result.status, received) == (204, [b'{"a":1}'])
