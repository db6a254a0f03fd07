"""The offline rule-based analyst: category, significance (with factors), tags, entities,
summary and rationale for one item, from the rubric in ``rubric/*.yaml`` (SCORING.md as data).

Pure domain code: no I/O after the rubric is loaded, no boto3. Any other analyst (a model
analyst, say) implements :class:`Analyst` and plugs into the same pipeline.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

from signals.models import Category, Enrichment, FactorScore, Item
from signals.scoring.impact_summary import impact_text
from signals.scoring.rationale import news_phrase, news_rationale
from signals.scoring.rubric import EventType, Rubric, Words, load_rubric


@runtime_checkable
class Analyst(Protocol):
    """Turns an item into an enrichment; ``corroboration`` is the story's independent sources."""

    name: str

    def enrich(self, item: Item, *, corroboration: int = 1) -> Enrichment: ...


_MONEY = re.compile(
    r"(?:(?P<cur>[$€£])\s?(?P<n1>\d[\d,]*(?:\.\d+)?)\s?(?P<u1>trillion|billion|million|thousand|bn|[tbmk])?(?![a-z])"
    # without a currency sign the currency must be named: "40 million riders" is a count, not money
    r"|(?P<n2>\d[\d,]*(?:\.\d+)?)\s?(?P<u2>trillion|billion|million|bn)\s?(?:dollars?|euros?|pounds?|usd|eur|gbp)(?!\w)"
    # the sign after the amount, as in European usage ("1.7B€", "500 M€")
    r"|(?<![\w.])(?P<n3>\d[\d,]*(?:\.\d+)?)\s?(?P<u3>trillion|billion|million|bn|[tbm])\s?[€$£])",
    re.IGNORECASE,
)
_UNITS = {
    "trillion": 1e12,
    "t": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
}
_NUMBER = re.compile(r"(?<![\w.-])\d[\d,]*(?:\.\d+)?\s?(?:%|percent|x\b|times\b|[kmb]\b)?", re.IGNORECASE)
_DATE = re.compile(
    r"\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?\b"
    r"|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(?:19|20)\d{2}-\d{2}-\d{2}\b"
    r"|\b(?:by|in|from|until|since) (?:19|20)\d{2}\b|\bQ[1-4] (?:19|20)\d{2}\b)",
    re.IGNORECASE,
)
_LIST_COMMA = re.compile(r",\s+")
_TAG_CLEAN = re.compile(r"[^a-z0-9]+")
_SPACE = re.compile(r"\s+")
_HTML_TAG = re.compile(r"<[^>]+>")
# feed categories that say nothing about the item (aggregator names, dates, catch-alls)
_GENERIC_FEED_TAGS = frozenset(
    {
        "news",
        "general",
        "announcements",
        "uncategorized",
        "blog",
        "hacker-news",
        "tc",
        "digg-ai-from-x",
        "other",
        "misc",
        "updates",
        "post",
        "posts",
        "article",
    }
)
_DATE_LIKE = re.compile(r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*-\d|^\d{4}-\d{2}")
MAX_TAGS = 12


# "at a $61.5B post-money valuation", "valued at $380 billion", "reaches $1B run-rate": what a
# company is worth or earns, not money that changes hands (SCORING.md sizes deals and rounds)
_NOT_A_DEAL_AFTER = re.compile(
    r"\s*(?:(?:\w+[- ])?(?:post-money |pre-money )?valuation|(?:revenue )?(?:run[- ]rate|milestone)"
    r"|in (?:annual(?:i[sz]ed)? )?revenue|ARR\b)",
    re.IGNORECASE,
)
_NOT_A_DEAL_BEFORE = re.compile(
    r"(?:valued at|valuation of|worth)\s*(?:about |nearly |over |more than )?$", re.IGNORECASE
)


def money_amount(text: str) -> float:
    """The largest amount of money named in ``text`` (in units of the currency), or 0; a
    valuation, revenue or run-rate is not money that changes hands and is skipped."""
    best = 0.0
    for m in _MONEY.finditer(text):
        if _NOT_A_DEAL_AFTER.match(text, m.end()) or _NOT_A_DEAL_BEFORE.search(text, 0, m.start()):
            continue
        digits = (m.group("n1") or m.group("n2") or m.group("n3") or "").replace(",", "")
        unit = (m.group("u1") or m.group("u2") or m.group("u3") or "").lower()
        if not digits:
            continue
        try:
            value = float(digits) * _UNITS.get(unit, 1.0)
        except ValueError:
            continue
        best = max(best, value)
    return best


def normalise_tag(term: str) -> str:
    """A feed category as a tag: lower-case, words joined by hyphens."""
    return _TAG_CLEAN.sub("-", term.lower()).strip("-")


class Findings(NamedTuple):
    """What the rules found in an item, beyond the enrichment: the event type and where it was
    named, money, low-value form (cap), the item's form and the leading organisations named."""

    on_topic: bool
    event: str
    event_where: str  # "title", "summary" or "none"
    event_base: float
    money: float
    cap: float | None
    digest: bool
    distributor: bool
    leading: tuple[str, ...]
    kinds_in_title: frozenset[str]
    model_as_object: bool
    model_headline: bool
    news: str = ""  # what happened, in a reader's words (scoring/rationale.py)


class _Factor(NamedTuple):
    """A FactorScore in the making (validated once, with the whole enrichment, at the end)."""

    name: str
    value: float
    weight: float
    contribution: float
    evidence: list[str]


@dataclass
class _Found:
    entities: list[str]
    tags: list[str]
    kinds_in_title: set[str]
    leading_in_title: list[str]
    leading_in_summary: list[str]
    spans: list[tuple[int, int]]  # where vocabulary matched in "title\nsummary" (numbers there are names)
    words: tuple[Words, Words, Words]  # title, summary, both: for the cue patterns' anchor check
    model_as_object: bool = False  # the title names models only as where something new lands
    open_model_in_title: bool = False  # an open-weight model family is the title's subject
    model_headline: bool = False  # the title is a model's name and a tagline ("Gemini 3.5: ...")
    distributor: bool = False  # the source serves others' models (a model there is its availability)


class RuleAnalyst:
    """The deterministic, offline analyst: rules from the rubric files, no model service."""

    name = "rules"

    def __init__(self, rubric: Rubric | None = None, *, summary_max_chars: int = 300):
        self.rubric = rubric or load_rubric()
        self.summary_max_chars = summary_max_chars

    # ------------------------------------------------------------------ public

    def enrich(self, item: Item, *, corroboration: int = 1) -> Enrichment:
        """Category, score with factors, tags, entities, summary and rationale for ``item``."""
        return self.analyse(item, corroboration=corroboration)[0]

    def analyse(self, item: Item, *, corroboration: int = 1) -> tuple[Enrichment, Findings]:
        """``enrich``'s result and the findings behind it (what the learned judge reads as features
        and where its floors and caps come from)."""
        r = self.rubric
        title = _SPACE.sub(" ", item.title).strip()
        clean_summary = _SPACE.sub(" ", html.unescape(_HTML_TAG.sub(" ", item.summary or ""))).strip()
        # a summary that only repeats the title adds no evidence: analyse it once (same result, half the work)
        summary = "" if clean_summary == title else clean_summary
        text = f"{title}\n{summary}"
        index = r.cue_index
        title_words, summary_words = index.words(title), index.words(summary)
        distributor = bool(r.model_distributors.search(item.source_name))
        found = self._vocabulary(
            title,
            summary,
            (title_words, summary_words, index.join(title_words, summary_words)),
            name_headline=not distributor,
        )
        found.distributor = distributor
        feed_tags = [
            t
            for t in (normalise_tag(c) for c in item.categories)
            if t and t not in _GENERIC_FEED_TAGS and not _DATE_LIKE.match(t)
        ]
        on_topic = self._on_topic(item, text, found)

        digest = self._digest(title) if on_topic else None
        if not on_topic:
            category = Category.OFF_TOPIC
            event, event_where = r.default_event, "none"
        elif digest is not None and r.digest_event is not None:
            # a newsletter digest is a recap (its event), filed under its lead story: the category
            # is read from the first item, the other items count as a summary would
            lead, rest, marked = digest
            lead_words, rest_words = index.words(lead), index.words(rest)
            lead_found = self._vocabulary(
                lead, rest, (lead_words, rest_words, index.join(lead_words, rest_words))
            )
            # the summary of a digest (an editor's letter, a teaser) is not about its stories
            recap = r.digest_recap_event if not marked and r.digest_recap_event is not None else None
            category = self._category(
                item,
                lead,
                rest,
                feed_tags,
                r.default_event,
                "none",
                lead_found,
                unspoken=r.recap_fallback if recap is not None else None,
            )
            event, event_where, summary = recap or r.digest_event, "title", ""
            text, summary_words = title, index.words("")
            found = self._vocabulary(title, "", (title_words, summary_words, title_words))
        else:
            event, event_where = self._event(title, summary, found)
            if event.id in r.use_events and event_where == "title":
                # "How Acme is using Llama to ...": the model is what the story's organisation uses,
                # not a release (SCORING.md: a model in use is no new model, open or not)
                found.model_as_object, found.open_model_in_title = True, False
            category = self._category(item, title, summary, feed_tags, event, event_where, found)

        factors, base, money = self._factors(
            item, title, summary, text, found, event, event_where, on_topic, corroboration
        )
        raw = base + sum(f.contribution for f in factors if f.name != "corroboration")
        if base < r.major_base:
            raw = min(raw, r.minor_ceiling)
        # corroboration is added after the ceiling (as ``corroborated`` re-scores it)
        raw += sum(f.contribution for f in factors if f.name == "corroboration")
        cap = event.cap if (event.cap is not None and event_where == "title") else None
        if cap is not None:
            raw = min(raw, cap)
        if not on_topic:
            raw = min(raw, 2.0)
        score = max(1, min(10, int(raw + 0.5)))

        tags = self._tags(text, found, feed_tags, category)
        subjects = found.leading_in_title + found.leading_in_summary + found.entities  # the rationale's "who"
        findings = Findings(
            on_topic=on_topic,
            event=event.id,
            event_where=event_where,
            event_base=base,
            money=money,
            cap=cap,
            digest=digest is not None,
            distributor=distributor,
            leading=tuple(found.leading_in_title or found.leading_in_summary),
            kinds_in_title=frozenset(found.kinds_in_title),
            model_as_object=found.model_as_object,
            model_headline=found.model_headline,
            news=news_phrase(event.id, title, summary, subjects),
        )
        # one validation of plain data (pydantic-core) is cheaper than building each model
        enrichment = Enrichment.model_validate(
            {
                "category": category,
                "score": score,
                "tags": tags,
                "entities": found.entities,
                **impact_text(title, clean_summary, limit=self.summary_max_chars)._asdict(),
                "rationale": news_rationale(findings.news, score, category, corroboration),
                "score_breakdown": {
                    "rubric_version": r.version,
                    "analyst": self.name,
                    "base": round(base, 2),
                    "event": event.id,
                    "factors": [f._asdict() for f in factors],
                    "raw": round(raw, 3),
                    "corroboration": max(1, corroboration),
                    "cap": cap,
                },
            }
        )
        return enrichment, findings

    # ------------------------------------------------------------------ steps

    def _vocabulary(
        self, title: str, summary: str, words: tuple[Words, Words, Words], *, name_headline: bool = True
    ) -> _Found:
        r = self.rubric
        entities: list[str] = []
        tags: list[str] = []
        kinds_in_title: set[str] = set()
        leading_title: list[str] = []
        leading_summary: list[str] = []
        spans: list[tuple[int, int]] = []
        models_as_object = models_as_subject = 0
        open_model = model_headline = False
        for where, text, offset, text_words in (
            ("title", title, 0, words[0]),
            ("summary", summary, len(title) + 1, words[1]),
        ):
            if not r.vocabulary_pattern.possible(text_words):
                continue
            for m in r.vocabulary_pattern.finditer(text, text_words):
                spans.append((m.start() + offset, m.end() + offset))
                entry = r.vocabulary[m.lastgroup or ""]
                if entry.name not in entities:
                    entities.append(entry.name)
                if entry.tag and entry.tag not in tags:
                    tags.append(entry.tag)
                if entry.maker and entry.maker not in tags:
                    tags.append(entry.maker)  # Claude -> anthropic: the maker's news too
                if where == "title":
                    kinds_in_title.add(entry.kind)
                    if entry.kind == "frontier_model":
                        kinds_in_title.add("model")
                    if entry.kind in ("model", "frontier_model"):
                        if r.model_object_marker.search(text, 0, m.start()) or r.model_product_suffix.match(
                            text, m.end()
                        ):
                            # "computer use in Gemini 3.5", "Grok for PowerPoint": the model is where a
                            # feature lands or the name of an app, not the news
                            models_as_object += 1
                        else:
                            models_as_subject += 1
                            open_model = open_model or entry.open
                            # "Gemini 3.5: <tagline>", or (unless on a distributor's feed) only
                            # the model's name: the release page
                            model_headline = model_headline or bool(
                                (
                                    r.model_headline.match(text, m.end())
                                    or (name_headline and r.model_name_headline.fullmatch(text))
                                )
                                and r.model_headline_prefix.fullmatch(text, 0, m.start())
                            )
                if entry.leading:
                    (leading_title if where == "title" else leading_summary).append(entry.name)
        as_object = bool(models_as_object) and not models_as_subject
        if (
            models_as_subject
            and r.model_availability.search(title)
            and not r.model_release_verb.search(title)
        ):
            # "Llama 4 now live on GroqCloud", "Claude available to Team users": the headline is
            # where a model becomes available, not a new model (SCORING.md: products)
            as_object, open_model = True, False
        return _Found(
            entities,
            tags,
            kinds_in_title,
            leading_title,
            leading_summary,
            spans,
            words,
            as_object,
            open_model,
            model_headline and not as_object,
        )

    def _digest(self, title: str) -> tuple[str, str, bool] | None:
        """(lead story, the other stories, whether its items are marked) of a headline that lists
        several stories, else None."""
        r = self.rubric
        if r.digest_event is None or title.count(",") < r.digest_min_items - 1:
            return None
        stories = [part.strip() for part in _LIST_COMMA.split(title)]  # not "50,000"
        if not all(stories) or any(r.digest_enumeration.match(story) for story in stories[1:]):
            return None  # "A, B, and C": one sentence's enumeration
        # "The Batch: A, B, C" / "Top Stories of 2023: A, B, C": the lead follows the newsletter's name
        stories[0] = stories[0].rsplit(":", 1)[-1].strip()
        if not stories[0]:
            return None
        if len(stories) < r.digest_min_items:
            return None
        marked = bool(r.digest_marker.search(title))
        if not marked and (
            not all(story[0].isupper() or story[0].isdigit() for story in stories)
            or sum(len(story.split()) < r.digest_min_words for story in stories) > 1
        ):
            # "Cheaper, Better, Faster, Stronger" is a slogan, "X, an app for Y, is here" one sentence:
            # unmarked stories are capitalised headlines of two words or more (one short item, a
            # "Microsoft+Anthropic", is still a list)
            return None
        return stories[0], ", ".join(stories[1:]), marked

    def _on_topic(self, item: Item, text: str, found: _Found) -> bool:
        r = self.rubric
        if r.ai_sources.search(item.source_name):
            return True
        if found.kinds_in_title & {"model", "frontier_model"}:
            return True
        return r.ai_terms.search(text, found.words[2])

    def _tags(self, text: str, found: _Found, feed_tags: list[str], category: Category) -> list[str]:
        tags: list[str] = []
        if category is not Category.OFF_TOPIC:
            present = self.rubric.topic_index.labels_in(text, found.words[2])
            tags.extend(tag for tag, _ in self.rubric.topic_patterns if tag in present)
        r = self.rubric
        # the feed's own categories only where they name a controlled tag (or an alias of one)
        named = [r.tag_aliases.get(tag, tag) for tag in feed_tags]
        for tag in [*found.tags, *(t for t in named if t in r.controlled_tags)]:
            if tag not in tags:
                tags.append(tag)
        return tags[:MAX_TAGS]

    def _event(self, title: str, summary: str, found: _Found) -> tuple[EventType, str]:
        """The strongest event type whose cues match (its base decides), and where it matched."""
        r = self.rubric
        title_words, summary_words, _ = found.words
        best, best_where, best_base = r.default_event, "none", r.default_event.base
        form, form_where = None, "none"
        matched: list[tuple[EventType, str]] = []
        superseded: dict[str, str] = {}  # event id -> where the event replacing it matched
        for event in r.events:
            if event.requires_entity_kind and event.requires_entity_kind not in found.kinds_in_title:
                continue
            if event.requires_entity_kind == "frontier_model" and found.model_as_object:
                continue  # a flagship model only as where something lands is no new generation
            if event.requires_entity_kind and found.distributor:
                # a model on a distributor's feed ("Llama 3.2 Vision" on Ollama's blog) is that model
                # becoming available there, its release being news elsewhere (SCORING.md: products)
                continue
            where = (
                "title"
                if event.cues.search(title, title_words)
                or (event.requires_entity_kind and found.model_headline)
                else None
            )
            if where is None and summary and event.cues.search(summary, summary_words):
                where = "summary"
            if where is not None:
                matched.append((event, where))
                for replaced in event.supersedes:
                    if superseded.get(replaced) != "title":
                        superseded[replaced] = where
        for event, where in matched:
            if event.id in superseded and not (superseded[event.id] == "summary" and where == "title"):
                # "our response to the RFI": a position on a proposal, not the proposal (a
                # summary's passing "beta program" does not replace the headline's launch)
                continue
            if event.cap is not None:  # a low-value form (tutorial, recap...): first one found wins
                if form is None or (form_where == "summary" and where == "title"):
                    form, form_where = event, where
                continue
            effective = event.base
            if where == "summary":
                effective = _summary_base(r, event)
            if effective > best_base:
                best, best_where, best_base = event, where, effective
        if form is not None and form_where == "title":
            return form, "title"
        if form is not None and best is r.default_event:
            return form, form_where
        # neither the event nor the form is in the headline: a noise form (tutorial, recap...) says
        # what kind of piece it is better than a passing mention of an event
        if (
            form is not None
            and best_where == "summary"
            and form_where == "summary"
            and form.id in r.summary_forms
        ):
            return form, form_where
        return best, best_where

    def _category(
        self,
        item: Item,
        title: str,
        summary: str,
        feed_tags: list[str],
        event: EventType,
        event_where: str,
        found: _Found,
        *,
        unspoken: str | None = None,
    ) -> Category:
        """The category with the most evidence (near-ties by precedence); ``unspoken``: the
        category filed when the headline speaks for none of the fitting ones."""
        r = self.rubric
        evidence: dict[str, float] = dict.fromkeys(r.precedence, 0.0)
        in_title_cats: set[str] = set()  # categories the headline itself speaks for
        title_words, summary_words, _ = found.words
        for cat, cues in r.category_cues.items():
            total = 0.0
            for weight, tier in cues.tiers:
                in_title = {m.lower() for m in tier.findall(title, title_words)}
                in_summary = (
                    {m.lower() for m in tier.findall(summary, summary_words)} - in_title if summary else set()
                )
                # distinct hits, at most two per tier and field: long summaries full of generic words
                # must not outvote a specific cue
                total += weight * (
                    r.title_weight * min(2, len(in_title)) + r.summary_weight * min(2, len(in_summary))
                )
                if in_title and weight >= r.strong_cue:
                    in_title_cats.add(cat)
            evidence[cat] = total
        if event.category and event_where != "none":
            event_category = event.category
            if event.requires_entity_kind and found.model_as_object:
                event_category = "products"  # a model arriving in an app or API (the model is not new)
            elif event.requires_entity_kind and (
                found.open_model_in_title or r.open_weights.search(title) or r.open_weights.search(summary)
            ):
                # SCORING.md: an open-weight model release is open-source (a known open family, or
                # a release that states its open licence or weights)
                event_category = "open-source"
            elif event.id in r.use_events and r.use_subject in in_title_cats:
                # one organisation's use of AI in health care, education, conservation...: how
                # people use AI, filed by what it is used for (SCORING.md: society)
                event_category = r.use_subject
            elif event.id in r.government_events and r.government_counterpart.search(title):
                # a partnership with, or an appointment by, a government: SCORING.md files government
                # bodies under safety-policy
                event_category = "safety-policy"
            evidence[event_category] += r.event_weight * (
                r.title_weight if event_where == "title" else r.summary_weight
            )
            if event_where == "title":
                in_title_cats.add(event_category)
        if found.model_as_object:
            evidence["products"] += r.model_as_object_weight * r.title_weight
            in_title_cats.add("products")
        if found.open_model_in_title:
            evidence["open-source"] += r.open_model_weight * r.title_weight
            in_title_cats.add("open-source")
        if r.release_statement_weight and (
            r.release_statement.search(title)
            or (summary and r.release_statement.search(summary, 0, _lede_end(summary)))
        ):
            # "We're releasing Procgen Benchmark, 16 ... environments": the release of an artefact
            # is the primary event, even when only the summary's lede states it
            evidence["open-source"] += r.release_statement_weight * r.title_weight
            in_title_cats.add("open-source")
        research = evidence[r.research_category]
        for cat, share in r.subject_lens.items():
            if cat in in_title_cats:
                # research whose headline names a subject filed elsewhere (a benchmark of cyber
                # capability) is research on that subject: SCORING.md files it by the subject
                evidence[cat] += share * research
        source = f"{item.source_name}"
        for pattern, cat in r.source_priors:
            if pattern.search(source):
                evidence[cat] += r.source_prior_weight
                if cat in r.research_lens:
                    # research from a safety body (or a red team) is research on its subject:
                    # SCORING.md files alignment/safety research and evaluations under
                    # safety-policy, red-team findings under security
                    evidence[cat] += r.research_lens[cat] * evidence[r.research_category]
                break
        for tag in feed_tags:
            cat = r.feed_categories.get(tag.replace("-", " "))
            if cat:
                evidence[cat] += r.feed_category_weight
        best = max(evidence.values())
        if best < r.min_evidence:
            return Category(r.fallback)
        # Evidence is compared on a log-like scale: a category "fits" when close to the best. When
        # the headline speaks for the best one, only categories the headline also speaks for can
        # overtake it by precedence (a reader files an item by what its title says).
        threshold = best - max(r.tie_margin, best * r.tie_fraction)
        leader = next(cat for cat in r.precedence if evidence[cat] == best)
        headline_only = leader in in_title_cats
        if unspoken is not None and not headline_only:
            return Category(unspoken)
        for cat in r.precedence:
            if evidence[cat] >= threshold and (not headline_only or cat in in_title_cats):
                return Category(cat)
        return Category(r.fallback)

    def _factors(
        self,
        item: Item,
        title: str,
        summary: str,
        text: str,
        found: _Found,
        event: EventType,
        event_where: str,
        on_topic: bool,
        corroboration: int,
    ) -> tuple[list[_Factor], float, float]:
        """The factors, the base significance, and the money the text names (``money_amount``)."""
        r = self.rubric
        spec = r.factors
        factors: list[_Factor] = []

        def add(name: str, value: float, weight: float, evidence: list[str]) -> None:
            factors.append(_Factor(name, round(value, 3), weight, round(value * weight, 3), evidence[:5]))

        if not on_topic:
            return (
                [_Factor(name="event", value=0.0, weight=0.0, contribution=0.0, evidence=["off-topic"])],
                r.off_topic_base,
                0.0,
            )

        base = event.base
        if event_where == "summary":
            base = _summary_base(r, event)
        named = money = money_amount(text)
        if r.compute_scale.search(title):
            # a deal for gigawatts of compute is a deal of at least this much money (SCORING.md
            # sizes deals by money)
            money = max(money, r.compute_scale_money)
        if money and event.id in r.money_events:
            for minimum, tier_base in r.money_tiers:
                if money >= minimum:
                    if event_where == "summary":
                        # a deal only the summary speaks of ("backed by a $10B investment" under a
                        # headline about something else) is sized as a passing mention is
                        tier_base = (
                            r.default_event.base
                            + (tier_base - r.default_event.base) * r.summary_only_discount
                        )
                    if event.id in r.money_sets_base:
                        base = tier_base
                    else:
                        base = max(base, tier_base if event.id != "general" else tier_base - 0.5)
                    break
        add("event", 1.0, 0.0, [event.id] + ([f"money {money:,.0f}"] if money else []))

        # scale: leading organisations named, and words of reach
        scale_value = 0.0
        scale_evidence: list[str] = []
        sc = spec["scale"]
        if found.leading_in_title:
            scale_value += sc["leading_org_title"]
            scale_evidence += found.leading_in_title[:2]
        elif found.leading_in_summary:
            scale_value += sc["leading_org_summary"]
            scale_evidence += found.leading_in_summary[:2]
        title_words, summary_words, text_words = found.words
        reach = {m.lower() for m in r.factor_patterns["scale"].findall(text, text_words)}
        if reach:
            scale_value += min(2, len(reach)) * sc["cue_value"]
            scale_evidence += sorted(reach)[:3]
        add("scale", scale_value, sc["weight"], scale_evidence)

        for name in ("immediacy", "novelty"):
            hits = {m.lower() for m in r.factor_patterns[name].findall(title, title_words)}
            value = 1.0 if hits else (0.5 if r.factor_patterns[name].search(summary, summary_words) else 0.0)
            add(name, value, spec[name]["weight"], sorted(hits))

        add("primary_source", item.authority - 1.0, spec["primary_source"]["weight"], [item.source_name])

        facts: list[str] = []
        if money:
            facts.append("money")
        if any(not any(a <= m.start() < b for a, b in found.spans) for m in _NUMBER.finditer(text)):
            facts.append("numbers")
        if _DATE.search(text):
            facts.append("dates")
        if found.entities:
            facts.append("named parties")
        cf = spec["concrete_facts"]
        add("concrete_facts", min(len(facts) * cf["weight"], cf["max_points"]), 1.0, facts)

        add(
            "corroboration",
            corroboration_points(r, corroboration),
            1.0,
            [f"{corroboration} independent sources"] if corroboration > 1 else [],
        )

        for name, (weight, cues) in r.penalties.items():
            hits = {m.lower() for m in cues.findall(text, text_words)}
            if hits:
                add(name, 1.0, weight, sorted(hits))
        if event.cap is not None and event_where == "title":
            add("low_value_form", 1.0, 0.0, [event.id])
        return factors, base, named


_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def _lede_end(text: str) -> int:
    """Where the first sentence of ``text`` ends (a release further down is a detail)."""
    m = _SENTENCE_END.search(text)
    return m.end() if m else len(text)


def _summary_base(r: Rubric, event: EventType) -> float:
    """The base of an event the summary names but the headline does not."""
    if not event.title_only:
        return event.base
    return r.default_event.base + (event.base - r.default_event.base) * r.summary_only_discount


def corroboration_points(rubric: Rubric, corroboration: int) -> float:
    """Points a story earns for being reported by ``corroboration`` independent sources."""
    co = rubric.factors["corroboration"]
    return round(min(max(0, corroboration - 1) * co["per_source"], co["max_points"]), 3)


def corroborated(enrichment: Enrichment, corroboration: int, rubric: Rubric | None = None) -> Enrichment:
    """The same enrichment re-scored for a story now reported by ``corroboration`` independent sources."""
    r = rubric or load_rubric()
    breakdown = enrichment.score_breakdown
    extra = max(0, corroboration - 1)
    new_points = corroboration_points(r, corroboration)
    old_points = 0.0
    factors: list[FactorScore] = []
    for f in breakdown.factors:
        if f.name == "corroboration":
            old_points = f.contribution
            f = f.model_copy(
                update={
                    "value": new_points,
                    "contribution": new_points,
                    "evidence": [f"{corroboration} independent sources"] if extra else [],
                }
            )
        factors.append(f)
    if not any(f.name == "corroboration" for f in factors):
        factors.append(
            FactorScore(
                name="corroboration",
                value=new_points,
                weight=1.0,
                contribution=new_points,
                evidence=[f"{corroboration} independent sources"],
            )
        )
    raw = breakdown.raw - old_points + new_points
    if breakdown.cap is not None:  # more sources do not make a tutorial or a recap news
        raw = min(raw, breakdown.cap)
    if enrichment.category is Category.OFF_TOPIC:
        raw = min(raw, 2.0)
    score = max(1, min(10, int(raw + 0.5)))
    rationale = enrichment.rationale
    if extra and "independent sources" not in rationale:
        rationale = f"{rationale} Reported by {corroboration} independent sources."
    return enrichment.model_copy(
        update={
            "score": score,
            "rationale": rationale,
            "score_breakdown": breakdown.model_copy(
                update={"factors": factors, "raw": round(raw, 3), "corroboration": max(1, corroboration)}
            ),
        }
    )
