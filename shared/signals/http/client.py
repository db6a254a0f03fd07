"""One outbound HTTP request, safely: pinned to checked addresses, bounded in time and size.

See :mod:`signals.http` for the public API. How it keeps its promises:

* The host is resolved once, every address is checked by :func:`signals.http.guard.check_host`,
  and the connection goes to a checked address (``Host`` header and TLS SNI/certificate check
  still use the name), so a resolver that changes its answer between check and connect (DNS
  rebinding) cannot move the request elsewhere. Each redirect hop is checked the same way.
* A watchdog shuts the socket down when the total deadline passes: a server dripping headers or
  body one byte at a time is a ``Timeout`` (what was parsed before the cut is never a result).
* The body is read in chunks AFTER decompression and abandoned as soon as it passes the cap,
  so a compression bomb costs at most about one chunk beyond the cap.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from signals.http.guard import (
    BlockedDestination,
    ConnectError,
    FetchError,
    InvalidUrl,
    IPAddress,
    Resolver,
    check_host,
)

__all__ = [
    "BadResponse",
    "BadScheme",
    "BlockedDestination",
    "ConnectError",
    "FetchError",
    "HttpResult",
    "InvalidUrl",
    "Timeout",
    "TooLarge",
    "TooManyRedirects",
    "fetch",
]

CHUNK_BYTES = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# Credentials never follow a redirect to another origin.
_ORIGIN_BOUND_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


class TooLarge(FetchError):
    """The (decompressed) body passed ``max_bytes``."""

    reason = "too_large"


class Timeout(FetchError):
    """Connect, read or the total deadline ran out."""

    reason = "timeout"


class TooManyRedirects(FetchError):
    """More than ``max_redirects`` redirects (a loop, usually)."""

    reason = "too_many_redirects"


class BadScheme(FetchError):
    """The URL, or a redirect target, is not http(s) (``file:``, ``ftp:``, ``gopher:``...)."""

    reason = "bad_scheme"


class BadResponse(FetchError):
    """The server answered something unreadable (broken content encoding, protocol violation)."""

    reason = "bad_response"


@dataclass(frozen=True)
class HttpResult:
    """What came back: status, case-insensitive headers, the decoded body, where it ended up."""

    status: int
    headers: urllib3.HTTPHeaderDict
    body: bytes
    final_url: str
    redirects: int = 0
    history: tuple[str, ...] = field(default=())  # the URLs redirected FROM, in order
    elapsed: float = 0.0  # seconds, whole exchange including redirects


class _Watchdog:
    """Shuts registered sockets down when the deadline passes (unblocks any pending recv)."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.fired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def register(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # base method: works under TLS too


class _WatchedConnection:
    """Mixin: every socket the connection opens is registered with the request's watchdog."""

    watchdog: _Watchdog | None = None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        if self.watchdog is not None:
            self.watchdog.register(sock)
        return sock


class _WatchedPool:
    """Mixin: every connection the pool makes carries the pool's watchdog."""

    watchdog: _Watchdog | None = None

    def _new_conn(self) -> Any:
        conn = super()._new_conn()  # type: ignore[misc]
        conn.watchdog = self.watchdog
        return conn


