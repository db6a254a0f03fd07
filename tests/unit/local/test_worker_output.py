"""A demo worker's output with metrics off: no EMF documents (Powertools prints one mid-batch when
a metric reaches 100 values, whatever POWERTOOLS_METRICS_DISABLED says), every log line kept."""

from __future__ import annotations

import io
import json
import warnings

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from signals.local.workers import _WithoutMetrics


def test_a_scorer_batch_over_100_items_prints_no_metrics_document(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    metrics = Metrics(namespace="Signals", service="scorer")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(101):
            metrics.add_metric(name="ItemsScored", unit=MetricUnit.Count, value=1)
    assert '"_aws"' in capsys.readouterr().out  # what Powertools does on its own (the reason for the filter)
    metrics.clear_metrics()

    terminal = io.StringIO()
    out = _WithoutMetrics(terminal)
    print(json.dumps({"_aws": {"Timestamp": 1}, "ItemsScored": [1.0] * 100}), file=out)
    print("WARNING scorer: item x failed: bad feed", file=out)
    print(json.dumps({"level": "WARNING", "message": "a structured log line"}), file=out)
    assert terminal.getvalue().splitlines() == [
        "WARNING scorer: item x failed: bad feed",
        '{"level": "WARNING", "message": "a structured log line"}',
    ]
