"""The scoring rubric: taxonomy, vocabularies and weights loaded from YAML and compiled once.

Everything a person tunes lives in ``rubric/*.yaml``; this module only turns those files into
precompiled regular expressions so that enrichment is a handful of regex passes per item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RUBRIC_DIR = Path(__file__).with_name("rubric")


def split_alternatives(pattern: str) -> list[str]:
    """The top-level ``|`` alternatives of a regex fragment."""
    parts, depth, start, i = [], 0, 0, 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def factored(alternatives: list[tuple[str, str | None]]) -> str:
    """An alternation grouped by first character (``(?P<name>...)`` around each named one).

    Python's regex engine tries every branch at every position; grouping branches under their
    first letter makes a few hundred cues cost about as much as a few dozen (5x faster here).
    """
    by_first: dict[str, list[str]] = {}
    other: list[str] = []
    for alternative, name in alternatives:
        for part in split_alternatives(alternative):
            head = part[:1]
            simple = head.isalnum() and (len(part) == 1 or part[1] not in "?*{+")
            body = part[1:] if simple else part
            wrapped = f"(?P<{name}>{body})" if name else f"(?:{body})"
            if simple:
                by_first.setdefault(head.lower(), []).append(wrapped)
            else:
                other.append(wrapped)
    branches = [f"{head}(?:{'|'.join(rest)})" for head, rest in sorted(by_first.items())]
    return "|".join(branches + other)


def _unique_names(alternatives: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Give each top-level part its own group name (regex group names must be unique)."""
    out: list[tuple[str, str]] = []
    owner: dict[str, str] = {}
    for alternative, name in alternatives:
        for n, part in enumerate(split_alternatives(alternative)):
            unique = f"{name}_{n}"
            out.append((part, unique))
            owner[unique] = name
    return out, owner


