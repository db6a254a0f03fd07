"""``signals replay --since DATE [--source ID]``: re-enqueue archived items for re-scoring.

Nothing is fetched: the archived item JSON is the claim check; the scorer reads it again.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TextIO

from signals.config import get_settings
from signals.models import ScoreRequest, utcnow
from signals.storage.archive import ITEMS_PREFIX, list_items
from signals.storage.queues import OutgoingMessage, send_messages

_FLUSH_EVERY = 100


def _since(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD or ISO 8601)") from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def replay(since: datetime, source_id: str | None = None, *, progress: TextIO | None = None) -> int:
    """Send one ``reason="replay"`` ScoreRequest per archived item version since ``since``; the count."""
    queue_url = get_settings().score_queue_url
    now = utcnow()
    sent = 0
    batch: list[OutgoingMessage] = []

    def flush() -> None:
        nonlocal sent
        if batch:
            send_messages(queue_url, batch)
            sent += len(batch)
            batch.clear()
            if progress is not None:
                progress.write(f"\rreplayed {sent} item(s)")
                progress.flush()

    for archived in list_items(since=since, source_id=source_id):
        parts = archived.key.removeprefix(ITEMS_PREFIX).split("/")
        if len(parts) != 3:
            continue  # not an item key
        item_source, item_id, _ = parts
        request = ScoreRequest(
            item_key=archived.key, item_id=item_id, source_id=item_source, reason="replay", enqueued_at=now
        )
        batch.append(OutgoingMessage(id=f"{item_id}-{len(batch)}", body=request.model_dump_json()))
        if len(batch) >= _FLUSH_EVERY:
            flush()
    flush()
    if progress is not None:
        progress.write("\n")
    return sent


def run(args: argparse.Namespace) -> int:
    progress = sys.stderr if sys.stderr.isatty() else None
    count = replay(args.since, args.source, progress=progress)
    print(f"re-enqueued {count} archived item(s) since {args.since.date().isoformat()}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("replay", help="re-enqueue archived items for re-scoring (no fetching)")
    parser.add_argument("--since", required=True, type=_since, help="archived at or after (YYYY-MM-DD)")
    parser.add_argument("--source", default=None, help="only this source id")
    parser.set_defaults(run=run)
