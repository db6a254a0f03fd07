"""Where a tag or an entity name links: its own page (``/tags/<tag>``, ``/entities/<slug>``)."""

from __future__ import annotations

from urllib.parse import quote

from signals.models import Signal
from signals.models.entity_slug import entity_slug


def tag_href(tag: str) -> str:
    return "/tags/" + quote(tag, safe="")


def entity_href(slug: str) -> str:
    return "/entities/" + quote(slug, safe="")


def entity_links(signal: Signal) -> list[tuple[str, str]]:
    """The signal's entities as (name, page), one per slug, in the signal's order."""
    links: dict[str, tuple[str, str]] = {}
    for name in signal.entities:
        slug = entity_slug(name)
        if slug and slug not in links:
            links[slug] = (name, entity_href(slug))
    return list(links.values())
