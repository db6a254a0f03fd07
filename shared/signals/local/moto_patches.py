"""A faster stand-in for moto's ``TransactWriteItems`` rollback, for tests and the local runtime.

moto 5.2 deep-copies the WHOLE table once per operation of every transaction so it can roll back,
which makes a transaction cost O(table size): scoring a few thousand items becomes quadratic
(minutes), and the copy races with concurrent requests in server mode ("dictionary changed size
during iteration"). Real DynamoDB has no such cost. This patch keeps moto's semantics (conditions,
all-or-nothing) but snapshots only the items the transaction touches. It changes a test double's
speed, not the behaviour under test.
"""

from __future__ import annotations

import copy
from typing import Any

_PATCHED = False


class _CopyWithoutTables:
    """Stands in for the ``copy`` module inside moto's DynamoDB backend: a Table is not copied
    (its touched items are snapshotted instead); everything else is copied as usual."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if type(value).__name__ == "Table":
            return value
        return copy.deepcopy(value, memo)

    @staticmethod
    def copy(value: Any) -> Any:
        return copy.copy(value)


def install() -> None:
    """Patch moto's DynamoDB backend once per process (idempotent)."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        touched: list[tuple[Any, DynamoType, DynamoType | None, Any]] = []
        for entry in transact_items:
            if len(entry) != 1:
                continue  # moto raises the proper error below
            op_type, op = next(iter(entry.items()))
            table_name = op.get("TableName")
            if table_name not in self.tables:
                continue
            table = self.tables[table_name]
            attrs = op.get("Item") if op_type == "Put" else op.get("Key")
            if not attrs or table.hash_key_attr not in attrs:
                continue
            hash_value = DynamoType(attrs[table.hash_key_attr])
            range_value = (
                DynamoType(attrs[table.range_key_attr])
                if table.range_key_attr and table.range_key_attr in attrs
                else None
            )
            if table.range_key_attr and range_value is None:
                continue
            before = table.get_item(hash_value, range_value)
            touched.append((table, hash_value, range_value, copy.deepcopy(before)))

        try:
            original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, before in reversed(touched):
                table.delete_item(hash_value, range_value)
                if before is not None:
                    if range_value is not None:
                        table.items[hash_value][range_value] = before
                    else:
                        table.items[hash_value] = before
            raise

    import moto.dynamodb.models as backend_module

    backend_module.copy = _CopyWithoutTables()  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _PATCHED = True
