"""Simple UpdateItems applied directly by moto (installed by ``moto_patches``, for the tests' moto and
the demo's moto server alike; same answers).

A profile of the demo's moto process put ~20% of its CPU in moto's generic UpdateItem: for every
update it deep-copies the item, deep-copies the expression tree, and walks it with ten validating
processors before executing it (~1-3 ms each). Most of the demo's updates are a handful of shapes:
the outbox clear (``REMOVE pending`` if ``content_hash = :h``), the day's counters (``ADD ... SET
#ttl = if_not_exists(#ttl, :ttl)``), the rate limiter and the delivery records (``SET a = :v, ...``,
a condition, ``REMOVE b``).

This module applies an UpdateExpression directly when it is made only of

- ``SET attribute = :value``, ``SET attribute = if_not_exists(attribute, :value)`` and
  ``SET attribute = list_append(attribute, :list)``,
- ``ADD attribute :number`` and ``ADD attribute :non-empty-set``,
- ``REMOVE attribute``,

on top-level attributes, each named once, none of them a key attribute, every placeholder defined,
values without an empty set, string, binary or number anywhere in them, on a table without a
stream, with any ConditionExpression (evaluated by moto's own condition code). It does what moto's
executor does (operands read from the item before the update, a number added to a number, a set
joined in order without repeats, a copy of the stored list extended, an item created when missing,
``ConditionalCheckFailed`` with the old item on ``ALL_OLD``). Anything else goes to moto's own update,
which answers or fails as before: another function or a nested one, a nested path, a type mismatch
(ADD of a set to a number, list_append to a missing attribute or a non-list), an empty value, a key
attribute, a repeated clause or attribute, unknown arguments, and an update that could come near
moto's item size limit (the item's size plus every new value's over moto's 405,000 bytes: moto
checks the size at each assignment, so only then can it fail). The expression is still parsed
first by moto (its syntax errors and reserved words are its own).
``tests/integration/test_moto_updates.py`` compares the answers with stock moto's (``ENABLED``
off), and ``tests/integration/test_moto_patches.py`` the arithmetic in process.
"""

from __future__ import annotations

import copy
import re
from typing import Any

_NAME = r"(#\w+|[A-Za-z_]\w*)"
_VALUE = r"(:\w+)"
_ACTIONS = {
    "SET": rf"{_NAME}\s*=\s*(?:{_VALUE}|(if_not_exists|list_append)\s*\(\s*{_NAME}\s*,\s*{_VALUE}\s*\))",
    "ADD": rf"{_NAME}\s+{_VALUE}",
    "REMOVE": _NAME,
}
_ACTION_RES = {kind: re.compile(action) for kind, action in _ACTIONS.items()}
# a clause's whole body: its actions separated by commas (the same patterns without captures)
_LISTS = {
    kind: re.compile(rf"\s*{plain}(?:\s*,\s*{plain})*\s*")
    for kind, plain in ((k, re.sub(r"(?<!\\)\((?!\?)", "(?:", a)) for k, a in _ACTIONS.items())
}
_CLAUSE = re.compile(r"(?<![#:\w])(SET|ADD|REMOVE)(?![\w])", re.IGNORECASE)
_SETS = frozenset(("SS", "NS", "BS"))
_SIZE_LIMIT = 405000  # moto's item size limit (dynamo_type.LimitedSizeDict)
_ARGUMENTS = frozenset(
    (
        "expression_attribute_names",
        "expression_attribute_values",
        "condition_expression",
        "attribute_updates",
        "expected",
        "return_values_on_condition_check_failure",
    )
)


ENABLED = True  # tests switch the direct path off to get stock moto's answers in the same process


class _Fallback(Exception):
    """The update is not one this module applies: moto's own update answers."""


def install() -> None:
    """Patch moto's backend ``update_item`` (``moto_patches.install`` calls this once); with
    ``ENABLED`` false at a call, moto's own path runs."""
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser
    from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

    original = DynamoDBBackend.update_item
    reserved = frozenset(word.upper() for word in ReservedKeywords.get_reserved_keywords())

    def update_item(
        self: Any,
        table_name: str,
        key: dict[str, Any],
        update_expression: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        def moto() -> Any:
            return original(self, table_name, key, update_expression, *args, **kwargs)

        table = self.tables.get(table_name) if type(table_name) is str else None
        if (
            not ENABLED
            or args
            or table is None
            or type(update_expression) is not str
            or not set(kwargs) <= _ARGUMENTS
            or kwargs.get("attribute_updates")
            or kwargs.get("expected")
            or table.stream_shard is not None
        ):
            return moto()
        UpdateExpressionParser.make(update_expression)  # moto's syntax errors, as moto raises them
        names = kwargs.get("expression_attribute_names") or {}
        values = kwargs.get("expression_attribute_values") or {}
        try:
            plan = _plan(table, key, update_expression, names, values, reserved)
        except _Fallback:
            return moto()
        return _apply(models, table, key, plan, kwargs, moto)

    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]


def _attribute(token: str, names: dict[str, Any], reserved: frozenset[str]) -> str:
    if token.startswith("#"):
        name = names.get(token)
        if type(name) is not str or not name:
            raise _Fallback
        return name
    if token.upper() in reserved:
        raise _Fallback
    return token


def _value(token: str, values: dict[str, Any]) -> dict[str, Any]:
    raw = values.get(token)
    if not _plain_value(raw):
        raise _Fallback
    return raw


