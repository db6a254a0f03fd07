"""Safe outbound HTTP, shared by feed fetching and webhook delivery.

Public API::

    from signals.http import fetch, HttpResult, FetchError, BlockedDestination, ...

    fetch(method, url, *, headers=None, body=None, max_bytes=5 MiB, connect_timeout=10.0,
          read_timeout=15.0, total_deadline=20.0, max_redirects=0, allow_loopback=False,
          resolver=None, allowed_ports=None) -> HttpResult

``HttpResult``: ``status``, ``headers`` (case-insensitive ``urllib3.HTTPHeaderDict``), ``body``
(bytes, decoded: gzip/deflate undone), ``final_url``, ``redirects`` (count), ``history`` (URLs
redirected from), ``elapsed`` (seconds).

What ``fetch`` guarantees:

* only ``http``/``https`` URLs, no credentials in the URL (``InvalidUrl``), optional port allow-list;
* the host is resolved (``resolver(host) -> [address, ...]``, injectable; default: the OS) and
  EVERY address must be public (:func:`signals.http.guard.is_public`); the connection is made to a
  checked address with ``Host``/SNI = the name, so DNS rebinding cannot slip through;
  ``allow_loopback=True`` additionally admits 127.0.0.0/8 and ::1 (local demo, loopback tests);
* redirects are followed only when ``max_redirects > 0`` (with 0 a 3xx is returned as is); each
  hop is checked again; a hop to ``file:``, ``ftp:``... raises ``BadScheme``; credentials headers
  are dropped on cross-origin hops;
* ``total_deadline`` bounds the whole exchange, even against a server dripping one byte at a time;
* ``max_bytes`` caps the body AFTER decompression: compression bombs stop at the cap.

Errors (all subclasses of ``FetchError``; ``.reason`` is a stable code to record):
``BlockedDestination`` (blocked_destination), ``InvalidUrl`` (invalid_url), ``BadScheme``
(bad_scheme), ``ConnectError`` (connect_error: DNS, refused, TLS), ``Timeout`` (timeout),
``TooLarge`` (too_large), ``TooManyRedirects`` (too_many_redirects), ``BadResponse``
(bad_response: broken encoding or protocol). A non-2xx status is NOT an error: check ``status``.

The guard is usable on its own (e.g. to validate a webhook URL at subscription time):
``check_host(host, *, allow_loopback=False, resolver=None) -> [ip, ...]``,
``is_public(ip, *, allow_loopback=False)``, ``parse_ip_literal(host)``.
"""

from typing import TYPE_CHECKING, Any

from signals.http.guard import (
    BlockedDestination,
    ConnectError,
    FetchError,
    InvalidUrl,
    Resolver,
    check_host,
    is_public,
    parse_ip_literal,
    system_resolver,
)

if TYPE_CHECKING:
    from signals.http.client import (
        BadResponse,
        BadScheme,
        HttpResult,
        Timeout,
        TooLarge,
        TooManyRedirects,
        fetch,
    )

_CLIENT_NAMES = frozenset(
    {"BadResponse", "BadScheme", "HttpResult", "Timeout", "TooLarge", "TooManyRedirects", "fetch"}
)


def __getattr__(name: str) -> Any:
    """The client (and urllib3 behind it) loads on first use: the API only needs the guard."""
    if name in _CLIENT_NAMES:
        from signals.http import client

        return getattr(client, name)
    raise AttributeError(f"module 'signals.http' has no attribute {name!r}")


__all__ = [
    "BadResponse",
    "BadScheme",
    "BlockedDestination",
    "ConnectError",
    "FetchError",
    "HttpResult",
    "InvalidUrl",
    "Resolver",
    "Timeout",
    "TooLarge",
    "TooManyRedirects",
    "check_host",
    "fetch",
    "is_public",
    "parse_ip_literal",
    "system_resolver",
]
