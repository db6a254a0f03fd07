"""``archive.S3Archive`` in memory: the ingest's ``FeedArchive`` and the scorer's ``ItemArchive``, no moto."""

from __future__ import annotations

from datetime import datetime

from signals.models import Item
from signals.storage.archive import item_key, raw_key


class InMemoryArchive:
    """Items by archive key; ``put`` archives one as ingest does (same key as in the bucket)."""

    def __init__(self) -> None:
        self.items: dict[str, Item] = {}
        self.raw: dict[str, bytes] = {}

    def put(self, item: Item) -> str:
        key = item_key(item.source_id, item.id, item.content_hash)
        self.items.setdefault(key, item)  # write-once, as the bucket
        return key

    def read_item(self, key: str) -> Item:
        if key not in self.items:
            raise KeyError(f"no archived item at {key}")
        return self.items[key]

    def archive_raw(
        self, source_id: str, body: bytes, fetched_at: datetime, extension: str
    ) -> tuple[str, bool]:
        key = raw_key(source_id, body, fetched_at, extension)
        written = key not in self.raw
        self.raw.setdefault(key, body)
        return key, written

    def write_item(self, item: Item) -> tuple[str, bool]:
        written = item_key(item.source_id, item.id, item.content_hash) not in self.items
        return self.put(item), written
