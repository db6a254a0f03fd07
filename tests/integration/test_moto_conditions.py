"""ConditionExpressions parsed once per write request (moto_conditions) answer as stock moto does."""

from __future__ import annotations

import pytest
from test_moto_fast import TABLE, _call, _run, server, stock_and_fast  # noqa: F401 (the server fixture)


def _item(pk: str, sk: str, **extra) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}, "g": {"S": "group"}, **extra}


def _put(pk: str, sk: str, **extra) -> dict:
    return {"Put": {"TableName": "t", "Item": _item(pk, sk, h={"S": "h1"}), **extra}}


SEEN_GUARD = {
    "ConditionExpression": "attribute_not_exists(pk) OR h <> :h",
    "ExpressionAttributeValues": {":h": {"S": "h1"}},
    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
}
COUNTER = {
    "UpdateExpression": "ADD n :one",
    "ExpressionAttributeValues": {":one": {"N": "1"}},
}


def _counter(sk: str, **extra) -> dict:
    return {"Update": {"TableName": "t", "Key": {"pk": {"S": "c"}, "sk": {"S": sk}}, **COUNTER, **extra}}


def _story(n: int) -> dict:
    """A story write like the demo's: a guarded put, a versioned put, plain puts, counters."""
    return {
        "TransactItems": [
            _put("seen", str(n), **SEEN_GUARD),
            _put("sig", str(n), ConditionExpression="attribute_not_exists(pk)"),
            *[_put(f"idx{i}", str(n)) for i in range(4)],
            *[_counter(f"k{i}") for i in range(3)],
        ]
    }


