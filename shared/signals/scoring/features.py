"""What the learned judge reads of an item: named, sparse features from its text and the rules'
findings. One function, used by training (``signals train``) and by the scorer alike, so the two
can never disagree about what a feature means.

Namespaces (the prefix before ``:``), each scaled so a long summary cannot outvote a headline:

- ``t:`` title words, ``b:`` title word pairs, ``s:`` summary words (the first
  ``SUMMARY_CHARS``), ``f:`` words of the feed's title (a source called "... Policy" or
  "... Security" says something about every item it carries, even one the judge never saw);
- ``r:`` the rules' findings: their category and score, the event type and where it was named,
  money bands, a low-value form, digest, distributor, leading organisations, model kinds;
- ``e:`` entities and ``g:`` tags the rules' vocabulary recognised;
- ``p:`` the first five letters of the title's longer words ("regulators", "regulation" and
  "regulatory" meet at ``regul``), so word forms unseen in training still count;
- ``x:`` the item's shape (no summary, short title, not in Latin script).

Title and summary words are lightly stemmed (``stem``).

Pure Python: no I/O, no numpy.
"""

from __future__ import annotations

import html
import itertools
import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from signals.models import Enrichment, Item
    from signals.scoring.analyst import Findings

SUMMARY_CHARS = 500
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W_]+(?:[.'+\-][^\W_]+)*\+*", re.UNICODE)
_DIGITS = re.compile(r"\d")
# words that carry nothing on their own (kept in pairs: "the batch", "of ai")
_STOP = frozenset(
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
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "we",
        "our",
        "you",
        "your",
        "how",
        "what",
        "why",
    ]
)
_MONEY_BANDS = ((10e9, "10b"), (1e9, "1b"), (1e8, "100m"), (1e7, "10m"), (1.0, "some"))
# namespace -> weight: the scale of the namespace's unit vector
NAMESPACE_WEIGHTS = {"t": 1.0, "b": 0.7, "s": 0.8, "p": 0.5, "f": 0.6, "r": 1.0, "e": 0.5, "g": 0.5, "x": 0.5}
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "s", "ly")
_PREFIX_MIN = 6  # words at least this long also count by their first five letters
_LATIN = re.compile(r"[a-zA-Z]")


def words(text: str) -> list[str]:
    """Lower-case word tokens; digits folded to 0 so "GPT-5" and "GPT-6" share a shape."""
    # folding the digits of the whole text first gives the same tokens (a digit and "0" are both
    # word characters) in one substitution instead of one per word
    return _WORD.findall(_DIGITS.sub("0", text.lower()))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix strip ("models" -> "model", "launching" -> "launch"): enough to join the
    forms of a word without a stemmer's tables (memoised: news repeats its words)."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _plain(text: str) -> str:
    return html.unescape(_TAG.sub(" ", text)) if "<" in text or "&" in text else text


def featurize(item: Item, enrichment: Enrichment, findings: Findings) -> dict[str, float]:
    """The item's features as ``{name: value}`` (values already scaled per namespace)."""
    title_words = words(_plain(item.title))
    summary = _plain(item.summary or "")[:SUMMARY_CHARS]
    summary_words = words(summary) if summary.strip() != item.title.strip() else []
    groups: dict[str, set[str]] = {
        "t": {stem(w) for w in title_words if w not in _STOP},
        "b": {f"{a}_{b}" for a, b in itertools.pairwise(title_words)},
        "s": {stem(w) for w in summary_words if w not in _STOP},
        "p": {w[:5] for w in title_words if len(w) >= _PREFIX_MIN},
        "f": {w for w in words(item.source_name) if w not in _STOP},
        "r": set(_rule_features(enrichment, findings)),
        "e": {e.lower() for e in enrichment.entities},
        "g": set(enrichment.tags),
        "x": _shape(item.title, title_words, summary_words),
    }
    out: dict[str, float] = {}
    for ns, names in groups.items():
        if not names:
            continue
        value = NAMESPACE_WEIGHTS[ns] / len(names) ** 0.5
        for name in names:
            out[f"{ns}:{name}"] = value
    return out


def _rule_features(enrichment: Enrichment, findings: Findings) -> list[str]:
    feats = [
        f"cat={enrichment.category.value}",
        f"score={enrichment.score}",
        f"event={findings.event}@{findings.event_where}",
        f"event={findings.event}",
    ]
    if not findings.on_topic:
        feats.append("off-topic")
    for minimum, band in _MONEY_BANDS:
        if findings.money >= minimum:
            feats.append(f"money>={band}")
            # the amount matters by what changes hands: "$2B Series C" in a headline is not "$2B"
            # in passing (a linear model cannot multiply the two itself)
            feats.append(f"money>={band}+{findings.event}@{findings.event_where}")
            break
    if findings.cap is not None:
        feats.append("low-value-form")
    if findings.digest:
        feats.append("digest")
    if findings.distributor:
        feats.append("distributor")
    if findings.leading:
        feats.append("leading-org")
    if findings.model_as_object:
        feats.append("model-as-object")
    if findings.model_headline:
        feats.append("model-headline")
    feats.extend(f"kind={kind}" for kind in sorted(findings.kinds_in_title))
    return feats


def _shape(title: str, title_words: list[str], summary_words: list[str]) -> set[str]:
    shape = set()
    letters = sum(1 for ch in title if ch.isalpha())
    if letters and len(_LATIN.findall(title)) < letters / 2:
        shape.add("non-latin")
    if not summary_words:
        shape.add("no-summary")
    if len(title_words) <= 3:
        shape.add("short-title")
    elif len(title_words) >= 14:
        shape.add("long-title")
    return shape


@lru_cache(maxsize=16384)
def describe(name: str) -> str:
    """A feature as a reader would say it ("'export controls' in the title")."""
    ns, _, value = name.partition(":")
    if ns == "t":
        return f"'{value}' in the title"
    if ns == "b":
        return f"'{value.replace('_', ' ')}' in the title"
    if ns == "s":
        return f"'{value}' in the summary"
    if ns == "f":
        return f"the source ('{value}')"
    if ns == "e":
        return f"{value} named"
    if ns == "g":
        return f"the topic {value}"
    if ns == "x":
        return {
            "no-summary": "no summary",
            "short-title": "a short title",
            "long-title": "a long title",
            "non-latin": "a title not in Latin script",
        }.get(value, value)
    if ns == "p":
        return f"'{value}…' in the title"
    if ns == "r":
        key, _, val = value.partition("=")
        if key == "event":
            return f"the rules' event: {val.replace('@', ' in the ')}"
        if key == "cat":
            return f"the rules' category ({val})"
        if key == "score":
            return f"the rules' score ({val})"
        if key == "money>":
            amount, _, event = val.partition("+")
            named = "money named" if amount == "some" else f"money of {amount}+ named"
            return f"{named} ({event.replace('@', ' in the ')})" if event else named
        if key == "kind":
            thing = val.replace("_", " ")
            return f"{'an' if thing[0] in 'aeiou' else 'a'} {thing} named in the title"
        return {
            "off-topic": "no AI subject found by the rules",
            "low-value-form": "a low-value form (tutorial, recap...)",
            "leading-org": "a leading organisation named",
        }.get(key, key.replace("-", " "))
    return name
