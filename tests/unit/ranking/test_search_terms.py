"""Search terms: folding, stop words, stemming, the per-item bound (models/search_terms.py)."""

from __future__ import annotations

import pytest
from fabricate import make_signal
from signals.config import reset_settings
from signals.models.search_terms import document_terms, fold, signal_terms, stem, terms


def test_fold_ignores_case_and_accents() -> None:
    assert fold("Ünïcode STRASSE Straße Café") == "unicode strasse strasse cafe"
    assert terms("Café") == terms("CAFE") == terms("cafe")


@pytest.mark.parametrize(
    "forms",
    [
        ("release", "releases", "released", "releasing"),
        ("model", "models", "modeling", "modelled"),
        ("policy", "policies"),
        ("agent", "agents"),
        ("run", "running", "runs"),
    ],
)
def test_forms_of_a_word_meet_in_one_stem(forms: tuple[str, ...]) -> None:
    assert len({stem(word) for word in forms}) == 1, [stem(word) for word in forms]


def test_words_that_only_look_plural_keep_their_s() -> None:
    assert stem("opus") == "opus" and stem("class") == "class" and stem("analysis") == "analysis"


def test_stop_words_and_single_letters_are_dropped_digits_kept() -> None:
    assert terms("The release of GPT-5 is a big deal for OpenAI's users") == [
        "releas", "gpt", "5", "big", "deal", "openai", "user",
    ]  # fmt: skip
    assert terms("the of and a") == []


def test_a_document_keeps_its_first_terms_up_to_the_bound() -> None:
    assert document_terms(["Claude Opus", "Anthropic", "a long summary with more words"], 4) == (
        "claud", "opus", "anthropic", "long",
    )  # fmt: skip


def test_a_signal_is_found_by_title_entities_tags_summary_within_the_configured_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signal = make_signal(
        1, title="Claude Opus 5", entities=["Anthropic"], tags=["frontier-models"], summary="Better coding."
    )
    assert signal_terms(signal) == ("claud", "opus", "5", "anthropic", "frontier", "model", "better", "cod")
    monkeypatch.setenv("SIGNALS_SEARCH_TERMS_PER_ITEM_MAX", "3")
    reset_settings()
    try:
        assert signal_terms(signal) == ("claud", "opus", "5")
    finally:
        monkeypatch.delenv("SIGNALS_SEARCH_TERMS_PER_ITEM_MAX")
        reset_settings()