CALLS: list[tuple[str, object]] = [
    ("CreateTable", TABLE),
    ("TransactWriteItems", _story(1)),
    ("TransactWriteItems", _story(2)),
    # the same item again: the guard fails (ALL_OLD item in the reasons), the rest is rolled back
    ("TransactWriteItems", _story(1)),
    # the guard passes (other hash) but the signal exists: cancelled at the second action
    (
        "TransactWriteItems",
        {
            "TransactItems": [
                _put("seen", "1", **(SEEN_GUARD | {"ExpressionAttributeValues": {":h": {"S": "h2"}}})),
                _put("sig", "1", ConditionExpression="attribute_not_exists(pk)"),
            ]
        },
    ),
    # one expression, other values in each action: each action judged by its own values
    (
        "TransactWriteItems",
        {
            "TransactItems": [
                _counter(
                    "k0",
                    ConditionExpression="n = :v",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":v": {"N": "2"}},
                ),
                _counter(
                    "k1",
                    ConditionExpression="n = :v",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":v": {"N": "9"}},
                ),
            ]
        },
    ),
    (
        "TransactWriteItems",
        {
            "TransactItems": [
                _counter(
                    "k0",
                    ConditionExpression="n = :v",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":v": {"N": "2"}},
                ),
                _counter(
                    "k1",
                    ConditionExpression="n = :v",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":v": {"N": "2"}},
                ),
                {
                    "ConditionCheck": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "sig"}, "sk": {"S": "1"}},
                        "ConditionExpression": "attribute_exists(#p)",
                        "ExpressionAttributeNames": {"#p": "pk"},
                    }
                },
                {
                    "Delete": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "idx0"}, "sk": {"S": "1"}},
                        "ConditionExpression": "attribute_exists(#p)",
                        "ExpressionAttributeNames": {"#p": "pk"},
                    }
                },
            ]
        },
    ),
    # a set among the values (parsed as before, each time): two items, the second action cancels
    (
        "TransactWriteItems",
        {
            "TransactItems": [
                {
                    "Update": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "c"}, "sk": {"S": key}},
                        "UpdateExpression": "ADD ss :s",
                        "ConditionExpression": "attribute_not_exists(ss) OR NOT contains(ss, :x)",
                        "ExpressionAttributeValues": {":s": {"SS": ["a", "b"]}, ":x": {"S": x}},
                    }
                }
                for key, x in (("k0", "a"), ("k1", "a"), ("k2", "z"))
            ]
        },
    ),
    # an oversize item in a transaction, after a guarded put
    (
        "TransactWriteItems",
        {
            "TransactItems": [
                _put("seen", "9", **SEEN_GUARD),
                {
                    "Put": {
                        "TableName": "t",
                        "Item": _item("big", "1", **{f"a{n}": {"S": "x" * 100_000} for n in range(5)}),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        },
    ),
    # errors the handler finds from the names the parse found: an unused name, a broken expression
    (
        "TransactWriteItems",
        {
            "TransactItems": [
                _put("seen", "7", **SEEN_GUARD),
                _put("seen", "8", **(SEEN_GUARD | {"ExpressionAttributeNames": {"#unused": "x"}})),
            ]
        },
    ),
    (
        "TransactWriteItems",
        {"TransactItems": [_put("seen", "7", ConditionExpression="attribute_not_exists(")]},
    ),
    ("TransactWriteItems", {"TransactItems": [_put("seen", "7", ConditionExpression="pk = :missing")]}),
    # single writes with conditions: passed, failed (ALL_OLD), a bad one
    (
        "PutItem",
        {"TableName": "t", "Item": _item("one", "1"), "ConditionExpression": "attribute_not_exists(pk)"},
    ),
    (
        "PutItem",
        {
            "TableName": "t",
            "Item": _item("one", "1"),
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    ),
    (
        "UpdateItem",
        {
            "TableName": "t",
            "Key": {"pk": {"S": "c"}, "sk": {"S": "k0"}},
            "UpdateExpression": "SET #m = :m",
            "ConditionExpression": "attribute_exists(pk) AND n < :cap",
            "ExpressionAttributeNames": {"#m": "m"},
            "ExpressionAttributeValues": {":m": {"S": "x"}, ":cap": {"N": "100"}},
            "ReturnValues": "ALL_NEW",
        },
    ),
    (
        "UpdateItem",
        {
            "TableName": "t",
            "Key": {"pk": {"S": "c"}, "sk": {"S": "k0"}},
            "UpdateExpression": "SET #m = :m",
            "ConditionExpression": "n < :cap",
            "ExpressionAttributeNames": {"#m": "m", "#x": "unused"},
            "ExpressionAttributeValues": {":m": {"S": "x"}, ":cap": {"N": "1"}},
        },
    ),
    (
        "DeleteItem",
        {
            "TableName": "t",
            "Key": {"pk": {"S": "one"}, "sk": {"S": "1"}},
            "ConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "other"}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    ),
    (
        "DeleteItem",
        {"TableName": "t", "Key": {"pk": {"S": "one"}, "sk": {"S": "1"}}, "ConditionExpression": "g ="},
    ),
    ("Scan", {"TableName": "t"}),
]


def test_conditions_answer_as_stock_moto(server, monkeypatch):  # noqa: F811
    # Given the same write requests sent to a fresh moto with moto's own paths and with moto_fast's
    stock, fast = stock_and_fast(server, monkeypatch, CALLS)

    # Then every answer is the same (status, body bytes, headers), the final table included
    for want, got in zip(stock, fast, strict=True):
        assert got == want
    # and the script exercised the errors it means to
    kinds = b"".join(body for _, _, body, *_ in stock)
    for expected in (
        b"ConditionalCheckFailedException",
        b"TransactionCanceledException",
        b"CancellationReasons",
        b'"Item": {',  # an ALL_OLD item among the cancellation reasons
        b"Item size has exceeded",
        b"unused",
    ):
        assert expected in kinds, expected
    statuses = [status for _, status, *_ in stock]
    assert statuses.count(200) >= 6 and statuses.count(400) >= 8
    assert statuses.count(500) == 3  # broken expressions: moto's parse raises (never kept), each time


@pytest.mark.parametrize("fast", [False, True])
def test_each_condition_is_parsed_once_per_request(server, monkeypatch, fast):  # noqa: F811
    # Given moto's condition parser watched
    from moto.dynamodb.comparisons import ConditionExpressionParser

    port, backends = server
    parses: list[str] = []
    original = ConditionExpressionParser.parse

    def parse(self):
        if self.condition_expression:
            parses.append(self.condition_expression)
        return original(self)

    monkeypatch.setattr(ConditionExpressionParser, "parse", parse)
    _run(port, backends, fast, monkeypatch, CALLS)
    parses.clear()

    # When a story write with two conditional puts runs
    assert _call(port, "TransactWriteItems", _story(5))[1] == 200

    # Then moto parses each condition three times (handler, transaction check, put), the fast path once
    assert len(parses) == (2 if fast else 6)
