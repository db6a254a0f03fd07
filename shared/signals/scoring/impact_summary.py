"""A signal's impact summary and context paragraph, extracted from the item's own text.

The summary is what the item says beyond its headline, in whole sentences: never the title again,
never cut mid-phrase, no wire dateline (``BOISE, Idaho, Aug. 20, 2026 (GLOBE NEWSWIRE) -``) and
no feed boilerplate (``The post ... appeared first on ...``, tag lists, ``Read more``). The context
paragraph is the sentences that follow it. Either is empty when the text has nothing more to say
than the headline: an empty summary is honest, a repeated title is noise. Limits (config):
``signal_summary_max_chars``, ``signal_summary_sentence_max_chars``, ``signal_context_max_chars``.

Pure: strings in, strings out (the analyst calls :func:`impact_text`; the scorer also fills an
empty summary from a later report of the same story).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from signals.config import get_settings
from signals.models import Enrichment, Item

_SPACE = re.compile(r"\s+")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_NORM = re.compile(r"[^0-9a-z]+")

# A wire service's dateline: "BOISE, Idaho, Aug. 20, 2026 (GLOBE NEWSWIRE) -", "LONDON, June 2 (Reuters) -",
# "SAN FRANCISCO, June 2, 2026 /PRNewswire/ --". Everything from the place name to the dash goes.
_WIRE = (
    r"GLOBE NEWSWIRE|BUSINESS WIRE|PR ?Newswire|ACCESS ?WIRE|ACCESS Newswire|Newsfile|Reuters|AP|AFP"
    r"|EQS[^)/]{0,30}"
)
_DATELINE = re.compile(
    r"(?:^|(?<=\s))[A-Z][A-Z.'\- ]{1,40}(?:,\s*[A-Z][A-Za-z.'\- ]{1,30}){0,2},\s*"
    r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?|\d{1,2}\s+[A-Z][a-z]{2,8}\.?(?:\s+\d{4})?)\s*"
    rf"(?:\((?:{_WIRE})\)|/\s*(?:{_WIRE})\s*/)\s*(?:--|[-–—])\s*"
)
# Boilerplate feeds wrap around the text: prefixes, trailers, and texts that are nothing else.
_LEADING = re.compile(
    r"^(?:arXiv:\S+\s+Announce Type:\s*\S+\s+Abstract:\s*|the batch ai news and insights:\s*"
    r"|(?:breaking|exclusive|update|updated|press release)\s*[:|–—-]\s+)",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"(?:\s*(?:The post .{1,300} appeared first on .{1,120}?\.?"
    r"|(?:Read|Continue reading|Read the full|Learn|Find out) (?:more|the full (?:story|post|article))"
    r"[^.!?]{0,40}[.…]*"
    r"|\[(?:…|\.\.\.)\]|\((?:…|\.\.\.)\)|★|Comments?(?: URL)?:.*|Article URL:.*|Points:.*"
    r"|\((?:[\w.+-]+(?:,\s*[\w.+-]+)+)\)))+\s*$",
    re.IGNORECASE,
)
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)\s*$")
# sentence ends: . ! ? (then an optional closing quote or bracket) before a space and a capital or digit
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
# a full stop after these is no sentence end ("Micron Technology, Inc. (Nasdaq: MU) today...")
_ABBREVIATIONS = frozenset(
    {
        *("inc", "corp", "co", "ltd", "llc", "plc", "mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc"),
        *("e.g", "i.e", "u.s", "u.k", "u.n", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep"),
        *("sept", "oct", "nov", "dec", "approx", "est", "fig", "gov", "sen", "rep", "dept", "univ"),
        *("jr", "sr"),
    }
)
# where a clause may end: a comma or dash before a participle or a relative word ("..., giving
# researchers"), never before "and"/"or" (that comma is inside a list: "genomics, biology, and")
_CLAUSE = re.compile(
    r"(?:,|\s[–—])\s+(?=(?:\w+ing|which|who|whose|while|where|when|as|so|but|with|without|after|before|"
    r"because|including|such as|according)\b)"
)
_CLOSERS = ".!?\"'”’)]"
MIN_SUMMARY_WORDS = 4  # "Blog", "Read the post": shorter than this says nothing


class ImpactText(NamedTuple):
    """The two paragraphs a signal page shows under its headline."""

    summary: str
    context: str


def normalised(text: str) -> str:
    """Lower-case letters and digits, single-spaced: how a summary is compared with its title."""
    return _NORM.sub(" ", text.lower()).strip()


def impact_text(
    title: str,
    text: str,
    *,
    limit: int | None = None,
    sentence_limit: int | None = None,
    context_limit: int | None = None,
) -> ImpactText:
    """The impact summary (whole sentences within ``limit`` characters; a longer first sentence is
    kept whole up to ``sentence_limit``, else up to its last clause that fits) and the context
    paragraph (the sentences after it, at most ``context_limit`` characters) of an item's plain ``text``."""
    settings = get_settings()
    limit = limit or settings.signal_summary_max_chars
    sentence_limit = sentence_limit or settings.signal_summary_sentence_max_chars
    context_limit = context_limit or settings.signal_context_max_chars
    sentences = sentences_of(title, text)
    summary: list[str] = []
    used = 0
    for sentence in sentences:
        if summary and used + 1 + len(sentence) > limit:
            break
        if not summary and len(sentence) > sentence_limit:
            sentence = _clause_prefix(sentence, limit)
            if not sentence:
                break
        summary.append(sentence)
        used += len(sentence) + (1 if used else 0)
    text_summary = " ".join(summary)
    if len(text_summary.split()) < MIN_SUMMARY_WORDS or normalised(text_summary) == normalised(title):
        return ImpactText("", "")
    context: list[str] = []
    used = 0
    for sentence in sentences[len(summary) :]:
        if used + len(sentence) + 1 > context_limit:
            break
        context.append(sentence)
        used += len(sentence) + 1
    return ImpactText(text_summary, " ".join(context))


