"""The pages that follow one thing: ``/entities/<slug>`` and ``/tags/<tag>``.

Each lists that thread newest first (every score and category: following means seeing all of it),
one page at a time, and offers its feeds (RSS, Atom, JSON Feed with the same filter, also as
autodiscovery links). The routes are ``api/follow_routes.py``; the card is the front page's.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from signals.config import get_settings
from signals.models import Signal
from signals.rendering.pages import publishers, render
from signals.rendering.syndication import feed_title


@dataclass(frozen=True)
class Followed:
    """What a follow page is about: ``kind`` (``entity`` or ``tag``), its slug or tag, its name."""

    kind: str
    value: str
    name: str

    @property
    def heading(self) -> str:
        return self.name if self.kind == "entity" else f"Tagged {self.name}"

    @property
    def title(self) -> str:
        if self.kind == "entity":
            return feed_title(entities=(self.value,))
        return feed_title(tags=(self.value,))

    def feed_url(self, path: str) -> str:
        """A syndication feed of this thread (``/v1/feed.rss?entity=anthropic``)."""
        return f"{path}?{urlencode([(self.kind, self.value)])}"

    def api_url(self) -> str:
        return f"/v1/signals?{urlencode([(self.kind, self.value)])}"


def follow_page(followed: Followed, signals: list[Signal], *, next_url: str | None) -> str:
    """The thread's page: heading, its feeds, one card per signal (newest first), the next page."""
    return render(
        "follow.html",
        followed=followed,
        signals=signals,
        next_url=next_url,
        publishers=publishers,
        publishers_max=get_settings().card_publishers_max,
    )


def unknown_page(followed: Followed) -> str:
    """The 404 page of an entity or tag no signal has (and, for an entity, not in the vocabulary)."""
    return render("follow_unknown.html", followed=followed)
