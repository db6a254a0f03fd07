"""A feed a person names on the command line: a file path or an http(s) URL, read or refused in one line.

Every refusal is a ``UsageError`` saying what the input is and what is expected: an unknown scheme,
a URL the fetcher cannot or will not reach (no such host, the SSRF guard's refusal of a private or
loopback address), an HTTP error status, a file that does not exist or cannot be read, and a file
that is not a feed (a README, a JSON document that is not a JSON Feed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from signals.cli.usage import UsageError, one_line

EXPECTED = "expected an RSS, Atom or JSON Feed file, or an http(s) URL of one"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True)
class FeedInput:
    data: bytes
    base_url: str  # the final URL after redirects, or the file's file:// URI
    content_type: str | None


def read_feed_input(target: str) -> FeedInput:
    """The bytes of one feed file or http(s) URL; a ``UsageError`` when it cannot be read."""
    scheme = _SCHEME.match(target)
    if scheme and len(scheme.group(1)) > 1:  # "C:" is a Windows drive, not a scheme
        name = scheme.group(1).lower()
        if name in ("http", "https"):
            return _fetch(target)
        if name != "file":
            raise UsageError(f"{target}: unsupported scheme {name!r}; {EXPECTED}")
        target = target.removeprefix(scheme.group(0)).removeprefix("//")
    return _read_file(target)


def _fetch(url: str) -> FeedInput:
    from signals.config import get_settings
    from signals.http.client import fetch
    from signals.http.guard import BlockedDestination, FetchError

    settings = get_settings()
    try:
        result = fetch(
            "GET",
            url,
            max_bytes=settings.fetch_max_body_bytes,
            connect_timeout=settings.fetch_connect_timeout_s,
            read_timeout=settings.fetch_read_timeout_s,
            total_deadline=settings.fetch_total_deadline_s,
            max_redirects=settings.fetch_max_redirects,
            headers={"User-Agent": f"{settings.user_agent_name} (+{settings.contact_url})"},
        )
    except BlockedDestination as exc:
        raise UsageError(
            f"{url}: refused: {one_line(exc)} (only public addresses are fetched, as ingest does)"
        ) from None
    except FetchError as exc:
        raise UsageError(f"{url}: cannot fetch: {one_line(exc)}") from None
    if result.status != 200:
        raise UsageError(f"{url}: the server answered HTTP {result.status}; {EXPECTED}")
    return FeedInput(result.body, result.final_url, result.headers.get("content-type"))


def _read_file(target: str) -> FeedInput:
    path = Path(target)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{target}: no such file; {EXPECTED}") from None
    except IsADirectoryError:
        raise UsageError(f"{target}: is a directory; {EXPECTED}") from None
    except PermissionError:
        raise UsageError(f"{target}: permission denied (cannot read the file)") from None
    except OSError as exc:
        raise UsageError(f"{target}: cannot read: {exc.strerror or one_line(exc)}") from None
    return FeedInput(data, path.resolve().as_uri(), None)


def not_a_feed(target: str, data: bytes, warning: str | None) -> UsageError:
    """The refusal for a document that parsed into no feed: say what it looks like."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not data.strip():
        what = "an empty file"
    elif head.startswith((b"{", b"[")):
        what = "a JSON document that is not a JSON Feed (no jsonfeed.org version)"
    elif head.lower().startswith((b"<!doctype html", b"<html")):
        what = "an HTML page, not a feed"
    elif head.startswith(b"<"):
        what = f"XML that is not RSS or Atom ({one_line(warning or 'no feed element')})"
    elif b"\x00" in data[:4096]:
        what = "a binary file"
    else:
        what = "a text file, not a feed"
    return UsageError(f"{target}: {what}; {EXPECTED}")
