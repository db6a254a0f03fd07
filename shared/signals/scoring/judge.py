"""The learned judge: category, significance and AI relevance from a model trained on labels.

``signals train`` fits three linear models on the labelled sets (see ``signals.scoring.training``)
and writes them to one versioned file, ``model/judge.json.gz``; this module loads that file and
applies it in pure Python (no numpy, no scikit-learn at run time):

- **category**: a multinomial logistic regression over the nine categories;
- **AI relevance**: a logistic regression, P(the item is about AI); below ``relevance_threshold``
  the item is ``off-topic`` (score at most 2);
- **significance**: an ordinal model, one logistic regression per threshold k = 2..10 giving
  P(score >= k) (made monotone); the score is the expected value 1 + sum_k P(score >= k), and 7+
  is reached only when P(score >= 7) clears ``high_threshold`` (chosen in training so that
  precision stays above the floor it names).

:class:`JudgeAnalyst` runs the rule analyst first (tags, entities, summary, the findings the judge
reads as features, and its floors and caps), then the judge, and writes a rationale that names what
the learned part weighed. ``score_breakdown.judge`` records the model version and its figures.
"""

from __future__ import annotations

import base64
import gzip
import heapq
import json
import math
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from signals.models import Category, Enrichment, FactorScore, Item
from signals.scoring.analyst import Findings, RuleAnalyst, corroboration_points
from signals.scoring.features import describe, featurize
from signals.scoring.rationale import news_rationale

MODEL_PATH = Path(__file__).with_name("model") / "judge.json.gz"
FORMAT = "signals-judge/1"


@dataclass(frozen=True)
class Judgement:
    """The judge's reading of one item."""

    category: Category
    category_probs: dict[str, float]
    relevance: float  # P(about AI)
    p_at_least: dict[int, float]  # k -> P(score >= k), k = 2..10, monotone
    expected: float  # 1 + sum of p_at_least
    score: int  # the judge's own score (before the rules' floors and caps)
    gate: float  # what the 7+ gate compared with ``high_threshold``
    weighed: list[tuple[str, float]]  # (feature, contribution to the score's mean logit), strongest first
    category_weighed: list[tuple[str, float]]  # features for the chosen category over the runner-up


