"""Read template.yaml (the single source of truth) and create its data resources in moto.

Tests and the local runtime both call :func:`create_resources`, so what is tested is what is
deployed: table key schemas and GSIs, queues with their redrive policies, the bucket.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_PATH = PROJECT_ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that keeps CloudFormation short-form intrinsics as ``{"Fn::X": value}``."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as plain data, intrinsics kept as dictionaries."""
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> properties of every resource of one type."""
    return {
        name: res.get("Properties", {})
        for name, res in template["Resources"].items()
        if res["Type"] == resource_type
    }


@dataclass
class LocalResources:
    """Names and URLs of the resources created for a local or test stack."""

    table_name: str
    bucket_name: str
    queue_urls: dict[str, str] = field(default_factory=dict)  # logical id -> URL

    def environment(self) -> dict[str, str]:
        """Environment variables the handlers expect, as the template would inject them."""
        return {
            "TABLE_NAME": self.table_name,
            "BUCKET_NAME": self.bucket_name,
            "SCORE_QUEUE_URL": self.queue_urls["ScoreQueue"],
            "DELIVERY_QUEUE_URL": self.queue_urls["DeliveryQueue"],
            "SCORE_DLQ_URL": self.queue_urls["ScoreDLQ"],
            "DELIVERY_DLQ_URL": self.queue_urls["DeliveryDLQ"],
        }


def _resolve_redrive(policy: dict[str, Any], arns: dict[str, str]) -> str:
    target = policy["deadLetterTargetArn"]
    if isinstance(target, dict) and "Fn::GetAtt" in target:
        target = arns[target["Fn::GetAtt"][0]]
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": str(policy["maxReceiveCount"])})


def create_resources(
    *, dynamodb: Any, s3: Any, sqs: Any, prefix: str = "signals", visibility_override: int | None = None
) -> LocalResources:
    """Create the template's table(s), bucket and queues with the given boto3 clients.

    ``visibility_override`` shortens queue visibility timeouts for tests (moto's are real seconds).
    """
    template = load_template()
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    buckets = resources_of_type(template, "AWS::S3::Bucket")
    queues = resources_of_type(template, "AWS::SQS::Queue")
    ((table_id, table),) = tables.items()
    ((bucket_id, _bucket),) = buckets.items()

    table_name = f"{prefix}-{table_id}"
    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": table["AttributeDefinitions"],
        "KeySchema": table["KeySchema"],
        "BillingMode": table.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if table.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = table["GlobalSecondaryIndexes"]
    dynamodb.create_table(**kwargs)

    bucket_name = f"{prefix}-{bucket_id}".lower()
    s3.create_bucket(Bucket=bucket_name)
    s3.put_bucket_versioning(Bucket=bucket_name, VersioningConfiguration={"Status": "Enabled"})

    # Dead-letter queues first: the others' redrive policies point at them.
    urls: dict[str, str] = {}
    arns: dict[str, str] = {}
    ordered = sorted(queues.items(), key=lambda kv: "RedrivePolicy" in kv[1])
    for logical_id, props in ordered:
        attributes: dict[str, str] = {}
        if "VisibilityTimeout" in props:
            attributes["VisibilityTimeout"] = str(visibility_override or props["VisibilityTimeout"])
        if "MessageRetentionPeriod" in props:
            attributes["MessageRetentionPeriod"] = str(props["MessageRetentionPeriod"])
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = _resolve_redrive(props["RedrivePolicy"], arns)
        url = sqs.create_queue(QueueName=f"{prefix}-{logical_id}", Attributes=attributes)["QueueUrl"]
        urls[logical_id] = url
        arns[logical_id] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
    return LocalResources(table_name=table_name, bucket_name=bucket_name, queue_urls=urls)
