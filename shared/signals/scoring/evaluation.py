"""Evaluation of an analyst against labelled items (``signals eval``): pure Python metrics.

A labelled row (JSONL) has ``title``, ``summary``, ``feed_title``, ``link``, ``published``,
``category``, optional ``category_alt`` (a second acceptable category) and ``score`` (the mean of
the annotators, possibly fractional).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from pydantic import ConfigDict

from signals.base_model import SignalsModel
from signals.models import Category, Item

HIGH_SCORE = 7


class LabelledItem(SignalsModel):
    """One row of a labels file."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    title: str
    summary: str = ""
    feed_title: str = ""
    link: str = ""
    published: str | None = None
    category: Category
    category_alt: Category | None = None
    score: float
    annotator_scores: list[float] | None = None
    group: str | None = None  # the publisher group held out together in grouped cross-validation

    def to_item(self) -> Item:
        """The row as the Item an analyst sees (source = the feed's title, neutral authority)."""
        key = self.id or hashlib.sha256(f"{self.link}\n{self.title}".encode()).hexdigest()[:16]
        published = _parse_date(self.published)
        return Item(
            id=key,
            source_id=hashlib.sha256(self.feed_title.encode()).hexdigest()[:12],
            source_name=self.feed_title or "unknown",
            feed_url=self.link or "about:blank",
            url=self.link or "about:blank",
            title=self.title,
            summary=self.summary,
            published_at=published,
            fetched_at=published,
            content_hash=hashlib.sha256(f"{self.title}\n{self.summary}\n{self.link}".encode()).hexdigest(),
        )


def _parse_date(value: str | None) -> datetime:
    if value:
        try:
            return parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
            except ValueError:
                pass
    return datetime(1970, 1, 1, tzinfo=UTC)


def load_labels(path: str | Path) -> list[LabelledItem]:
    """Rows of a JSONL labels file (blank lines skipped)."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(LabelledItem.model_validate_json(line))
    return rows


# --------------------------------------------------------------------------- metrics


def ranks(values: Sequence[float]) -> list[float]:
    """Fractional ranks (1-based); ties share the mean of their positions."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        mean_rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            result[order[k]] = mean_rank
        i = j + 1
    return result


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson correlation; 0 when either side is constant."""
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return 0.0
    return sxy / (sxx * syy) ** 0.5


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman rank correlation with ties (Pearson over fractional ranks)."""
    return pearson(ranks(xs), ranks(ys))


def mean_absolute_error(predicted: Sequence[float], actual: Sequence[float]) -> float:
    if not predicted:
        return 0.0
    return sum(abs(p - a) for p, a in zip(predicted, actual, strict=True)) / len(predicted)


def precision_recall(
    predicted: Sequence[float], actual: Sequence[float], threshold: float
) -> tuple[float, float]:
    """Precision and recall of "score >= threshold" (1.0 when nothing was predicted / expected)."""
    tp = sum(1 for p, a in zip(predicted, actual, strict=True) if p >= threshold and a >= threshold)
    predicted_pos = sum(1 for p in predicted if p >= threshold)
    actual_pos = sum(1 for a in actual if a >= threshold)
    precision = tp / predicted_pos if predicted_pos else 1.0
    recall = tp / actual_pos if actual_pos else 1.0
    return precision, recall


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Mean F1 over the classes that occur in the truth or the predictions."""
    classes = sorted(set(truth) | set(predicted))
    if not classes:
        return 0.0
    scores = []
    for c in classes:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == c and p == c)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != c and p == c)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == c and p != c)
        denominator = 2 * tp + fp + fn
        scores.append(2 * tp / denominator if denominator else 0.0)
    return sum(scores) / len(scores)


@dataclass
class EvaluationReport:
    """The figures of one evaluation run."""

    n: int
    category_accuracy: float
    macro_f1: float
    spearman: float
    mae: float
    precision_at_7: float
    recall_at_7: float
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def as_dict(self, *, with_rows: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n": self.n,
            "category_accuracy": round(self.category_accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "spearman": round(self.spearman, 4),
            "mae": round(self.mae, 4),
            "precision_at_7": round(self.precision_at_7, 4),
            "recall_at_7": round(self.recall_at_7, 4),
            "confusion": self.confusion,
        }
        if with_rows:
            out["rows"] = self.rows
        return out


def evaluate(rows: Iterable[LabelledItem], analyst: Any) -> EvaluationReport:
    """Run ``analyst.enrich`` on every labelled row and compare with the labels."""
    rows = list(rows)
    return report_from(rows, [analyst.enrich(row.to_item()) for row in rows])


def report_from(rows: Sequence[LabelledItem], enrichments: Sequence[Any]) -> EvaluationReport:
    """Compare enrichments made elsewhere (held-out folds, say) with the rows' labels."""
    truth_cat: list[str] = []
    pred_cat: list[str] = []
    truth_score: list[float] = []
    pred_score: list[float] = []
    details: list[dict[str, Any]] = []
    correct = 0
    for row, enrichment in zip(rows, enrichments, strict=True):
        predicted = enrichment.category.value
        accepted = {row.category.value} | ({row.category_alt.value} if row.category_alt else set())
        right = predicted in accepted
        correct += right
        # for the confusion matrix and F1, a prediction matching the alternative counts as that label
        truth_cat.append(predicted if right else row.category.value)
        pred_cat.append(predicted)
        truth_score.append(row.score)
        pred_score.append(float(enrichment.score))
        details.append(
            {
                "id": row.id,
                "title": row.title,
                "category": row.category.value,
                "predicted_category": predicted,
                "score": row.score,
                "predicted_score": enrichment.score,
            }
        )
    n = len(truth_cat)
    confusion: dict[str, dict[str, int]] = {}
    for t, p in zip(truth_cat, pred_cat, strict=True):
        confusion.setdefault(t, {}).setdefault(p, 0)
        confusion[t][p] += 1
    precision, recall = precision_recall(pred_score, truth_score, HIGH_SCORE)
    return EvaluationReport(
        n=n,
        category_accuracy=correct / n if n else 0.0,
        macro_f1=macro_f1(truth_cat, pred_cat),
        spearman=spearman(pred_score, truth_score),
        mae=mean_absolute_error(pred_score, truth_score),
        precision_at_7=precision,
        recall_at_7=recall,
        confusion=confusion,
        rows=details,
    )


