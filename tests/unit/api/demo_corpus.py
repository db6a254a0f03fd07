"""The demo corpus (demo/feeds) scored in memory by the rules analyst, as signals: for tests of
search and ranking on real headlines. Duplicates across snapshots are kept (as stored items)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from fabricate import make_signal
from signals.models import Signal

ROOT = Path(__file__).resolve().parents[3]
WHEN = datetime(2026, 8, 22, tzinfo=UTC)


@lru_cache(maxsize=1)
def demo_signals() -> tuple[Signal, ...]:
    """Every demo item (parsed as ingest does) with the rules analyst's score, category, tags,
    entities and summary (about 2,800 signals, two seconds)."""
    from signals.cli.score import items_from
    from signals.cli.usage import UsageError
    from signals.scoring.enrichers import build_analyst

    analyst = build_analyst(enricher="rules")
    signals: list[Signal] = []
    for path in sorted((ROOT / "demo" / "feeds").rglob("*")):
        if not path.is_file() or path.suffix == ".md" or path.name == "dedupe-hints.json":
            continue
        try:
            items = items_from(str(path), now=WHEN)
        except UsageError:  # a bundled file that is not a feed: no items, as ingest
            continue
        for item in items:
            enrichment = analyst.enrich(item)
            n = len(signals)
            signals.append(
                make_signal(
                    n,
                    id=f"demo{n:05d}",
                    title=item.title,
                    published=item.published_at,
                    score=enrichment.score,
                    category=enrichment.category,
                    tags=enrichment.tags,
                    entities=enrichment.entities,
                    summary=enrichment.summary,
                )
            )
    return tuple(signals)
