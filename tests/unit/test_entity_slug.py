"""Entity slugs (issue 16, "follow anything"): one slug per entity, the same for writing and reading."""

from __future__ import annotations

import pytest
from signals.models.entity_slug import entity_slug, entity_slugs, known_name


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("OpenAI", "openai"),
        ("Open AI", "openai"),
        ("open-ai", "openai"),
        ("OPENAI", "openai"),
        ("Mistral AI", "mistral"),  # vocabulary alias: name -> tag
        ("Google DeepMind", "google-deepmind"),
        ("google deepmind", "google-deepmind"),
        ("Hugging Face", "hugging-face"),
        ("EU AI Act", "eu-ai-act"),  # outside the vocabulary: hyphenated words
        ("Société Générale", "societe-generale"),  # accents folded
        ("Ánthropic", "anthropic"),
        ("  ", ""),
        ("!!", ""),
    ],
)
def test_one_slug_per_entity(name: str, slug: str) -> None:
    assert entity_slug(name) == slug


def test_a_slug_is_its_own_slug() -> None:
    for name in ("OpenAI", "Google DeepMind", "EU AI Act", "Dario Amodei", "Claude"):
        assert entity_slug(entity_slug(name)) == entity_slug(name)


def test_slugs_are_bounded_and_distinct(monkeypatch: pytest.MonkeyPatch) -> None:
    from signals.config import get_settings

    long = "word " * 40
    assert len(entity_slug(long)) <= get_settings().entity_slug_max_chars
    assert not entity_slug(long).endswith("-")
    assert entity_slugs(["OpenAI", "Open AI", "Anthropic", ""]) == ["openai", "anthropic"]
    monkeypatch.setattr(get_settings(), "entities_per_signal_max", 1)
    assert entity_slugs(["OpenAI", "Anthropic"]) == ["openai"]


def test_vocabulary_names() -> None:
    assert known_name("google-deepmind") == "Google DeepMind"
    assert known_name("eu-ai-act") is None
