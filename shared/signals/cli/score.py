"""``signals score PATH_OR_URL... [--json]``: score feed files or URLs offline and print them ranked."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from signals.models import Item


def _read(target: str) -> tuple[bytes, str, str | None]:
    """Bytes, base URL and content type of a file or an http(s) URL."""
    if target.lower().startswith(("http://", "https://")):
        from signals.config import get_settings
        from signals.http.client import fetch

        settings = get_settings()
        result = fetch(
            "GET",
            target,
            max_bytes=settings.fetch_max_body_bytes,
            connect_timeout=settings.fetch_connect_timeout_s,
            read_timeout=settings.fetch_read_timeout_s,
            total_deadline=settings.fetch_total_deadline_s,
            max_redirects=settings.fetch_max_redirects,
            headers={"User-Agent": f"{settings.user_agent_name} (+{settings.contact_url})"},
        )
        if result.status != 200:
            raise OSError(f"{target}: HTTP {result.status}")
        return result.body, result.final_url, result.headers.get("content-type")
    path = Path(target)
    return path.read_bytes(), path.resolve().as_uri(), None


def items_from(target: str, *, now: datetime | None = None) -> list[Item]:
    """The normalised items of one feed file or URL (parsed and normalised like ingest does)."""
    from signals.feeds.normalize import normalize_entry
    from signals.feeds.parser import parse_feed
    from signals.feeds.sources import Source

    data, base_url, content_type = _read(target)
    parsed = parse_feed(data, url=base_url, content_type=content_type)
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
        try:
            items = items_from(target)
        except (OSError, ValueError) as exc:
            print(f"signals score: {target}: {exc}", file=sys.stderr)
            return 2
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
