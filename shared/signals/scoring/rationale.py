"""A signal's rationale: one sentence that states the news and how big it is, in SCORING.md's words.

"Anthropic: a $65 billion Series H funding round, news that changes the field." The formula (base,
factors, the judge's features) is the score breakdown's business, drawn on the signal page; the
rationale says what happened and what that means for a reader with ten minutes a day.

Two steps, because two analysts score: the rules find the news once (:func:`news_phrase`, kept on
their ``Findings``), and whichever analyst sets the final score words it (:func:`news_rationale`).
Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from signals.models import Category

# What an event type is, as a reader would call it (ids: scoring/rubric/significance.yaml)
EVENT_NEWS = {
    "law-enacted": "a law enacted",
    "executive-action": "an executive action",
    "frontier-model": "a new frontier model",
    "lawsuit": "a lawsuit or court ruling",
    "acquisition": "an acquisition",
    "funding": "a funding round",
    "security-incident": "a security incident",
    "pre-deployment-evaluation": "a pre-deployment evaluation",
    "model-release": "a model release",
    "unnamed-model-release": "a model release",
    "major-partnership": "a partnership",
    "executive-hire": "a leadership move",
    "policy-proposal": "a policy proposal",
    "policy-position": "a policy position",
    "security-evaluation": "a security evaluation",
    "framework": "a framework",
    "safety-evaluation": "a safety evaluation",
    "infrastructure-deal": "an infrastructure deal",
    "open-release": "an open release",
    "research-result": "a research result",
    "product-launch": "a product launch",
    "customer-story": "a customer story",
    "event-programme": "an event or programme announcement",
    "opinion-explainer": "an opinion piece or explainer",
    "recap": "a recap",
    "tutorial": "a tutorial",
    "hiring-post": "a hiring post",
    "digest": "a digest of the day's stories",
    "digest-recap": "a newsletter recap",
    "general": "{category} news",  # no event type found: the category says what kind
}
# SCORING.md's significance table, as the rationale's last words
BANDS = (
    (9, "news that changes the field"),
    (7, "major news most readers should see today"),
    (5, "notable, worth a line in a daily digest"),
    (3, "minor, of interest to specialists"),
    (1, "little news for this feed"),
)
_MONEY_EVENTS = {
    "funding": "investment",
    "acquisition": "acquisition",
    "infrastructure-deal": "infrastructure deal",
}
_AMOUNT = re.compile(
    r"[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:trillion|billion|million|bn|[TBMK])\b)?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:trillion|billion|million)\s(?:dollars|euros|pounds)\b",
)
_UNIT = {"t": 1e12, "trillion": 1e12, "b": 1e9, "bn": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6, "k": 1e3}
_ROUND = re.compile(r"\b(?:Series [A-K]\d?|seed|pre-seed)\b(?! stage)", re.IGNORECASE)
_MODEL_EVENTS = frozenset({"frontier-model", "model-release", "open-release"})
# a model's name in a headline: capitalised words around a version number ("Claude 3.5 Sonnet", "GPT-5.6")
_MODEL_NAME = re.compile(
    r"\b(?!(?:Introducing|Announcing|Meet|New|Releasing|Launching|Today)\b)"
    r"[A-Z][\w-]*(?: [A-Z][\w-]*)*[ -]v?\d+(?:\.\d+)*(?: [A-Z][a-z]+)?\b"
)
_NOT_A_DEAL = re.compile(r"^\s*(?:post-money |pre-money )?valuation|^\s*(?:in )?(?:annual )?revenue", re.I)


def amount_value(text: str) -> float:
    """The value of one amount as written (``$65B``, ``$65 billion``, ``65 billion euros``)."""
    number = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    if not number:
        return 0.0
    unit = re.search(r"(trillion|billion|million|bn|[tbmk])\b", text[number.end() :].lower())
    return float(number.group().replace(",", "")) * (_UNIT.get(unit.group(1), 1.0) if unit else 1.0)


def deal_amount(title: str, text: str) -> str:
    """The largest amount changing hands named in the title (else the text), as written; "" if none."""
    for part in (title, text):
        best, best_value = "", 0.0
        for match in _AMOUNT.finditer(part):
            if _NOT_A_DEAL.match(part[match.end() :]):
                continue
            value = amount_value(match.group())
            if value > best_value:
                best, best_value = match.group().strip(), value
        if best:
            return best
    return ""


def news_phrase(event: str, title: str, text: str, subjects: Sequence[str]) -> str:
    """What happened, in a reader's words: "Anthropic: a $65B Series H round" (no score in it)."""
    what = EVENT_NEWS.get(event, "a " + event.replace("-", " "))
    if event in _MONEY_EVENTS:
        amount = deal_amount(title, text)
        round_name = _ROUND.search(title) or _ROUND.search(text)
        if amount or round_name:
            noun = "round" if round_name and event == "funding" else _MONEY_EVENTS[event]
            words = [amount, round_name.group() if round_name else "", noun]
            named = " ".join(w for w in words if w)
            what = ("an " if named[:1].lower() in "aeiou" else "a ") + named
    model = _MODEL_NAME.search(title) if event in _MODEL_EVENTS else None
    subject = model.group() if model else next((s for s in subjects if s), "")
    return f"{subject}: {what}" if subject else what


def band_words(score: int) -> str:
    """SCORING.md's meaning of a score, in a few words."""
    return next(words for low, words in BANDS if score >= low)


def news_rationale(news: str, score: int, category: Category, corroboration: int = 1) -> str:
    """The rationale sentence: the news and its significance (plus corroboration when there is some)."""
    if category is Category.OFF_TOPIC:
        return "Not about AI: no AI subject in the title or summary, so it stays at the bottom of the feed."
    news = (news or "{category} news").replace("{category}", category.label)
    if news.startswith(("a ", "an ")):
        news = news[:1].upper() + news[1:]
    sentence = f"{news}, {band_words(score)}."
    if corroboration > 1:
        sentence += f" Reported by {corroboration} independent sources."
    return sentence