def _plain_value(raw: Any) -> bool:
    """A value moto's validator takes as it is: no empty set, string, binary or number anywhere in it."""
    if type(raw) is not dict or len(raw) != 1:
        return False
    ((kind, inner),) = raw.items()
    if kind in _SETS:
        return type(inner) is list and bool(inner) and all(type(v) in (str, bytes) and v for v in inner)
    if kind in ("S", "N"):
        return type(inner) is str and bool(inner)
    if kind == "B":
        return type(inner) in (str, bytes) and bool(inner)
    if kind == "BOOL":
        return type(inner) is bool
    if kind == "NULL":
        return inner is True
    if kind == "L":
        return type(inner) is list and all(_plain_value(v) for v in inner)
    if kind == "M":
        return type(inner) is dict and all(type(k) is str and k and _plain_value(v) for k, v in inner.items())
    return False


def _plan(
    table: Any, key: Any, expression: str, names: Any, values: Any, reserved: frozenset[str]
) -> list[tuple[str, str, Any, Any]]:
    """``[(kind, attribute, value, (function, its attribute) or None)]`` for an update this module applies."""
    if type(names) is not dict or type(values) is not dict or type(key) is not dict:
        raise _Fallback
    keys = {table.hash_key_attr, table.range_key_attr} - {None}
    if set(key) != keys:
        raise _Fallback
    declared = {a["AttributeName"]: a["AttributeType"] for a in table.attr}
    for name in keys:
        raw = key[name]
        if type(raw) is not dict or len(raw) != 1 or next(iter(raw)) != declared.get(name):
            raise _Fallback
    parts = _CLAUSE.split(expression)
    if parts[0].strip():
        raise _Fallback
    plan: list[tuple[str, str, Any, Any]] = []
    seen_clauses: set[str] = set()
    for keyword, body in zip(parts[1::2], parts[2::2], strict=True):
        kind = keyword.upper()
        if kind in seen_clauses or not _LISTS[kind].fullmatch(body):
            raise _Fallback
        seen_clauses.add(kind)
        for match in _ACTION_RES[kind].finditer(body):
            attribute = _attribute(match.group(1), names, reserved)
            if kind == "SET":
                if match.group(2):
                    plan.append((kind, attribute, _value(match.group(2), values), None))
                else:  # (if_not_exists | list_append, its attribute, its value)
                    source = _attribute(match.group(4), names, reserved)
                    operand = (match.group(3), source)
                    plan.append((kind, attribute, _value(match.group(5), values), operand))
            elif kind == "ADD":
                raw = _value(match.group(2), values)
                if next(iter(raw)) not in ("N", *_SETS):
                    raise _Fallback
                plan.append((kind, attribute, raw, None))
            else:
                plan.append((kind, attribute, None, None))
    targets = [attribute for _, attribute, _, _ in plan]
    if not plan or len(set(targets)) != len(targets) or keys & set(targets):
        raise _Fallback
    return plan


def _apply(
    models: Any, table: Any, key: Any, plan: list[tuple[str, str, Any, Any]], kwargs: Any, moto: Any
) -> Any:
    from moto.dynamodb.exceptions import ConditionalCheckFailed
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.utilities import bytesize

    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    item = table.get_item(hash_value, range_value)
    condition = kwargs.get("condition_expression")
    if condition:
        parser = models.create_condition_expression_parser(
            condition, kwargs.get("expression_attribute_names"), kwargs.get("expression_attribute_values")
        )
        if not parser.parse().expr(item):
            if kwargs.get("return_values_on_condition_check_failure") == "ALL_OLD" and item is not None:
                raise ConditionalCheckFailed(item=item.to_json()["Attributes"])
            raise ConditionalCheckFailed
    attrs = item.attrs if item is not None else {}
    # every operand from the item as it was (moto's validator resolves them before executing)
    changes: list[tuple[str, Any]] = []
    for kind, attribute, raw, source in plan:
        current = attrs.get(attribute)
        if kind == "REMOVE":
            changes.append((attribute, None))
        elif kind == "SET" and source is None:
            changes.append((attribute, DynamoType(raw)))
        elif kind == "SET" and source[0] == "if_not_exists":
            kept = attrs.get(source[1])  # a copy: a list or set is changed in place by moto's ADD later
            changes.append((attribute, copy.deepcopy(kept) if kept is not None else DynamoType(raw)))
        elif kind == "SET":  # list_append(attribute, :list): moto copies the stored list and extends it
            stored, value = attrs.get(source[1]), DynamoType(raw)
            if stored is None or not stored.is_list() or not value.is_list():
                return moto()  # moto's error
            joined = copy.deepcopy(stored)
            joined.value.extend(value.value)
            changes.append((attribute, joined))
        else:
            value = DynamoType(raw)
            if current is not None and current.type != value.type:
                return moto()  # moto's type error
            if value.type == "N":
                before = current if current is not None else DynamoType({"N": "0"})
                changes.append((attribute, before + value))
            else:
                joined = list(current.value) if current is not None else []
                for element in value.value:
                    if element not in joined:
                        joined.append(element)
                changes.append((attribute, DynamoType({value.type: joined})))
    # moto checks the item's size at each assignment: that can only fail near its limit
    bound = sum(bytesize(k) + v.size() for k, v in attrs.items())
    bound += sum(bytesize(a) + v.size() for a, v in changes if v is not None)
    if bound > _SIZE_LIMIT:
        return moto()
    if item is None:
        data = {table.hash_key_attr: key[table.hash_key_attr]}
        if table.range_key_attr:
            data[table.range_key_attr] = key[table.range_key_attr]
        table.put_item(data)
        item = table.get_item(hash_value, range_value)
    for attribute, value in changes:
        if value is None:
            dict.pop(item.attrs, attribute, None)
        else:
            dict.__setitem__(item.attrs, attribute, value)
    return item
