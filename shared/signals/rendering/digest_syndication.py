"""The daily digest as RSS 2.0, Atom 1.0 and JSON Feed 1.1: one entry per day (stdlib only).

Each entry links to the day's page (``/digest/<day>``), is titled by the day, and carries the
opening sentence and the list of the day's stories; its id is stable per day
(``urn:signals:digest:<day>``), so a rebuilt day is an update, never a second entry.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Any

from signals.models import as_utc, iso
from signals.models.day_digest import Digest
from signals.rendering.syndication import ATOM_NS

TITLE = "Signals · daily digest"
DESCRIPTION = "Each day's most significant AI news, and a plain word when it was a quiet day."


def _title(digest: Digest) -> str:
    return f"Signals daily digest · {digest.date}"


def _page(base_url: str, digest: Digest) -> str:
    return f"{base_url}/digest/{digest.date}"


def _html(base_url: str, digest: Digest) -> str:
    items = "".join(
        f'<li>{e.score} · <a href="{escape(base_url)}/signals/{escape(e.id)}">{escape(e.title)}</a></li>'
        for e in digest.entries
    )
    return f"<p>{escape(digest.opening)}</p>" + (f"<ol>{items}</ol>" if items else "")


def _updated(digests: list[Digest], now: datetime) -> datetime:
    return max((as_utc(d.built_at) for d in digests), default=now)


def rss(digests: list[Digest], *, base_url: str, self_url: str, now: datetime) -> str:
    ET.register_namespace("atom", ATOM_NS)
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = TITLE
    ET.SubElement(channel, "link").text = f"{base_url}/digest"
    ET.SubElement(channel, "description").text = DESCRIPTION
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(_updated(digests, now), usegmt=True)
    ET.SubElement(
        channel, f"{{{ATOM_NS}}}link", {"href": self_url, "rel": "self", "type": "application/rss+xml"}
    )
    for digest in digests:
        page = _page(base_url, digest)
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = _title(digest)
        ET.SubElement(item, "link").text = page
        ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = page
        ET.SubElement(item, "pubDate").text = format_datetime(as_utc(digest.built_at), usegmt=True)
        ET.SubElement(item, "description").text = _html(base_url, digest)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def atom(digests: list[Digest], *, base_url: str, self_url: str, now: datetime) -> str:
    root = ET.Element("feed", {"xmlns": ATOM_NS})
    ET.SubElement(root, "title").text = TITLE
    ET.SubElement(root, "subtitle").text = DESCRIPTION
    ET.SubElement(root, "id").text = self_url
    ET.SubElement(root, "updated").text = iso(_updated(digests, now))
    ET.SubElement(root, "link", {"rel": "self", "href": self_url, "type": "application/atom+xml"})
    ET.SubElement(root, "link", {"rel": "alternate", "href": f"{base_url}/digest", "type": "text/html"})
    ET.SubElement(ET.SubElement(root, "author"), "name").text = "Signals"
    for digest in digests:
        entry = ET.SubElement(root, "entry")
        ET.SubElement(entry, "title").text = _title(digest)
        ET.SubElement(entry, "id").text = f"urn:signals:digest:{digest.date}"
        ET.SubElement(entry, "link", {"rel": "alternate", "href": _page(base_url, digest)})
        ET.SubElement(entry, "updated").text = iso(digest.built_at)
        ET.SubElement(entry, "summary", {"type": "text"}).text = digest.opening
        ET.SubElement(entry, "content", {"type": "html"}).text = _html(base_url, digest)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def json_feed(digests: list[Digest], *, base_url: str, self_url: str) -> str:
    items: list[dict[str, Any]] = [
        {
            "id": f"urn:signals:digest:{d.date}",
            "url": _page(base_url, d),
            "title": _title(d),
            "content_html": _html(base_url, d),
            "summary": d.opening,
            "date_published": iso(d.built_at),
            "_signals": {"date": d.date, "stories": d.stories, "notable": d.notable, "quiet": d.quiet},
        }
        for d in digests
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": TITLE,
        "home_page_url": f"{base_url}/digest",
        "feed_url": self_url,
        "description": DESCRIPTION,
        "language": "en",
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":"))
