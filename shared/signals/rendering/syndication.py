"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents for a list of signals (stdlib only).

Links are absolute: ``base_url`` is ``settings.public_base_url`` or the request's own origin. Each
item carries what a reader subscribes for: score, category, the impact summary, the rationale and
the sources by publisher name. An item links to the PUBLISHER's story, with our signal page as its
permalink, the way each format's readers expect (README, "Using it"):

- RSS 2.0: ``link`` = the publisher's URL (what readers open), ``guid isPermaLink="true"`` = our
  page (a stable id that is also a URL) and ``comments`` = our page (the discussion/analysis link
  readers show beside the story);
- Atom 1.0: ``link rel="alternate"`` = the publisher's URL, ``link rel="related"`` = our page; the
  entry ``id`` stays the ``urn:signals:<id>`` it always was (ids must never change);
- JSON Feed 1.1: ``url`` = our page (the spec's permalink), ``external_url`` = the publisher (the
  spec's "the item is about another page").

A story without an http(s) link (``safe_url``) links to our page only.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Any

from signals.models import Category, Signal, as_utc, iso
from signals.models.links import safe_url
from signals.rendering.display import category_label, display_score
from signals.rendering.publishers import publisher_names
from signals.rendering.publishers import publishers as publisher_list

FEED_TITLE = "Signals"
FEED_DESCRIPTION = "AI news, ranked by significance and explained."
ATOM_NS = "http://www.w3.org/2005/Atom"
ON_TOPIC = frozenset(c for c in Category if c is not Category.OFF_TOPIC)


def feed_title(
    *,
    categories: Iterable[Category] = (),
    min_score: int = 1,
    tags: Iterable[str] = (),
    source: str | None = None,
    entities: Iterable[str] = (),
) -> str:
    """The title a feed's filters give it: ``Signals: Safety & Policy, 7+`` (``Signals`` unfiltered)."""
    chosen = set(categories)
    parts: list[str] = []
    if chosen == ON_TOPIC:
        parts.append("on-topic")
    elif chosen:
        parts.append(" + ".join(c.label for c in Category if c in chosen))
    if min_score > 1:
        parts.append(f"{min_score}+")
    tag_list = sorted(set(tags))
    if tag_list:
        parts.append("tagged " + " or ".join(tag_list))
    if source:
        parts.append(f"from {source}")
    entity_list = sorted(set(entities))
    if entity_list:
        parts.append("about " + " or ".join(entity_list))
    return f"{FEED_TITLE}: {', '.join(parts)}" if parts else FEED_TITLE


def signal_link(base_url: str, signal: Signal) -> str:
    """The absolute URL of a signal's page."""
    return f"{base_url}/signals/{signal.id}"


def publishers(signal: Signal) -> list[str]:
    """The publishers that reported the story, by name, each once (mirrors folded), first report first."""
    return publisher_names(signal.sources)


def _lead(signal: Signal) -> str:
    return f"{display_score(signal.score)} · {category_label(signal.category)}"


def _description(signal: Signal) -> str:
    """Plain text: score, category, impact summary, rationale, sources."""
    lines = [f"{_lead(signal)} — {signal.summary}" if signal.summary else _lead(signal)]
    if signal.rationale:
        lines.append(f"Why this score: {signal.rationale}")
    lines.append("Sources: " + ", ".join(publishers(signal)))
    return "\n\n".join(lines)


def _html(signal: Signal, page: str) -> str:
    """The same as HTML (escaped here; the XML writer escapes it once more as element text)."""
    parts = [f"<p><strong>{escape(_lead(signal))}</strong></p>"]
    if signal.summary:
        parts.append(f"<p>{escape(signal.summary)}</p>")
    if signal.rationale:
        parts.append(f"<p><em>Why this score:</em> {escape(signal.rationale)}</p>")
    sources = ", ".join(
        f'<a href="{escape(p.url)}">{escape(p.name)}</a>' if p.url else escape(p.name)
        for p in publisher_list(signal.sources)
    )
    parts.append(f"<p>Sources: {sources}</p>")
    parts.append(f'<p><a href="{escape(page)}">Score breakdown and analysis on Signals</a></p>')
    return "".join(parts)


def _updated(signals: list[Signal], fallback: datetime) -> datetime:
    return max((as_utc(s.updated_at) for s in signals), default=fallback)


def rss(
    signals: list[Signal],
    *,
    base_url: str,
    self_url: str,
    now: datetime,
    title: str = FEED_TITLE,
    home_url: str = "",
) -> str:
    """An RSS 2.0 document."""
    ET.register_namespace("atom", ATOM_NS)
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = title
    ET.SubElement(channel, "link").text = home_url or f"{base_url}/"
    ET.SubElement(channel, "description").text = FEED_DESCRIPTION
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(_updated(signals, now), usegmt=True)
    ET.SubElement(
        channel, f"{{{ATOM_NS}}}link", {"href": self_url, "rel": "self", "type": "application/rss+xml"}
    )
    for signal in signals:
        page = signal_link(base_url, signal)
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = signal.title
        ET.SubElement(item, "link").text = safe_url(signal.url) or page
        ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = page
        ET.SubElement(item, "comments").text = page
        ET.SubElement(item, "pubDate").text = format_datetime(as_utc(signal.published_at), usegmt=True)
        ET.SubElement(item, "description").text = _html(signal, page)
        ET.SubElement(item, "category").text = category_label(signal.category)
        for tag in signal.tags:
            ET.SubElement(item, "category").text = tag
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def atom(
    signals: list[Signal],
    *,
    base_url: str,
    self_url: str,
    now: datetime,
    title: str = FEED_TITLE,
    home_url: str = "",
) -> str:
    """An Atom 1.0 document."""
    root = ET.Element("feed", {"xmlns": ATOM_NS})
    ET.SubElement(root, "title").text = title
    ET.SubElement(root, "subtitle").text = FEED_DESCRIPTION
    ET.SubElement(root, "id").text = self_url
    ET.SubElement(root, "updated").text = iso(_updated(signals, now))
    ET.SubElement(root, "link", {"rel": "self", "href": self_url, "type": "application/atom+xml"})
    ET.SubElement(root, "link", {"rel": "alternate", "href": home_url or f"{base_url}/", "type": "text/html"})
    ET.SubElement(ET.SubElement(root, "author"), "name").text = FEED_TITLE
    for signal in signals:
        page = signal_link(base_url, signal)
        entry = ET.SubElement(root, "entry")
        ET.SubElement(entry, "title").text = signal.title
        ET.SubElement(entry, "id").text = f"urn:signals:{signal.id}"
        ET.SubElement(entry, "link", {"rel": "alternate", "href": safe_url(signal.url) or page})
        ET.SubElement(entry, "link", {"rel": "related", "href": page, "title": "Signals"})
        ET.SubElement(entry, "published").text = iso(signal.published_at)
        ET.SubElement(entry, "updated").text = iso(signal.updated_at)
        ET.SubElement(entry, "summary", {"type": "text"}).text = _description(signal)
        ET.SubElement(entry, "content", {"type": "html"}).text = _html(signal, page)
        for name in publishers(signal):
            ET.SubElement(ET.SubElement(entry, "contributor"), "name").text = name
        ET.SubElement(
            entry, "category", {"term": signal.category.value, "label": category_label(signal.category)}
        )
        for tag in signal.tags:
            ET.SubElement(entry, "category", {"term": tag})
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def _json_item(signal: Signal, base_url: str) -> dict[str, Any]:
    page = signal_link(base_url, signal)
    external = safe_url(signal.url)
    return {
        "id": signal.id,
        "url": page,
        **({"external_url": external} if external else {}),
        "title": signal.title,
        "content_html": _html(signal, page),
        "content_text": _description(signal),
        "summary": signal.summary,
        "date_published": iso(signal.published_at),
        "date_modified": iso(signal.updated_at),
        "authors": [{"name": name} for name in publishers(signal)],
        "tags": [category_label(signal.category), *signal.tags],
        "_signals": {
            "score": signal.score,
            "category": signal.category.value,
            "rationale": signal.rationale,
            "sources": [{"name": s.name, "url": safe_url(s.url)} for s in signal.sources],
        },
    }


def json_feed(
    signals: list[Signal],
    *,
    base_url: str,
    self_url: str,
    next_url: str | None = None,
    title: str = FEED_TITLE,
    home_url: str = "",
    extension: dict[str, Any] | None = None,
) -> str:
    """A JSON Feed 1.1 document (``extension``: the ``_signals`` object, JSON Feed's extension form)."""
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": home_url or f"{base_url}/",
        "feed_url": self_url,
        "description": FEED_DESCRIPTION,
        "language": "en",
        "items": [_json_item(signal, base_url) for signal in signals],
    }
    if next_url:
        feed["next_url"] = next_url
    if extension:
        feed["_signals"] = extension
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":"))
