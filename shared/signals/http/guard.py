"""Where outbound requests may go: an SSRF guard for feed fetching and webhook delivery.

A destination is allowed only when every address its host resolves to is public unicast. Hosts
are read the way a resolver would read them (``2852039166``, ``0xa9fea9fe``, ``0177.1``,
``127.1`` are all IPv4 literals), and IPv6 forms that embed an IPv4 address (mapped
``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``) are judged by the embedded one.
Forms never routed on the internet are refused whatever they carry: IPv4-compatible ``::/96``,
IPv4-translated (SIIT) ``::ffff:0:0:0/96``, local-use NAT64 ``64:ff9b:1::/48``, Teredo
``2001::/32``. The loopback allowance admits only ``127.0.0.0/8`` and ``::1`` as written (or
mapped), never a translated or tunnelled spelling of them.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: A resolver maps a host name to its addresses (text). Tests inject fakes; the default asks the OS.
Resolver = Callable[[str], Sequence[str]]


class FetchError(Exception):
    """Base of every outbound-HTTP failure; ``reason`` is a stable code callers can record."""

    reason = "fetch_error"


class BlockedDestination(FetchError):
    """The URL's host is, or resolves to, an address that is not public (SSRF guard)."""

    reason = "blocked_destination"


class ConnectError(FetchError):
    """The destination could not be reached: DNS failure, refused connection, TLS or protocol error."""

    reason = "connect_error"


class InvalidUrl(FetchError):
    """The URL cannot be fetched as given (no host, bad port, credentials in it, bad IDNA)."""

    reason = "invalid_url"


# Ranges never reachable from a public fetch, beyond what ``ipaddress.is_global`` already says
# (listed explicitly: ``is_global`` has had gaps between Python patch releases).
_BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network", includes 0.0.0.0
        "10.0.0.0/8",
        "100.64.0.0/10",  # CGNAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes broadcast
    )
)
_BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/96",  # unspecified, loopback, deprecated IPv4-compatible
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT, RFC 2765): never routed, e.g. ::ffff:0:a9fe:a9fe
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments (Teredo 2001::/32 included)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "fc00::/7",  # unique local (fd00:ec2::254 is EC2 metadata)
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_V6_LOOPBACK = ipaddress.IPv6Address("::1")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), else None."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    return None


def is_public(address: IPAddress, *, allow_loopback: bool = False) -> bool:
    """True when ``address`` is public unicast (or loopback, when ``allow_loopback``)."""
    # translated, compatible, local-use NAT64 and Teredo forms are refused as ranges, before (and
    # whatever) the IPv4 address they carry; ::1 is judged below (the loopback allowance)
    if (
        isinstance(address, ipaddress.IPv6Address)
        and address.ipv4_mapped is None
        and address != _V6_LOOPBACK
        and any(address in network for network in _BLOCKED_V6)
    ):
        return False
    inner = embedded_ipv4(address)
    if inner is not None:
        return is_public(inner, allow_loopback=allow_loopback and address.ipv4_mapped is not None)
    if allow_loopback and address.is_loopback:
        return True
    blocked = _BLOCKED_V4 if isinstance(address, ipaddress.IPv4Address) else _BLOCKED_V6
    if any(address in network for network in blocked):
        return False
    return address.is_global and not address.is_multicast


def _ipv4_part(text: str) -> int | None:
    """One dotted part as inet_aton reads it: decimal, 0x hex or leading-0 octal."""
    if not text:
        return None
    lowered = text.lower()
    try:
        if lowered.startswith("0x"):
            return int(lowered[2:] or "0", 16)
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered[1:], 8)
        return int(lowered, 10) if lowered.isdigit() else None
    except ValueError:
        return None


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """``host`` read as an IPv4 literal the way resolvers do (1-4 parts, dec/hex/octal), else None."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts = parts[:-1]  # a trailing dot is still the same address
    if not 1 <= len(parts) <= 4:
        return None
    values = [_ipv4_part(p) for p in parts]
    if any(v is None for v in values):
        return None
    nums = [v for v in values if v is not None]
    # a.b.c.d; a.b.c (c = 16 bits); a.b (b = 24 bits); a (32 bits)
    last_bits = 8 * (5 - len(nums))
    if any(v > 255 for v in nums[:-1]) or nums[-1] >= 1 << last_bits:
        return None
    value = 0
    for v in nums[:-1]:
        value = (value << 8) | v
    value = (value << last_bits) | nums[-1]
    return ipaddress.IPv4Address(value)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a URL host denotes when it is a literal (``[v6]``, odd IPv4 spellings), else None."""
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text.split("%", 1)[0])
        except ValueError:
            return None
    return parse_ipv4_loose(text)


def system_resolver(host: str) -> list[str]:
    """Every address the OS resolver gives for ``host`` (IPv4 and IPv6, de-duplicated, in order)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectError(f"cannot resolve {host!r}: {exc}") from exc
    seen: dict[str, None] = {}
    for info in infos:
        seen.setdefault(str(info[4][0]).split("%", 1)[0], None)
    return list(seen)


def _is_localhost_name(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def check_host(
    host: str, *, allow_loopback: bool = False, resolver: Resolver | None = None
) -> list[IPAddress]:
    """The addresses to connect to for ``host``, all checked; raises :class:`BlockedDestination`.

    Rejects when ANY resolved address is not public: a name with one private answer among
    public ones is a rebinding or split-horizon risk, not a partial success.
    """
    if not host:
        raise InvalidUrl("URL has no host")
    literal = parse_ip_literal(host)
    if literal is not None:
        if not is_public(literal, allow_loopback=allow_loopback):
            raise BlockedDestination(f"address {literal} is not public")
        return [literal]
    if _is_localhost_name(host) and not allow_loopback:
        raise BlockedDestination(f"host {host!r} is loopback")
    answers = (resolver or system_resolver)(host)
    addresses: list[IPAddress] = []
    for answer in answers:
        address = parse_ip_literal(str(answer))
        if address is None:
            raise BlockedDestination(f"resolver gave a non-address {answer!r} for {host!r}")
        if not is_public(address, allow_loopback=allow_loopback):
            raise BlockedDestination(f"host {host!r} resolves to {address}, which is not public")
        addresses.append(address)
    if not addresses:
        raise ConnectError(f"host {host!r} has no addresses")
    return addresses
