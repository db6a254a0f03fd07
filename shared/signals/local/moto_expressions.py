"""Parsed DynamoDB UpdateExpressions kept by the local moto server (part of ``moto_fast``; same answers).

A story write's transaction carries a dozen counter updates, always with the same few expression
templates, and moto parses each UpdateExpression twice per transaction (the handler's validation,
then the backend). ``UpdateExpressionParser.make`` is kept by expression string: the AST is only
read (``find_clauses``) and moto's validator deep-copies it before changing anything. Failures are
never cached (moto raises them again); the cache stops growing at ``config.MOTO_EXPRESSION_CACHE_MAX``
entries (later expressions are parsed as before).

(ConditionExpressions were cached too, by expression, names and values, and dropped: moto's parse
puts the values into the tree, and the demo's conditions carry per-item values, so it missed.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from signals.config import MOTO_EXPRESSION_CACHE_MAX


def install(enabled: Callable[[], bool]) -> None:
    """Patch moto's UpdateExpression parser; ``enabled()`` false at a call means moto's own path."""
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
