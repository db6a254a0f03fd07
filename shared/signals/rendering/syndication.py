"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents for a list of signals (stdlib only).

Links are absolute: ``base_url`` is ``settings.public_base_url`` or the request's own origin. A story's
own link leaves only when it is http(s) (``safe_url``): an entry without one simply has no related link.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from signals.models import Signal, as_utc, iso
from signals.models.links import safe_url
from signals.rendering.display import category_label, display_score

FEED_TITLE = "Signals"
FEED_DESCRIPTION = "AI news, ranked by significance and explained."
ATOM_NS = "http://www.w3.org/2005/Atom"


def signal_link(base_url: str, signal: Signal) -> str:
    """The absolute URL of a signal's page."""
    return f"{base_url}/signals/{signal.id}"


def _description(signal: Signal) -> str:
    lead = f"{display_score(signal.score)} · {category_label(signal.category)}"
    return f"{lead} — {signal.summary}" if signal.summary else lead


def _updated(signals: list[Signal], fallback: datetime) -> datetime:
    return max((as_utc(s.updated_at) for s in signals), default=fallback)


def rss(signals: list[Signal], *, base_url: str, self_url: str, now: datetime) -> str:
    """An RSS 2.0 document."""
    ET.register_namespace("atom", ATOM_NS)
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = FEED_TITLE
    ET.SubElement(channel, "link").text = f"{base_url}/"
    ET.SubElement(channel, "description").text = FEED_DESCRIPTION
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(_updated(signals, now), usegmt=True)
    ET.SubElement(
        channel, f"{{{ATOM_NS}}}link", {"href": self_url, "rel": "self", "type": "application/rss+xml"}
    )
    for signal in signals:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = signal.title
        ET.SubElement(item, "link").text = signal_link(base_url, signal)
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = f"signal:{signal.id}"
        ET.SubElement(item, "pubDate").text = format_datetime(as_utc(signal.published_at), usegmt=True)
        ET.SubElement(item, "description").text = _description(signal)
        ET.SubElement(item, "category").text = category_label(signal.category)
        for tag in signal.tags:
            ET.SubElement(item, "category").text = tag
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def atom(signals: list[Signal], *, base_url: str, self_url: str, now: datetime) -> str:
    """An Atom 1.0 document."""
    root = ET.Element("feed", {"xmlns": ATOM_NS})
    ET.SubElement(root, "title").text = FEED_TITLE
    ET.SubElement(root, "subtitle").text = FEED_DESCRIPTION
    ET.SubElement(root, "id").text = self_url
    ET.SubElement(root, "updated").text = iso(_updated(signals, now))
    ET.SubElement(root, "link", {"rel": "self", "href": self_url, "type": "application/atom+xml"})
    ET.SubElement(root, "link", {"rel": "alternate", "href": f"{base_url}/", "type": "text/html"})
    ET.SubElement(ET.SubElement(root, "author"), "name").text = FEED_TITLE
    for signal in signals:
        entry = ET.SubElement(root, "entry")
        ET.SubElement(entry, "title").text = signal.title
        ET.SubElement(entry, "id").text = f"urn:signals:{signal.id}"
        ET.SubElement(entry, "link", {"rel": "alternate", "href": signal_link(base_url, signal)})
        related = safe_url(signal.url)
        if related:
            ET.SubElement(entry, "link", {"rel": "related", "href": related})
        ET.SubElement(entry, "published").text = iso(signal.published_at)
        ET.SubElement(entry, "updated").text = iso(signal.updated_at)
        ET.SubElement(entry, "summary", {"type": "text"}).text = _description(signal)
        ET.SubElement(
            entry, "category", {"term": signal.category.value, "label": category_label(signal.category)}
        )
        for tag in signal.tags:
            ET.SubElement(entry, "category", {"term": tag})
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def json_feed(signals: list[Signal], *, base_url: str, self_url: str, next_url: str | None = None) -> str:
    """A JSON Feed 1.1 document."""
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": FEED_TITLE,
        "home_page_url": f"{base_url}/",
        "feed_url": self_url,
        "description": FEED_DESCRIPTION,
        "language": "en",
        "items": [
            {
                "id": signal.id,
                "url": signal_link(base_url, signal),
                **({"external_url": safe_url(signal.url)} if safe_url(signal.url) else {}),
                "title": signal.title,
                "content_text": _description(signal),
                "summary": signal.summary,
                "date_published": iso(signal.published_at),
                "date_modified": iso(signal.updated_at),
                "tags": [category_label(signal.category), *signal.tags],
                "_signals": {"score": signal.score, "category": signal.category.value},
            }
            for signal in signals
        ],
    }
    if next_url:
        feed["next_url"] = next_url
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":"))
