"""Links the API writes into its answers: the absolute origin, a document's own URL, a next page."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from signals.config import get_settings


def base_url(event: BaseProxyEvent) -> str:
    """Absolute origin for links: the configured public URL, else the request's own host."""
    configured = get_settings().public_base_url.rstrip("/")
    if configured:
        return configured
    headers = event.headers or {}
    host = headers.get("host") or event.request_context.domain_name or "localhost"
    local = host.startswith(("127.0.0.1", "localhost", "[::1]"))
    proto = headers.get("x-forwarded-proto") or ("http" if local else "https")
    return f"{proto}://{host}"


def self_url(event: BaseProxyEvent, path: str) -> str:
    """The absolute URL of this very request (path and query as received)."""
    raw = event.get("rawQueryString") or ""
    return f"{base_url(event)}{path}" + (f"?{raw}" if raw else "")


def with_query(path: str, params: dict[str, Any]) -> str:
    """``path`` with ``params`` as its query: lists repeat the name, empty values are left out."""
    pairs = [
        (k, v) for k, values in params.items() for v in (values if isinstance(values, list) else [values])
    ]
    pairs = [(k, v.isoformat() if isinstance(v, datetime) else v) for k, v in pairs if v not in (None, "")]
    return f"{path}?{urlencode(pairs)}" if pairs else path
