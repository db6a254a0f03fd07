"""The scoring rubric: taxonomy, vocabularies and weights loaded from YAML and compiled once.

Everything a person tunes lives in ``rubric/*.yaml``; this module only turns those files into
precompiled regular expressions so that enrichment is a handful of regex passes per item.

Most cue patterns match nothing in a given item, and Python's regex engine still walks the whole
text to find that out. Every compiled pattern therefore carries its *anchors*: word prefixes (or,
for cues that start with punctuation, literal fragments) one of which any match must start with.
:class:`Words` tokenises a text once; a pattern whose anchors are all absent is skipped, which is
exact (the regex could not have matched), not an approximation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from signals.scoring.cue_parts import MAX_PARTS, MIN_PARTS, PartIndex

RUBRIC_DIR = Path(__file__).with_name("rubric")


def _top_level(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth) of each regex metacharacter position outside escapes and
    character classes, from ``start``: the one lexer both scanners below share."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        else:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            yield i, ch, depth
        i += 1


def split_alternatives(pattern: str) -> list[str]:
    """The top-level ``|`` alternatives of a regex fragment."""
    parts, start = [], 0
    for i, ch, depth in _top_level(pattern):
        if ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _grouped(
    alternatives: list[tuple[str, str | None]],
) -> tuple[list[tuple[str, list[tuple[str, str]]]], list[tuple[str, str]]]:
    """The top-level parts of ``alternatives`` as :func:`factored` arranges them: (first letter,
    [(wrapped part without that letter, raw part)]) in letter order, then the other parts."""
    by_first: dict[str, list[tuple[str, str]]] = {}
    other: list[tuple[str, str]] = []
    for alternative, name in alternatives:
        for part in split_alternatives(alternative):
            head = part[:1]
            simple = head.isalnum() and (len(part) == 1 or part[1] not in "?*{+")
            body = part[1:] if simple else part
            wrapped = f"(?P<{name}>{body})" if name else f"(?:{body})"
            if simple:
                by_first.setdefault(head.lower(), []).append((wrapped, part))
            else:
                other.append((wrapped, part))
    return sorted(by_first.items()), other


def factored(alternatives: list[tuple[str, str | None]]) -> str:
    """An alternation grouped by first character (``(?P<name>...)`` around each named one).

    Python's regex engine tries every branch at every position; grouping branches under their
    first letter makes a few hundred cues cost about as much as a few dozen (5x faster here).
    """
    by_first, other = _grouped(alternatives)
    branches = [f"{head}(?:{'|'.join(w for w, _ in rest)})" for head, rest in by_first]
    return "|".join(branches + [w for w, _ in other])


def ordered_parts(alternatives: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """(the part as it stands in :func:`factored`'s alternation, the raw part), in the order the
    regex engine tries them."""
    by_first, other = _grouped(alternatives)
    return [(head + w, raw) for head, rest in by_first for w, raw in rest] + other


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


# ------------------------------------------------------------------ anchors (exact pre-check)

_WORD = re.compile(r"\w+")
# Characters that re.IGNORECASE matches to an ASCII letter although str.lower() does not turn
# them into that letter (dotted/dotless i, long s, Kelvin sign): texts holding one skip the check.
_CASE_ODDITIES = ("\u0130", "\u0131", "\u017f", "\u212a")
_PREFIX_MAX = 7  # prefix anchors are cut to this: a shorter prefix is a weaker, still exact, check
_SPECIAL = ".^$*+?{}[]()|\\"
_GROUP_OPENERS = ("(?:", "(?-i:", "(?i:")


@dataclass(frozen=True, slots=True)
class Words:
    """One text as the anchor check sees it, and the cue patterns that may match it (``live``)."""

    text: str
    lower: str
    tokens: frozenset[str]
    prefixes: frozenset[str]
    live: frozenset[Cues]
    anchored: bool = True  # False: the anchor check was skipped (every pattern is live)


def _group_end(pattern: str, start: int) -> int:
    """Index of the ``)`` closing the group opened at ``start`` (-1 if unbalanced)."""
    for i, ch, depth in _top_level(pattern, start):
        if ch == ")" and depth == 0:
            return i
    return -1


def _skip_quantifier(pattern: str, i: int) -> tuple[bool, int]:
    """Whether a quantifier at ``i`` allows zero repeats, and where the pattern continues after it."""
    if i >= len(pattern) or pattern[i] not in "?*+{":
        return False, i
    ch = pattern[i]
    if ch == "{":
        end = pattern.find("}", i)
        if end < 0:
            return False, i
        optional, i = pattern[i + 1 : end].split(",")[0].strip() in ("", "0"), end + 1
    else:
        optional, i = ch in "?*", i + 1
    if i < len(pattern) and pattern[i] in "?+":  # lazy or possessive
        i += 1
    return optional, i


@dataclass
class _Anchors:
    exact: set[str]  # a word the text must contain
    prefixes: set[str]  # ...or a word starting with one of these
    fragments: set[str]  # ...or this lower-case substring
    probes: set[str] = field(default_factory=set)  # ...or a character of this class (regex source)

    def __ior__(self, other: _Anchors) -> _Anchors:
        self.exact |= other.exact
        self.prefixes |= other.prefixes
        self.fragments |= other.fragments
        self.probes |= other.probes
        return self


def _class_end(pattern: str) -> int:
    """Index of the ``]`` closing the character class ``pattern`` starts with (-1 if none)."""
    i = 1 + (pattern[1:2] == "^")
    i += pattern[i : i + 1] == "]"  # a leading "]" is a literal
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    return -1


def _anchors(part: str, start_boundary: bool = True, end_boundary: bool = True) -> _Anchors | None:
    """What any match of one alternative must contain, or None if it could match anything.

    ``start_boundary``/``end_boundary``: the pattern puts a word boundary before/after ``part``
    (cue patterns are wrapped in ``(?<!\\w)...(?!\\w)``)."""
    for opener in _GROUP_OPENERS:
        if part.startswith(opener):
            end = _group_end(part, 0)
            if end < 0:
                return None
            optional, rest = _skip_quantifier(part, end + 1)
            if optional and rest < len(part):
                # what follows an optional group is in every match (maybe glued to the group)
                after = _anchors(part[rest:], start_boundary=False, end_boundary=end_boundary)
                if after is not None:
                    return after
            found = _Anchors(set(), set(), set())
            for inner in split_alternatives(part[len(opener) : end]):
                inner_found = _anchors(inner, start_boundary, end_boundary=False)
                if inner_found is None:
                    return None
                found |= inner_found
            if optional:  # the match may also start with what follows the group
                after = _anchors(part[rest:], start_boundary, end_boundary) if rest < len(part) else None
                if after is None:
                    return None
                found |= after
            return found
    if part.startswith("[") and not part.startswith("[^"):
        end = _class_end(part)
        if end > 0 and not _skip_quantifier(part, end + 1)[0]:
            return _Anchors(set(), set(), set(), {part[: end + 1]})
        return None
    # the literal run every match of this alternative starts with
    literal: list[str] = []
    i, whole = 0, True
    while i < len(part):
        ch, step = part[i], 1
        if ch == "\\":
            if i + 1 >= len(part) or part[i + 1].isalnum():  # \w, \d, \b...: not a literal
                whole = False
                break
            ch, step = part[i + 1], 2
        elif ch in _SPECIAL:
            whole = False
            break
        optional, after = _skip_quantifier(part, i + step)
        if optional or not ch.isascii():
            whole = False
            break
        literal.append(ch.lower())
        i += step
        if after > i:  # "x+": at least one x, then more
            whole = False
            break
    run = "".join(literal)
    # candidates, best first: a whole word, a word's start, a substring (ranked by how rare)
    candidates: list[tuple[int, _Anchors]] = []
    if run:  # a substring costs a scan per text: only when no word of 3+ letters is sure
        candidates.append((min(len(run), 5), _Anchors(set(), set(), {run})))
    for m in _WORD.finditer(run):
        word = m.group()
        if m.start() == 0 and not start_boundary:
            continue  # maybe glued to what precedes: only the substring is sure
        if m.end() < len(run) or (whole and end_boundary):
            candidates.append((len(word) + 3, _Anchors({word}, set(), set())))
        else:
            candidates.append((min(len(word), _PREFIX_MAX) + 1, _Anchors(set(), {word[:_PREFIX_MAX]}, set())))
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[0])[1]


@dataclass(frozen=True, slots=True, eq=False)
class Cues:
    """A compiled cue pattern and its anchors; ``search``/``findall``/``finditer`` skip texts it
    cannot match and, through ``parts`` (see ``cue_parts``), run only the cues a text may match."""

    pattern: re.Pattern[str]
    exact: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    fragments: tuple[str, ...] = ()
    probes: tuple[str, ...] = ()
    always: bool = True  # some cue has no anchor: always run the pattern
    parts: PartIndex | None = None

    @classmethod
    def build(cls, alternatives: list[tuple[str, str | None]], head: str, tail: str) -> Cues:
        """The case-insensitive pattern ``head + factored(alternatives) + tail`` (``head`` opens a
        group ``tail`` closes), with its anchors and each part's own."""
        pattern = re.compile(f"{head}{factored(alternatives)}{tail}", re.IGNORECASE)
        ordered = ordered_parts(alternatives)
        anchors = [_anchors(raw) for _, raw in ordered]
        parts = (
            PartIndex(
                [wrapped for wrapped, _ in ordered],
                [None if a is None else (a.exact, a.prefixes, a.fragments, a.probes) for a in anchors],
                head,
                tail,
                re.IGNORECASE,
            )
            if len(ordered) >= MIN_PARTS
            else None
        )
        if any(a is None for a in anchors):
            return cls(pattern, parts=parts)
        found = _Anchors(set(), set(), set())
        for a in anchors:
            found |= a
        return cls(
            pattern,
            frozenset(found.exact),
            frozenset(found.prefixes),
            tuple(sorted(found.fragments)),
            tuple(sorted(found.probes)),
            always=False,
            parts=parts,
        )

    def possible(self, words: Words) -> bool:
        """False only when the pattern cannot match the text ``words`` was made of."""
        return self in words.live

    def _live_parts(self, words: Words) -> list[int] | None:
        """The parts that may match (None: run the whole pattern)."""
        if self.parts is None or not words.anchored:
            return None
        ids = self.parts.live(words)
        return ids if len(ids) <= MAX_PARTS else None

    def search(self, text: str, words: Words) -> bool:
        if self not in words.live:
            return False
        ids = self._live_parts(words)
        if ids is not None and self.parts is not None:
            return self.parts.search(text, ids)
        return self.pattern.search(text) is not None

    def finditer(self, text: str, words: Words) -> list[re.Match[str]]:
        """``pattern.finditer(text)``, as a list."""
        if self not in words.live:
            return []
        ids = self._live_parts(words)
        if ids is not None and self.parts is not None:
            found = self.parts.matches(text, ids)
            if found is not None:
                return found
        return list(self.pattern.finditer(text))

    def findall(self, text: str, words: Words) -> list[Any]:
        if self not in words.live:
            return []
        if not self.pattern.groups:  # findall gives whole matches only when there are no groups
            return [m.group() for m in self.finditer(text, words)]
        return self.pattern.findall(text)


