"""Same-story detection over the real feed captures and the curated dedupe hints."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import feedparser
import pytest
from signals.scoring.stories import (
    fingerprint,
    lookup_keys,
    same_story,
    story_url,
    write_keys,
)

FEEDS = Path(__file__).resolve().parents[3] / "demo" / "feeds"
HINTS = json.loads((FEEDS / "dedupe-hints.json").read_text())
WINDOW = 7


@cache
def _entries(file: str) -> list[dict]:
    parsed = feedparser.parse(io.BytesIO((FEEDS / file).read_bytes()))
    out = []
    for e in parsed.entries:
        when = e.get("published_parsed") or e.get("updated_parsed")
        out.append(
            {
                "title": e.get("title", ""),
                "link": e.get("link", ""),
                "published": datetime(*when[:6], tzinfo=UTC) if when else None,
            }
        )
    return out


def _report(side: dict) -> tuple[str, str, datetime]:
    """Find the hinted entry in its feed file (by link, else by title) and return its fields."""
    entries = _entries(side["file"])
    match = [e for e in entries if side.get("link") and e["link"] == side["link"]] or [
        e for e in entries if e["title"].strip() == side["title"].strip()
    ]
    assert match, f"{side['title']!r} not in {side['file']}"
    entry = match[0]
    published = entry["published"] or datetime.fromisoformat(side["date"]).replace(tzinfo=UTC)
    return entry["title"], entry["link"], published


def _candidates_meet(a, b) -> bool:
    """b is found from a by key lookups: some key b was registered under is among a's lookups."""
    return bool(set(write_keys(b, WINDOW)) & set(lookup_keys(a, WINDOW)))


@pytest.mark.parametrize("pair", HINTS["same_story"], ids=lambda p: p["why"][:40])
def test_same_story_pairs_merge(pair):
    # Given two reports the curators say are one story
    a, b = (fingerprint(*_report(pair[side])) for side in ("a", "b"))
    # Then each finds the other by key lookups and the strict check confirms it
    assert _candidates_meet(a, b) and _candidates_meet(b, a)
    assert same_story(a, b, WINDOW) and same_story(b, a, WINDOW)


@pytest.mark.parametrize("pair", HINTS["different_story"], ids=lambda p: p["why"][:40])
def test_look_alikes_stay_apart(pair):
    a, b = (fingerprint(*_report(pair[side])) for side in ("a", "b"))
    assert not same_story(a, b, WINDOW)
    assert not same_story(b, a, WINDOW)


@pytest.mark.parametrize(
    "group", HINTS["same_url_across_generators"]["groups"][:8], ids=lambda g: g["files"][0]
)
def test_same_url_across_generators_merges(group):
    # Given the same site captured by independent feed generators
    first, *others = group["files"]
    by_url = {story_url(e["link"]): e for e in _entries(first) if e["link"]}
    shared = 0
    for other in others:
        for entry in _entries(other):
            mine = by_url.get(story_url(entry["link"]))
            if mine is None:
                continue
            shared += 1
            when = datetime(2026, 1, 1, tzinfo=UTC)
            a = fingerprint(mine["title"], mine["link"], mine["published"] or when)
            b = fingerprint(entry["title"], entry["link"], entry["published"] or when)
            # Then the URL key alone finds and merges them, whatever the dates say
            assert a.url_key in lookup_keys(b, WINDOW)
            assert same_story(a, b, WINDOW)
    assert shared >= 1


def test_story_url_drops_tracking_and_noise():
    assert story_url("http://www.Example.com/a/?utm_source=x&b=2&fbclid=1#top") == "https://example.com/a?b=2"
    assert story_url("https://example.com/a") == story_url("https://example.com/a/")


def test_numbers_must_match_even_when_words_do():
    when = datetime(2026, 1, 1, tzinfo=UTC)
    a = fingerprint("Scaling Kubernetes to 7,500 nodes", "https://a.example/1", when)
    b = fingerprint("Scaling Kubernetes to 2,500 nodes", "https://a.example/2", when)
    assert not same_story(a, b, WINDOW)
    c = fingerprint("Scaling Kubernetes to 7,500 nodes", "https://b.example/x", when)
    assert same_story(a, c, WINDOW)


def test_far_apart_dates_never_merge_by_text():
    a = fingerprint("Claude 3.5 Sonnet", "https://a.example/1", datetime(2024, 6, 20, tzinfo=UTC))
    b = fingerprint("Claude 3.5 Sonnet", "https://b.example/2", datetime(2024, 10, 22, tzinfo=UTC))
    assert not same_story(a, b, WINDOW)
