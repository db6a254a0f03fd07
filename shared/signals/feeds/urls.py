"""Canonical URLs: one spelling per page, so the same entry gets the same id everywhere."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from signals.models.links import safe_url

DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only track the click, never change the page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "__s",
        "ref_src",
        "ref_url",
        "spm",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")


def is_tracking(name: str) -> bool:
    """Whether a query parameter only tracks the click."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str, base: str | None = None) -> str:
    """``url`` resolved against ``base``; scheme/host lowercased, default port, fragment and trackers gone.

    Only http(s) links survive: a non-http(s) (``javascript:``, ``data:``, ``vbscript:``, ``file:``...),
    hostless or unparseable value gives ``""``, no link (``signals.models.links.safe_url`` decides).
    """
    text = (url or "").strip()
    if base:
        with contextlib.suppress(ValueError):
            text = urljoin(base.strip(), text)
    if safe_url(text) is None:
        return ""
    parts = urlsplit(text)  # safe_url has checked: http(s), a host, a readable port
    port, scheme = parts.port, parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{netloc}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))
