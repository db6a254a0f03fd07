"""Issue 12: IPv4-translated spellings of private addresses (finding 10) and header tarpits (finding 11)."""

from __future__ import annotations

import ipaddress
import time
from http.server import BaseHTTPRequestHandler

import pytest
from loopback_server import LoopbackServer
from signals.http import BlockedDestination, Timeout, check_host, fetch, is_public

PUBLIC = ["93.184.216.34"]

# Every IPv6 form that carries an IPv4 address, each carrying a private, loopback, link-local or
# metadata address: judged by what they carry, or refused as a whole range.
EMBEDDING_ATTACKS = [
    "[::ffff:0:a9fe:a9fe]",  # IPv4-translated (SIIT, ::ffff:0:0:0/96): 169.254.169.254
    "::ffff:0:7f00:1",  # IPv4-translated 127.0.0.1
    "::ffff:0:a00:1",  # IPv4-translated 10.0.0.1
    "::ffff:0:c0a8:101",  # IPv4-translated 192.168.1.1
    "::ffff:0:808:808",  # IPv4-translated of a public address: the range is never routed
    "::ffff:a9fe:a9fe",  # IPv4-mapped
    "::ffff:7f00:1",
    "::a9fe:a9fe",  # IPv4-compatible (deprecated)
    "::7f00:1",
    "64:ff9b::a9fe:a9fe",  # NAT64
    "64:ff9b::7f00:1",
    "64:ff9b:1::a9fe:a9fe",  # local-use NAT64
    "2002:a9fe:a9fe::",  # 6to4
    "2002:7f00:1::1",
    "2002:a00:1::1",
    "2001:0:4136:e378:8000:63bf:5601:5656",  # Teredo: never a public webhook
]


@pytest.mark.parametrize("host", EMBEDDING_ATTACKS)
def test_ipv4_embedding_forms_of_private_addresses_are_refused(host: str) -> None:
    with pytest.raises(BlockedDestination):
        check_host(host, resolver=lambda name: PUBLIC)
    # and when a name resolves to it
    with pytest.raises(BlockedDestination):
        check_host("hooks.example.com", resolver=lambda name: [host.strip("[]")])


@pytest.mark.parametrize("host", ["::ffff:0:7f00:1", "::ffff:0:a9fe:a9fe", "64:ff9b:1::7f00:1"])
def test_translated_loopback_is_not_loopback_even_when_loopback_is_allowed(host: str) -> None:
    # the loopback allowance admits 127.0.0.0/8 and ::1, not their translated spellings
    assert not is_public(ipaddress.ip_address(host), allow_loopback=True)


def _header_tarpit(handler: BaseHTTPRequestHandler) -> None:
    # one header byte at a time: each read is quick, the headers never end
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    handler.wfile.flush()
    for _ in range(60):
        handler.wfile.write(b"X")
        handler.wfile.flush()
        time.sleep(0.05)


def test_a_header_tarpit_is_a_timeout_within_the_total_deadline(server: LoopbackServer) -> None:
    server.routes["/headers"] = _header_tarpit
    started = time.monotonic()
    with pytest.raises(Timeout):
        fetch("GET", server.url("/headers"), allow_loopback=True, read_timeout=1.0, total_deadline=0.6)
    assert time.monotonic() - started < 1.5


def _status_tarpit(handler: BaseHTTPRequestHandler) -> None:
    for byte in b"HTTP/1.1 200 OK\r\n":
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.05)


def test_a_status_line_tarpit_is_a_timeout_within_the_total_deadline(server: LoopbackServer) -> None:
    server.routes["/status"] = _status_tarpit
    started = time.monotonic()
    with pytest.raises(Timeout):
        fetch("GET", server.url("/status"), allow_loopback=True, read_timeout=1.0, total_deadline=0.4)
    assert time.monotonic() - started < 1.5