def cue_regex(cues: list[str]) -> re.Pattern[str]:
    """One case-insensitive pattern matching any cue as a whole word (or phrase)."""
    return re.compile(rf"(?<!\w)(?:{factored([(c, None) for c in cues])})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class LabelledCues:
    """Many labelled cue lists in ONE pattern: a single pass tells which labels occur.

    Identical cues shared by several labels credit all of them."""

    pattern: re.Pattern[str]
    labels: dict[str, frozenset[str]]  # group name -> labels

    @classmethod
    def build(cls, cues_by_label: dict[str, list[str]]) -> LabelledCues:
        owners: dict[str, set[str]] = {}
        for label, cues in cues_by_label.items():
            for cue in cues:
                owners.setdefault(cue, set()).add(label)
        named = [(cue, f"c{n}") for n, cue in enumerate(owners)]
        unique, owner = _unique_names(named)
        by_group = {f"c{n}": frozenset(labels) for n, labels in enumerate(owners.values())}
        pattern = re.compile(rf"(?<!\w)(?:{factored(unique)})(?!\w)", re.IGNORECASE)
        return cls(pattern, {u: by_group[g] for u, g in owner.items()})

    def labels_in(self, text: str) -> set[str]:
        found: set[str] = set()
        for match in self.pattern.finditer(text):
            found |= self.labels[match.lastgroup or ""]
        return found


@dataclass(frozen=True)
class WeightedCues:
    """Cue tiers: (weight, compiled pattern), strongest first."""

    tiers: tuple[tuple[float, re.Pattern[str]], ...]


@dataclass(frozen=True)
class EventType:
    id: str
    base: float
    pattern: re.Pattern[str]
    title_only: bool = False
    category: str | None = None
    requires_entity_kind: str | None = None
    cap: float | None = None


@dataclass(frozen=True)
class VocabularyEntry:
    name: str
    tag: str | None
    kind: str  # organisation | model | frontier_model | person
    leading: bool = False
    open: bool = False  # an open-weight model family


@dataclass(frozen=True)
class Rubric:
    """The compiled rubric (see ``rubric/*.yaml`` for the meaning of each field)."""

    version: str
    # categories
    title_weight: float
    summary_weight: float
    tie_margin: float
    tie_fraction: float
    min_evidence: float
    event_weight: float
    model_object_marker: re.Pattern[str]
    model_product_suffix: re.Pattern[str]
    model_as_object_weight: float
    open_model_weight: float
    strong_cue: float
    fallback: str
    precedence: tuple[str, ...]
    category_cues: dict[str, WeightedCues]
    source_prior_weight: float
    source_priors: tuple[tuple[re.Pattern[str], str], ...]
    feed_category_weight: float
    feed_categories: dict[str, str]
    # significance
    default_event: EventType
    off_topic_base: float
    events: tuple[EventType, ...]
    summary_only_discount: float
    money_tiers: tuple[tuple[float, float], ...]
    money_events: frozenset[str]
    money_sets_base: frozenset[str]
    factors: dict[str, Any]
    factor_patterns: dict[str, re.Pattern[str]]
    penalties: dict[str, tuple[float, re.Pattern[str]]]
    # vocabulary
    vocabulary_pattern: re.Pattern[str]
    vocabulary: dict[str, VocabularyEntry]  # group name -> entry
    topic_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    topic_index: LabelledCues
    ai_terms: re.Pattern[str]
    ai_sources: re.Pattern[str]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


def _load_yaml(name: str, directory: Path) -> dict[str, Any]:
    return yaml.safe_load((directory / name).read_text(encoding="utf-8"))


def _vocabulary(vocab: dict[str, Any]) -> tuple[re.Pattern[str], dict[str, VocabularyEntry]]:
    # One alternation with a named group per entry: a single finditer finds every mention.
    # Earlier entries win at the same position, so frontier model patterns come first.
    groups: list[tuple[str, str]] = []
    entries: dict[str, VocabularyEntry] = {}
    sections = [("models", "model"), ("organisations", "organisation"), ("people", "person")]
    for section, kind in sections:
        for n, entry in enumerate(vocab.get(section, [])):
            group = f"{section[0]}{n}"
            entry_kind = "frontier_model" if kind == "model" and entry.get("frontier") else kind
            entries[group] = VocabularyEntry(
                name=entry["name"],
                tag=entry.get("tag"),
                kind=entry_kind,
                leading=entry.get("tier") == "leading",
                open=bool(entry.get("open", False)),
            )
            groups.append((entry["match"], group))
    named, owner = _unique_names(groups)
    pattern = re.compile(rf"(?<![\w-])(?:{factored(named)})(?![\w-]|\.\d)", re.IGNORECASE)
    return pattern, {unique: entries[group] for unique, group in owner.items()}


@cache
def load_rubric(directory: Path = RUBRIC_DIR) -> Rubric:
    """Load and compile the rubric files (once per process)."""
    meta = _load_yaml("rubric.yaml", directory)
    cats = _load_yaml("categories.yaml", directory)
    sig = _load_yaml("significance.yaml", directory)
    vocab = _load_yaml("vocabulary.yaml", directory)

    category_cues = {
        cat: WeightedCues(
            tuple(sorted(((float(w), cue_regex(cues)) for w, cues in tiers.items()), key=lambda t: -t[0]))
        )
        for cat, tiers in cats["cues"].items()
    }
    caps = sig.get("caps", {})
    events = tuple(
        EventType(
            id=e["id"],
            base=float(e["base"]),
            pattern=cue_regex(e["cues"]),
            title_only=bool(e.get("title_only", False)),
            category=e.get("category"),
            requires_entity_kind=e.get("requires_entity_kind"),
            cap=caps.get(e["id"]),
        )
        for e in sig["events"]
    )
    default = sig["default_event"]
    factors = sig["factors"]
    factor_patterns = {
        name: cue_regex(spec["cues"])
        for name, spec in factors.items()
        if isinstance(spec, dict) and spec.get("cues")
    }
    penalties = {
        name: (float(spec["weight"]), cue_regex(spec["cues"])) for name, spec in sig["penalties"].items()
    }
    vocabulary_pattern, vocabulary = _vocabulary(vocab)
    topics = tuple((tag, cue_regex(cues)) for tag, cues in vocab["topics"].items())
    return Rubric(
        version=str(meta["version"]),
        title_weight=float(cats["title_weight"]),
        summary_weight=float(cats["summary_weight"]),
        tie_margin=float(cats["tie_margin"]),
        tie_fraction=float(cats.get("tie_fraction", 0.0)),
        min_evidence=float(cats["min_evidence"]),
        event_weight=float(cats.get("event_weight", 1.5)),
        # anchored at the end of the title text before a model's mention (searched with endpos)
        model_object_marker=re.compile(rf"(?:{cats['model_object_marker']})\s*$", re.IGNORECASE),
        model_product_suffix=re.compile(rf"\s*(?:{cats['model_product_suffix']})(?!\w)", re.IGNORECASE),
        model_as_object_weight=float(cats["model_as_object_weight"]),
        open_model_weight=float(cats["open_model_weight"]),
        strong_cue=float(cats["strong_cue"]),
        fallback=cats["fallback"],
        precedence=tuple(cats["precedence"]),
        category_cues=category_cues,
        source_prior_weight=float(cats["source_prior_weight"]),
        source_priors=tuple(
            (re.compile(p["pattern"], re.IGNORECASE), p["category"]) for p in cats["source_priors"]
        ),
        feed_category_weight=float(cats["feed_category_weight"]),
        feed_categories={k.lower(): v for k, v in cats["feed_categories"].items()},
        default_event=EventType(id=default["id"], base=float(default["base"]), pattern=re.compile(r"(?!x)x")),
        off_topic_base=float(sig["off_topic_base"]),
        events=events,
        summary_only_discount=float(sig["summary_only_discount"]),
        money_tiers=tuple((float(a), float(b)) for a, b in sig["money_tiers"]),
        money_events=frozenset(sig["money_events"]),
        money_sets_base=frozenset(sig.get("money_sets_base", [])),
        factors=factors,
        factor_patterns=factor_patterns,
        penalties=penalties,
        vocabulary_pattern=vocabulary_pattern,
        vocabulary=vocabulary,
        topic_patterns=topics,
        topic_index=LabelledCues.build(vocab["topics"]),
        ai_terms=cue_regex(vocab["ai_terms"]),
        ai_sources=re.compile("|".join(vocab["ai_sources"]), re.IGNORECASE),
        raw={"categories": cats, "significance": sig},
    )
