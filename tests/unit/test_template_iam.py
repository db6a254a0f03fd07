"""Least privilege (issue 12, finding 12): each function's role allows only the actions its code makes.

The expected sets below were read off the code's boto3 calls (storage/*, ops/health.py, the cursor
key); a new call needs a deliberate line here. SAM policy templates (DynamoDBCrudPolicy, S3CrudPolicy,
...) are not used: they grant Scan, DeleteItem and DeleteObject wholesale.
"""

from __future__ import annotations

from typing import Any

import pytest
from signals.local.template import load_template, resources_of_type

TEMPLATE = load_template()
FUNCTIONS = resources_of_type(TEMPLATE, "AWS::Serverless::Function")

TABLE = {"Fn::GetAtt": ["SignalsTable", "Arn"]}
EXPECTED: dict[str, set[str]] = {
    "IngestFunction": {
        "dynamodb:BatchGetItem",  # source states, seen items
        "dynamodb:BatchWriteItem",  # seen items
        "dynamodb:PutItem",  # source state
        "dynamodb:UpdateItem",  # pipeline stats counters
        "s3:PutObject",  # write-once archive (IfNoneMatch)
        "sqs:SendMessage",  # score queue (SendMessageBatch)
    },
    "ScorerFunction": {
        "s3:GetObject",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",  # obsolete postings, inside the signal's transaction
        "sqs:SendMessage",
        "bedrock:InvokeModel",  # only when EnableBedrockAnalyst is true
    },
    "ApiFunction": {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",  # subscription create (with its fan-out rows)
        "dynamodb:UpdateItem",  # subscription edit, delivery reopen, health reset
        "dynamodb:DeleteItem",  # subscription delete and dropped fan-out rows
        "sqs:SendMessage",  # test events and retries onto the delivery queue
        "sqs:GetQueueAttributes",  # /v1/health
        "s3:ListBucket",  # /v1/health (HeadBucket)
        "ssm:GetParameter",  # the cursor key
        "kms:Decrypt",  # the cursor key's SecureString, through SSM only
    },
    "DeliverFunction": {
        "dynamodb:GetItem",
        "dynamodb:Query",  # fan-out rows
        "dynamodb:UpdateItem",  # attempt claim/close, subscription health, stats
        "dynamodb:DeleteItem",  # a disabled subscription's fan-out rows
        "sqs:SendMessage",  # retries and the DLQ
    },
    "DigestFunction": {
        "dynamodb:GetItem",  # the stored digest (a retried schedule stops there)
        "dynamodb:PutItem",  # the digest, written once (conditional) or replaced by a rebuild
        "dynamodb:Query",  # the day's range of gsi1 (the time index); digest.daily fan-out rows
        "sqs:SendMessage",  # digest.daily delivery tasks onto the delivery queue
    },
}
FORBIDDEN = {"dynamodb:Scan", "s3:DeleteObject", "s3:DeleteObjectVersion", "dynamodb:DeleteTable"}


def _statements(policies: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for policy in policies:
        assert isinstance(policy, dict), f"managed policy {policy!r}: use explicit statements"
        if "Fn::If" in policy:
            _condition, when_true, when_false = policy["Fn::If"]
            out += _statements([p for p in (when_true, when_false) if p != {"Ref": "AWS::NoValue"}])
            continue
        assert set(policy) == {"Statement"}, f"SAM policy template {set(policy)}: use explicit statements"
        out += policy["Statement"]
    return out


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def _resources(statement: dict[str, Any]) -> list[Any]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


@pytest.mark.parametrize("function", sorted(EXPECTED))
def test_each_function_is_allowed_exactly_the_actions_its_code_makes(function: str) -> None:
    statements = _statements(FUNCTIONS[function]["Policies"])
    assert all(s["Effect"] == "Allow" for s in statements)
    allowed = {a for s in statements for a in _actions(s)}
    assert allowed == EXPECTED[function]


@pytest.mark.parametrize("function", sorted(EXPECTED))
def test_no_scan_no_delete_object_no_wildcards(function: str) -> None:
    for statement in _statements(FUNCTIONS[function]["Policies"]):
        for action in _actions(statement):
            assert action not in FORBIDDEN, f"{function} may {action}"
            assert "*" not in action, f"{function} has wildcard action {action}"
        for resource in _resources(statement):
            assert resource != "*", f"{function}: {statement['Action']} on every resource"


def test_only_the_api_queries_indexes_and_table_writes_stay_off_the_indexes() -> None:
    for function in EXPECTED:
        for statement in _statements(FUNCTIONS[function]["Policies"]):
            index_arn = {"Fn::Sub": "${SignalsTable.Arn}/index/*"}
            if index_arn in _resources(statement):
                assert function == "ApiFunction"
            if {"Fn::Sub": "${SignalsTable.Arn}/index/gsi1"} in _resources(statement):
                assert function == "DigestFunction" and set(_actions(statement)) == {"dynamodb:Query"}
                assert set(_actions(statement)) <= {
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                }


def test_archive_objects_are_written_by_ingest_only_and_never_deleted() -> None:
    writers = {
        function
        for function in EXPECTED
        for statement in _statements(FUNCTIONS[function]["Policies"])
        if any(a.startswith("s3:Put") for a in _actions(statement))
    }
    assert writers == {"IngestFunction"}


def test_cursor_key_access_is_one_parameter_and_decrypt_only_through_ssm() -> None:
    statements = {s["Sid"]: s for s in _statements(FUNCTIONS["ApiFunction"]["Policies"]) if "Sid" in s}
    parameter = statements["CursorKey"]
    arn = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${CursorSecretParameterName}"
    assert _resources(parameter) == [{"Fn::Sub": arn}]
    decrypt = statements["CursorKeyDecrypt"]
    assert decrypt["Condition"]["StringEquals"]["kms:ViaService"] == {
        "Fn::Sub": "ssm.${AWS::Region}.amazonaws.com"
    }
    assert decrypt["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"] == "alias/aws/ssm"
