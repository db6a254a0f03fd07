"""``archive``'s in-memory twin for the scorer's ``ItemArchive`` port: unit tests need no moto."""

from __future__ import annotations

from signals.models import Item
from signals.storage.archive import item_key


class InMemoryArchive:
    """Items by archive key; ``put`` archives one as ingest does (same key as in the bucket)."""

    def __init__(self) -> None:
        self.items: dict[str, Item] = {}

    def put(self, item: Item) -> str:
        key = item_key(item.source_id, item.id, item.content_hash)
        self.items.setdefault(key, item)  # write-once, as the bucket
        return key

    def read_item(self, key: str) -> Item:
        if key not in self.items:
            raise KeyError(f"no archived item at {key}")
        return self.items[key]
