"""ConditionExpressions parsed once per write request by the local moto server (part of ``moto_fast``;
same answers).

moto parses a write's ConditionExpression up to three times in one request: the handler parses it
to check the expression attribute names used, a transaction parses it again to check the action's
condition, and the backend's put/update/delete parses it a third time (and checks it again). In
the demo's story-write transaction (two conditional puts) that was most of the condition-parse
cost. The parse only depends on the expression, its names and its values, and the tree it returns
(moto's ``Op``s) is only read when evaluated, so within one write request the parse of the same
(expression, names, values) is kept and handed out again, together with the names and values the
parse found (as fresh lists: the handler extends them).

Scope: one ``TransactWriteItems``, ``PutItem``, ``UpdateItem`` or ``DeleteItem`` request in server
mode (a werkzeug request), with ``moto_fast`` on; the memo is dropped when the request ends and
holds at most ``config.MOTO_CONDITION_MEMO_MAX`` parses (later ones are parsed as before). A parse
that fails is never kept (moto raises again). Empty expressions go to moto's own (cheap) parse,
and so do conditions with a value that is not a scalar (a set, list or map: the tree holds it by
reference, and a later action of the request could change it).
(Across requests nothing is kept: the demo's conditions carry per-item values, see
``moto_expressions``.) ``tests/integration/test_moto_conditions.py`` compares answers with stock moto.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from signals.config import MOTO_CONDITION_MEMO_MAX

_WRITE_HANDLERS = ("transact_write_items", "put_item", "update_item", "delete_item")
_SCALAR_KINDS = frozenset(("S", "N", "B", "BOOL", "NULL"))
_scope = threading.local()  # .memo: dict while a write request is handled, else absent/None


def _scalars(values: Any) -> bool:
    """Whether every expression value is one immutable scalar (the tree holds values by reference:
    a list or a map could be changed by a later action of the same request; those are not kept)."""
    if not values:
        return True
    if type(values) is not dict:
        return False
    for value in values.values():
        if type(value) is not dict or len(value) != 1:
            return False
        ((kind, raw),) = value.items()
        if kind not in _SCALAR_KINDS or type(raw) not in (str, bytes, bool):
            return False
    return True


def install(enabled: Callable[[], bool]) -> None:
    """Patch moto's condition parser and the write handlers; ``enabled()`` false means moto's path."""
    import moto.dynamodb.comparisons as comparisons
    import moto.dynamodb.models as models
    import moto.dynamodb.responses as responses
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.responses import DynamoHandler

    class MemoParser(ConditionExpressionParser):
        def parse(self) -> Any:
            memo = getattr(_scope, "memo", None)
            if (
                memo is None
                or not self.condition_expression
                or not _scalars(self.expression_attribute_values)
            ):
                return super().parse()
            key = (
                self.condition_expression,
                # moto only subscripts names and values: a parse that succeeded with None looked
                # nothing up, as one with {} (the handler passes {}, the backend None)
                repr(self.expression_attribute_names or {}),
                repr(self.expression_attribute_values or {}),
            )
            kept = memo.get(key)
            if kept is None:
                op = super().parse()  # a failure raises here and is not kept
                kept = (op, list(self.expr_attr_names_found), list(self.expr_attr_values_found))
                if len(memo) < MOTO_CONDITION_MEMO_MAX:
                    memo[key] = kept
                return op
            op, names, values = kept
            self.expr_attr_names_found.extend(names)
            self.expr_attr_values_found.extend(values)
            return op

    def create_condition_expression_parser(expr: Any, names: Any, values: Any) -> Any:
        if getattr(_scope, "memo", None) is None:
            return ConditionExpressionParser(expr, names, values)
        return MemoParser(expr, names, values)

    # every caller looks the factory up by a module global: comparisons (get_filter_expression),
    # the backend (update_item) and the handlers
    stock = comparisons.create_condition_expression_parser
    for module in (comparisons, models, responses):
        assert module.create_condition_expression_parser is stock
        module.create_condition_expression_parser = create_condition_expression_parser  # type: ignore[attr-defined]

    def scoped(original: Any) -> Any:
        def handler(self: Any) -> Any:
            if not (enabled() and self.is_werkzeug_request) or getattr(_scope, "memo", None) is not None:
                return original(self)
            _scope.memo = {}
            try:
                return original(self)
            finally:
                _scope.memo = None

        handler.__name__ = original.__name__
        handler.__doc__ = original.__doc__
        return handler

    for name in _WRITE_HANDLERS:
        setattr(DynamoHandler, name, scoped(getattr(DynamoHandler, name)))
