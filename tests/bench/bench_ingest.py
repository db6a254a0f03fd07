"""Ingest CPU per item vs feedparser's own parse of the same bytes, and peak memory on a ~10 MB feed.

Run: ``python tests/bench/bench_ingest.py``. Targets (issue 3): ratio <= 1.25; peak memory well
inside the ingest function's 512 MB.
"""

from __future__ import annotations

import io
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from signals.config import Settings
from signals.feeds.ingest import items_from_feed
from signals.feeds.sources import Source

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Source(id="bench", name="Bench", url="https://example.com/feed.xml")
NOW = datetime(2026, 6, 2, 17, 0, tzinfo=UTC)
SETTINGS = Settings(max_items_per_feed=100_000)
ROUNDS = 3


def _cpu(fn) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best


def _ingest(data: bytes) -> int:
    items, _, _ = items_from_feed(data, source=SOURCE, base_url=SOURCE.url, fetched_at=NOW, settings=SETTINGS)
    return len(items)


def cpu_ratio() -> None:
    files = sorted(p for p in (ROOT / "demo/feeds").rglob("*") if p.suffix in (".xml", ".rss", ".atom"))
    feedparser_s = ingest_s = 0.0
    items = 0
    for path in files:
        data = path.read_bytes()
        feedparser_s += _cpu(lambda data=data: feedparser.parse(io.BytesIO(data)))
        ingest_s += _cpu(lambda data=data: _ingest(data))
        items += _ingest(data)
    print(f"feeds: {len(files)}  items: {items}")
    print(f"feedparser.parse (defaults): {1e6 * feedparser_s / items:8.1f} us/item")
    print(f"signals ingest parse+normalise: {1e6 * ingest_s / items:8.1f} us/item")
    print(f"ratio ingest / feedparser: {ingest_s / feedparser_s:.2f}  (target <= 1.25)")


def big_feed(target_bytes: int = 10 * 1024 * 1024) -> bytes:
    source = (ROOT / "demo/feeds/labs/openai-alignment__0xsmw__2026-07-26.xml").read_bytes()
    head, rest = source.split(b"<item>", 1)
    body, tail = rest.rsplit(b"</item>", 1)
    items = [
        b"<item>" + chunk if not chunk.startswith(b"<item>") else chunk for chunk in body.split(b"<item>")
    ]
    out = [head]
    size, n = len(head), 0
    while size < target_bytes:
        chunk = items[n % len(items)].replace(b"<guid", b"<guid>%d</guid><x" % n, 1) + b"</item>"
        out.append(chunk if chunk.endswith(b"</item>") else chunk + b"</item>")
        size += len(out[-1])
        n += 1
    out.append(tail)
    return b"".join(out)


def peak_memory() -> None:
    data = big_feed()
    tracemalloc.start()
    count = _ingest(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"10 MB feed: {len(data) / 2**20:.1f} MiB, {count} items, peak traced memory {peak / 2**20:.1f} MiB "
        f"(function memory 512 MiB)"
    )


if __name__ == "__main__":
    cpu_ratio()
    peak_memory()
