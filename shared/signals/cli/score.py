"""``signals score PATH_OR_URL... [--json]``: score feed files or URLs offline and print them ranked."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from signals.cli.feed_input import not_a_feed, read_feed_input
from signals.models import Item


def items_from(target: str, *, now: datetime | None = None) -> list[Item]:
    """The normalised items of one feed file or URL (parsed and normalised like ingest does);
    a ``UsageError`` when it cannot be read or is not a feed."""
    from signals.feeds.normalize import normalize_entry
    from signals.feeds.parser import parse_feed
    from signals.feeds.sources import Source

    document = read_feed_input(target)
    data, base_url, content_type = document.data, document.base_url, document.content_type
    parsed = parse_feed(data, url=base_url, content_type=content_type)
    if not parsed.format and not parsed.entries:
        raise not_a_feed(target, data, parsed.warning)
    name = getattr(parsed, "title", None) or Path(target).stem
    slug = "cli-" + hashlib.sha256(target.encode()).hexdigest()[:12]
    source_url = base_url if base_url.startswith("http") else "https://local.invalid/" + slug
    source = Source(id=slug, name=str(name)[:200], url=source_url)
    fetched = now or datetime.now(UTC)
    return [
        normalize_entry(entry, source=source, base_url=source_url, fetched_at=fetched)
        for entry in parsed.entries
    ]


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from signals.scoring.enrichers import build_analyst

    analyst = build_analyst(enricher=args.enricher)
    scored = []
    for target in args.targets:
        items = items_from(target)  # a UsageError is one line and exit status 2 (signals.cli.usage)
        if not items:
            print(f"signals score: {target}: a feed with no items", file=sys.stderr)
        scored.extend((item, analyst.enrich(item)) for item in items)
    scored.sort(key=lambda pair: (-pair[1].score, pair[0].title))
    if args.json:
        out.write(
            json.dumps(
                [
                    {
                        "id": item.id,
                        "title": item.title,
                        "url": item.url,
                        "source": item.source_name,
                        "published_at": item.published_at.isoformat(),
                        **enrichment.model_dump(mode="json"),
                    }
                    for item, enrichment in scored
                ],
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
        return 0
    for item, enrichment in scored:
        out.write(
            f"{enrichment.score:>2}  {enrichment.category.value:<15} {item.title[:90]}"
            f"  [{', '.join(enrichment.tags[:6])}]\n"
        )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="score the items of feed files or URLs (no AWS needed)")
    parser.add_argument("targets", nargs="+", metavar="PATH_OR_URL")
    parser.add_argument("--json", action="store_true", help="print the full enrichments as JSON")
    parser.add_argument(
        "--enricher",
        choices=["judge", "rules"],
        default="judge",
        help="the analyst to use: the learned judge (default) or the rules alone",
    )
    parser.set_defaults(run=run)
