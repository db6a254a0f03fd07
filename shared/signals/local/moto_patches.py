"""Fixes to moto for tests and the local runtime: six for speed, one for thread safety
(behaviour under test unchanged).

1. ``TransactWriteItems`` rollback (below).
2. ``Query`` on the base table: moto 5.2 builds and sorts a list of EVERY item in the table for
   each Query, then keeps the partition asked for; a Query therefore costs O(table size) and the
   demo's webhook fan-out (a Query per event) slowed to minutes. The patch hands moto only the
   partition's items, as DynamoDB itself reads them. A GSI Query (a string partition key) was
   worse: every item sorted, then compared one by one in slow steps, under the request lock (4.)
   so that each page view of the demo stalled scoring; the patch hands moto only the items of
   the asked index partition, in the order moto would have seen them.
3. SQS ``ReceiveMessage``: for each candidate message moto recomputes every queue attribute
   (counting all messages) just to read the retention period, so a receive costs O(queue size²)
   and draining a few thousand messages took many minutes. The patch reads the retention period
   directly.
4. Server mode: moto's in-memory backends are not thread-safe, and its server answers requests on
   threads. A GSI Query iterating a table while a scorer's write lands raised "dictionary changed
   size during iteration" (a 500, retried by botocore). The patch serves one DynamoDB request at
   a time, so each is atomic, as it is to its caller in DynamoDB.
5. Server mode: to route each request moto lists its own package directory (``os.listdir`` and
   an ``isdir`` per service, ~150 system calls) under the dispatcher's global lock; the demo makes
   thousands of requests. The patch lists the directory once (it does not change while running).
6. SQS queue counts: moto reads the clock (a datetime conversion) twice per message to count a
   queue's visible, in-flight and delayed messages, and it computes all three for every message
   sent (``SendMessage`` reads the whole attribute map for one flag) and every
   ``GetQueueAttributes``: with a few thousand messages queued, sends cost O(queue size) in slow
   steps. The patch reads the clock once per count and compares numbers.
7. DynamoDB ``UpdateItem``: moto parses, deep-copies and validates the expression tree twice per
   update (~1-3 ms each); a story write's transaction carries a dozen of them (candidate keys,
   counters), and the outbox, counters and delivery records add more. Simple updates (SET, ADD,
   REMOVE, ``if_not_exists``, ``list_append``, any condition) are applied directly by
   ``moto_updates``; anything else goes to moto's code as before.
8. Server mode: GSI Queries in a burst (the demo's digest walk: one per month of ten years, each
   a pass over every item of a table of ~100k records, 0.1 s apiece, 12 s at the end of the
   first cycle). Between two writes the table does not change, so the second GSI Query of a
   read-only request since the last write groups the index partitions once and later ones read
   their partition from that grouping. Any DynamoDB request that is not a known read, and any
   write through the backend, forgets the grouping; in process (no server) it is never used.

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

from signals.local import moto_updates

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
            # a Put replaces the stored Item with a new one and a Delete removes it: the old Item
            # object itself is left as it was, so a reference restores it; an Update changes the
            # stored Item in place, so it is copied
            touched.append(
                (table, hash_value, range_value, copy.deepcopy(before) if op_type == "Update" else before)
            )

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
    _install_cached_module_list()
    _install_cheap_queue_counts()
    moto_updates.install()  # 7.
    _install_forget_on_write()
    _PATCHED = True


def _install_forget_on_write() -> None:
    """Every write through moto's backend forgets the GSI grouping (8.), in process too."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    def forgetting(original: Any) -> Any:
        def write(*args: Any, **kwargs: Any) -> Any:
            _forget_gsi_groups()
            return original(*args, **kwargs)

        return write

    for owner, name in ((Table, "put_item"), (Table, "delete_item"), (DynamoDBBackend, "update_item")):
        setattr(owner, name, forgetting(getattr(owner, name)))
    for name in ("delete_table", "create_table", "update_table"):
        setattr(DynamoDBBackend, name, forgetting(getattr(DynamoDBBackend, name)))


_SERVER_LOCK = threading.RLock()


def _install_request_lock() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__

    def __call__(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            # S3 and SQS go through unlocked: an SQS long poll waits inside its request and would
            # stall every other caller behind it
            return original(self, environ, start_response)
        read_only = environ["HTTP_X_AMZ_TARGET"].split(".")[-1] in _READ_ACTIONS
        with _SERVER_LOCK:  # the body is built inside the lock too: no lazy iteration afterwards
            _gsi_groups.reading = read_only
            try:
                return list(original(self, environ, start_response))
            finally:
                _gsi_groups.reading = False
                if not read_only:
                    _forget_gsi_groups()

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]


