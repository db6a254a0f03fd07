"""Paired grouped cross-validation for judge experiments (issue 11): what a feature source or more
labels would buy, measured on held-out publisher groups.

The same 5 folds over publisher groups as ``training.grouped_cross_validation``
(``training._group_folds``, same seed), the judge's own features (``training.featurise_rows``), and the
judge's three model families refitted with scikit-learn (balanced multinomial category model, the
AI-relevance model deciding off-topic, ordinal P(score >= k) for k = 2..10, expected score, off-topic
capped at 2). Simplified against ``signals eval``: no rules floors or caps and no inner-CV 7+ gate;
recall of 7+ is read at the best P(7+) cut with precision >= 0.5 chosen on the test folds
themselves (an optimistic bound, labelled "oracle"), plus average precision of P(7+). Compare
variants with each other, not with ``signals eval``'s figures.

    PYTHONPATH=shared .venv/bin/python tools/embedding/paired_cv.py baseline
    PYTHONPATH=shared .venv/bin/python tools/embedding/paired_cv.py dense /tmp/minilm.npy 0.5
    PYTHONPATH=shared .venv/bin/python tools/embedding/paired_cv.py dense-only /tmp/minilm.npy 1.0
    PYTHONPATH=shared .venv/bin/python tools/embedding/paired_cv.py fraction 0.25   # of training groups

Needs numpy, scipy and scikit-learn (dev dependencies). Prints one JSON line.
"""

from __future__ import annotations

import json
import random
import sys

import numpy as np
import scipy.sparse as sp
from scipy.stats import spearmanr
from signals.models import Category
from signals.scoring.training import Params, _group_folds, featurise_rows, group_of, load_sets
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score

CATS = [c.value for c in Category]


def _matrices(features, train, test, min_df):
    dv = DictVectorizer()
    xtr = dv.fit_transform([features[i] for i in train])
    document_frequency = (xtr != 0).sum(0).A1
    keep = np.where(document_frequency >= min_df)[0]
    return xtr[:, keep], dv.transform([features[i] for i in test])[:, keep]


def run(variant: str, args: list[str]) -> dict:
    p = Params()
    rows = [r for _, r in load_sets(["tests/data/labeled"])]
    features = featurise_rows(rows)
    groups = [group_of(r) for r in rows]
    cat = np.array([r.category.value for r in rows])
    alt = np.array([(r.category_alt or r.category).value for r in rows])
    scores = np.array([r.score for r in rows])
    readings = np.array([(r.annotator_scores or [r.score, r.score]) for r in rows])
    dense = np.load(args[0]) * float(args[1]) if variant.startswith("dense") else None
    fraction = float(args[0]) if variant == "fraction" else 1.0
    rng = random.Random(7)
    pred = np.empty(len(rows), dtype=object)
    expected, p7 = np.zeros(len(rows)), np.zeros(len(rows))
    for train, test in _group_folds(groups, 5, p.seed):
        if fraction < 1:
            names = sorted({groups[i] for i in train})
            rng.shuffle(names)
            kept = set(names[: int(len(names) * fraction)])
            train = [i for i in train if groups[i] in kept]
        if variant == "dense-only":
            xtr, xte = sp.csr_matrix(dense[train]), sp.csr_matrix(dense[test])
        else:
            xtr, xte = _matrices(features, train, test, p.min_df)
            if dense is not None:
                xtr = sp.hstack([xtr, sp.csr_matrix(dense[train])]).tocsr()
                xte = sp.hstack([xte, sp.csr_matrix(dense[test])]).tocsr()
        x2 = sp.vstack([xtr, xtr]).tocsr()  # one example per annotator reading
        y = np.concatenate([cat[train], alt[train]])
        model = LogisticRegression(C=p.c_category, max_iter=5000, class_weight="balanced").fit(x2, y)
        relevant = LogisticRegression(C=p.c_relevance, max_iter=5000).fit(x2, y != "off-topic")
        probs = model.predict_proba(xte)
        classes = list(model.classes_)
        probs[:, classes.index("off-topic")] = -1
        chosen = np.array(classes)[probs.argmax(1)]
        chosen[relevant.predict_proba(xte)[:, 1] < p.relevance_threshold] = "off-topic"
        pred[test] = chosen
        s2 = np.concatenate([readings[train, 0], readings[train, 1]])
        previous, total = np.ones(len(test)), np.ones(len(test))
        for k in range(2, 11):
            yk = (s2 >= k).astype(int)
            pk = 0 * previous
            if yk.any():
                pk = LogisticRegression(C=p.c_ordinal, max_iter=5000).fit(x2, yk).predict_proba(xte)[:, 1]
            previous = np.minimum(previous, pk)
            total += previous
            if k == 7:
                p7[test] = previous
        total[chosen == "off-topic"] = np.minimum(total[chosen == "off-topic"], 2)
        expected[test] = total
    right = (pred == cat) | (pred == alt)
    truth = np.where(pred == alt, alt, cat)  # either annotator's category counts as right
    score = np.clip(np.round(expected), 1, 10)
    high = scores >= 7
    recall = 0.0
    for cut in np.arange(0.05, 0.95, 0.01):
        chosen7 = p7 >= cut
        if chosen7.any() and high[chosen7].mean() >= 0.5:
            recall = max(recall, high[chosen7].sum() / high.sum())
    return {
        "variant": variant,
        "args": args,
        "rows": len(rows),
        "groups": len(set(groups)),
        "accuracy": round(float(right.mean()), 3),
        "macro_f1": round(float(f1_score(truth, pred, average="macro", labels=CATS)), 3),
        "spearman": round(float(spearmanr(score, scores).correlation), 3),
        "mae": round(float(np.abs(score - scores).mean()), 3),
        "ap_7plus": round(float(average_precision_score(high, p7)), 3),
        "recall_7plus_at_p50_oracle": round(recall, 3),
    }


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2:])), flush=True)
