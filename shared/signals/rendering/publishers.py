"""Who reported a story, as a reader counts publishers: a publisher and its mirrors are one
("AI Security Institute" and "AI Security Institute (Turing mirror)"), first report first. The
signal page, the front page's cards and the feeds all name publishers through :func:`publishers`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from signals.models import SourceRef
from signals.models.links import safe_url
from signals.rendering.display import display_when
from signals.scoring.stories import independent_source

_MIRROR_NOTE = re.compile(r"\s*\((?:[^()]*\bmirror\b[^()]*|recent|[A-Z][a-z]+)\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Publisher:
    """One publisher of the story: its reports (a publisher and its mirrors) folded into one line."""

    name: str
    url: str
    when: str
    reports: int
    source_id: str  # the first report's source (the front page's "from this publisher" filter)


def publisher_name(source: SourceRef) -> str:
    """A source's publisher name without a mirror's note: "AI Security Institute (Turing mirror)" ->
    "AI Security Institute"."""
    return _MIRROR_NOTE.sub("", source.name).strip() or source.name


def publishers(sources: Sequence[SourceRef]) -> list[Publisher]:
    """Every publisher once, first report first: reports from one site (``independent_source``, as
    corroboration counts them) or under one publisher name are one publisher."""
    groups: dict[str, list[SourceRef]] = {}
    by_name: dict[str, str] = {}
    for source in sorted(sources, key=lambda s: s.published_at):
        name = publisher_name(source)
        key = by_name.get(name.lower()) or independent_source(source.url) or name.lower()
        by_name.setdefault(name.lower(), key)
        groups.setdefault(key, []).append(source)
    out = []
    for reports in groups.values():
        first = reports[0]
        name = min((publisher_name(r) for r in reports), key=len)
        shown = display_when(first.published_at, first.published_date_only)
        out.append(Publisher(name, safe_url(first.url), shown, len(reports), first.source_id))
    return out


def publisher_names(sources: Sequence[SourceRef]) -> list[str]:
    """The publishers' names, each once, first report first (what a feed item lists)."""
    return [publisher.name for publisher in publishers(sources)]
