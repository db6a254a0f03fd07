"""Entry to :class:`signals.models.Item`: canonical URL, plain text, UTC date, deterministic id."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from signals.feeds.parser import ParsedEntry
from signals.feeds.sources import Source
from signals.feeds.urls import canonical_url
from signals.models import Item

_DROP_BLOCKS = re.compile(r"<(script|style|template|noscript)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_COMMENTS = re.compile(r"<!--.*?-->|<!\[CDATA\[|\]\]>", re.S)
_BLOCK_TAGS = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre|section|article|hr)\b[^>]*>", re.I
)
_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_MIN_DATE = datetime(1990, 1, 1, tzinfo=UTC)
MAX_AUTHORS = 10
MAX_CATEGORIES = 20
MAX_LABEL_CHARS = 100
# Plain text is computed from at most this much markup: a 400 KB article needs no more for a summary.
_MARKUP_WINDOW = 64 * 1024


def plain_text(value: str, content_type: str = "text/html") -> str:
    """Tags stripped (HTML only), entities decoded, whitespace collapsed."""
    if not value:
        return ""
    text = value
    if "html" in content_type or "xml" in content_type:
        text = text[:_MARKUP_WINDOW]
        if "<" in text:
            text = _DROP_BLOCKS.sub(" ", text)
            text = _COMMENTS.sub(" ", text)
            text = _BLOCK_TAGS.sub(" ", text)
            text = _TAGS.sub("", text)
        text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def _hash(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def entry_key(entry: ParsedEntry, link: str | None) -> str:
    """What identifies an entry within its feed: the guid, else the canonical link, else the title."""
    if entry.guid and entry.guid.strip():
        return "guid:" + entry.guid.strip()
    if link:
        return "link:" + link
    return "title:" + plain_text(entry.title, entry.title_type)


def item_id(feed_url: str, key: str) -> str:
    """Deterministic item id: the same entry of the same source always gets the same id."""
    return _hash(canonical_url(feed_url), key)


def _labels(values: list[str], limit: int) -> list[str]:
    out: dict[str, None] = {}
    for value in values:
        label = truncate(plain_text(value or ""), MAX_LABEL_CHARS)
        if label and label.lower() not in {k.lower() for k in out}:
            out[label] = None
        if len(out) >= limit:
            break
    return list(out)


@dataclass(frozen=True)
class NormalizeLimits:
    """The normalisation limits (from Settings) in one value."""

    title_max_chars: int = 400
    summary_max_chars: int = 1000
    future_date_tolerance_s: int = 24 * 3600


def normalize_entry(
    entry: ParsedEntry,
    *,
    source: Source,
    base_url: str,
    fetched_at: datetime,
    raw_key: str | None = None,
    limits: NormalizeLimits = NormalizeLimits(),  # frozen: safe as a default
) -> Item:
    """One entry as an :class:`Item`; ``base_url`` is where the feed was fetched from (relative links).

    Only http(s) links are kept: an entry whose link is ``javascript:``, ``data:``... is kept as an
    entry with no link (its item links to its http(s) guid, else to the feed), never dropped.
    """
    link = (canonical_url(entry.link, base_url) or None) if entry.link else None
    if not link and entry.guid and entry.guid.strip().lower().startswith(("http://", "https://")):
        link = canonical_url(entry.guid) or None
    summary_source, summary_type = (entry.summary, entry.summary_type)
    if not summary_source.strip():
        summary_source, summary_type = entry.content, entry.content_type
    summary = truncate(plain_text(summary_source, summary_type), limits.summary_max_chars)
    # Titles are read as HTML whatever the feed claims: escaped markup in titles is common.
    title = truncate(plain_text(entry.title), limits.title_max_chars)
    if not title:
        title = truncate(summary, 120) or "(untitled)"
    url = link or canonical_url(base_url)
    published = entry.published
    from_feed = published is not None and _MIN_DATE <= published <= fetched_at + timedelta(
        seconds=limits.future_date_tolerance_s
    )
    return Item(
        id=item_id(source.url, entry_key(entry, link)),
        source_id=source.id,
        source_name=source.name,
        feed_url=source.url,
        authority=source.authority,
        guid=(entry.guid.strip()[:2000] or None) if entry.guid else None,
        url=url,
        title=title,
        summary=summary,
        authors=_labels(entry.authors, MAX_AUTHORS),
        categories=_labels(entry.categories, MAX_CATEGORIES),
        published_at=published if from_feed and published is not None else fetched_at,
        published_from_feed=from_feed,
        published_date_only=from_feed and entry.published_date_only,
        fetched_at=fetched_at,
        content_hash=_hash(title, summary, url),
        raw_key=raw_key,
    )
