"""The local moto patches keep the semantics: transactions all-or-nothing, Query, plain ADDs, queue counts."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def _put(key: str, value: str) -> dict:
    return {"Put": {"TableName": "", "Item": {"pk": {"S": key}, "sk": {"S": "X"}, "v": {"S": value}}}}


def test_failed_condition_rolls_back_every_touched_item(aws):
    table = aws.table_name
    aws.dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "X"}, "v": {"S": "old"}})
    ops = [_put("a", "new"), _put("b", "new"), _put("c", "new")]
    for op in ops:
        op["Put"]["TableName"] = table
    ops[2]["Put"]["ConditionExpression"] = "attribute_exists(pk)"  # c does not exist: cancels all
    with pytest.raises(ClientError) as error:
        aws.dynamodb.transact_write_items(TransactItems=ops)
    assert error.value.response["Error"]["Code"] == "TransactionCanceledException"
    got = {
        key: aws.dynamodb.get_item(TableName=table, Key={"pk": {"S": key}, "sk": {"S": "X"}}).get("Item")
        for key in "abc"
    }
    assert got["a"]["v"]["S"] == "old"
    assert got["b"] is None and got["c"] is None


def test_successful_transaction_applies_every_item(aws):
    ops = [_put("a", "1"), _put("b", "2")]
    for op in ops:
        op["Put"]["TableName"] = aws.table_name
    aws.dynamodb.transact_write_items(TransactItems=ops)
    item = aws.dynamodb.get_item(TableName=aws.table_name, Key={"pk": {"S": "b"}, "sk": {"S": "X"}})["Item"]
    assert item["v"]["S"] == "2"


def test_base_table_query_returns_the_partition_in_order_with_paging(aws):
    table = aws.table_name
    for pk in ("p1", "p2"):
        for n in range(5):
            aws.dynamodb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": f"{n:02d}"}})
    seen: list[str] = []
    start = None
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        got = aws.dynamodb.query(
            TableName=table,
            KeyConditionExpression="pk = :p AND sk >= :s",
            ExpressionAttributeValues={":p": {"S": "p2"}, ":s": {"S": "01"}},
            ScanIndexForward=False,
            Limit=2,
            **kwargs,
        )
        seen += [i["sk"]["S"] for i in got["Items"]]
        start = got.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == ["04", "03", "02", "01"]


def test_server_mode_serves_one_request_at_a_time():
    # Given moto in server mode (as the local runtime runs it), whose in-memory backends are not
    # thread-safe (a GSI query walking a table while a write lands failed with "dictionary changed
    # size during iteration"), and a backend call slow enough for requests to overlap
    import threading
    import time

    import boto3
    from botocore.config import Config
    from moto.dynamodb.models import DynamoDBBackend
    from moto.server import ThreadedMotoServer
    from signals.local import moto_patches

    moto_patches.install()
    inside, most = [0], [0]
    guard = threading.Lock()
    original = DynamoDBBackend.list_tables

    def slow_list_tables(self, *args, **kwargs):
        with guard:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.05)
        with guard:
            inside[0] -= 1
        return original(self, *args, **kwargs)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    DynamoDBBackend.list_tables = slow_list_tables
    try:
        host, port = server.get_host_and_port()
        dynamodb = boto3.client(
            "dynamodb",
            endpoint_url=f"http://{host}:{port}",
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 1}, max_pool_connections=8),
        )

        # When six clients call at once (a scorer, a deliverer, the API process...)
        threads = [threading.Thread(target=dynamodb.list_tables) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        # Then the backend saw them one at a time, as if each request were atomic
        assert most[0] == 1
    finally:
        DynamoDBBackend.list_tables = original
        server.stop()


def _update(aws, pk: str, expression: str, values: dict) -> None:
    kwargs: dict = {
        "TableName": aws.table_name,
        "Key": {"pk": {"S": pk}, "sk": {"S": "X"}},
        "UpdateExpression": expression,
        "ExpressionAttributeValues": values,
    }
    if "#" in expression:
        kwargs["ExpressionAttributeNames"] = {"#t": "tags"}
    aws.dynamodb.update_item(**kwargs)


def test_plain_add_gives_what_moto_itself_gives(aws, monkeypatch):
    from signals.local import moto_updates

    # Given the same ADDs applied through the direct path (moto_updates) and through moto's own code
    updates = [
        ("ADD n :a, #t :s", {":a": {"N": "2"}, ":s": {"SS": ["x", "y"]}}),
        ("ADD n :a", {":a": {"N": "-1.5"}}),
        ("ADD #t :s, m :a", {":s": {"SS": ["y", "z"]}, ":a": {"N": "7"}}),
    ]
    for pk, direct in (("direct", True), ("moto", False)):
        monkeypatch.setattr(moto_updates, "ENABLED", direct)
        for expression, values in updates:
            _update(aws, pk, expression, values)
    # Then the items are the same, attribute by attribute
    got = {
        pk: aws.dynamodb.get_item(TableName=aws.table_name, Key={"pk": {"S": pk}, "sk": {"S": "X"}})["Item"]
        for pk in ("direct", "moto")
    }
    assert {k: v for k, v in got["direct"].items() if k != "pk"} == {
        k: v for k, v in got["moto"].items() if k != "pk"
    }
    assert got["direct"]["n"] == {"N": "0.5"} and got["direct"]["tags"]["SS"] == ["x", "y", "z"]


def test_plain_add_of_the_wrong_type_fails_as_moto_does(aws, monkeypatch):
    from signals.local import moto_updates

    codes = []
    for pk, direct in (("direct", True), ("moto", False)):
        monkeypatch.setattr(moto_updates, "ENABLED", direct)
        _update(aws, pk, "ADD n :a", {":a": {"N": "1"}})
        with pytest.raises(ClientError) as error:
            _update(aws, pk, "ADD n :s", {":s": {"SS": ["x"]}})
        codes.append(error.value.response["Error"]["Code"])
    assert codes == ["ValidationException", "ValidationException"]


def test_queue_counts_visible_in_flight_and_delayed_messages(aws):
    url = aws.queue_urls["ScoreQueue"]
    for n in range(5):
        aws.sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")
    aws.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    got = aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=60)["Messages"]
    assert len(got) == 2
    attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "3"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "2"
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"


def test_gsi_query_returns_the_index_partition_in_order_with_paging(aws):
    table = aws.table_name
    for n, (partition, sort) in enumerate([("A", "3"), ("B", "1"), ("A", "1"), ("A", "2"), ("B", "0")]):
        item = {"pk": {"S": f"item{n}"}, "sk": {"S": "X"}, "gsi1pk": {"S": partition}, "gsi1sk": {"S": sort}}
        aws.dynamodb.put_item(TableName=table, Item=item)
    aws.dynamodb.put_item(TableName=table, Item={"pk": {"S": "nogsi"}, "sk": {"S": "X"}})
    pages, start = [], None
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        got = aws.dynamodb.query(
            TableName=table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": "A"}},
            Limit=2,
            ScanIndexForward=False,
            **kwargs,
        )
        pages.append([i["gsi1sk"]["S"] for i in got["Items"]])
        start = got.get("LastEvaluatedKey")
        if not start:
            break
    assert [s for page in pages for s in page] == ["3", "2", "1"] and len(pages[0]) == 2


def test_failed_transaction_restores_replaced_deleted_and_updated_items(aws):
    table = aws.table_name
    key = {n: {"pk": {"S": n}, "sk": {"S": "X"}} for n in ("put", "gone", "upd")}
    for name in key:
        aws.dynamodb.put_item(TableName=table, Item={**key[name], "v": {"S": "old"}, "n": {"N": "1"}})
    ops = [
        {"Put": {"TableName": table, "Item": {**key["put"], "v": {"S": "new"}}}},
        {"Delete": {"TableName": table, "Key": key["gone"]}},
        {
            "Update": {
                "TableName": table,
                "Key": key["upd"],
                "UpdateExpression": "SET v = :v ADD n :one",
                "ExpressionAttributeValues": {":v": {"S": "new"}, ":one": {"N": "1"}},
            }
        },
        {
            "ConditionCheck": {
                "TableName": table,
                "Key": {"pk": {"S": "missing"}, "sk": {"S": "X"}},
                "ConditionExpression": "attribute_exists(pk)",
            }
        },
    ]
    with pytest.raises(ClientError):
        aws.dynamodb.transact_write_items(TransactItems=ops)
    for name in key:
        item = aws.dynamodb.get_item(TableName=table, Key=key[name])["Item"]
        assert (item["v"], item["n"]) == ({"S": "old"}, {"N": "1"}), name
