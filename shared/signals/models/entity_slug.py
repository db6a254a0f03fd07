"""One slug per entity: ``entity_slug("Open AI") == entity_slug("OpenAI") == "openai"``.

The same function names an entity where it is written (the scorer's entity postings, the entity
counters) and where it is read (``entity=``, ``/entities/<slug>``, webhook filters), so the two
cannot disagree. Rules, in order:

1. Unicode folded (NFKD, accents dropped: "Mistral AÍ" -> "mistral ai"), lower case.
2. The vocabulary's organisations and models (``scoring/rubric/vocabulary.yaml``) are aliases:
   an entity whose letters and digits, spaces and punctuation removed, equal a vocabulary name's
   or tag's becomes that tag ("Open AI", "OpenAI", "openai" -> ``openai``; "Mistral AI" ->
   ``mistral``; "Google DeepMind" -> ``google-deepmind``).
3. Any other name: runs of other characters become one hyphen ("EU AI Act" -> ``eu-ai-act``).

A slug is at most ``entity_slug_max_chars`` (config) characters; text that leaves nothing is ``""`` (not an
entity: the API answers 400).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from signals.config import get_settings

VOCABULARY = Path(__file__).resolve().parents[1] / "scoring" / "rubric" / "vocabulary.yaml"
_RUN = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _compact(text: str) -> str:
    return _RUN.sub("", _fold(text))


@cache
def _vocabulary() -> tuple[dict[str, str], dict[str, str]]:
    """(compact form of each vocabulary name and tag -> its tag, tag -> the first name it has)."""
    import yaml

    vocabulary = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    names: dict[str, str] = {}
    for section in ("organisations", "models"):
        for entry in vocabulary.get(section) or []:
            tag = entry.get("tag")
            if tag:
                table.setdefault(_compact(entry["name"]), tag)
                table.setdefault(_compact(tag), tag)
                names.setdefault(tag, entry["name"])
    return table, names


def aliases() -> dict[str, str]:
    """Compact form (letters and digits) of each vocabulary name and tag -> its tag."""
    return _vocabulary()[0]


def known_name(slug: str) -> str | None:
    """The vocabulary's name of an entity slug (``google-deepmind`` -> "Google DeepMind"), or None."""
    return _vocabulary()[1].get(slug)


def entity_slug(name: str) -> str:
    """The slug of an entity name (see the module's rules); ``""`` when nothing is left."""
    compact = _compact(name)
    if not compact:
        return ""
    known = aliases().get(compact)
    if known:
        return known
    return _RUN.sub("-", _fold(name)).strip("-")[: get_settings().entity_slug_max_chars].strip("-")


def entity_slugs(names: list[str]) -> list[str]:
    """The distinct slugs of a signal's entities, in their order, the first ``entities_per_signal_max``
    (what the entity postings, counters and filters of a signal use)."""
    slugs = dict.fromkeys(s for s in map(entity_slug, names) if s)
    return list(slugs)[: get_settings().entities_per_signal_max]
