"""The moto resources tests and the local runtime use are the ones template.yaml declares."""

from __future__ import annotations

import json

from signals.local.template import load_template, resources_of_type


def test_table_has_the_template_key_schema_and_indexes(aws):
    (table,) = resources_of_type(load_template(), "AWS::DynamoDB::Table").values()
    described = aws.dynamodb.describe_table(TableName=aws.table_name)["Table"]
    assert described["KeySchema"] == table["KeySchema"]
    assert sorted(i["IndexName"] for i in described["GlobalSecondaryIndexes"]) == sorted(
        i["IndexName"] for i in table["GlobalSecondaryIndexes"]
    )


def test_queues_redrive_to_their_dlqs(aws):
    for queue, dlq in (("ScoreQueue", "ScoreDLQ"), ("DeliveryQueue", "DeliveryDLQ")):
        attributes = aws.sqs.get_queue_attributes(QueueUrl=aws.queue_urls[queue], AttributeNames=["All"])[
            "Attributes"
        ]
        policy = json.loads(attributes["RedrivePolicy"])
        assert policy["deadLetterTargetArn"].endswith(f"-{dlq}")
        assert int(policy["maxReceiveCount"]) == 5


def test_poison_message_reaches_the_dlq_after_max_receives(aws):
    url = aws.queue_urls["ScoreQueue"]
    aws.sqs.send_message(QueueUrl=url, MessageBody="poison")
    for _ in range(6):  # receive without deleting: each receive counts toward maxReceiveCount
        got = aws.sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
        if not got.get("Messages"):
            break
    dead = aws.drain("ScoreDLQ")
    assert [m["Body"] for m in dead] == ["poison"]
