"""What ingest needs from the outside world, as small ports (storage implements them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from signals.models import Item, ScoreRequest
from signals.models.source import SeenEntry, SourceState


class SourceStateStore(Protocol):
    """Each source's state between runs, and the entry versions already enqueued."""

    def load_states(self, source_ids: Iterable[str]) -> dict[str, SourceState]: ...

    def save_state(self, state: SourceState) -> None: ...

    def load_seen(self, item_ids: Iterable[str]) -> dict[str, SeenEntry]: ...

    def save_seen(self, entries: list[SeenEntry]) -> None: ...


class FeedArchive(Protocol):
    """Write-once archive of fetched documents and normalised items: (key, newly written)."""

    def archive_raw(
        self, source_id: str, body: bytes, fetched_at: datetime, extension: str
    ) -> tuple[str, bool]: ...

    def write_item(self, item: Item) -> tuple[str, bool]: ...


class ScoreQueue(Protocol):
    """The score queue: one claim-check message per new or edited item."""

    def send_requests(self, requests: Sequence[ScoreRequest]) -> int: ...


class IngestStats(Protocol):
    """The pipeline's own figures (``/ops``): best effort, never fails a run."""

    def record_source_items(self, source_id: str, count: int, *, at: datetime | None = None) -> bool: ...

    def record_run(
        self, *, fetched: int, not_modified: int, failed: int, new_items: int, bytes_: int
    ) -> bool: ...
