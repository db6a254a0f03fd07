"""Simple UpdateItems applied directly (moto_updates) answer as stock moto does, and are applied directly."""

from __future__ import annotations

from test_moto_fast import TABLE, _call, server, stock_and_fast  # noqa: F401 (the server fixture)


def _key(pk: str, sk: str = "1") -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _update(pk: str, expression: str, values: dict | None = None, names: dict | None = None, **extra) -> dict:
    body: dict = {"TableName": "t", "Key": _key(pk), "UpdateExpression": expression, **extra}
    if values is not None:
        body["ExpressionAttributeValues"] = values
    if names is not None:
        body["ExpressionAttributeNames"] = names
    return body


ONE = {"N": "1"}
SEEN = {"pk": {"S": "seen"}, "sk": {"S": "1"}, "h": {"S": "h1"}, "pending": {"S": "[1,2]"}, "g": {"S": "x"}}
COUNTERS = "ADD #c0 :c0, #c1 :c1, #c2 :c2 SET #ttl = if_not_exists(#ttl, :ttl)"
COUNTER_NAMES = {"#c0": "scored", "#c1": "cat:policy", "#c2": "tag:llm", "#ttl": "ttl"}


def _counter_values(step: str, ttl: str) -> dict:
    return {":c0": {"N": step}, ":c1": {"N": "1"}, ":c2": {"N": "-1"}, ":ttl": {"N": ttl}}


DELIVERY_SET = "SET attempt_count = :n, lease_until = :lease, #status = :pending, updated_at = :now"
DELIVERY_VALUES = {
    ":n": {"N": "1"},
    ":lease": {"S": "2026-12-04T10:00Z"},
    ":pending": {"S": "pending"},
    ":now": {"S": "2026-12-04T09:59Z"},
    ":delivered": {"S": "delivered"},
    ":max": {"N": "5"},
}
DELIVERY_CONDITION = "attribute_not_exists(pk) OR (#status <> :delivered AND attempt_count < :max)"
HUGE = "x" * 300_000