class CueIndex:
    """Every cue pattern of the rubric by anchor: one look-up per text finds the live ones."""

    def __init__(self, all_cues: list[Cues]):
        self.all = frozenset(all_cues)
        self.always = frozenset(c for c in all_cues if c.always)
        self.exact: dict[str, set[Cues]] = {}
        self.prefixes: dict[str, set[Cues]] = {}
        fragments: dict[str, set[Cues]] = {}
        probes: dict[str, set[Cues]] = {}
        for cues in all_cues:
            for word in cues.exact:
                self.exact.setdefault(word, set()).add(cues)
            for prefix in cues.prefixes:
                self.prefixes.setdefault(prefix, set()).add(cues)
            for fragment in cues.fragments:
                fragments.setdefault(fragment, set()).add(cues)
            for probe in cues.probes:
                probes.setdefault(probe, set()).add(cues)
        self.exact_keys = frozenset(self.exact)
        self.prefix_keys = frozenset(self.prefixes)
        # the prefixes each part of a pattern needs (``Cues.parts``) are computed here too
        sizes = {len(p) for p in self.prefixes}
        for cues in all_cues:
            if cues.parts is not None:
                sizes |= cues.parts.prefix_sizes
        self.prefix_sizes = tuple(sorted(sizes))
        self.fragments = tuple(fragments.items())
        self.probes = tuple((re.compile(p, re.IGNORECASE), frozenset(c)) for p, c in probes.items())

    def words(self, text: str) -> Words:
        """``text`` tokenised once, with the cue patterns that may match it."""
        lower = text.lower()
        if any(ch in text for ch in _CASE_ODDITIES):
            return Words(text, lower, frozenset(), frozenset(), self.all, anchored=False)
        tokens = frozenset(_WORD.findall(lower))
        sizes = self.prefix_sizes
        prefixes = frozenset({token[:n] for token in tokens for n in sizes})
        live = set(self.always)
        for word in tokens & self.exact_keys:
            live |= self.exact[word]
        for prefix in prefixes & self.prefix_keys:
            live |= self.prefixes[prefix]
        return Words(text, lower, tokens, prefixes, self._scan(text, lower, live))

    def join(self, first: Words, second: Words) -> Words:
        """The words of title and summary joined by a line break (as the analyst joins them)."""
        text, lower = f"{first.text}\n{second.text}", f"{first.lower}\n{second.lower}"
        if not (first.anchored and second.anchored):
            return Words(text, lower, frozenset(), frozenset(), self.all, anchored=False)
        live = set(first.live | second.live)
        return Words(
            text,
            lower,
            first.tokens | second.tokens,
            first.prefixes | second.prefixes,
            self._scan(text, lower, live),
        )

    def _scan(self, text: str, lower: str, live: set[Cues]) -> frozenset[Cues]:
        for fragment, cues in self.fragments:
            if fragment in lower:
                live |= cues
        for probe, cues in self.probes:
            if not cues <= live and probe.search(text):
                live |= cues
        return frozenset(live)