def _install_cheap_queue_counts() -> None:
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import Queue

    def messages(self: Any) -> list[Any]:
        now = unix_time_millis()
        return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]

    def delayed(self: Any) -> int:
        now = unix_time_millis()
        return sum(1 for m in self._messages if now < m.delayed_until)

    def not_visible(self: Any) -> int:
        now = unix_time_millis()
        return sum(1 for m in self._messages if not now > m.visible_at)

    Queue.messages = property(messages)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_delayed = property(delayed)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_not_visible = property(not_visible)  # type: ignore[assignment,method-assign]


def _install_cached_module_list() -> None:
    import moto.backends as backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules  # type: ignore[assignment]


def _install_cheap_retention_check() -> None:
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        retention_s = int(self.get_queue(queue_name).message_retention_period)
        return retention_s + message.sent_timestamp / 1000 > unix_time()

    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period


_partition_hint = threading.local()
_READ_ACTIONS = frozenset(
    {"Query", "Scan", "GetItem", "BatchGetItem", "TransactGetItems", "DescribeTable", "ListTables"}
)


class _GsiGroups(threading.local):
    reading = False  # inside a read-only server request (set by the request lock's wrapper)


_gsi_groups = _GsiGroups()
_GSI_CACHE: dict[str, Any] = {"groups": {}, "asked": set()}  # forgotten on every write


def _forget_gsi_groups() -> None:
    _GSI_CACHE["groups"], _GSI_CACHE["asked"] = {}, set()


def _gsi_partition(table: Any, index_attribute: str, want: Any) -> list[Any]:
    """The items of one GSI partition in moto's order (see 2. and 8. in the module docstring)."""
    key = (id(table), index_attribute)
    if not _gsi_groups.reading or key not in _GSI_CACHE["asked"]:
        if _gsi_groups.reading:
            _GSI_CACHE["asked"].add(key)
        return _sorted_items(
            item
            for item in _table_items(table)
            if (value := item.attrs.get(index_attribute)) is not None
            and value.type == want.type
            and value.value == want.value
        )
    groups = _GSI_CACHE["groups"].get(key)
    if groups is None:
        grouping: dict[tuple[str, Any], list[Any]] = {}
        for item in _table_items(table):
            value = item.attrs.get(index_attribute)
            if value is not None and value.type in ("S", "B"):
                grouping.setdefault((value.type, value.value), []).append(item)
        groups = _GSI_CACHE["groups"][key] = {k: _sorted_items(v) for k, v in grouping.items()}
    return list(groups.get((want.type, want.value), ()))


def _table_items(table: Any) -> Any:
    return (
        item
        for bucket in table.items.values()
        for item in (bucket.values() if table.range_key_attr else (bucket,))
    )


def _sorted_items(items: Any) -> list[Any]:
    return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


def _install_partition_query() -> None:
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items
    signature = inspect.signature(original_query)

    def all_items(self: Any) -> list[Any]:
        if getattr(_partition_hint, "table", None) is self:
            index_attribute = getattr(_partition_hint, "index_attribute", None)
            if index_attribute is None:
                bucket = self.items.get(_partition_hint.hash_key)
                return list(bucket.values()) if bucket else []
            # a GSI query: only the items in the asked index partition, in moto's own order
            return _gsi_partition(self, index_attribute, _partition_hint.hash_key)
        return original_all_items(self)

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        hash_key = bound.arguments.get("hash_key")
        index_name = bound.arguments.get("index_name")
        conditions = bound.arguments.get("hash_key_conditions") or []
        index_attribute = None
        if index_name:
            # a GSI partition of strings (or bytes) compares as written; anything else as moto does
            if len(conditions) != 1 or conditions[0][1].type not in ("S", "B"):
                return original_query(self, *args, **kwargs)
            index_attribute, hash_key = conditions[0]
        elif hash_key is None or not self.range_key_attr:
            return original_query(self, *args, **kwargs)
        _partition_hint.table, _partition_hint.hash_key = self, hash_key
        _partition_hint.index_attribute = index_attribute
        try:
            return original_query(self, *args, **kwargs)
        finally:
            _partition_hint.table = _partition_hint.hash_key = _partition_hint.index_attribute = None

    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
