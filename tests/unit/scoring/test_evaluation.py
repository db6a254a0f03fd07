"""Evaluation metrics on tiny hand-computed cases, and `signals eval --enricher rules` holding the
rules' line (the rules still give tags, entities, floors and caps, and stay an option)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from signals.cli import main
from signals.scoring.evaluation import (
    macro_f1,
    mean_absolute_error,
    precision_recall,
    ranks,
    spearman,
)

LABELS = Path(__file__).resolve().parents[2] / "data" / "labeled" / "signals-dev.jsonl"
# a second labelled set (see SOURCES.md): half tuned on for rules v2026.11.2, half held out then
EXTRA_LABELS = LABELS.with_name("signals-extra.jsonl")
# a third (see SOURCES.md): held out while rules v2026.11.3 were written, tuned on from then
EXTRA2_LABELS = LABELS.with_name("signals-extra2.jsonl")
# a fourth: held out while rules v2026.11.4 were written, tuned on from then
EXTRA3_LABELS = LABELS.with_name("signals-extra3.jsonl")
# fifth and sixth (400 rows): held out while rules v2026.11.5 were written, measured once; tuned
# on from v2026.11.6
HOLDOUT_LABELS = LABELS.with_name("signals-holdout.jsonl")
# seventh (200): held out while rules v2026.11.6 were written, measured once, tuned on from then
EXTRA4_LABELS = LABELS.with_name("signals-extra4.jsonl")
# eighth (200): held out while rules v2026.11.7 were written, measured once; never tuned on yet
HOLDOUT2_LABELS = LABELS.with_name("signals-holdout2.jsonl")


def test_ranks_share_ties():
    assert ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]


def test_spearman():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # with ties: ranks x = [1, 2.5, 2.5, 4], y = [1, 2, 3, 4] -> Pearson of the ranks
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486833, rel=1e-6)
    assert spearman([5, 5, 5], [1, 2, 3]) == 0.0


def test_mae_precision_recall():
    assert mean_absolute_error([1, 5, 9], [2, 5, 7]) == pytest.approx(1.0)
    # predicted >=7: items 2,3; actual >=7: items 3,4 -> tp 1: precision 1/2, recall 1/2
    assert precision_recall([1, 8, 7, 3], [2, 3, 9, 7.5], 7) == (0.5, 0.5)


def test_macro_f1():
    truth = ["a", "a", "b", "c"]
    pred = ["a", "b", "b", "c"]
    # a: tp1 fn1 -> 2/3; b: tp1 fp1 -> 2/3; c: 1 -> mean 7/9
    assert macro_f1(truth, pred) == pytest.approx(7 / 9)


def test_signals_eval_holds_the_line(capsys):
    # Given the labelled development set
    # When `signals eval --json` runs on it
    assert main(["eval", "--labels", str(LABELS), "--json", "--enricher", "rules"]) == 0
    report = json.loads(capsys.readouterr().out)
    # Then the figures stay at least where they were reached (rules v2026.11.7: accuracy 0.842,
    # macro-F1 0.841, Spearman 0.760, MAE 0.764, precision@7 0.60; v2026.11.6: accuracy 0.818,
    # macro-F1 0.814, Spearman 0.760, MAE 0.764, precision@7 0.60; v2026.11.3 to v2026.11.5:
    # Spearman 0.750, MAE 0.824; v2026.11.2 had Spearman 0.727, MAE 0.842), minus a small margin
    assert report["n"] == 165
    assert report["category_accuracy"] >= 0.82
    assert report["macro_f1"] >= 0.82
    assert report["spearman"] >= 0.74
    assert report["mae"] <= 0.79
    assert report["precision_at_7"] >= 0.5
    assert {"precision_at_7", "recall_at_7", "confusion"} <= set(report)


#: The line each further labelled set holds: (file, rows, accuracy >=, macro-F1 >=, Spearman >=,
#: MAE <=), the figures reached minus a small margin. How each set was labelled, and what the rules
#: scored on it when first measured, before any tuning on it, is in tests/data/labeled/SOURCES.md.
HELD_LINES = [
    # tuned on from v2026.11.2 (its held-out half first measured at v2026.11.2: 0.777, Spearman 0.686)
    pytest.param(EXTRA_LABELS, 200, 0.81, 0.75, 0.75, 0.77, id="extra"),
    # first measured at v2026.11.3: 0.700, 0.582, 0.690, 0.830
    pytest.param(EXTRA2_LABELS, 200, 0.75, 0.65, 0.73, 0.79, id="extra2"),
    # first measured at v2026.11.4: 0.675, 0.592, 0.634, 1.040
    pytest.param(EXTRA3_LABELS, 200, 0.70, 0.64, 0.70, 0.90, id="extra3"),
    # first measured at v2026.11.5: 0.657, 0.662, 0.495, 1.067 (below the targets 0.80 / 0.65)
    pytest.param(HOLDOUT_LABELS, 400, 0.67, 0.69, 0.64, 0.87, id="holdout"),
    # first measured at v2026.11.6: 0.565, 0.496, 0.632, 1.008
    pytest.param(EXTRA4_LABELS, 200, 0.66, 0.60, 0.61, 1.03, id="extra4"),
    # never tuned on; first measured at v2026.11.7: 0.625, 0.590, 0.718, 0.877. Tuning on it voids
    # it as a check: label a new set to replace it first
    pytest.param(HOLDOUT2_LABELS, 200, 0.60, 0.57, 0.69, 0.90, id="holdout2"),
]


@pytest.mark.parametrize(("labels", "rows", "accuracy", "f1", "rho", "mae"), HELD_LINES)
def test_signals_eval_holds_the_line_on_the_further_labelled_sets(
    capsys, labels, rows, accuracy, f1, rho, mae
):
    # Given a further labelled set
    # When `signals eval --json` runs on it
    assert main(["eval", "--labels", str(labels), "--json", "--enricher", "rules"]) == 0
    report = json.loads(capsys.readouterr().out)
    # Then the figures stay at least where they were reached
    assert report["n"] == rows
    assert report["category_accuracy"] >= accuracy
    assert report["macro_f1"] >= f1
    assert report["spearman"] >= rho
    assert report["mae"] <= mae


def test_signals_eval_text_output(capsys):
    assert main(["eval", "--labels", str(LABELS), "--enricher", "rules"]) == 0
    out = capsys.readouterr().out
    assert "category accuracy" in out and "confusion" in out


def test_signals_eval_leads_with_held_out_feed_groups(capsys, monkeypatch):
    # the headline: the judge's figures on publishers held out of training, then each set's first
    # measurement (read from the labels folder, as a developer runs it from the repository)
    monkeypatch.chdir(LABELS.parents[3])
    assert main(["eval"]) == 0
    out = capsys.readouterr().out
    assert "held-out feed groups" in out and "calibration" in out
    assert "first measurement" in out and "signals-broad2" in out


def test_signals_eval_on_a_file_the_judge_was_trained_on_says_so(capsys):
    assert main(["eval", "--labels", str(LABELS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows_in_training"] == 165  # in-sample: not a generalisation figure
    assert main(["eval", "--labels", str(LABELS)]) == 0
    assert "in-sample, not a generalisation figure" in capsys.readouterr().out
