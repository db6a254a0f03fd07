"""Fixes to moto for tests and the local runtime: three for speed, one for thread safety
(behaviour under test unchanged).

1. ``TransactWriteItems`` rollback (below).
2. ``Query`` on the base table: moto 5.2 builds and sorts a list of EVERY item in the table for
   each Query, then keeps the partition asked for; a Query therefore costs O(table size) and the
   demo's webhook fan-out (a Query per event) slowed to minutes. The patch hands moto only the
   partition's items, as DynamoDB itself reads them. GSI queries are left as moto does them.
3. SQS ``ReceiveMessage``: for each candidate message moto recomputes every queue attribute
   (counting all messages) just to read the retention period, so a receive costs O(queue size²)
   and draining a few thousand messages took many minutes. The patch reads the retention period
   directly.
4. Server mode: moto's in-memory backends are not thread-safe, and its server answers requests on
   threads. A GSI Query iterating a table while a scorer's write lands raised "dictionary changed
   size during iteration" (a 500, retried by botocore). The patch serves one DynamoDB request at
   a time, so each is atomic, as it is to its caller in DynamoDB.

The transaction fix, in detail:

moto 5.2 deep-copies the WHOLE table once per operation of every transaction so it can roll back,
which makes a transaction cost O(table size): scoring a few thousand items becomes quadratic
(minutes), and the copy races with concurrent requests in server mode ("dictionary changed size
during iteration"). Real DynamoDB has no such cost. This patch keeps moto's semantics (conditions,
all-or-nothing) but snapshots only the items the transaction touches. It changes a test double's
speed, not the behaviour under test.
"""

from __future__ import annotations

import copy
import inspect
import threading
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
        # One transaction at a time, in process too (tests call moto from several threads): a failed
        # transaction restores its snapshots, and must not restore one taken before another
        # transaction committed (that lost the winner's counter increment in the subscription-cap race).
        with _SERVER_LOCK:
            _transact(self, transact_items)

    def _transact(self: Any, transact_items: list[dict[str, Any]]) -> None:
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
    _install_partition_query()
    _install_cheap_retention_check()
    _install_request_lock()
    _PATCHED = True


_SERVER_LOCK = threading.RLock()


def _install_request_lock() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__

    def __call__(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            # S3 and SQS go through unlocked: an SQS long poll waits inside its request and would
            # stall every other caller behind it
            return original(self, environ, start_response)
        with _SERVER_LOCK:  # the body is built inside the lock too: no lazy iteration afterwards
            return list(original(self, environ, start_response))

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]


def _install_cheap_retention_check() -> None:
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        retention_s = int(self.get_queue(queue_name).message_retention_period)
        return retention_s + message.sent_timestamp / 1000 > unix_time()

    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period


_partition_hint = threading.local()


def _install_partition_query() -> None:
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items
    signature = inspect.signature(original_query)

    def all_items(self: Any) -> list[Any]:
        if getattr(_partition_hint, "table", None) is self:
            bucket = self.items.get(_partition_hint.hash_key)
            return list(bucket.values()) if bucket else []
        return original_all_items(self)

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        hash_key = bound.arguments.get("hash_key")
        if bound.arguments.get("index_name") or hash_key is None or not self.range_key_attr:
            return original_query(self, *args, **kwargs)
        _partition_hint.table, _partition_hint.hash_key = self, hash_key
        try:
            return original_query(self, *args, **kwargs)
        finally:
            _partition_hint.table = _partition_hint.hash_key = None

    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