def cue_regex(cues: list[str]) -> re.Pattern[str]:
    """One case-insensitive pattern matching any cue as a whole word (or phrase)."""
    return re.compile(rf"(?<!\w)(?:{factored([(c, None) for c in cues])})(?!\w)", re.IGNORECASE)


def cue_set(cues: list[str]) -> Cues:
    """:func:`cue_regex` with its anchors."""
    return Cues.build([(c, None) for c in cues], r"(?<!\w)(?:", r")(?!\w)")


@dataclass(frozen=True)
class LabelledCues:
    """Many labelled cue lists in ONE pattern: a single pass tells which labels occur.

    Identical cues shared by several labels credit all of them."""

    cues: Cues
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
        cues = Cues.build(list(unique), r"(?<!\w)(?:", r")(?!\w)")
        return cls(cues, {u: by_group[g] for u, g in owner.items()})

    def labels_in(self, text: str, words: Words) -> set[str]:
        found: set[str] = set()
        if not self.cues.possible(words):
            return found
        for match in self.cues.finditer(text, words):
            found |= self.labels[match.lastgroup or ""]
        return found


@dataclass(frozen=True)
class WeightedCues:
    """Cue tiers: (weight, compiled pattern), strongest first."""

    tiers: tuple[tuple[float, Cues], ...]


