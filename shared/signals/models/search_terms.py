"""Search terms: the one definition of what ``q=`` matches, used by the writer and the reader.

The scorer writes a term posting per term of a signal (``storage/signal_records.posting_pks``);
the API turns ``q`` into terms with the same functions, so the two cannot disagree. A term is a
word folded for case and accents (``Über`` -> ``uber``), stop words dropped, and stemmed by a few
suffix rules (``releases``, ``released``, ``releasing`` -> ``releas``). Words are runs of letters
and digits; a single letter is not a term, a single digit is (``GPT-5`` -> ``gpt``, ``5``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from signals.models import Signal

STOP_WORDS = frozenset(
    """a about after against all also an and any are as at be been before being but by can could did
    do does for from had has have he her his how i if in into is it its just more most my new no
    not of on or our out over says she so than that the their them then there these they this those
    to up us was we were what when where which while who why will with would you your""".split()  # noqa: SIM905
)

_WORD = re.compile(r"[^\W_]+")
_VOWEL = re.compile(r"[aeiouy]")


def fold(text: str) -> str:
    """Lower case without accents: ``Ünïcode Straße`` -> ``unicode strasse``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """A few suffix rules (plural, -ed, -ing, final e): enough that forms of a word meet."""
    if len(word) > 4 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("us", "ss", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and _VOWEL.search(base):
            word = base[:-1] if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "sz" else base
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """The folded words of a text, in order (stop words and single letters included)."""
    return _WORD.findall(fold(text))


def terms(text: str) -> list[str]:
    """The search terms of a text, in order, each once: folded, stop words dropped, stemmed."""
    kept = (w for w in words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit()))
    return list(dict.fromkeys(stem(w) for w in kept))


def document_terms(fields: Iterable[str], limit: int) -> tuple[str, ...]:
    """The terms a document is found by: ``fields`` in priority order (title first), at most ``limit``."""
    found: dict[str, None] = {}
    for field in fields:
        for term in terms(field):
            found.setdefault(term)
            if len(found) >= limit:
                return tuple(found)
    return tuple(found)


def signal_terms(signal: Signal) -> tuple[str, ...]:
    """The terms a signal is found by (and has postings for): its title, entities, tags, then
    summary, at most ``search_terms_per_item_max``."""
    from signals.config import get_settings

    fields = [signal.title, *signal.entities, *signal.tags, signal.summary]
    return document_terms(fields, get_settings().search_terms_per_item_max)
