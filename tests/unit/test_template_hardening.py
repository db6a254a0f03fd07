"""Production hardening of template.yaml (issue 12, findings 1, 2, 3, 6 and 13)."""

from __future__ import annotations

from typing import Any

import pytest
from signals.local.template import load_template, resources_of_type

TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
PARAMETERS: dict[str, Any] = TEMPLATE["Parameters"]
FUNCTIONS = resources_of_type(TEMPLATE, "AWS::Serverless::Function")
GLOBALS = TEMPLATE["Globals"]["Function"]
NO_VALUE = {"Ref": "AWS::NoValue"}


def _ref_id(value: Any) -> str:
    return value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]


# --- finding 1: alarms can reach the topic ---------------------------------------------------
def test_alarm_topic_uses_a_rotating_customer_managed_key_that_cloudwatch_may_use() -> None:
    (topic,) = resources_of_type(TEMPLATE, "AWS::SNS::Topic").values()
    key_id = topic["KmsMasterKeyId"]
    assert key_id != "alias/aws/sns" and isinstance(key_id, dict), "the AWS-managed key locks CloudWatch out"
    key = RESOURCES[_ref_id(key_id)]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    cloudwatch = [
        s for s in statements if s.get("Principal", {}).get("Service") == "cloudwatch.amazonaws.com"
    ]
    assert len(cloudwatch) == 1 and cloudwatch[0]["Effect"] == "Allow"
    assert set(cloudwatch[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    root = [s for s in statements if "AWS" in s.get("Principal", {})]
    assert root and root[0]["Principal"]["AWS"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
    }


# --- finding 2: a second stack fits in one account and region ----------------------------------
def test_schedule_lets_cloudformation_name_it() -> None:
    for props in FUNCTIONS.values():
        for event in props.get("Events", {}).values():
            if event["Type"] in ("ScheduleV2", "Schedule"):
                assert event["Type"] == "ScheduleV2"
                assert event["Properties"].get("OmitName") is True
                assert "Name" not in event["Properties"]


# --- finding 3: reserved concurrency is opt-in --------------------------------------------------
@pytest.mark.parametrize(
    ("function", "parameter"),
    [("IngestFunction", "IngestReservedConcurrency"), ("ApiFunction", "ApiReservedConcurrency")],
)
def test_reserved_concurrency_is_a_parameter_off_by_default(function: str, parameter: str) -> None:
    assert PARAMETERS[parameter]["Default"] == 0
    condition, when_set, when_unset = FUNCTIONS[function]["ReservedConcurrentExecutions"]["Fn::If"]
    assert when_set == {"Ref": parameter} and when_unset == NO_VALUE
    assert TEMPLATE["Conditions"][condition] == {"Fn::Not": [{"Fn::Equals": [{"Ref": parameter}, 0]}]}


def test_no_function_reserves_concurrency_unconditionally() -> None:
    for name, props in FUNCTIONS.items():
        reserved = props.get("ReservedConcurrentExecutions")
        assert reserved is None or "Fn::If" in reserved, f"{name} reserves {reserved} whatever the quota"
    assert "ReservedConcurrentExecutions" not in GLOBALS


# --- finding 6: the cursor key ------------------------------------------------------------------
def test_cursor_key_has_no_default_and_never_travels_as_a_plain_environment_variable() -> None:
    for name, parameter in PARAMETERS.items():
        if "Cursor" in name:
            assert "Default" not in parameter, f"{name} has a public default"
    assert "CursorSecret" not in PARAMETERS
    for props in [GLOBALS, *FUNCTIONS.values()]:
        variables = props.get("Environment", {}).get("Variables", {})
        assert "SIGNALS_CURSOR_SECRET" not in variables
    api = FUNCTIONS["ApiFunction"]["Environment"]["Variables"]
    assert api["SIGNALS_CURSOR_SECRET_PARAMETER"] == {"Ref": "CursorSecretParameterName"}


# --- finding 13: logs, tracing, retention -------------------------------------------------------
def test_every_function_and_the_api_access_log_have_a_log_group_with_retention() -> None:
    assert PARAMETERS["LogRetentionDays"]["Default"] == 30
    groups = resources_of_type(TEMPLATE, "AWS::Logs::LogGroup")
    assert all(g["RetentionInDays"] == {"Ref": "LogRetentionDays"} for g in groups.values())
    named = {g["LogGroupName"]["Fn::Sub"] for g in groups.values() if "LogGroupName" in g}
    assert named == {f"/aws/lambda/${{{name}}}" for name in FUNCTIONS}
    (api,) = resources_of_type(TEMPLATE, "AWS::Serverless::HttpApi").values()
    access = api["AccessLogSettings"]
    assert _ref_id(access["DestinationArn"]) in groups
    assert '"status":"$context.status"' in access["Format"] and "$context.requestId" in access["Format"]


def test_functions_are_traced() -> None:
    assert GLOBALS["Tracing"] == "Active"
    assert all(props.get("Tracing", "Active") == "Active" for props in FUNCTIONS.values())


@pytest.mark.parametrize("resource_type", ["AWS::DynamoDB::Table", "AWS::S3::Bucket"])
def test_table_and_bucket_survive_stack_deletion_and_replacement(resource_type: str) -> None:
    (resource,) = [r for r in RESOURCES.values() if r["Type"] == resource_type]
    assert resource["DeletionPolicy"] == "Retain"
    assert resource["UpdateReplacePolicy"] == "Retain"
    if resource_type == "AWS::DynamoDB::Table":
        assert resource["Properties"]["DeletionProtectionEnabled"] is True


def test_every_checkov_suppression_gives_its_reason() -> None:
    for name, resource in RESOURCES.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert skip["id"].startswith("CKV_") and len(skip.get("comment", "")) > 20, f"{name}: {skip}"
