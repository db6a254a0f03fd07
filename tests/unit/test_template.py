"""What cfn-lint cannot see in template.yaml: the invariants RELIABILITY.md R-17 asks for."""

from __future__ import annotations

from typing import Any

import pytest
from signals.local.template import PROJECT_ROOT, load_template, resources_of_type

TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = resources_of_type(TEMPLATE, "AWS::Serverless::Function")
QUEUES = resources_of_type(TEMPLATE, "AWS::SQS::Queue")
GLOBALS = TEMPLATE["Globals"]["Function"]


def _sqs_events(props: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["Properties"] for e in props.get("Events", {}).values() if e["Type"] == "SQS"]


def _queue_id(ref: Any) -> str:
    # Queue: !GetAtt ScoreQueue.Arn
    return ref["Fn::GetAtt"][0]


def test_every_function_runs_python313_on_arm64_with_explicit_timeout_and_memory():
    assert GLOBALS["Runtime"] == "python3.13"
    assert GLOBALS["Architectures"] == ["arm64"]
    assert set(FUNCTIONS) == {
        "IngestFunction",
        "ScorerFunction",
        "ApiFunction",
        "DeliverFunction",
        "DigestFunction",
    }
    for name, props in FUNCTIONS.items():
        assert "Timeout" in props, f"{name} uses the default timeout"
        assert "MemorySize" in props, f"{name} uses the default memory size"
        assert props.get("Runtime", GLOBALS["Runtime"]) == "python3.13"


def test_layer_builds_for_python313():
    # Built by shared/Makefile for python3.13 with bytecode (tests/unit/test_template_layer.py).
    (layer,) = [r for r in RESOURCES.values() if r["Type"] == "AWS::Serverless::LayerVersion"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert "LAYER_PYTHON_VERSION ?= 3.13" in (PROJECT_ROOT / "shared" / "Makefile").read_text()


@pytest.mark.parametrize("function", ["ScorerFunction", "DeliverFunction"])
def test_sqs_consumers_report_batch_failures_and_queue_visibility_is_six_times_timeout(function):
    props = FUNCTIONS[function]
    events = _sqs_events(props)
    assert events, f"{function} has no SQS event source"
    for event in events:
        assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        queue = QUEUES[_queue_id(event["Queue"])]
        assert queue["VisibilityTimeout"] >= 6 * props["Timeout"], (
            f"{function}: queue visibility {queue['VisibilityTimeout']}s < 6 x timeout {props['Timeout']}s"
        )


def test_every_consumed_queue_has_a_dlq_with_at_least_five_receives_and_an_alarm():
    consumed = {_queue_id(e["Queue"]) for p in FUNCTIONS.values() for e in _sqs_events(p)}
    assert consumed == {"ScoreQueue", "DeliveryQueue"}
    alarms = resources_of_type(TEMPLATE, "AWS::CloudWatch::Alarm")
    alarmed_queues = {
        d["Value"]["Fn::GetAtt"][0]
        for a in alarms.values()
        if a.get("MetricName") == "ApproximateNumberOfMessagesVisible"
        for d in a.get("Dimensions", [])
        if isinstance(d.get("Value"), dict) and "Fn::GetAtt" in d["Value"]
    }
    for queue_id in consumed:
        policy = QUEUES[queue_id]["RedrivePolicy"]
        assert policy["maxReceiveCount"] >= 5
        dlq = policy["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert dlq in QUEUES
        assert dlq in alarmed_queues, f"{dlq} has no ApproximateNumberOfMessagesVisible alarm"


def test_http_api_stage_is_throttled():
    (api,) = resources_of_type(TEMPLATE, "AWS::Serverless::HttpApi").values()
    settings = api["DefaultRouteSettings"]
    assert settings["ThrottlingRateLimit"] and settings["ThrottlingBurstLimit"]


def test_ingest_runs_every_15_minutes():
    schedule = FUNCTIONS["IngestFunction"]["Events"]["Schedule"]
    assert schedule["Properties"]["ScheduleExpression"] == "rate(15 minutes)"


def test_table_is_on_demand_with_pitr_and_bucket_is_locked_down():
    (table,) = resources_of_type(TEMPLATE, "AWS::DynamoDB::Table").values()
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    (bucket,) = resources_of_type(TEMPLATE, "AWS::S3::Bucket").values()
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert any(rule.get("Transitions") for rule in bucket["LifecycleConfiguration"]["Rules"])


def test_deliver_function_has_no_vpc_and_only_the_permissions_delivery_needs():
    """R-10: delivery egress is filtered in code; its role can touch only the table and its queues."""
    props = FUNCTIONS["DeliverFunction"]
    assert "VpcConfig" not in props and "VpcConfig" not in GLOBALS
    resources = [
        resource
        for policy in props["Policies"]
        for statement in policy["Statement"]
        for resource in (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
    ]
    assert {r["Fn::GetAtt"][0] for r in resources} <= {"SignalsTable", "DeliveryQueue", "DeliveryDLQ"}


def test_outputs_name_the_api_bucket_table_and_queues():
    assert {"ApiUrl", "ArchiveBucketName", "SignalsTableName", "ScoreQueueUrl", "DeliveryQueueUrl"} <= set(
        TEMPLATE["Outputs"]
    )


def test_every_function_runs_without_pydantic_plugins():
    """Signals uses no pydantic plugin; without this, the first model of every cold start scans the
    entry points of every installed package (the cold-import benches set the same)."""
    variables = GLOBALS["Environment"]["Variables"]
    assert variables["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    for name, resource in TEMPLATE["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            own = resource["Properties"].get("Environment", {}).get("Variables", {})
            assert "PYDANTIC_DISABLE_PLUGINS" not in own, name
