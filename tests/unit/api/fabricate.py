"""Fabricated signals and API Gateway v2 events for the API tests (integration, e2e, bench)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from signals.models import Analysis, Category, ScoreBreakdown, Signal, SourceRef

CATEGORIES = [c for c in Category if c is not Category.OFF_TOPIC]
START = datetime(2026, 6, 2, 17, 1, tzinfo=UTC)


def make_signal(
    n: int, *, published: datetime | None = None, score: int | None = None, **overrides: Any
) -> Signal:
    """Signal number ``n``: deterministic id, time, score, category, tags and sources."""
    at = published or START - timedelta(hours=7 * n)
    fields: dict[str, Any] = {
        "id": f"sig{n:05d}",
        "title": f"Headline {n} <b>&amp; co</b>",
        "url": f"https://news.example/{n}",
        "published_at": at,
        "scored_at": at + timedelta(minutes=5),
        "updated_at": at + timedelta(minutes=5),
        "score": score if score is not None else (n * 7) % 10 + 1,
        "category": CATEGORIES[n % len(CATEGORIES)],
        "tags": ["policy", "regulation"] if n % 3 == 0 else ["frontier-models"],
        "summary": f"Summary of story {n}.",
        "rationale": "Because it matters.",
        "score_breakdown": ScoreBreakdown(rubric_version="r1", base=5.0, raw=6.0),
        "sources": [
            SourceRef(
                item_id=f"it{n}",
                source_id=f"src{n % 4}",
                name=f"Source {n % 4}",
                url=f"https://news.example/{n}",
                published_at=at,
            ),
            SourceRef(
                item_id=f"it{n}b",
                source_id="wire",
                name="Wire",
                url=f"https://wire.example/{n}",
                published_at=at + timedelta(minutes=30),
            ),
        ],
        "analysis": Analysis(technical_impact="TI text", why_it_matters="WIM text", what_to_watch="WTW text")
        if n % 2 == 0
        else None,
    }
    fields.update(overrides)
    return Signal(**fields)


def store(dynamodb: Any, table: str, signals: list[Signal]) -> None:
    """Write each signal the way the scorer does: every record of ``records_for`` plus the counters."""
    from signals.storage.signal_records import counter_updates, records_for

    records = [record for signal in signals for record in records_for(signal)]
    unique = list({(r["pk"]["S"], r["sk"]["S"]): r for r in records}.values())
    for start in range(0, len(unique), 25):
        chunk = unique[start : start + 25]
        dynamodb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": r}} for r in chunk]})
    for signal in signals:
        for update in counter_updates(None, signal):
            dynamodb.update_item(**update)


def event(
    path: str,
    params: dict[str, Any] | list[tuple[str, Any]] | None = None,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API (v2) event, query repeats joined with commas as API Gateway does."""
    pairs = list(params.items()) if isinstance(params, dict) else list(params or [])
    flat = [(k, v) for k, values in pairs for v in (values if isinstance(values, list) else [values])]
    raw = urlencode(flat)
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    result: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": raw,
        "headers": {"host": "api.signals.example", "x-forwarded-proto": "https", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "api.signals.example",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
                "userAgent": "pytest",
            },
            "requestId": "req-123",
            "routeKey": "$default",
            "stage": "$default",
            "time": "02/Jun/2026:17:05:00 +0000",
            "timeEpoch": 1780419900000,
        },
        "isBase64Encoded": False,
    }
    if query:
        result["queryStringParameters"] = query
    return result


def body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])
