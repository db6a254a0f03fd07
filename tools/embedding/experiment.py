"""Does a static text embedding help the learned judge on feeds it never saw? (issue 11)

Grouped cross-validation by publisher group, exactly ``signals.scoring.training.grouped_cross_validation``
(same folds, params, gate search, predictions through ``JudgeAnalyst``), with the judge's features
as they are, or with dense embedding features added: ``v:t0..`` the mean WordLlama vector of the
title's words, ``v:s0..`` of the summary's (stop words dropped, as ``features.featurize`` does),
truncated to DIMS (Matryoshka) and scaled by one global constant so a typical item's vector has
length WEIGHT. A linear model over a mean of word vectors is linear in each word's vector, so a
winner could ship folded as a word -> scalar-per-output table; this script measures before folding.

    /work/embed-venv/bin/python tools/embedding/word_vectors.py tests/data/labeled /tmp/embed-words.npz
    PYTHONPATH=shared .venv/bin/python tools/embedding/experiment.py /tmp/embed-words.npz 0 64 128 256

Dims 0 is the judge without embeddings (the baseline). Prints one JSON line per variant.
"""

from __future__ import annotations

import json
import sys

import numpy as np
from signals.scoring import features as features_module
from signals.scoring import judge as judge_module
from signals.scoring import training

WEIGHT = 1.0


def embedding_featurize(table: dict[str, np.ndarray], dims: int, scale: float):
    base = features_module.featurize

    def mean(words: list[str]) -> np.ndarray | None:
        vecs = [table[w] for w in words if w not in features_module._STOP and w in table]
        return np.mean(vecs, axis=0)[:dims] * scale if vecs else None

    def featurize(item, enrichment, findings):
        out = base(item, enrichment, findings)
        title_words = features_module.words(features_module._plain(item.title))
        summary = features_module._plain(item.summary or "")[: features_module.SUMMARY_CHARS]
        summary_words = features_module.words(summary) if summary.strip() != item.title.strip() else []
        for ns, ws in (("t", title_words), ("s", summary_words)):
            v = mean(ws)
            if v is not None:
                out.update({f"v:{ns}{i}": float(x) for i, x in enumerate(v)})
        return out

    return featurize


def main(npz: str, variants: list[int]) -> None:
    data = np.load(npz)
    table = dict(zip(data["words"].tolist(), data["vectors"], strict=True))
    sets = training.load_sets(["tests/data/labeled"])
    rows = [r for _, r in sets]
    for dims in variants:
        if dims:
            # global scale: the median item title vector (all dims) gets length WEIGHT
            norms = []
            for r in rows[:2000]:
                ws = [
                    w for w in features_module.words(r.title) if w not in features_module._STOP and w in table
                ]
                if ws:
                    norms.append(float(np.linalg.norm(np.mean([table[w] for w in ws], axis=0)[:dims])))
            scale = WEIGHT / float(np.median(norms))
            fz = embedding_featurize(table, dims, scale)
        else:
            fz, scale = features_module.featurize, 0.0
        judge_module.featurize = fz
        training.featurize = fz
        cv = training.grouped_cross_validation(sets, folds=5)
        o = cv.overall
        keep = {k: o.get(k) for k in o if not isinstance(o.get(k), (dict, list))}
        print(json.dumps({"dims": dims, "scale": round(scale, 4), "groups": cv.groups, **keep}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], [int(a) for a in sys.argv[2:]])