class JudgeModel:
    """The trained weights and how to apply them."""

    def __init__(self, doc: dict[str, Any]):
        if doc.get("format") != FORMAT:
            raise ValueError(f"not a judge model file (format {doc.get('format')!r}, expected {FORMAT!r})")
        self.version: str = doc["version"]
        self.categories: list[str] = doc["categories"]
        self.thresholds: list[int] = doc["thresholds"]
        self.relevance_threshold: float = doc["relevance_threshold"]
        self.high_threshold: float = doc["high_threshold"]
        self.trained_on: dict[str, Any] = doc.get("trained_on", {})
        self.evaluation: dict[str, Any] | None = doc.get("evaluation")  # held-out figures (signals train)
        columns: int = doc["columns"]
        self.intercepts: list[float] = doc["intercepts"]
        scales: list[float] = doc["scales"]
        names: list[str] = doc["features"]
        raw = array("h")
        raw.frombytes(base64.b64decode(doc["weights"]))
        if raw.itemsize != 2 or len(raw) != columns * len(names):
            raise ValueError("judge model file: weight matrix does not match its feature list")
        if array("h", [1]).tobytes() != (1).to_bytes(2, "little"):
            raw.byteswap()  # stored little-endian
        self.columns = columns
        n_cat = len(self.categories)
        self._cat = slice(0, n_cat)
        self._rel = n_cat
        self._ord = slice(n_cat + 1, n_cat + 1 + len(self.thresholds))
        # optional last column: a classifier of "7 or more" fitted for the gate alone (its
        # probability is ranked, not calibrated: the gate's threshold was chosen on held-out rows)
        self._major = n_cat + 1 + len(self.thresholds) if doc.get("major") else None
        self.weights: dict[str, tuple[float, ...]] = {}
        # per feature, its mean weight over the ordinal thresholds: its pull on the score (the
        # rationale's "raised by" / "lowered by"), computed once here rather than per item
        self.score_pull: dict[str, float] = {}
        n_ord = len(self.thresholds)
        for i, name in enumerate(names):
            row = tuple(q * s for q, s in zip(raw[i * columns : (i + 1) * columns], scales, strict=True))
            self.weights[name] = row
            self.score_pull[name] = sum(row[self._ord]) / n_ord

    # ------------------------------------------------------------------ applying

    def judge(self, features: dict[str, float], *, explain: int = 4) -> Judgement:
        weights = self.weights
        totals = list(self.intercepts)
        present: list[tuple[str, float, tuple[float, ...]]] = []
        # features of one namespace share one value: sum their rows column-wise (in C, through
        # zip), then scale once
        by_value: dict[float, list[tuple[float, ...]]] = {}
        for name, value in features.items():
            row = weights.get(name)
            if row is not None:
                present.append((name, value, row))
                by_value.setdefault(value, []).append(row)
        for value, rows in by_value.items():
            # each total plus value * its column's sum, as ``totals[j] += ...`` would, in one pass
            column_sums = map(sum, zip(*rows, strict=True))
            totals = [t + value * c for t, c in zip(totals, column_sums, strict=True)]
        cat_logits = totals[self._cat]
        top = max(cat_logits)
        exps = [math.exp(z - top) for z in cat_logits]
        norm = sum(exps)
        probs = {c: e / norm for c, e in zip(self.categories, exps, strict=True)}
        relevance = _sigmoid(totals[self._rel])
        p_at_least: dict[int, float] = {}
        previous = 1.0
        for k, z in zip(self.thresholds, totals[self._ord], strict=True):
            previous = min(previous, _sigmoid(z))  # P(>= k) never exceeds P(>= k-1)
            p_at_least[k] = previous
        expected = 1.0 + sum(p_at_least.values())

        off_topic = Category.OFF_TOPIC.value
        if relevance < self.relevance_threshold:
            category = off_topic
        else:
            category = max((c for c in self.categories if c != off_topic), key=probs.__getitem__)
        score = max(1, min(10, int(expected + 0.5)))
        gate = _sigmoid(totals[self._major]) if self._major is not None else p_at_least.get(7, 0.0)
        score = max(score, 7) if gate >= self.high_threshold else min(score, 6)
        if category == off_topic:
            score = min(score, 2)

        # what the learned part weighed: each feature's pull on the score (its mean weight over the
        # ordinal thresholds) and its share of the chosen category's lead over the runner-up
        pull = self.score_pull
        # (heapq.nsmallest(n, ...) is sorted(...)[:n] without sorting all; ties go by feature name, so
        # the evidence is the same in every process whatever its string hashing)
        weighed = (
            heapq.nsmallest(
                explain,
                ((name, value * pull[name]) for name, value, _ in present),
                key=lambda kv: (-abs(kv[1]), kv[0]),
            )
            if explain
            else []
        )
        category_weighed: list[tuple[str, float]] = []
        if category != off_topic and explain:
            ci = self.categories.index(category)
            runner = max(
                (i for i, c in enumerate(self.categories) if c not in (category, off_topic)),
                key=lambda i: cat_logits[i],
            )
            category_weighed = heapq.nsmallest(
                explain,
                ((name, value * (row[ci] - row[runner])) for name, value, row in present),
                key=lambda kv: (-kv[1], kv[0]),
            )
        return Judgement(
            category=Category(category),
            category_probs=probs,
            relevance=relevance,
            p_at_least=p_at_least,
            expected=expected,
            score=score,
            gate=gate,
            weighed=weighed,
            category_weighed=[kv for kv in category_weighed if kv[1] > 0],
        )


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def load_model(path: str | Path | None = None) -> JudgeModel:
    """The judge model at ``path`` (default: the one shipped with the package)."""
    with gzip.open(path or MODEL_PATH, "rt", encoding="utf-8") as handle:
        return JudgeModel(json.load(handle))


@lru_cache(maxsize=1)
def shipped_model() -> JudgeModel:
    """The shipped model, loaded once per process (on the first item, not at import)."""
    return load_model(MODEL_PATH)


# --------------------------------------------------------------------------- the analyst


@dataclass(frozen=True)
class Floor:
    """A rules finding that keeps a minimum score whatever the judge says (SCORING.md's clear
    cases: an enacted law, an executive action, a deal over $10B named in the headline)."""

    events: frozenset[str]
    min_money: float
    score: int


