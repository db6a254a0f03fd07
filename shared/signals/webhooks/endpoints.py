"""Which webhook URLs may be subscribed: https to a public host (SSRF guard, subscription time).

The same address check runs again at delivery time inside the HTTP client, on the address it
connects to, so a host that resolves differently later (DNS rebinding) is still refused.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from signals.http.guard import BlockedDestination, FetchError, Resolver, check_host, parse_ip_literal


class InvalidEndpoint(ValueError):
    """A webhook URL that cannot be subscribed; ``code`` is a stable error code for the API."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _is_loopback_host(host: str) -> bool:
    literal = parse_ip_literal(host)
    if literal is not None:
        return literal.is_loopback
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def loopback_allowed(url: str, *, local_mode: bool, loopback_ports: Collection[int]) -> bool:
    """Whether a delivery to ``url`` may go to loopback: local mode and one of its allowed ports."""
    try:
        port = urlsplit(url).port
    except ValueError:
        return False
    return local_mode and (port if port is not None else 80) in loopback_ports


def validate_endpoint_url(
    url: str,
    *,
    local_mode: bool,
    allowed_ports: Collection[int],
    loopback_ports: Collection[int] = (),
    resolver: Resolver | None = None,
) -> str:
    """Return ``url`` when it may receive webhooks, else raise :class:`InvalidEndpoint`.

    https only, no userinfo, a port from ``allowed_ports``, a host that is and resolves to public
    addresses. In ``local_mode`` plain http is allowed to loopback, on ``loopback_ports`` only (the
    demo's receiver: never moto's or the API's own port).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidEndpoint("invalid_url", f"not a valid URL: {exc}") from exc
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in ("https", "http") or not host:
        raise InvalidEndpoint("invalid_url", "the URL must be absolute https://host/...")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidEndpoint("url_userinfo", "credentials in the URL are not allowed")
    if any(ord(c) < 33 or c in "\\" for c in url):
        raise InvalidEndpoint("invalid_url", "the URL contains spaces, control characters or backslashes")
    loopback = local_mode and _is_loopback_host(host)
    if loopback and not loopback_allowed(url, local_mode=local_mode, loopback_ports=loopback_ports):
        raise InvalidEndpoint(
            "port_not_allowed",
            f"in local mode a loopback URL must use the demo receiver's port {sorted(loopback_ports)}",
        )
    if scheme != "https" and not loopback:
        raise InvalidEndpoint("https_required", "webhook URLs must use https")
    effective_port = port if port is not None else (443 if scheme == "https" else 80)
    if not loopback and effective_port not in allowed_ports:
        raise InvalidEndpoint(
            "port_not_allowed", f"port {effective_port} is not allowed (allowed: {sorted(allowed_ports)})"
        )
    try:
        check_host(host, allow_loopback=loopback, resolver=resolver)
    except BlockedDestination as exc:
        raise InvalidEndpoint(
            "blocked_destination", f"the URL's host is not a public address: {exc}"
        ) from exc
    except FetchError as exc:
        raise InvalidEndpoint("unresolvable_host", f"the URL's host cannot be resolved: {exc}") from exc
    return url


__all__ = ["InvalidEndpoint", "loopback_allowed", "validate_endpoint_url"]
