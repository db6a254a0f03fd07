"""``GET /v1/opml``: an OPML 2.0 document of the feeds a reader may import (http://opml.org/spec2.opml).

Three outlines: the categories (one RSS feed each), the most used tags and the most used entities
(each bounded by config: ``opml_tags_max``, ``opml_entities_max``). Every feed is an
``<outline type="rss" xmlUrl=... htmlUrl=...>``, ``htmlUrl`` being its page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote, urlencode
from xml.etree import ElementTree as ET

from signals.models import Category
from signals.rendering.syndication import feed_title


def _feed(parent: ET.Element, base_url: str, text: str, param: tuple[str, str], html_url: str) -> None:
    ET.SubElement(
        parent,
        "outline",
        type="rss",
        text=text,
        title=text,
        xmlUrl=f"{base_url}/v1/feed.rss?{urlencode([param])}",
        htmlUrl=html_url,
    )


def opml_document(
    base_url: str, *, tags: list[str], entities: list[tuple[str, str]], now: datetime | None = None
) -> str:
    """The document: ``tags`` most used first, ``entities`` as (slug, name) most used first."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "Signals feeds"
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), usegmt=True)
    ET.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    everything = ET.SubElement(body, "outline", text="Signals")
    ET.SubElement(
        everything,
        "outline",
        type="rss",
        text=feed_title(),
        title=feed_title(),
        xmlUrl=f"{base_url}/v1/feed.rss",
        htmlUrl=f"{base_url}/",
    )
    group = ET.SubElement(body, "outline", text="Categories")
    for category in Category:
        page = f"{base_url}/?{urlencode([('category', category.value)])}"
        _feed(group, base_url, feed_title(categories=(category,)), ("category", category.value), page)
    group = ET.SubElement(body, "outline", text="Tags")
    for tag in tags:
        _feed(
            group, base_url, feed_title(tags=(tag,)), ("tag", tag), f"{base_url}/tags/{quote(tag, safe='')}"
        )
    group = ET.SubElement(body, "outline", text="Entities")
    for slug, name in entities:
        page = f"{base_url}/entities/{quote(slug, safe='')}"
        _feed(group, base_url, f"Signals: about {name}", ("entity", slug), page)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
