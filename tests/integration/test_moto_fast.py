"""The compiled DynamoDB parse/serialise path (moto_fast) answers byte for byte as stock moto does."""

from __future__ import annotations

import base64
import datetime
import http.client
import json

import pytest

AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, "
    "Signature=x"
)
B64 = base64.b64encode(b"\x00\xffbinary").decode()
B64_2 = base64.b64encode(b"\x01other").decode()
ITEM = {
    "pk": {"S": "a"},
    "sk": {"S": "1"},
    "n": {"N": "1.50"},
    "big": {"N": "123456789012345678901234567890"},
    "b": {"B": B64},
    "bs": {"BS": [B64, B64_2]},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2.5"]},
    "m": {"M": {"inner": {"L": [{"S": "deep"}, {"N": "7"}, {"B": B64}, {"NULL": True}, {"BOOL": False}]}}},
    "g": {"S": "group"},
}
TABLE = {
    "TableName": "t",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
        {"AttributeName": "g", "AttributeType": "S"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "by-g",
            "KeySchema": [
                {"AttributeName": "g", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}
BINARY_TABLE = {
    "TableName": "bin",
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "B"}],
    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
}
KEY = {"pk": {"S": "a"}, "sk": {"S": "1"}}


def _put(pk: str, sk: str, **extra) -> dict:
    return {
        "Put": {"TableName": "t", "Item": {"pk": {"S": pk}, "sk": {"S": sk}, "g": {"S": "group"}}, **extra}
    }


# (action, body): the calls the demo makes most, their options, and their errors
CALLS: list[tuple[str, object]] = [
    ("CreateTable", TABLE),
    ("CreateTable", BINARY_TABLE),
    ("CreateTable", TABLE),  # ResourceInUseException
    ("DescribeTable", {"TableName": "t"}),
    ("DescribeTable", {"TableName": "missing"}),
    ("ListTables", {}),
    ("PutItem", {"TableName": "t", "Item": ITEM}),
    (
        "PutItem",
        {"TableName": "t", "Item": ITEM, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"},
    ),
    (
        "PutItem",
        {
            "TableName": "t",
            "Item": ITEM,
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    ),
    ("PutItem", {"TableName": "bin", "Item": {"id": {"B": B64}, "v": {"BS": [B64_2]}}}),
    ("GetItem", {"TableName": "bin", "Key": {"id": {"B": B64}}}),
    ("GetItem", {"TableName": "t", "Key": KEY}),
    (
        "GetItem",
        {
            "TableName": "t",
            "Key": KEY,
            "ProjectionExpression": "#n, m.inner[2], bs",
            "ExpressionAttributeNames": {"#n": "n"},
        },
    ),
    ("GetItem", {"TableName": "t", "Key": {"pk": {"S": "none"}, "sk": {"S": "1"}}, "ConsistentRead": True}),
    ("GetItem", {"TableName": "t", "Key": {"pk": {"N": "1"}, "sk": {"S": "1"}}}),  # wrong key type
    ("GetItem", {"TableName": "missing", "Key": KEY}),
    (
        "UpdateItem",
        {
            "TableName": "t",
            "Key": KEY,
            "UpdateExpression": "ADD n :one, ss :s SET #x = :b REMOVE big",
            "ExpressionAttributeNames": {"#x": "x"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":s": {"SS": ["z"]}, ":b": {"B": B64_2}},
            "ReturnValues": "ALL_NEW",
        },
    ),
    (
        "UpdateItem",
        {
            "TableName": "t",
            "Key": KEY,
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "-0.25"}},
            "ReturnValues": "UPDATED_OLD",
        },
    ),
    (
        "UpdateItem",
        {
            "TableName": "t",
            "Key": KEY,
            "UpdateExpression": "SET n = :v",
            "ConditionExpression": "n > :big",
            "ExpressionAttributeValues": {":v": {"N": "0"}, ":big": {"N": "1000"}},
        },
    ),
    ("UpdateItem", {"TableName": "t", "Key": KEY, "UpdateExpression": "SET n = :v"}),  # value not given
    (
        "TransactWriteItems",
        {
            "TransactItems": [_put("q", f"{n:02d}") for n in range(12)]
            + [
                {
                    "Update": {
                        "TableName": "t",
                        "Key": KEY,
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                }
            ]
        },
    ),
    (
        "TransactWriteItems",
        {
            "TransactItems": [
                _put("q", "50"),
                _put("q", "00", ConditionExpression="attribute_not_exists(pk)"),
                {
                    "ConditionCheck": {
                        "TableName": "t",
                        "Key": KEY,
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        },
    ),
    (
        "TransactWriteItems",
        {"TransactItems": [{"Delete": {"TableName": "t", "Key": {"pk": {"S": "q"}, "sk": {"S": "11"}}}}]},
    ),
    ("TransactWriteItems", {"TransactItems": [_put("q", "01"), _put("q", "01")]}),  # same item twice
    (
        "TransactGetItems",
        {
            "TransactItems": [
                {"Get": {"TableName": "t", "Key": KEY}},
                {"Get": {"TableName": "bin", "Key": {"id": {"B": B64}}}},
            ]
        },
    ),
    (
        "Query",
        {
            "TableName": "t",
            "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
            "ExpressionAttributeValues": {":p": {"S": "q"}, ":a": {"S": "02"}, ":b": {"S": "09"}},
            "Limit": 3,
            "ScanIndexForward": False,
            "ReturnConsumedCapacity": "INDEXES",
        },
    ),
    (
        "Query",
        {
            "TableName": "t",
            "IndexName": "by-g",
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "group"}},
            "ExclusiveStartKey": {"pk": {"S": "q"}, "sk": {"S": "03"}, "g": {"S": "group"}},
            "Select": "COUNT",
        },
    ),
    (
        "Query",
        {
            "TableName": "t",
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "a"}},
        },
    ),
    (
        "Query",
        {
            "TableName": "t",
            "KeyConditionExpression": "nope = :p",
            "ExpressionAttributeValues": {":p": {"S": "a"}},
        },
    ),
    ("Scan", {"TableName": "t", "FilterExpression": "attribute_exists(b)", "Limit": 50}),
    ("Scan", {"TableName": "bin"}),
    (
        "BatchGetItem",
        {
            "RequestItems": {
                "t": {"Keys": [KEY, {"pk": {"S": "q"}, "sk": {"S": "05"}}]},
                "bin": {"Keys": [{"id": {"B": B64}}]},
            }
        },
    ),
    (
        "BatchWriteItem",
        {
            "RequestItems": {
                "t": [{"PutRequest": {"Item": ITEM | {"sk": {"S": "2"}}}}, {"DeleteRequest": {"Key": KEY}}]
            }
        },
    ),
    (
        "DeleteItem",
        {"TableName": "t", "Key": {"pk": {"S": "a"}, "sk": {"S": "2"}}, "ReturnValues": "ALL_OLD"},
    ),
    ("DeleteItem", {"TableName": "t", "Key": KEY, "ConditionExpression": "attribute_exists(pk)"}),
    ("PutItem", {"TableName": "t"}),  # no Item
    (
        "PutItem",
        {"TableName": "t", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}, "bad": {"B": "not base64!"}}},
    ),
    ("PutItem", "{not json"),
    ("PutItem", [1, 2]),
    ("GetItem", {"TableName": "t", "Key": "a string"}),
    ("DescribeTable", {"TableName": "t", "Unknown": {"ignored": True}}),
    (
        "UpdateTimeToLive",
        {"TableName": "t", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"}},
    ),
    ("DescribeTimeToLive", {"TableName": "t"}),
    # an item over moto's size limit only as a whole (each attribute alone is well under it)
    ("PutItem", {"TableName": "t", "Item": KEY | {f"a{n}": {"S": "x" * 100_000} for n in range(5)}}),
    ("PutItem", {"TableName": "t", "Item": KEY | {f"a{n}": {"S": "x" * 100_000} for n in range(3)}}),
    ("PutItem", {"TableName": "t", "Item": KEY | {"bad": {}}}),
    # the same UpdateExpression again (parsed once), and a broken one twice (never remembered)
    (
        "UpdateItem",
        {
            "TableName": "t",
            "Key": KEY,
            "UpdateExpression": "ADD n :one, ss :s SET #x = :b REMOVE big",
            "ExpressionAttributeNames": {"#x": "y"},
            "ExpressionAttributeValues": {":one": {"N": "5"}, ":s": {"SS": ["w"]}, ":b": {"N": "3"}},
            "ReturnValues": "ALL_NEW",
        },
    ),
    (
        "UpdateItem",
        {
            "TableName": "t",
            "Key": KEY,
            "UpdateExpression": "SET = :v",
            "ExpressionAttributeValues": {":v": {"N": "1"}},
        },
    ),
    (
        "UpdateItem",
        {
            "TableName": "t",
            "Key": KEY,
            "UpdateExpression": "SET = :v",
            "ExpressionAttributeValues": {":v": {"N": "1"}},
        },
    ),
    # one condition with other values (a parse is kept per expression, names and values)
    *[
        (
            "DeleteItem",
            {
                "TableName": "t",
                "Key": {"pk": {"S": "q"}, "sk": {"S": "03"}},
                "ConditionExpression": "#g = :g",
                "ExpressionAttributeNames": {"#g": "g"},
                "ExpressionAttributeValues": {":g": {"S": group}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
        )
        for group in ("other", "group", "group")
    ],
    (
        "Scan",
        {
            "TableName": "t",
            "FilterExpression": "contains(ss, :v)",
            "ExpressionAttributeValues": {":v": {"S": "w"}},
        },
    ),
    (
        "Scan",
        {
            "TableName": "t",
            "FilterExpression": "contains(ss, :v)",
            "ExpressionAttributeValues": {":v": {"S": "x"}},
        },
    ),
    ("DeleteTable", {"TableName": "bin"}),
]


def _call(port: int, action: str, body: object) -> tuple:
    data = body if isinstance(body, str) else json.dumps(body)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/",
            body=data.encode(),
            headers={
                "X-Amz-Target": f"DynamoDB_20120810.{action}",
                "Content-Type": "application/x-amz-json-1.0",
                "Authorization": AUTH,
            },
        )
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return (
            action,
            response.status,
            response.read(),
            headers.get("content-type"),
            headers.get("x-amz-crc32"),
            headers.get("x-amzn-errortype"),
        )
    finally:
        connection.close()


@pytest.fixture
def server(monkeypatch):
    from moto.dynamodb.models import dynamodb_backends
    from signals.local import moto_fast, moto_patches
    from signals.local.moto_http import make_moto_server

    moto_patches.install()
    moto_fast.install()
    # one clock for both runs, so table dates compare (microseconds included)
    frozen = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901)
    monkeypatch.setattr("moto.dynamodb.models.table.utcnow", lambda: frozen)
    started = make_moto_server("127.0.0.1", 0)
    started.start()
    yield started.get_host_and_port()[1], dynamodb_backends
    started.stop()
    monkeypatch.setattr(moto_fast, "ENABLED", True)
    dynamodb_backends.reset()