# (action, body): the update shapes the demo makes, their conditions and return values, and the
# errors around them (those go to moto's own update and must still answer the same)
CALLS: list[tuple[str, object]] = [
    ("CreateTable", TABLE),
    ("PutItem", {"TableName": "t", "Item": SEEN}),
    # the outbox clear: condition holds, then fails (with and without ALL_OLD)
    (
        "UpdateItem",
        _update(
            "seen",
            "REMOVE pending",
            {":h": {"S": "h1"}},
            ConditionExpression="h = :h",
            ReturnValues="ALL_NEW",
        ),
    ),
    (
        "UpdateItem",
        _update(
            "seen",
            "REMOVE pending",
            {":h": {"S": "h2"}},
            ConditionExpression="h = :h",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        ),
    ),
    ("UpdateItem", _update("seen", "REMOVE pending", {":h": {"S": "h2"}}, ConditionExpression="h = :h")),
    # creates the item
    ("UpdateItem", _update("missing", "REMOVE pending, extra_field", ReturnValues="ALL_NEW")),
    # day counters: created, then added to, the ttl kept from the first write
    (
        "UpdateItem",
        _update("stats", COUNTERS, _counter_values("1", "100"), COUNTER_NAMES, ReturnValues="ALL_NEW"),
    ),
    (
        "UpdateItem",
        _update("stats", COUNTERS, _counter_values("2.5", "200"), COUNTER_NAMES, ReturnValues="UPDATED_NEW"),
    ),
    (
        "UpdateItem",
        _update("stats", COUNTERS, _counter_values("-3", "300"), COUNTER_NAMES, ReturnValues="UPDATED_OLD"),
    ),
    # the rate limiter: ADD under a cap, the expiry set once
    *[
        (
            "UpdateItem",
            _update(
                "rate",
                "ADD n :one SET expires_at = if_not_exists(expires_at, :expires)",
                {":one": ONE, ":expires": {"N": str(1000 + i)}, ":limit": {"N": "2"}},
                ConditionExpression="attribute_not_exists(n) OR n < :limit",
                ReturnValues="ALL_NEW",
            ),
        )
        for i in range(3)
    ],
    # a delivery record: SETs under a compound condition, then SET with REMOVE, keywords in lower case
    *[
        (
            "UpdateItem",
            _update(
                "delivery",
                DELIVERY_SET,
                DELIVERY_VALUES,
                {"#status": "status"},
                ConditionExpression=DELIVERY_CONDITION,
                ReturnValues="ALL_OLD",
            ),
        )
        for _ in range(2)
    ],
    (
        "UpdateItem",
        _update(
            "delivery",
            "set last_success_at = :now, failure_count = :zero remove failing_since",
            {":now": {"S": "t"}, ":zero": {"N": "0"}},
            ConditionExpression="attribute_exists(pk)",
        ),
    ),
    ("UpdateItem", _update("nobody", "SET a = :v", {":v": ONE}, ConditionExpression="attribute_exists(pk)")),
    # the delivery record's attempts: created empty, then appended to (the stored list copied)
    (
        "UpdateItem",
        _update(
            "attempts",
            "SET attempts = if_not_exists(attempts, :empty), meta = :m",
            {":empty": {"L": []}, ":m": {"M": {"a": {"L": [ONE, {"S": "x"}]}, "b": {"NULL": True}}}},
        ),
    ),
    *[
        (
            "UpdateItem",
            _update(
                "attempts",
                "SET attempts = list_append(attempts, :at), closed_attempt = :n",
                {":at": {"L": [{"S": f"attempt {n}"}]}, ":n": {"N": str(n)}},
                ConditionExpression="attribute_exists(attempts)",
                ReturnValues="UPDATED_NEW",
            ),
        )
        for n in (1, 2)
    ],
    (
        "UpdateItem",
        _update("attempts", "SET meta = list_append(meta, :at)", {":at": {"L": [ONE]}}),
    ),  # not a list
    ("UpdateItem", _update("attempts", "SET e = :e", {":e": {"L": [{"SS": []}]}})),  # an empty set inside
    # every scalar kind, sets joined in order (a repeat inside the value kept once), if_not_exists of
    # another attribute
    (
        "UpdateItem",
        _update(
            "kinds",
            "SET t = :t, f = :f, z = :z, b = :b, ns = :ns ADD ss :ss",
            {
                ":t": {"BOOL": True},
                ":f": {"BOOL": False},
                ":z": {"NULL": True},
                ":b": {"B": "AAE="},
                ":ns": {"NS": ["3", "1"]},
                ":ss": {"SS": ["y", "x", "y"]},
            },
        ),
    ),
    (
        "UpdateItem",
        _update(
            "kinds",
            "ADD ss :ss, ns :ns SET copied = if_not_exists(b, :v), fresh = if_not_exists(absent, :v)",
            {":ss": {"SS": ["z", "x"]}, ":ns": {"NS": ["2", "3"]}, ":v": {"S": "v"}},
            ReturnValues="ALL_NEW",
        ),
    ),
    # errors: each answered by moto's own update
    ("UpdateItem", _update("kinds", "ADD ss :n", {":n": ONE})),  # a number added to a set
    ("UpdateItem", _update("kinds", "ADD t :s", {":s": {"SS": ["a"]}})),  # a set added to a boolean
    ("UpdateItem", _update("kinds", "SET sk = :v", {":v": {"S": "2"}})),  # a key attribute
    ("UpdateItem", _update("kinds", "SET e = :e", {":e": {"SS": []}})),  # an empty set
    ("UpdateItem", _update("kinds", "ADD e :e", {":e": {"NS": []}})),
    ("UpdateItem", _update("kinds", "SET status = :v", {":v": ONE})),  # a reserved word
    ("UpdateItem", _update("kinds", "SET a = :v REMOVE a", {":v": ONE})),  # one attribute twice
    ("UpdateItem", _update("kinds", "SET a = :v SET b = :v", {":v": ONE})),  # one clause twice
    ("UpdateItem", _update("kinds", "SET a = :missing", {":v": ONE})),  # a value not given
    # a name not used
    ("UpdateItem", _update("kinds", "SET #a = :v", {":v": ONE}, {"#a": "a", "#unused": "u"})),
    ("UpdateItem", _update("kinds", "SET a = :v,", {":v": ONE})),  # a syntax error
    ("UpdateItem", _update("kinds", "SET a = list_append(a, :v)", {":v": {"L": [ONE]}})),  # not handled here
    ("UpdateItem", _update("kinds", "SET e = :e", {":e": {"S": ""}})),  # an empty string
    # the size limit: near it, moto's own update answers (and fails past it)
    ("UpdateItem", _update("large", "SET a = :a", {":a": {"S": HUGE}})),
    ("UpdateItem", _update("large", "SET b = :a", {":a": {"S": HUGE}})),
    ("UpdateItem", _update("large", "ADD n :one", {":one": ONE})),
    # the same shapes inside a transaction: one cancelled by a condition, one applied
    *[
        (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {
                        "Update": {
                            **_update("seen", "REMOVE pending", {":h": {"S": h}}),
                            "ConditionExpression": "h = :h",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                    {"Update": _update("stats", COUNTERS, _counter_values("1", "9"), COUNTER_NAMES)},
                ]
            },
        )
        for h in ("h9", "h1")
    ],
    ("Scan", {"TableName": "t"}),
]


