"""One polite fetch of one feed: conditional GET, Retry-After, exponential backoff that never parks.

Pure of AWS: takes the source's stored state, returns what happened and the state to store next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from signals import __version__
from signals.config import Settings
from signals.feeds.sources import Source
from signals.http import FetchError, Resolver, fetch
from signals.http.retry_after import parse_retry_after
from signals.models.source import SourceState

FetchStatus = Literal["ok", "not_modified", "failed"]


def user_agent(settings: Settings) -> str:
    """``Signals/<version> (+<contact URL>)``: publishers can see who we are and reach us."""
    return f"{settings.user_agent_name}/{__version__} (+{settings.contact_url})"


def backoff_seconds(consecutive_failures: int, settings: Settings) -> int:
    """Exponential backoff, capped at the ceiling (so a failing feed is still probed at the ceiling)."""
    if consecutive_failures <= 0:
        return 0
    exponent = min(consecutive_failures - 1, 32)
    return min(settings.backoff_ceiling_s, settings.backoff_base_s * (2**exponent))


@dataclass(frozen=True)
class FetchOutcome:
    """What one fetch produced: the status, the body when changed, the state to store next."""

    status: FetchStatus
    state: SourceState
    body: bytes | None = None
    content_type: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    error: str | None = None
    retry_after_s: int | None = None


def conditional_headers(state: SourceState | None, settings: Settings) -> dict[str, str]:
    """Request headers: User-Agent, Accept, and the stored validators exactly as received."""
    headers = {
        "User-Agent": user_agent(settings),
        "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
        "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5",
    }
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def next_poll(source: Source, now: datetime, settings: Settings) -> datetime:
    """When a healthy source is due again (never sooner than the minimum interval)."""
    return now + timedelta(seconds=max(source.poll_interval_s, settings.fetch_min_interval_s))


def failed_state(
    state: SourceState,
    *,
    now: datetime,
    error: str,
    settings: Settings,
    http_status: int | None = None,
    retry_after_s: int | None = None,
) -> SourceState:
    """The state after a failure: one more consecutive failure, next fetch after backoff/Retry-After."""
    failures = state.consecutive_failures + 1
    wait = backoff_seconds(failures, settings)
    if retry_after_s is not None:
        wait = max(wait, min(retry_after_s, settings.retry_after_max_s))
    return state.model_copy(
        update={
            "last_fetch_at": now,
            "last_status": "failed",
            "last_http_status": http_status,
            "last_error": error[:500],
            "consecutive_failures": failures,
            "next_fetch_at": now + timedelta(seconds=wait),
        }
    )


def fetch_source(
    source: Source,
    state: SourceState | None,
    *,
    now: datetime,
    settings: Settings,
    resolver: Resolver | None = None,
) -> FetchOutcome:
    """Fetch one source politely. Never raises for network or HTTP trouble: failures are outcomes."""
    state = state or SourceState(source_id=source.id)
    try:
        result = fetch(
            "GET",
            source.url,
            headers=conditional_headers(state, settings),
            max_bytes=settings.fetch_max_body_bytes,
            connect_timeout=settings.fetch_connect_timeout_s,
            read_timeout=settings.fetch_read_timeout_s,
            total_deadline=settings.fetch_total_deadline_s,
            max_redirects=settings.fetch_max_redirects,
            allow_loopback=settings.fetch_allow_loopback,
            resolver=resolver,
        )
    except FetchError as exc:
        error = f"{exc.reason}: {exc}"
        return FetchOutcome(
            "failed", failed_state(state, now=now, error=error, settings=settings), error=error
        )

    if result.status == 304:
        next_state = state.model_copy(
            update={
                "last_fetch_at": now,
                "last_status": "not_modified",
                "last_success_at": now,
                "last_http_status": 304,
                "last_error": None,
                "consecutive_failures": 0,
                "next_fetch_at": next_poll(source, now, settings),
                # A 304 may carry fresher validators; otherwise keep the stored ones untouched.
                "etag": result.headers.get("ETag", state.etag),
                "last_modified": result.headers.get("Last-Modified", state.last_modified),
            }
        )
        return FetchOutcome("not_modified", next_state, http_status=304, final_url=result.final_url)

    if not 200 <= result.status < 300:
        retry_after = None
        if result.status in (429, 503):
            retry_after = parse_retry_after(result.headers.get("Retry-After"), now)
        error = f"http_{result.status}"
        next_state = failed_state(
            state,
            now=now,
            error=error,
            settings=settings,
            http_status=result.status,
            retry_after_s=retry_after,
        )
        return FetchOutcome(
            "failed",
            next_state,
            http_status=result.status,
            error=error,
            retry_after_s=retry_after,
            final_url=result.final_url,
        )

    # 200: the caller archives and parses, then stores this state (validators only once all is saved).
    next_state = state.model_copy(
        update={
            "last_fetch_at": now,
            "last_status": "ok",
            "last_success_at": now,
            "last_http_status": result.status,
            "last_error": None,
            "consecutive_failures": 0,
            "next_fetch_at": next_poll(source, now, settings),
            "etag": result.headers.get("ETag"),
            "last_modified": result.headers.get("Last-Modified"),
            "final_url": result.final_url if result.final_url != source.url else None,
        }
    )
    return FetchOutcome(
        "ok",
        next_state,
        body=result.body,
        content_type=result.headers.get("Content-Type"),
        final_url=result.final_url,
        http_status=result.status,
    )
