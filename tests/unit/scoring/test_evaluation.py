"""Evaluation metrics on tiny hand-computed cases, and `signals eval` holding the line."""

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
    assert main(["eval", "--labels", str(LABELS), "--json"]) == 0
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


def test_signals_eval_holds_the_line_on_the_second_labelled_set(capsys):
    # Given the second labelled set (200 items)
    # When `signals eval --json` runs on it
    assert main(["eval", "--labels", str(EXTRA_LABELS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # Then the figures stay at least where they were reached (rules v2026.11.6: accuracy 0.835,
    # macro-F1 0.773, Spearman 0.767, MAE 0.743, precision@7 0.50; v2026.11.5: accuracy 0.835,
    # macro-F1 0.773, Spearman 0.728, MAE 0.818, precision@7 0.50 (a name-only "Grok 4", labelled 4,
    # now reads as a flagship release); v2026.11.4: Spearman 0.729, MAE 0.807, precision@7 0.60;
    # v2026.11.3 had Spearman 0.731,
    # MAE 0.802; v2026.11.2 had accuracy 0.805,
    # macro-F1 0.736, Spearman 0.671, MAE 0.927, and on its held-out half, never tuned on then,
    # accuracy 0.777, Spearman 0.686), minus a small margin
    assert report["n"] == 200
    assert report["category_accuracy"] >= 0.81
    assert report["macro_f1"] >= 0.75
    assert report["spearman"] >= 0.75
    assert report["mae"] <= 0.77


def test_signals_eval_holds_the_line_on_the_third_labelled_set(capsys):
    # Given the third labelled set (200 items)
    # When `signals eval --json` runs on it
    assert main(["eval", "--labels", str(EXTRA2_LABELS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # Then the figures stay at least where they were reached (rules v2026.11.7: accuracy 0.770,
    # macro-F1 0.678, Spearman 0.757, MAE 0.755; v2026.11.6: accuracy 0.765,
    # macro-F1 0.643, Spearman 0.753, MAE 0.760, precision@7 0.71, recall@7 0.45; v2026.11.5:
    # Spearman 0.705, MAE 0.820; v2026.11.4, the
    # first tuned on it: Spearman 0.690, MAE 0.835, precision@7 0.75, recall@7 0.27; v2026.11.3,
    # never tuned on: accuracy 0.700, macro-F1 0.582, Spearman 0.690, MAE 0.830), minus a margin
    assert report["n"] == 200
    assert report["category_accuracy"] >= 0.75
    assert report["macro_f1"] >= 0.65
    assert report["spearman"] >= 0.73
    assert report["mae"] <= 0.79


def test_signals_eval_holds_the_line_on_the_fourth_labelled_set(capsys):
    # Given the fourth labelled set (200 items)
    # When `signals eval --json` runs on it
    assert main(["eval", "--labels", str(EXTRA3_LABELS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # Then the figures stay at least where they were reached (rules v2026.11.7: accuracy 0.720,
    # macro-F1 0.665, Spearman 0.719, MAE 0.870; v2026.11.6: accuracy 0.690,
    # macro-F1 0.601, Spearman 0.719, MAE 0.870, precision@7 0.33, recall@7 0.50; v2026.11.5, the
    # first tuned on it: accuracy 0.690, macro-F1 0.601, Spearman 0.653, MAE 0.995, precision@7 0.38, recall@7
    # 0.50; v2026.11.4, never tuned on: accuracy 0.675, macro-F1 0.592, Spearman 0.634, MAE 1.040,
    # precision@7 0.14, recall@7 0.17), minus a margin
    assert report["n"] == 200
    assert report["category_accuracy"] >= 0.70
    assert report["macro_f1"] >= 0.64
    assert report["spearman"] >= 0.70
    assert report["mae"] <= 0.90


def test_signals_eval_on_the_sets_held_out_for_v2026_11_5(capsys):
    # Given 400 items the rules v2026.11.5 were never tuned on
    # When `signals eval --json` runs on them
    assert main(["eval", "--labels", str(HOLDOUT_LABELS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # Then the figures stay at least where they were when first measured (v2026.11.5: accuracy
    # 0.657, macro-F1 0.662, Spearman 0.495, MAE 1.067; the first rules, v2026.11.1: 0.610,
    # 0.591, 0.451, 1.135), minus a margin. Below the targets (0.80, 0.65): see SOURCES.md.
    # Tuned on from v2026.11.6: accuracy 0.657, macro-F1 0.657, Spearman 0.661, MAE 0.845,
    # precision@7 0.50, recall@7 0.31. v2026.11.7: accuracy 0.695, macro-F1 0.717, Spearman 0.663,
    # MAE 0.840.
    assert report["n"] == 400
    assert report["category_accuracy"] >= 0.67
    assert report["macro_f1"] >= 0.69
    assert report["spearman"] >= 0.64
    assert report["mae"] <= 0.87


def test_signals_eval_holds_the_line_on_the_seventh_labelled_set(capsys):
    # Given the seventh labelled set (200 items, lab blogs and digests)
    # When `signals eval --json` runs on it
    assert main(["eval", "--labels", str(EXTRA4_LABELS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # Then the figures stay at least where they were when it was first opened (rules v2026.11.6,
    # never tuned on: accuracy 0.565, macro-F1 0.496, Spearman 0.632, MAE 1.008; v2026.11.1:
    # 0.540, 0.473, 0.268, 1.353), minus a margin. Tuned on from v2026.11.7: accuracy 0.685,
    # macro-F1 0.633, Spearman 0.634, MAE 1.002, precision@7 0.71, recall@7 0.38.
    assert report["n"] == 200
    assert report["category_accuracy"] >= 0.66
    assert report["macro_f1"] >= 0.60
    assert report["spearman"] >= 0.61
    assert report["mae"] <= 1.03


def test_signals_eval_on_the_set_held_out_for_v2026_11_7(capsys):
    # Given 200 items no rules were ever tuned on (lab blogs, Hugging Face, The Batch)
    # When `signals eval --json` runs on them
    assert main(["eval", "--labels", str(HOLDOUT2_LABELS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # Then the figures stay at least where they were when first measured (v2026.11.7: accuracy
    # 0.625, macro-F1 0.590, Spearman 0.718, MAE 0.877; v2026.11.1: 0.575, 0.528, 0.312, 1.312),
    # minus a margin. Tuning on this file voids it as a check: label a new set instead.
    assert report["n"] == 200
    assert report["category_accuracy"] >= 0.60
    assert report["macro_f1"] >= 0.57
    assert report["spearman"] >= 0.69
    assert report["mae"] <= 0.90


def test_signals_eval_text_output(capsys):
    assert main(["eval", "--labels", str(LABELS)]) == 0
    out = capsys.readouterr().out
    assert "category accuracy" in out and "confusion" in out