@dataclass(frozen=True)
class EventType:
    id: str
    base: float
    cues: Cues
    title_only: bool = False
    category: str | None = None
    requires_entity_kind: str | None = None
    cap: float | None = None
    supersedes: tuple[str, ...] = ()  # event ids this one replaces when both match (a response to a proposal)


@dataclass(frozen=True)
class VocabularyEntry:
    name: str
    tag: str | None
    kind: str  # organisation | model | frontier_model | person
    leading: bool = False
    open: bool = False  # an open-weight model family
    maker: str | None = None  # a model's maker, as that organisation's tag (a mention tags both)


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
    model_availability: re.Pattern[str]
    model_release_verb: re.Pattern[str]
    model_as_object_weight: float
    use_events: frozenset[str]  # one organisation's use of AI (a customer story): filed under ...
    use_subject: str  # ...this category when the headline speaks for it
    government_events: frozenset[str]  # events filed under safety-policy when ...
    government_counterpart: re.Pattern[str]  # ...the headline names a government as the counterpart
    model_headline: re.Pattern[str]  # matched right after a model's mention at the headline's start
    model_headline_prefix: re.Pattern[str]  # what may precede that mention (the whole of it)
    model_name_headline: re.Pattern[str]  # a whole headline that is only a name ("Claude 3.5 Sonnet")
    model_distributors: re.Pattern[str]  # sources whose name-only model headlines are availability
    open_weights: re.Pattern[str]
    release_statement: re.Pattern[str]  # "we're releasing <an artefact>": the open-source event
    release_statement_weight: float
    open_model_weight: float
    strong_cue: float
    fallback: str
    precedence: tuple[str, ...]
    category_cues: dict[str, WeightedCues]
    source_prior_weight: float
    source_priors: tuple[tuple[re.Pattern[str], str], ...]
    feed_category_weight: float
    feed_categories: dict[str, str]
    research_category: str
    research_lens: dict[str, float]  # source prior category -> share of the research evidence it gets
    # category whose strong cue is in the headline -> share of the research evidence it gets
    subject_lens: dict[str, float]
    # significance
    default_event: EventType
    off_topic_base: float
    events: tuple[EventType, ...]
    summary_only_discount: float
    money_tiers: tuple[tuple[float, float], ...]
    money_events: frozenset[str]
    money_sets_base: frozenset[str]
    compute_scale: re.Pattern[str]
    compute_scale_money: float
    factors: dict[str, Any]
    factor_patterns: dict[str, Cues]
    penalties: dict[str, tuple[float, Cues]]
    # vocabulary
    vocabulary_pattern: Cues
    vocabulary: dict[str, VocabularyEntry]  # group name -> entry
    topic_patterns: tuple[tuple[str, Cues], ...]
    topic_index: LabelledCues
    controlled_tags: frozenset[str]  # every tag a signal may carry (topics, organisations, models)
    tag_aliases: dict[str, str]  # a feed's category -> the controlled tag it means
    ai_terms: Cues
    ai_sources: re.Pattern[str]
    cue_index: CueIndex  # every Cues above, by anchor
    # an event whose base is below ``major_base`` cannot score above ``minor_ceiling`` (SCORING.md:
    # 7+ is for major events; factors alone do not make a minor event major)
    major_base: float = 0.0
    minor_ceiling: float = 10.0
    # low-value forms that win over an event when both are named only in the summary
    summary_forms: frozenset[str] = frozenset()
    # a headline listing several stories (a newsletter digest): its event, and how it is recognised
    digest_event: EventType | None = None
    # ...and the event of one whose stories are unmarked headlines (a magazine-style recap of news
    # already out, often under an editor's letter); the marked kind's event when not configured
    digest_recap_event: EventType | None = None
    # ...filed under this category when its lead headline speaks for no category (a recap of mixed
    # stories under an essay on the field: SCORING.md's society), else under the lead's
    recap_fallback: str | None = None
    digest_min_items: int = 3
    digest_min_words: int = 2
    digest_marker: re.Pattern[str] = re.compile(r"(?!x)x")
    digest_enumeration: re.Pattern[str] = re.compile(r"(?!x)x")


