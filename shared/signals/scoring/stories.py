"""Same-story detection: canonical-URL equality plus MinHash over normalised title tokens with
LSH band keys, confirmed by a stricter check so that look-alikes stay apart.

Finding candidates is a handful of key lookups (:func:`lookup_keys`); nothing here scans stored
items. Keys are time-bucketed (one bucket = the story window) so a key row stays small; the URL
key is not, because a URL is the same story whenever it reappears. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from signals.feeds.urls import canonical_url, is_tracking
from signals.models import as_utc

# MinHash: BANDS x ROWS hash functions; two titles share a band key when their minima agree on
# every row of a band. With 8 bands of 2 rows, titles of Jaccard 0.6 collide with p ~ 0.97.
BANDS = 8
ROWS = 2
_SEEDS = tuple(range(1, BANDS * ROWS + 1))

# Parameters that differ between mirrors and shares of one page though they do not only track
# clicks (so ``feeds.urls.canonical_url`` keeps them in an item's URL): no part of a story's key.
_SHARE_PARAMS = frozenset({"ref", "source", "cmpid", "s", "si"})
_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
_HAS_DIGIT = re.compile(r"\d")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "the",
        "their",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "why",
        "with",
        "you",
        "your",
        "new",
        "now",
        "via",
        "vs",
        "about",
        "after",
        "over",
        "up",
        "out",
        "more",
        "than",
        "just",
    ]
)
# words that mean the same in headlines (checked after stemming)
_SYNONYMS = {"cybersecur": "cyber", "cybersecurity": "cyber", "evaluat": "evaluat", "assess": "evaluat"}


def story_url(url: str) -> str:
    """The page's canonical URL (``feeds.urls``) as a story key: no scheme difference, ``www.``,
    share parameters or trailing slash, and the query in a fixed order."""
    try:
        parts = urlsplit(canonical_url(url))
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in _SHARE_PARAMS and not is_tracking(k)
        )
    )
    path = re.sub(r"/+$", "", parts.path) or "/"
    return urlunsplit(("https", host + port, path, query, ""))


def _stem(word: str) -> str:
    if _HAS_DIGIT.search(word):
        return word.replace(",", "")
    for suffix in ("ities", "ility", "ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if word.startswith("cyber"):
        return "cyber"
    return _SYNONYMS.get(word, word)


def title_tokens(title: str) -> tuple[str, ...]:
    """Content words of a headline, normalised (case, accents, possessives, light stemming)."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    text = text.replace("'s ", " ").replace("'s", "")
    tokens = []
    for word in _WORD.findall(text.replace("\u2019", "'")):
        if word in _STOPWORDS:
            continue
        tokens.append(_stem(word))
    return tuple(tokens)


def _hash(value: str, seed: int) -> int:
    return int.from_bytes(
        hashlib.blake2b(value.encode(), digest_size=8, salt=seed.to_bytes(16, "big")).digest(), "big"
    )


def _short(value: str) -> str:
    return hashlib.blake2b(value.encode(), digest_size=10).hexdigest()


@dataclass(frozen=True)
class StoryFingerprint:
    """What the clustering needs to know about an item or a story's lead item."""

    url: str  # canonical
    title: str  # normalised tokens joined by spaces
    tokens: frozenset[str]
    numbers: frozenset[str]
    published_at: datetime
    bands: tuple[str, ...]

    @property
    def url_key(self) -> str:
        return f"U#{_short(self.url)}"

    def bucketed_keys(self, bucket: int) -> list[str]:
        keys = [f"T#{bucket}#{_short(self.title)}"] if self.title else []
        keys += [f"B#{bucket}#{band}" for band in self.bands]
        return keys


def fingerprint(title: str, url: str, published_at: datetime) -> StoryFingerprint:
    """The fingerprint of one report (title, link, publication time)."""
    tokens = title_tokens(title)
    token_set = frozenset(tokens)
    bands: list[str] = []
    if len(token_set) >= 2:
        minima = [min(_hash(t, seed) for t in token_set) for seed in _SEEDS]
        for band in range(BANDS):
            row = minima[band * ROWS : (band + 1) * ROWS]
            bands.append(_short(f"{band}:" + ":".join(map(str, row))))
    return StoryFingerprint(
        url=story_url(url),
        title=" ".join(tokens),
        tokens=token_set,
        numbers=frozenset(t for t in token_set if _HAS_DIGIT.search(t)),
        published_at=as_utc(published_at),
        bands=tuple(bands),
    )


def bucket_of(moment: datetime, window_days: int) -> int:
    """The time bucket (width: the story window) an instant falls in."""
    return int(as_utc(moment).timestamp() // (window_days * 86400))


def write_keys(fp: StoryFingerprint, window_days: int) -> list[str]:
    """Candidate keys under which a story is registered for this report."""
    return [fp.url_key, *fp.bucketed_keys(bucket_of(fp.published_at, window_days))]


def lookup_keys(fp: StoryFingerprint, window_days: int) -> list[str]:
    """Keys to look up: the URL, and title/band keys in this bucket and both neighbours
    (a report within the window of a story can fall in an adjacent bucket)."""
    bucket = bucket_of(fp.published_at, window_days)
    keys = [fp.url_key]
    for b in (bucket - 1, bucket, bucket + 1):
        keys += fp.bucketed_keys(b)
    return keys


JACCARD_MIN = 0.6
CONTAINMENT_MIN = 0.8
CONTAINMENT_MIN_TOKENS = 3


def same_story(a: StoryFingerprint, b: StoryFingerprint, window_days: int) -> bool:
    """The strict check on a candidate: same canonical URL, or close in time with matching
    numbers (7,500 nodes is not 2,500 nodes; o1 is not o3) and near-identical wording."""
    if a.url == b.url:
        return True
    if abs((a.published_at - b.published_at).total_seconds()) > window_days * 86400:
        return False
    if a.numbers != b.numbers and a.numbers and b.numbers:
        return False
    if a.title and a.title == b.title:
        return True
    if not a.tokens or not b.tokens:
        return False
    shared = len(a.tokens & b.tokens)
    if shared / len(a.tokens | b.tokens) >= JACCARD_MIN:
        return True
    smaller = min(len(a.tokens), len(b.tokens))
    return smaller >= CONTAINMENT_MIN_TOKENS and shared / smaller >= CONTAINMENT_MIN


def independent_source(url: str) -> str:
    """The publisher of a report, for counting independent sources: the registrable-ish domain
    (last two labels, or three under a two-letter country second level like ``gov.uk``)."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in {"co", "com", "gov", "ac", "org", "net"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
