"""Cue patterns run part by part (scoring/cue_parts.py): the same matches as the whole alternation,
from only the parts a text can match."""

from __future__ import annotations

from signals.scoring.cue_parts import MIN_PARTS
from signals.scoring.rubric import CueIndex, Cues, load_rubric

FILLER = [f"filler{n} word" for n in range(MIN_PARTS)]  # enough parts for a part index


def _cues(cues: list[str], *, named: bool = True) -> Cues:
    alternatives = [(c, f"g{n}" if named else None) for n, c in enumerate(cues)]
    return Cues.build(alternatives, r"(?<![\w-])(?:", r")(?![\w-]|\.\d)")


def test_merged_parts_match_like_the_whole_alternation():
    # Given cues that overlap, share a start (the earlier cue wins there) and repeat
    given = ["Claude", "Claude Opus", "Opus 4", "Gemini(?: \\d+)?", "GPT-?\\d", *FILLER]
    cues, unnamed = _cues(given), _cues(given, named=False)
    index = CueIndex([cues, unnamed])
    assert cues.parts is not None and unnamed.parts is not None
    texts = [
        "Claude Opus 4 beats Gemini 3 and GPT-5; claude again, opus 4 later",
        "gemini gemini-pro GPT5 Claude-Opus",
        "nothing here",
        "Kelvin \u212a sign: CLAUDE",  # a case oddity: the anchor check is skipped
    ]
    for text in texts:
        words = index.words(text)
        # When the part index runs, Then every match (span and group) is the whole pattern's
        got = [(m.span(), m.lastgroup) for m in cues.finditer(text, words)]
        assert got == [(m.span(), m.lastgroup) for m in cues.pattern.finditer(text)]
        assert unnamed.findall(text, words) == unnamed.pattern.findall(text)
        assert cues.search(text, words) == (cues.pattern.search(text) is not None)


def test_only_the_parts_a_text_can_match_are_compiled_and_run():
    cues = _cues(["Anthropic", "OpenAI", *FILLER])
    index = CueIndex([cues])
    assert cues.parts is not None
    # Given a text naming one of the cues, When it is scanned
    matches = cues.finditer("OpenAI ships", index.words("OpenAI ships"))
    # Then it is found by the one part whose anchor the text holds, the only one compiled
    assert [m.group() for m in matches] == ["OpenAI"]
    assert sum(p is not None for p in cues.parts._compiled) == 1


def test_the_rubric_vocabulary_uses_a_part_index():
    r = load_rubric()
    assert r.vocabulary_pattern.parts is not None
    assert r.topic_index.cues.parts is not None