def _load_yaml(name: str, directory: Path) -> dict[str, Any]:
    return yaml.safe_load((directory / name).read_text(encoding="utf-8"))


def _vocabulary(vocab: dict[str, Any]) -> tuple[Cues, dict[str, VocabularyEntry]]:
    # One alternation with a named group per entry: a single finditer finds every mention.
    # Earlier entries win at the same position, so frontier model patterns come first.
    groups: list[tuple[str, str]] = []
    entries: dict[str, VocabularyEntry] = {}
    sections = [("models", "model"), ("organisations", "organisation"), ("people", "person")]
    org_tags = {entry.get("tag") for entry in vocab.get("organisations", [])}
    for entry in vocab.get("models", []):
        if entry.get("maker") and entry["maker"] not in org_tags:
            raise ValueError(
                f"vocabulary: model {entry['name']!r} has maker {entry['maker']!r}, not an organisation tag"
            )
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
                maker=entry.get("maker"),
            )
            groups.append((entry["match"], group))
    named, owner = _unique_names(groups)
    pattern = Cues.build(list(named), r"(?<![\w-])(?:", r")(?![\w-]|\.\d)")
    return pattern, {unique: entries[group] for unique, group in owner.items()}


def _assigned_event(spec: dict[str, Any] | None, caps: dict[str, float]) -> EventType | None:
    """An event type the analyst assigns itself (no cues of its own): a digest's, a recap's."""
    if not spec:
        return None
    never = Cues(re.compile(r"(?!x)x"), always=False)
    return EventType(id=spec["id"], base=float(spec["base"]), cues=never, cap=caps.get(spec["id"]))