def sentences_of(title: str, text: str) -> list[str]:
    """The whole sentences of ``text`` once boilerplate, datelines and a repeated title are gone."""
    body = _clean(title, text)
    if not body:
        return []
    truncated = bool(_ELLIPSIS_END.search(body))
    body = _ELLIPSIS_END.sub("", body).rstrip()
    sentences = _split(body)
    if len(sentences) > 1 and sentences[-1][-1] not in _CLOSERS and sentences[-2][-1] in _CLOSERS:
        sentences.pop()  # a publisher's feed cut the text mid-word with no ellipsis ("capabili")
    if truncated and sentences:
        last = sentences.pop()
        if not sentences:  # the only sentence was cut by the publisher: keep it up to its last clause
            kept = _clause_prefix(last, len(last))
            sentences = [kept] if kept else []
    return [s for s in sentences if normalised(s) != normalised(title)]


def _clean(title: str, text: str) -> str:
    body = _SPACE.sub(" ", _INVISIBLE.sub("", text or "")).strip()
    body = _LEADING.sub("", body)
    # a dateline in the middle: what came before it is a subtitle, a sentence of its own
    match = _DATELINE.search(body)
    while match:
        before, after = body[: match.start()].rstrip(), body[match.end() :]
        if before and before[-1] not in ".!?":
            before += "."
        body = f"{before} {after}".strip()
        match = _DATELINE.search(body)
    body = _without_title(title, body)
    previous = None
    while previous != body:
        previous, body = body, _TRAILING.sub("", body).strip()
    return body


def _without_title(title: str, body: str) -> str:
    """``body`` without a leading repetition of ``title`` (and the punctuation that joined them)."""
    want = normalised(title)
    if not want or not normalised(body).startswith(want):
        return body
    # walk the body until as many letters and digits as the title's have been consumed
    need = len(want.replace(" ", ""))
    seen = 0
    for index, char in enumerate(body):
        if char.isalnum():
            seen += 1
            if seen == need:
                rest = body[index + 1 :]
                if rest[:1].isalnum():  # the title ended inside a word: not a repetition
                    return body
                return rest.lstrip(" .:;,!?-–—|\"'”’")
    return ""


def _split(body: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(body):
        end = match.start() + 1
        word = body[start:end].rsplit(None, 1)[-1].rstrip(".!?").lower() if body[start:end].strip() else ""
        if body[match.start()] == "." and (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
            continue
        sentence = body[start : match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    tail = body[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _clause_prefix(sentence: str, limit: int) -> str:
    """The sentence up to its last clause boundary within ``limit`` (a full stop added), or ""."""
    best = ""
    for match in _CLAUSE.finditer(sentence):
        if match.start() > limit - 1:
            break
        if match.start() >= 0.4 * min(limit, len(sentence)):
            best = sentence[: match.start()].rstrip(" ,;:–—") + "."
    return best


def filled_summary(enrichment: Enrichment, headline: str, item: Item) -> Enrichment:
    """``enrichment`` with the summary and context of a later report of its story (``item``) when
    the story's own text had none: a mirror's copy often carries the text its lead lacked."""
    if enrichment.summary:
        return enrichment
    found = impact_text(item.title, item.summary)
    if not found.summary or normalised(found.summary) == normalised(headline):
        return enrichment
    return enrichment.model_copy(update=found._asdict())
