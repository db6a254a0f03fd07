"""One cue alternation run part by part: only the parts whose anchors the text holds, each alone.

A rubric pattern is one alternation of hundreds of cues (``rubric.factored``). Python's regex
engine tries every branch at every word start, so a text pays for every cue although it can match
at most a handful: the anchor check (see ``rubric``) then only tells that *some* cue may match.
:class:`PartIndex` keeps each top-level part's own anchors and its own compiled pattern (wrapped
like the whole), finds the parts a text can match from the same tokenisation (``rubric.Words``),
and merges their matches the way the whole alternation would have found them:

- scanning left to right, the next match is the one starting first; at one position the part that
  comes first in the alternation wins (the engine tries branches in order);
- the scan resumes at that match's end (matches never overlap).

A part whose anchors are absent cannot match anywhere in the text, so leaving it out changes no
match: the result is the whole pattern's ``finditer``, match for match (same spans, same
``lastgroup``), not an approximation. A part that matches the empty string makes the merge give up
and run the whole pattern.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

# more live parts than this and the whole alternation is cheaper than the merge
MAX_PARTS = 12
# a pattern of fewer parts runs whole: the look-ups cost more than they save (measured on the
# demo corpus: 32-40 is the best threshold)
MIN_PARTS = 32


class WordsLike(Protocol):
    text: str
    lower: str
    tokens: frozenset[str]
    prefixes: frozenset[str]


class PartIndex:
    """The parts of one alternation (in the alternation's order) by anchor.

    ``parts``: (source of the part as it stands in the alternation, including its group);
    ``anchors``: per part, (exact words, word prefixes, lower-case fragments, character classes)
    or None when the part could match anything (always live)."""

    __slots__ = (
        "_compiled",
        "always",
        "exact",
        "exact_keys",
        "flags",
        "fragments",
        "head",
        "prefix_keys",
        "prefix_sizes",
        "prefixes",
        "probes",
        "sources",
        "tail",
    )

    def __init__(
        self,
        parts: Sequence[str],
        anchors: Sequence[tuple[set[str], set[str], set[str], set[str]] | None],
        head: str,
        tail: str,
        flags: int,
    ):
        self.sources = tuple(parts)
        self.head, self.tail, self.flags = head, tail, flags
        self._compiled: list[re.Pattern[str] | None] = [None] * len(parts)
        always: list[int] = []
        exact: dict[str, set[int]] = {}
        prefixes: dict[str, set[int]] = {}
        fragments: dict[str, set[int]] = {}
        probes: dict[str, set[int]] = {}
        for i, found in enumerate(anchors):
            if found is None:
                always.append(i)
                continue
            for table, keys in zip((exact, prefixes, fragments, probes), found, strict=True):
                for key in keys:
                    table.setdefault(key, set()).add(i)
        self.always = frozenset(always)
        self.exact = {k: frozenset(v) for k, v in exact.items()}
        self.prefixes = {k: frozenset(v) for k, v in prefixes.items()}
        self.exact_keys, self.prefix_keys = frozenset(exact), frozenset(prefixes)
        self.prefix_sizes = frozenset(len(p) for p in prefixes)
        self.fragments = tuple((k, frozenset(v)) for k, v in fragments.items())
        self.probes = tuple((re.compile(k, flags), frozenset(v)) for k, v in probes.items())

    def live(self, words: WordsLike) -> list[int]:
        """The parts that may match ``words.text``, in the alternation's order (``words.prefixes``
        must hold every length in ``prefix_sizes``)."""
        live = set(self.always)
        exact, prefixes = self.exact, self.prefixes
        for word in words.tokens & self.exact_keys:
            live |= exact[word]
        for prefix in words.prefixes & self.prefix_keys:
            live |= prefixes[prefix]
        for fragment, ids in self.fragments:
            if fragment in words.lower:
                live |= ids
        for probe, ids in self.probes:
            if not ids <= live and probe.search(words.text):
                live |= ids
        return sorted(live)

    def pattern(self, i: int) -> re.Pattern[str]:
        compiled = self._compiled[i]
        if compiled is None:
            compiled = self._compiled[i] = re.compile(f"{self.head}{self.sources[i]}{self.tail}", self.flags)
        return compiled

    def matches(self, text: str, ids: list[int]) -> list[re.Match[str]] | None:
        """The whole alternation's ``finditer`` over ``text`` from the parts ``ids`` alone (None:
        a part matched the empty string, run the whole pattern instead)."""
        if len(ids) == 1:
            return list(self.pattern(ids[0]).finditer(text))
        pending: dict[int, re.Match[str]] = {}
        for i in ids:
            m = self.pattern(i).search(text)
            if m is not None:
                pending[i] = m
        out: list[re.Match[str]] = []
        while pending:
            first = min(pending, key=lambda i: (pending[i].start(), i))
            m = pending[first]
            end = m.end()
            if end == m.start():
                return None
            out.append(m)
            for i in [i for i, other in pending.items() if other.start() < end]:
                again = self.pattern(i).search(text, end)
                if again is None:
                    del pending[i]
                else:
                    pending[i] = again
        return out

    def search(self, text: str, ids: list[int]) -> bool:
        return any(self.pattern(i).search(text) is not None for i in ids)