@cache
def load_rubric(directory: Path = RUBRIC_DIR) -> Rubric:
    """Load and compile the rubric files (once per process)."""
    meta = _load_yaml("rubric.yaml", directory)
    cats = _load_yaml("categories.yaml", directory)
    sig = _load_yaml("significance.yaml", directory)
    vocab = _load_yaml("vocabulary.yaml", directory)

    category_cues = {
        cat: WeightedCues(
            tuple(sorted(((float(w), cue_set(cues)) for w, cues in tiers.items()), key=lambda t: -t[0]))
        )
        for cat, tiers in cats["cues"].items()
    }
    caps = sig.get("caps", {})
    events = tuple(
        EventType(
            id=e["id"],
            base=float(e["base"]),
            cues=cue_set(e["cues"]),
            title_only=bool(e.get("title_only", False)),
            category=e.get("category"),
            requires_entity_kind=e.get("requires_entity_kind"),
            cap=caps.get(e["id"]),
            supersedes=tuple(e.get("supersedes", ())),
        )
        for e in sig["events"]
    )
    default = sig["default_event"]
    digest = sig.get("digest", {})
    factors = sig["factors"]
    factor_patterns = {
        name: cue_set(spec["cues"])
        for name, spec in factors.items()
        if isinstance(spec, dict) and spec.get("cues")
    }
    penalties = {
        name: (float(spec["weight"]), cue_set(spec["cues"])) for name, spec in sig["penalties"].items()
    }
    vocabulary_pattern, vocabulary = _vocabulary(vocab)
    topics = tuple((tag, cue_set(cues)) for tag, cues in vocab["topics"].items())
    rubric = Rubric(
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
        model_availability=re.compile(rf"(?<!\w)(?:{cats['model_availability']})(?!\w)", re.IGNORECASE),
        model_release_verb=re.compile(rf"(?<!\w)(?:{cats['model_release_verb']})(?!\w)", re.IGNORECASE),
        model_as_object_weight=float(cats["model_as_object_weight"]),
        use_events=frozenset(cats.get("use_stories", {}).get("events", [])),
        use_subject=cats.get("use_stories", {}).get("subject", "society"),
        government_events=frozenset(cats.get("government_counterpart", {}).get("events", [])),
        government_counterpart=re.compile(
            rf"(?<!\w)(?:{cats['government_counterpart']['cues']})(?!\w)"
            if "government_counterpart" in cats
            else r"(?!x)x",
            re.IGNORECASE,
        ),
        model_headline=re.compile(cats.get("model_headline", r"(?!x)x")),
        model_headline_prefix=re.compile(cats.get("model_headline_prefix", r"(?!x)x")),
        model_name_headline=re.compile(cats.get("model_name_headline", r"(?!x)x")),
        model_distributors=re.compile(cats.get("model_distributors", r"(?!x)x"), re.IGNORECASE),
        open_weights=re.compile(rf"(?<!\w)(?:{cats['open_weights']})(?!\w)", re.IGNORECASE),
        open_model_weight=float(cats["open_model_weight"]),
        release_statement=re.compile(rf"(?<!\w)(?:{cats.get('release_statement', '(?!x)x')})", re.IGNORECASE),
        release_statement_weight=float(cats.get("release_statement_weight", 0.0)),
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
        research_category=cats.get("research_lens", {}).get("research", "models-research"),
        research_lens={
            cat: float(share) for cat, share in cats.get("research_lens", {}).get("sources", {}).items()
        },
        subject_lens={
            cat: float(share) for cat, share in cats.get("research_lens", {}).get("subjects", {}).items()
        },
        default_event=EventType(
            id=default["id"], base=float(default["base"]), cues=Cues(re.compile(r"(?!x)x"), always=False)
        ),
        off_topic_base=float(sig["off_topic_base"]),
        events=events,
        summary_only_discount=float(sig["summary_only_discount"]),
        major_base=float(sig.get("major_base", 0.0)),
        minor_ceiling=float(sig.get("minor_ceiling", 10.0)),
        summary_forms=frozenset(sig.get("summary_forms", [])),
        digest_event=_assigned_event(digest.get("event"), caps),
        digest_recap_event=_assigned_event(digest.get("recap_event"), caps),
        recap_fallback=digest.get("recap_category"),
        digest_min_items=int(digest.get("min_items", 3)),
        digest_min_words=int(digest.get("min_words", 2)),
        digest_marker=re.compile(digest.get("item_marker", r"(?!x)x")),
        digest_enumeration=re.compile(digest.get("enumeration", r"(?!x)x"), re.IGNORECASE),
        money_tiers=tuple((float(a), float(b)) for a, b in sig["money_tiers"]),
        money_events=frozenset(sig["money_events"]),
        money_sets_base=frozenset(sig.get("money_sets_base", [])),
        compute_scale=re.compile(
            rf"(?<!\w)(?:{sig['compute_scale']['cues']})(?!\w)" if "compute_scale" in sig else r"(?!x)x",
            re.IGNORECASE,
        ),
        compute_scale_money=float(sig.get("compute_scale", {}).get("money", 0.0)),
        factors=factors,
        factor_patterns=factor_patterns,
        penalties=penalties,
        vocabulary_pattern=vocabulary_pattern,
        vocabulary=vocabulary,
        topic_patterns=topics,
        topic_index=LabelledCues.build(vocab["topics"]),
        controlled_tags=frozenset(vocab["topics"])
        | frozenset(entry.tag for entry in vocabulary.values() if entry.tag)
        | frozenset(entry.maker for entry in vocabulary.values() if entry.maker),
        tag_aliases={str(k): str(v) for k, v in (vocab.get("tag_aliases") or {}).items()},
        ai_terms=cue_set(vocab["ai_terms"]),
        ai_sources=re.compile("|".join(vocab["ai_sources"]), re.IGNORECASE),
        cue_index=CueIndex([]),
    )
    object.__setattr__(rubric, "cue_index", CueIndex(_all_cues(rubric)))  # frozen: set once, here
    return rubric


def _all_cues(rubric: Rubric) -> list[Cues]:
    found: list[Cues] = [rubric.vocabulary_pattern, rubric.ai_terms, rubric.topic_index.cues]
    found += [cues for weighted in rubric.category_cues.values() for _, cues in weighted.tiers]
    found += [event.cues for event in (rubric.default_event, *rubric.events)]
    found += list(rubric.factor_patterns.values())
    found += [cues for _, cues in rubric.penalties.values()]
    found += [cues for _, cues in rubric.topic_patterns]
    return found
