"""Feed bytes to entries: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed 1.0/1.1 by hand.

feedparser is only ever given an in-memory ``io.BytesIO`` (never a URL or a path), so parsing
cannot open a socket or a file. Its strict parser runs on expat with external entities off;
it strips DOCTYPE entity declarations before parsing, so entity expansion cannot blow up.
A malformed ("bozo") feed keeps every entry that parsed; the warning is reported.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_BOM = b"\xef\xbb\xbf"


@dataclass
class ParsedEntry:
    """One entry as the feed gave it (text may be HTML: see the ``*_type`` fields)."""

    guid: str | None = None
    link: str | None = None
    title: str = ""
    title_type: str = "text/plain"
    summary: str = ""
    summary_type: str = "text/html"
    content: str = ""
    content_type: str = "text/html"
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    published: datetime | None = None
    published_date_only: bool = False  # the feed gave a date with no time of day


@dataclass
class ParsedFeed:
    """The entries of one document, its format, and any warning the parser raised."""

    format: str  # rss20, atom10, rss10, json11... ("" when unrecognised)
    title: str = ""
    link: str | None = None
    entries: list[ParsedEntry] = field(default_factory=list)
    warning: str | None = None

    @property
    def bozo(self) -> bool:
        return self.warning is not None


def _looks_like_json(data: bytes) -> bool:
    head = data[:64].removeprefix(_BOM).lstrip()
    return head.startswith(b"{")


def parse_feed(data: bytes, *, url: str = "", content_type: str | None = None) -> ParsedFeed:
    """Parse feed bytes; never raises for bad input (an unusable document gives no entries + a warning)."""
    if _looks_like_json(data):
        return parse_json_feed(data)
    return _parse_xml_feed(data, url=url, content_type=content_type)


# --------------------------------------------------------------------------- XML (feedparser)


_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}|T\d{2}")
_MIDNIGHT = re.compile(r"(?:T|\s)00:00(?::00(?:\.0+)?)?(?![\d:.])")


def _date_only(value: Any) -> bool:
    """Whether a feed's date text gives a day and no time of day: none at all ("2026-06-02"), or
    exactly midnight, the time feeds write when they only know the day ("Mon, 01 Jun 2026 00:00:00 GMT")."""
    if not isinstance(value, str) or not value.strip():
        return False
    return not _TIME_OF_DAY.search(value) or bool(_MIDNIGHT.search(value))


def _struct_to_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _detail_type(entry: Any, key: str, default: str) -> str:
    detail = entry.get(f"{key}_detail")
    return str(detail.get("type") or default) if detail else default


def _parse_xml_feed(data: bytes, *, url: str, content_type: str | None) -> ParsedFeed:
    import feedparser  # lazy: a heavy import the API and scorer never need

    # Without a content type feedparser flags every document; an unknown one is read as XML.
    headers = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    try:
        parsed = feedparser.parse(
            io.BytesIO(data),
            response_headers=headers,
            resolve_relative_uris=False,  # we resolve links ourselves and never keep HTML
            sanitize_html=False,  # summaries become plain text in normalize: nothing HTML survives
        )
    except Exception as exc:  # feedparser is robust, but a crash on hostile bytes must not stop a run
        return ParsedFeed(format="", warning=f"parser crashed: {type(exc).__name__}: {exc}"[:500])
    entries: list[ParsedEntry] = []
    for raw in parsed.get("entries", []):
        content_list = raw.get("content") or []
        content = content_list[0] if content_list else {}
        entries.append(
            ParsedEntry(
                guid=(raw.get("id") or None),
                link=raw.get("link") or None,
                title=raw.get("title", "") or "",
                title_type=_detail_type(raw, "title", "text/plain"),
                summary=raw.get("summary", "") or "",
                summary_type=_detail_type(raw, "summary", "text/html"),
                content=content.get("value", "") or "",
                content_type=content.get("type", "text/html") or "text/html",
                authors=[a.get("name", "") for a in raw.get("authors", []) if isinstance(a, dict)]
                or ([raw["author"]] if raw.get("author") else []),
                categories=[t.get("term") or t.get("label") or "" for t in raw.get("tags", []) or []],
                published=_struct_to_datetime(raw.get("published_parsed") or raw.get("updated_parsed")),
                published_date_only=_date_only(raw.get("published") or raw.get("updated")),
            )
        )
    feed = parsed.get("feed", {})
    warning = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        warning = f"{type(exc).__name__}: {exc}"[:500] if exc else "malformed feed"
    fmt = parsed.get("version", "") or ""
    if not fmt and not entries and warning is None:
        warning = "not a recognised feed format"
    return ParsedFeed(
        format=fmt, title=feed.get("title", "") or "", link=feed.get("link"), entries=entries, warning=warning
    )


# --------------------------------------------------------------------------- JSON Feed


def _parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _json_authors(item: dict[str, Any]) -> list[str]:
    authors = item.get("authors")
    if not isinstance(authors, list):
        single = item.get("author")
        authors = [single] if isinstance(single, dict) else []
    return [_text(a.get("name")) for a in authors if isinstance(a, dict) and _text(a.get("name"))]


def parse_json_feed(data: bytes) -> ParsedFeed:
    """A JSON Feed (1.0 or 1.1) document; anything else gives no entries and a warning."""
    try:
        document = json.loads(data.removeprefix(_BOM))
    except (ValueError, RecursionError) as exc:
        return ParsedFeed(format="", warning=f"invalid JSON: {exc}"[:500])
    if not isinstance(document, dict):
        return ParsedFeed(format="", warning="JSON document is not an object")
    version = _text(document.get("version"))
    if "jsonfeed.org/version/" not in version:
        return ParsedFeed(format="", warning="JSON document is not a JSON Feed (no jsonfeed.org version)")
    fmt = "json" + version.rstrip("/").rsplit("/", 1)[-1].replace(".", "")
    items = document.get("items")
    warning = None
    if not isinstance(items, list):
        items, warning = [], "JSON Feed has no items list"
    entries: list[ParsedEntry] = []
    skipped = 0
    for item in items:
        if not isinstance(item, dict):
            skipped += 1
            continue
        guid = item.get("id")
        html = _text(item.get("content_html"))
        tags = item.get("tags")
        entries.append(
            ParsedEntry(
                guid=str(guid) if isinstance(guid, str | int | float) and str(guid) else None,
                link=_text(item.get("url")) or _text(item.get("external_url")) or None,
                title=_text(item.get("title")),
                summary=_text(item.get("summary")),
                summary_type="text/plain",
                content=html or _text(item.get("content_text")),
                content_type="text/html" if html else "text/plain",
                authors=_json_authors(item) or _json_authors(document),
                categories=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
                published=_parse_iso(item.get("date_published")) or _parse_iso(item.get("date_modified")),
                published_date_only=_date_only(item.get("date_published") or item.get("date_modified")),
            )
        )
    if skipped:
        warning = f"{skipped} JSON Feed item(s) were not objects"
    return ParsedFeed(
        format=fmt,
        title=_text(document.get("title")),
        link=_text(document.get("home_page_url")) or None,
        entries=entries,
        warning=warning,
    )
