"""Alarms and dashboard in template.yaml: every alarm notifies the topic; the dashboard shows the metrics."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from signals.local.template import load_template, resources_of_type

TEMPLATE = load_template()
ALARMS = resources_of_type(TEMPLATE, "AWS::CloudWatch::Alarm")
DASHBOARDS = resources_of_type(TEMPLATE, "AWS::CloudWatch::Dashboard")

# What the issue asks to alarm on, by logical id.
EXPECTED_ALARMS = {
    "ScoreDLQNotEmptyAlarm",
    "DeliveryDLQNotEmptyAlarm",
    "IngestFailureRateAlarm",
    "ScorerErrorsAlarm",
    "Api5xxAlarm",
    "DeliveryFailureRateAlarm",
    "NoNewItemsAlarm",
}
# Custom metrics the functions emit (namespace Signals) that the dashboard must show.
CUSTOM_METRICS = {
    "ingest": ["SourcesFetched", "SourcesNotModified", "SourcesFailed", "ItemsNew", "BytesFetched"],
    "scorer": [
        "ItemsScored",
        "ItemsMergedIntoStories",
        "ScoreErrors",
        "SignalScore",
        "LagFetchedToScored",
        "LagPublishedToScored",
    ],
    "deliver": ["DeliveryAttempts", "DeliverySuccesses", "DeliveryFailures", "DeliveryLatency"],
}
FUNCTIONS = ["IngestFunction", "ScorerFunction", "ApiFunction", "DeliverFunction", "DigestFunction"]


def _dashboard() -> tuple[dict[str, Any], str]:
    (props,) = DASHBOARDS.values()
    source = props["DashboardBody"]["Fn::Sub"]
    assert isinstance(source, str)
    # The !Sub placeholders sit inside JSON strings, so the body parses as it is written.
    return json.loads(source), source


def _metric_rows(body: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for widget in body["widgets"]:
        for row in widget.get("properties", {}).get("metrics", []):
            rows.append([part for part in row if not isinstance(part, dict)])
    return rows


@pytest.mark.parametrize("alarm", sorted(EXPECTED_ALARMS))
def test_every_expected_alarm_exists_and_notifies_the_alarm_topic(alarm):
    assert alarm in ALARMS, f"{alarm} missing"
    assert {"Ref": "AlarmTopic"} in ALARMS[alarm]["AlarmActions"]


def test_no_alarm_goes_unheard():
    for name, props in ALARMS.items():
        assert {"Ref": "AlarmTopic"} in props.get("AlarmActions", []), f"{name} notifies nobody"
        assert props.get("AlarmDescription"), f"{name} says nothing about what it means"


@pytest.mark.parametrize(
    "alarm", ["IngestFailureRateAlarm", "ScorerErrorsAlarm", "Api5xxAlarm", "DeliveryFailureRateAlarm"]
)
def test_rate_alarms_use_metric_math_over_the_metrics_they_name(alarm):
    metrics = ALARMS[alarm]["Metrics"]
    (returned,) = [m for m in metrics if m.get("ReturnData", True)]
    ids = {m["Id"] for m in metrics if "MetricStat" in m}
    referenced = set(re.findall(r"[a-z][a-z0-9_]*", returned["Expression"])) - {"fill", "if"}
    assert referenced == ids, f"{alarm}: expression uses {referenced}, metrics are {ids}"
    assert "/" in returned["Expression"]


def test_no_new_items_alarm_covers_six_hours_and_treats_silence_as_breaching():
    props = ALARMS["NoNewItemsAlarm"]
    assert props["Period"] * props["EvaluationPeriods"] == 6 * 3600
    assert props["DatapointsToAlarm"] == props["EvaluationPeriods"]
    assert props["TreatMissingData"] == "breaching"
    assert props["MetricName"] == "ItemsNew"


def test_dashboard_body_is_json_showing_custom_metrics_dlqs_and_function_health():
    body, source = _dashboard()
    rows = _metric_rows(body)
    for service, names in CUSTOM_METRICS.items():
        for name in names:
            assert ["Signals", name, "service", service] in rows, f"dashboard lacks {name} ({service})"
    for dlq in ("ScoreDLQ", "DeliveryDLQ"):
        assert ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", f"${{{dlq}.QueueName}}"] in rows
    for metric in ("Errors", "Throttles", "Duration"):
        for function in FUNCTIONS:
            assert ["AWS/Lambda", metric, "FunctionName", f"${{{function}}}"] in rows
    durations = [w for w in body["widgets"] if "duration" in w["properties"].get("title", "").lower()]
    assert durations and all(w["properties"]["stat"] == "p99" for w in durations)
    # every placeholder names a resource of the template (or a pseudo parameter)
    for placeholder in re.findall(r"\$\{([^}]+)\}", source):
        assert placeholder.startswith("AWS::") or placeholder.split(".")[0] in TEMPLATE["Resources"]


def test_dashboard_alarm_widget_lists_every_alarm():
    body, _ = _dashboard()
    (widget,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    listed = {arn.removeprefix("${").removesuffix(".Arn}") for arn in widget["properties"]["alarms"]}
    assert listed == set(ALARMS)