class _WatchedHTTPConnection(_WatchedConnection, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _WatchedHTTPPool(_WatchedPool, HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(_WatchedPool, HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _ca_bundle() -> str | None:
    try:
        import certifi
    except ImportError:  # pragma: no cover - system trust store then
        return None
    return certifi.where()


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # IDNA/ASCII, lowercased, no brackets
    port: int
    path: str  # path + query, never empty
    host_header: str


def _parse_target(url: str, allowed_ports: Collection[int] | None) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidUrl(f"unparseable URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BadScheme(f"scheme {scheme or '(none)'!r} is not http or https")
    if parts.username is not None or parts.password is not None:
        raise InvalidUrl("credentials in the URL are not allowed")
    host = parts.hostname or ""
    if not host:
        raise InvalidUrl(f"URL {url!r} has no host")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise InvalidUrl("URL contains whitespace or control characters")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise InvalidUrl(f"host {host!r} is not a valid international name") from exc
    port = port or DEFAULT_PORTS[scheme]
    if allowed_ports is not None and port not in allowed_ports:
        raise BlockedDestination(f"port {port} is not allowed")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == DEFAULT_PORTS[scheme] else f"{shown}:{port}"
    return _Target(scheme, host, port, path, host_header)


def _pool(target: _Target, address: IPAddress, watchdog: _Watchdog, timeout: urllib3.Timeout) -> Any:
    common: dict[str, Any] = {
        "host": str(address),
        "port": target.port,
        "timeout": timeout,
        "maxsize": 1,
        "retries": False,
    }
    pool: _WatchedHTTPPool | _WatchedHTTPSPool
    if target.scheme == "https":
        pool = _WatchedHTTPSPool(
            **common,
            cert_reqs="CERT_REQUIRED",
            ca_certs=_ca_bundle(),
            assert_hostname=target.host,
            server_hostname=target.host,  # SNI is the name, the socket goes to the checked IP
        )
    else:
        pool = _WatchedHTTPPool(**common)
    pool.watchdog = watchdog
    return pool


def _one_request(
    method: str,
    target: _Target,
    addresses: list[IPAddress],
    headers: dict[str, str],
    body: bytes | None,
    watchdog: _Watchdog,
    connect_timeout: float,
    read_timeout: float,
) -> tuple[Any, Any]:
    """Send one request to the first checked address that accepts a connection."""
    last_error: Exception | None = None
    for address in addresses:
        remaining = watchdog.remaining()
        if remaining <= 0:
            break
        timeout = urllib3.Timeout(connect=min(connect_timeout, remaining), read=min(read_timeout, remaining))
        pool = _pool(target, address, watchdog, timeout)
        try:
            response = pool.urlopen(
                method,
                target.path,
                body=body,
                headers={**headers, "Host": target.host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=True,
                assert_same_host=False,
                release_conn=False,
            )
            if watchdog.fired:  # the deadline cut the headers short: what was parsed is no answer
                raise Timeout("total deadline passed while reading the headers")
            return pool, response
        except ConnectTimeoutError as exc:  # includes NewConnectionError: try the next address
            pool.close()
            last_error = exc
        except BaseException:
            pool.close()
            raise
    if watchdog.fired or watchdog.remaining() <= 0:
        raise Timeout("total deadline passed while connecting")
    if isinstance(last_error, ConnectTimeoutError) and "timed out" in str(last_error).lower():
        raise Timeout(f"connect timed out: {last_error}")
    raise ConnectError(f"cannot connect to {target.host}: {last_error}")


def _read_body(response: Any, max_bytes: int, watchdog: _Watchdog, *, truncate: bool = False) -> bytes:
    """The decoded body; past ``max_bytes`` it is ``TooLarge``, or (``truncate``) its first ``max_bytes``."""
    declared = response.headers.get("Content-Length") or ""
    identity = (response.headers.get("Content-Encoding") or "identity").lower() == "identity"
    if identity and not truncate and declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"declared length {declared} is over the cap of {max_bytes} bytes")
    chunks: list[bytes] = []
    total = 0
    for chunk in response.stream(min(CHUNK_BYTES, max(max_bytes, 1)), decode_content=True):
        total += len(chunk)
        if total > max_bytes and truncate:  # the prefix is all the caller wants: stop, never fail
            return b"".join([*chunks, chunk[: len(chunk) - (total - max_bytes)]])
        if total > max_bytes:
            raise TooLarge(f"body passed the cap of {max_bytes} bytes (after decompression)")
        chunks.append(chunk)
        if watchdog.remaining() <= 0:
            break
    if watchdog.fired or watchdog.remaining() <= 0:  # a body the deadline cut is no answer
        raise Timeout("total deadline passed while reading the body")
    return b"".join(chunks)


def fetch(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    max_bytes: int = 5 * 1024 * 1024,
    connect_timeout: float = 10.0,
    read_timeout: float = 15.0,
    total_deadline: float = 20.0,
    max_redirects: int = 0,
    allow_loopback: bool = False,
    resolver: Resolver | None = None,
    allowed_ports: Collection[int] | None = None,
    truncate_body: bool = False,
) -> HttpResult:
    """Perform one HTTP exchange safely; raises a :class:`FetchError` subclass on any failure.

    With ``max_redirects=0`` a 3xx is returned as it is (never followed); with ``truncate_body`` a
    longer body is no error: the result holds its first ``max_bytes`` (the rest is never read).
    """
    started = time.monotonic()
    watchdog = _Watchdog(started + total_deadline)
    request_headers = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
    if not any(k.lower() == "accept-encoding" for k in request_headers):
        request_headers["Accept-Encoding"] = "gzip, deflate"
    history: list[str] = []
    current_url = url
    current_method = method.upper()
    current_body = body
    try:
        while True:
            target = _parse_target(current_url, allowed_ports)
            addresses = check_host(target.host, allow_loopback=allow_loopback, resolver=resolver)
            pool, response = _one_request(
                current_method,
                target,
                addresses,
                request_headers,
                current_body,
                watchdog,
                connect_timeout,
                read_timeout,
            )
            try:
                location = response.headers.get("Location")
                if response.status in REDIRECT_STATUSES and location and max_redirects > 0:
                    if len(history) >= max_redirects:
                        raise TooManyRedirects(f"more than {max_redirects} redirects from {url}")
                    next_url = urljoin(current_url, location.strip())
                    if urlsplit(next_url).scheme.lower() not in ALLOWED_SCHEMES:
                        raise BadScheme(f"redirect to a non-http(s) URL: {next_url[:200]}")
                    if _origin(next_url) != _origin(current_url):
                        request_headers = {
                            k: v for k, v in request_headers.items() if k.lower() not in _ORIGIN_BOUND_HEADERS
                        }
                    if response.status == 303 or (response.status in (301, 302) and current_method == "POST"):
                        current_method, current_body = "GET", None
                    history.append(current_url)
                    current_url = next_url
                    continue
                content = _read_body(response, max_bytes, watchdog, truncate=truncate_body)
                return HttpResult(
                    status=response.status,
                    headers=urllib3.HTTPHeaderDict(response.headers),
                    body=content,
                    final_url=current_url,
                    redirects=len(history),
                    history=tuple(history),
                    elapsed=time.monotonic() - started,
                )
            finally:
                response.close()
                pool.close()
    except (ConnectError, BadResponse):
        if watchdog.fired:
            raise Timeout(f"total deadline of {total_deadline}s passed") from None
        raise
    except (ReadTimeoutError, TimeoutError) as exc:
        raise Timeout(f"read timed out: {exc}") from exc
    except DecodeError as exc:
        raise BadResponse(f"undecodable content encoding: {exc}") from exc
    except (SSLError, ProtocolError, HTTPError, OSError) as exc:
        if watchdog.fired:
            raise Timeout(f"total deadline of {total_deadline}s passed") from exc
        if isinstance(exc, SSLError):
            raise ConnectError(f"TLS error: {exc}") from exc
        if isinstance(exc, ProtocolError):
            raise BadResponse(f"protocol error: {exc}") from exc
        raise ConnectError(str(exc)) from exc
    finally:
        watchdog.cancel()


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or ""), port