def _run(port: int, backends, fast: bool, monkeypatch, calls: list[tuple[str, object]]) -> list[tuple]:
    from signals.local import moto_fast, moto_updates

    backends.reset()
    monkeypatch.setattr(moto_fast, "ENABLED", fast)
    monkeypatch.setattr(moto_updates, "ENABLED", fast)
    return [_call(port, action, body) for action, body in calls]


def stock_and_fast(server, monkeypatch, calls: list[tuple[str, object]]) -> tuple[list[tuple], list[tuple]]:
    """The answers to ``calls`` from a fresh moto with moto's own paths, then with moto_fast's and
    moto_updates'."""
    port, backends = server
    return _run(port, backends, False, monkeypatch, calls), _run(port, backends, True, monkeypatch, calls)


def test_fast_path_answers_as_stock_moto(server, monkeypatch):
    # Given the same DynamoDB requests sent to a fresh moto through moto's own parse/serialise code
    # and through the compiled one
    stock, fast = stock_and_fast(server, monkeypatch, CALLS)

    # Then every answer is the same: status, body bytes (key order, numbers as strings, base64
    # binaries, dates), content type, checksum and error type
    for want, got in zip(stock, fast, strict=True):
        assert got == want
    # and the script exercised what it means to: successes and the errors the demo relies on
    assert {s for _, s, *_ in stock} >= {200, 400}
    kinds = b"".join(body for _, _, body, *_ in stock)
    for expected in (
        b"ConditionalCheckFailedException",
        b"TransactionCanceledException",
        b"CancellationReasons",
        b"ResourceNotFoundException",
        b"ResourceInUseException",
        b"CreationDateTime",
        B64.encode(),
        b"Item size has exceeded",
        b"Invalid UpdateExpression",
    ):
        assert expected in kinds


def test_fast_path_is_used(server, monkeypatch):
    # Given the fast path on, and moto's generic parser and serialiser watched
    from moto.core.responses import BaseResponse
    from moto.dynamodb.models import dynamodb_backends

    port, _ = server
    dynamodb_backends.reset()
    calls: list[str] = []

    def spy(name, original):
        def wrapped(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(BaseResponse, "parse_parameters", spy("parse", BaseResponse.parse_parameters))
    monkeypatch.setattr(BaseResponse, "serialized", spy("serialize", BaseResponse.serialized))

    # When the script runs
    answers = [_call(port, action, body) for action, body in CALLS]

    # Then only the requests moto's parser must judge (bodies that are not JSON objects, a blob that
    # is not base64) reach it, and no answer reaches moto's serialiser (moto's DynamoDB errors are
    # rendered by their exception class, not by it)
    assert calls.count("parse") == 4
    assert calls.count("serialize") == 0
    assert sum(1 for _, status, *_ in answers if status == 200) >= 25
