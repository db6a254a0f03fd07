"""Impact summaries over the whole bundled demo corpus (``demo/corpus.yaml``, every feed parsed and
normalised as ingest does, every item enriched by the rule analyst, whose summary every analyst
keeps): none repeats its title, none is cut mid-phrase, none starts with or carries a wire dateline.

Counts, not timings. Print the figures with
``PYTHONPATH=shared python tests/unit/scoring/test_impact_summary_corpus.py``.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

import yaml
from signals.scoring.analyst import RuleAnalyst

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "demo" / "corpus.yaml"
_NORM = re.compile(r"[^0-9a-z]+")
_WIRE = re.compile(r"\((?:GLOBE NEWSWIRE|BUSINESS WIRE|PR ?Newswire|Reuters)\)|/PR ?Newswire/", re.IGNORECASE)
_CUT_END = re.compile(r"(?:…|\.\.\.|[,;:–—-])\s*$")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")


def norm(text: str) -> str:
    return _NORM.sub(" ", text.lower()).strip()


@cache
def corpus_items() -> tuple:
    from signals.cli.score import items_from

    sources = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["sources"]
    items = []
    for source in sources:
        items.extend(items_from(str(CORPUS.parent / "feeds" / source["path"])))
    return tuple(items)


def cut_mid_phrase(summary: str, text: str) -> bool:
    """Ends in an ellipsis or a comma, or stops before the text's end without ending a sentence."""
    if not summary:
        return False
    if _CUT_END.search(summary):
        return True
    return not norm(text).endswith(norm(summary)) and not _SENTENCE_END.search(summary)


def counts() -> dict[str, int]:
    analyst = RuleAnalyst()
    figures = {"items": 0, "equal_to_title": 0, "cut_mid_phrase": 0, "wire_dateline": 0, "empty": 0}
    for item in corpus_items():
        summary = analyst.enrich(item).summary
        figures["items"] += 1
        figures["empty"] += not summary
        figures["equal_to_title"] += bool(summary) and norm(summary) == norm(item.title)
        figures["cut_mid_phrase"] += cut_mid_phrase(summary, item.summary)
        figures["wire_dateline"] += bool(_WIRE.search(summary))
    return figures


def test_no_summary_repeats_its_title_stops_mid_phrase_or_carries_a_dateline():
    # Given every item of the bundled demo feeds, When the analyst summarises each
    figures = counts()
    # Then (the corpus is the real one: thousands of items, some with a wire dateline)
    assert figures["items"] > 2000
    assert any(_WIRE.search(item.summary) for item in corpus_items())
    assert figures["equal_to_title"] == 0, figures
    assert figures["cut_mid_phrase"] == 0, figures
    assert figures["wire_dateline"] == 0, figures


def test_the_counting_rules_catch_what_they_claim_to():
    assert cut_mid_phrase("using complex, real-world datasets,…", "using complex, real-world datasets, and")
    assert cut_mid_phrase("It reasons over long", "It reasons over long documents.")
    assert not cut_mid_phrase("It reasons.", "It reasons. It writes.")
    assert not cut_mid_phrase("A family of open models", "A family of open models")


if __name__ == "__main__":
    sys.exit(print(counts()))