def format_report(report: EvaluationReport) -> str:
    """The report as text: the headline figures, then the confusion matrix (rows = label)."""
    lines = [
        f"items             {report.n}",
        f"category accuracy {report.category_accuracy:.3f}",
        f"macro F1          {report.macro_f1:.3f}",
        f"Spearman          {report.spearman:.3f}",
        f"MAE               {report.mae:.3f}",
        f"precision@7       {report.precision_at_7:.3f}",
        f"recall@7          {report.recall_at_7:.3f}",
        "",
        "confusion (rows: label, columns: predicted)",
    ]
    cats = [c.value for c in Category]
    short = {c: c[:6] for c in cats}
    lines.append(" " * 16 + " ".join(f"{short[c]:>6}" for c in cats))
    for t in cats:
        row = report.confusion.get(t, {})
        if not row:
            continue
        lines.append(f"{t:<16}" + " ".join(f"{row.get(p, 0):>6}" for p in cats))
    return "\n".join(lines)


def dumps(report: EvaluationReport) -> str:
    return json.dumps(report.as_dict(), indent=2, sort_keys=False)


def format_held_out(evaluation: dict[str, Any]) -> str:
    """Held-out figures (``CrossValidation.as_dict()``, as stored in the judge's model file) as text:
    the headline, each labelled set, and the calibration table."""
    o = evaluation["overall"]
    lines = [
        evaluation["method"],
        f"  items {o['n']}  accuracy {o['category_accuracy']:.3f}  macro-F1 {o['macro_f1']:.3f}  "
        f"Spearman {o['spearman']:.3f}  MAE {o['mae']:.3f}",
        f"  7+: precision {o['precision_at_7']:.3f} recall {o['recall_at_7']:.3f} "
        f"({o.get('n_7plus_predicted', '?')} predicted, {o.get('n_7plus_labelled', '?')} labelled)",
        "",
        "by labelled set (the same held-out predictions):",
    ]
    for name, r in evaluation.get("by_set", {}).items():
        lines.append(
            f"  {name:<22} n={r['n']:<5} acc {r['category_accuracy']:.3f}  F1 {r['macro_f1']:.3f}  "
            f"Spearman {r['spearman']:.3f}  MAE {r['mae']:.3f}  "
            f"P/R@7 {r['precision_at_7']:.2f}/{r['recall_at_7']:.2f}"
        )
    lines += ["", "calibration (predicted band: items, mean labelled score, share labelled 7+, mean P(7+))"]
    for c in evaluation.get("calibration", []):
        if c.get("items"):
            lines.append(
                f"  {c['band']:>5}: {c['items']:>5}  {c['mean_labelled']:>5.2f}  "
                f"{c['labelled_7plus']:>5.3f}  {c['mean_p7plus']:.3f}"
            )
    return "\n".join(lines)