DEFAULT_FLOORS = (
    Floor(frozenset({"law-enacted"}), 0.0, 8),
    Floor(frozenset({"executive-action"}), 0.0, 7),
    Floor(frozenset({"funding", "acquisition", "major-partnership", "infrastructure-deal"}), 10e9, 8),
)


class JudgeAnalyst:
    """The learned judge with the rules around it: rules for tags, entities, summary, floors, caps
    and evidence; the judge for category and significance."""

    name = "judge"

    def __init__(
        self,
        rules: RuleAnalyst | None = None,
        model: JudgeModel | None = None,
        *,
        floors: tuple[Floor, ...] = DEFAULT_FLOORS,
    ):
        self.rules = rules or RuleAnalyst()
        self._model = model
        self.floors = floors

    @property
    def model(self) -> JudgeModel:
        if self._model is None:
            self._model = shipped_model()
        return self._model

    def enrich(self, item: Item, *, corroboration: int = 1) -> Enrichment:
        return self.assess(item, corroboration=corroboration)[0]

    def assess(self, item: Item, *, corroboration: int = 1) -> tuple[Enrichment, Judgement]:
        """The enrichment and the judgement behind it."""
        rules, findings = self.rules.analyse(item)
        judgement = self.model.judge(featurize(item, rules, findings))
        return self._enrichment(rules, findings, judgement, corroboration), judgement

    def _enrichment(
        self, rules: Enrichment, findings: Findings, judgement: Judgement, corroboration: int
    ) -> Enrichment:
        model = self.model
        category = judgement.category
        raw = judgement.expected
        raw = max(raw, 6.5) if judgement.score >= 7 else min(raw, 6.49)
        notes: list[str] = []
        floor = self._floor(findings)
        if floor is not None and category is not Category.OFF_TOPIC and raw < floor:
            raw = float(floor)
            notes.append(f"kept at {floor} by the rules' finding ({findings.event.replace('-', ' ')})")
        co_points = corroboration_points(self.rules.rubric, corroboration)
        cap = findings.cap if findings.event_where == "title" else None
        total = raw + co_points
        if cap is not None and total > cap:
            total = cap
            notes.append(f"capped at {cap:g}: a {findings.event.replace('-', ' ')}")
        if category is Category.OFF_TOPIC:
            total = min(total, 2.0)
        score = max(1, min(10, int(total + 0.5)))
        co_factor = FactorScore(
            name="corroboration",
            value=co_points,
            weight=1.0,
            contribution=co_points,
            evidence=[f"{corroboration} independent sources"] if corroboration > 1 else [],
        )
        learned = FactorScore(
            name="learned_judge",
            value=round(raw, 3),
            weight=1.0,
            contribution=0.0,
            evidence=[describe(name) for name, _ in judgement.weighed[:5]],
        )
        rationale = news_rationale(findings.news, score, category, corroboration)
        breakdown = rules.score_breakdown.model_copy(
            update={
                "analyst": self.name,
                "base": round(raw, 3),
                "factors": [learned, co_factor],
                "raw": round(total, 3),
                "corroboration": max(1, corroboration),
                "cap": cap,
                "judge": {
                    "version": model.version,
                    "expected": round(judgement.expected, 3),
                    "p6plus": round(judgement.p_at_least.get(6, 0.0), 4),
                    "p7plus": round(judgement.p_at_least.get(7, 0.0), 4),
                    "relevance": round(judgement.relevance, 4),
                    "category_probability": round(judgement.category_probs.get(category.value, 0.0), 4),
                    "rules_category": rules.category.value,
                    "rules_score": rules.score,
                    "floor": floor if notes and notes[0].startswith("kept") else None,
                },
            }
        )
        return rules.model_copy(
            update={
                "category": category,
                "score": score,
                "rationale": rationale,
                "score_breakdown": breakdown,
            }
        )

    def _floor(self, findings: Findings) -> int | None:
        if findings.event_where != "title":
            return None
        best = None
        for floor in self.floors:
            if findings.event in floor.events and findings.money >= floor.min_money:
                best = max(best or 0, floor.score)
        return best