def test_simple_updates_answer_as_stock_moto(server, monkeypatch):  # noqa: F811
    # Given the same update requests sent to a fresh moto through moto's own update and through
    # the direct one
    stock, fast = stock_and_fast(server, monkeypatch, CALLS)

    # Then every answer is the same (status, body bytes, headers), the final table included
    for (action, body), want, got in zip(CALLS, stock, fast, strict=True):
        assert got == want, (action, body if len(str(body)) < 2000 else "(large)")
    # and the script exercised what it means to: successes, failed conditions, moto's own errors
    statuses = [status for _, status, *_ in stock]
    assert statuses.count(200) >= 20
    kinds = b"".join(body for _, _, body, *_ in stock)
    for expected in (
        b"ConditionalCheckFailedException",
        b"TransactionCanceledException",
        b'"Item": {',  # the old item, on ALL_OLD
        b"Item size to update has exceeded",
        b"reserved keyword",
        b"overlap",
        b"Cannot update attribute sk",
        b"unused",
        b"Invalid UpdateExpression",
        b'"expires_at": {"N": "1000"}',  # if_not_exists kept the first expiry
        b'{"S": "attempt 1"}, {"S": "attempt 2"}',  # list_append appended in order
    ):
        assert expected in kinds, expected


def test_simple_updates_skip_moto_validator(server, monkeypatch):  # noqa: F811
    # Given moto's update validator watched
    import moto.dynamodb.models as models

    port, backends = server
    backends.reset()
    built: list[str] = []
    stock = models.UpdateExpressionValidator

    def watched(*args, **kwargs):
        built.append("validator")
        return stock(*args, **kwargs)

    monkeypatch.setattr(models, "UpdateExpressionValidator", watched)
    _call(port, "CreateTable", TABLE)
    _call(port, "PutItem", {"TableName": "t", "Item": SEEN})

    # When the demo's update shapes are sent
    simple = [
        _update("seen", "REMOVE pending", {":h": {"S": "h1"}}, ConditionExpression="h = :h"),
        _update("stats", COUNTERS, _counter_values("1", "100"), COUNTER_NAMES),
        _update(
            "delivery",
            DELIVERY_SET,
            DELIVERY_VALUES,
            {"#status": "status"},
            ConditionExpression=DELIVERY_CONDITION,
        ),
    ]
    answers = [_call(port, "UpdateItem", body) for body in simple]

    # Then they succeed without moto's validator, and an update outside the simple shapes uses it
    assert [status for _, status, *_ in answers] == [200, 200, 200]
    assert built == []
    _call(
        port,
        "UpdateItem",
        _update(
            "kinds", "SET a = list_append(if_not_exists(a, :e), :v)", {":v": {"L": [ONE]}, ":e": {"L": []}}
        ),
    )
    assert built
