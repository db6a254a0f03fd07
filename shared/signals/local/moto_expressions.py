"""Parsed DynamoDB expressions kept by the local moto server (part of ``moto_fast``; same answers).

A story write's transaction carries a dozen conditional puts and counter updates, always with the
same few expression templates; moto parses each expression afresh every time it meets it -- a
transaction's UpdateExpressions twice (the handler's validation, then the backend), its
ConditionExpressions in the backend's loop and again in ``Table.put_item``. These caches keep
moto's parse of each:

- ``UpdateExpressionParser.make`` by expression string: the AST is only read (``find_clauses``)
  and moto's validator deep-copies it before changing anything.
- ``get_filter_expression`` (conditions and filters) by expression, names and values (their
  content, in order): the tree it returns holds the names' and values' data, so it is parsed from
  a private deep copy of them, and its ``expr(item)`` only reads the tree. Values that are not
  plain JSON-like data are not cached.

Failures are never cached (moto raises them again); each cache stops growing at
``config.MOTO_EXPRESSION_CACHE_MAX`` entries (later expressions are parsed as before).
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from typing import Any

from signals.config import MOTO_EXPRESSION_CACHE_MAX


def install(enabled: Callable[[], bool]) -> None:
    """Patch moto's two expression parsers; ``enabled()`` false at a call means moto's own path."""
    _install_update_expression_cache(enabled)
    _install_condition_cache(enabled)


def _install_update_expression_cache(enabled: Callable[[], bool]) -> None:
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    original = UpdateExpressionParser.make.__func__  # type: ignore[attr-defined]
    parsed: dict[str, Any] = {}

    def make(cls: Any, expression_str: Any) -> Any:
        if type(expression_str) is not str or not enabled():
            return original(cls, expression_str)
        ast = parsed.get(expression_str)
        if ast is None:
            ast = original(cls, expression_str)
            if len(parsed) < MOTO_EXPRESSION_CACHE_MAX:
                parsed[expression_str] = ast
        return ast

    UpdateExpressionParser.make = classmethod(make)  # type: ignore[method-assign,assignment]


class _NotPlain(Exception):
    pass


def _freeze(value: Any) -> Any:
    """A hashable stand-in for JSON-like ``value`` (types tagged, order kept), else _NotPlain."""
    kind = type(value)
    if kind is dict:
        return ("d", tuple((k, _freeze(v)) for k, v in value.items()))
    if kind is list:
        return ("l", tuple(_freeze(v) for v in value))
    if kind in (str, bytes, bool, int, type(None)):
        return (kind.__name__, value)
    raise _NotPlain(kind.__name__)


def _install_condition_cache(enabled: Callable[[], bool]) -> None:
    import moto.dynamodb.comparisons as comparisons

    original = comparisons.get_filter_expression
    parsed: dict[Any, Any] = {}

    def get_filter_expression(expr: Any, names: Any, values: Any) -> Any:
        if not expr or type(expr) is not str or not enabled():
            return original(expr, names, values)
        try:
            key = (expr, _freeze(names), _freeze(values))
        except _NotPlain:
            return original(expr, names, values)
        op = parsed.get(key)
        if op is None:
            op = original(expr, copy.deepcopy(names), copy.deepcopy(values))
            if len(parsed) < MOTO_EXPRESSION_CACHE_MAX:
                parsed[key] = op
        return op

    # moto's modules import the function by name: replace it wherever it was imported
    for name, module in list(sys.modules.items()):
        if name.startswith("moto.dynamodb") and getattr(module, "get_filter_expression", None) is original:
            module.get_filter_expression = get_filter_expression  # type: ignore[attr-defined]
