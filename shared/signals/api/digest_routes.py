"""The daily digest, read: ``GET /v1/digest`` (latest) and ``/v1/digest/{date}`` (JSON), the pages
``/digest`` and ``/digest/<date>``, and the feeds ``/v1/digest.rss|atom|json`` (one entry per day).

Each answer carries the neighbouring days that have a digest (``previous``, ``next``) so a reader
walks the days. A day with no digest is 404 ``digest_not_found``; a malformed date 400
``invalid_date``. Built by the daily schedule (``ops/digest_schedule.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import Field

from signals.api.http_policy import public_get, text_responses
from signals.api.problems import ApiError
from signals.api.request_urls import base_url, self_url
from signals.base_model import SignalsModel
from signals.config import get_settings
from signals.models.day_digest import DAY_PATTERN, Digest

router = Router()

#: ``{date}``: a UTC day; a string of that shape that is no calendar day (2026-02-30) is 400 invalid_date
DigestDate = Annotated[
    str, Path(pattern=DAY_PATTERN, description="a UTC day, YYYY-MM-DD", examples=["2026-02-12"])
]
HTML = "text/html; charset=utf-8"


class DigestPage(SignalsModel):
    """One day's digest and the nearest days that have one."""

    digest: Digest
    previous: str | None = Field(None, description="the nearest earlier day with a digest")
    next: str | None = Field(None, description="the nearest later day with a digest")


def digest_day(text: str) -> str:
    """The day of a ``{date}`` path segment, or 400 ``invalid_date``."""
    from signals.ranking.daily_digest import parse_day

    try:
        return parse_day(text)
    except ValueError as exc:
        raise ApiError(400, "invalid_date", "Invalid date", f"{exc}.", parameter="date") from None


def load_digest_page(day: str | None) -> DigestPage:
    """The digest of ``day`` (None: the latest) with its neighbours, or 404 ``digest_not_found``."""
    from signals.storage import digest_records as store

    if day is None:
        latest = store.latest_days(1)
        if not latest:
            raise ApiError(404, "digest_not_found", "No digest yet", "No daily digest has been built yet.")
        day = latest[0]
    digest = store.get_digest(day)
    if digest is None:
        raise ApiError(
            404,
            "digest_not_found",
            "Digest not found",
            f"There is no digest for {day}; see /v1/digest for the latest day.",
        )
    previous, following = store.neighbours(day)
    return DigestPage(digest=digest, previous=previous, next=following)


@public_get(router, "/v1/digest", summary="The latest daily digest", tags=["digest"])
def latest_digest() -> Response[DigestPage]:
    return Response(200, "application/json", load_digest_page(None))


@public_get(router, "/v1/digest/<date>", summary="One UTC day's digest (YYYY-MM-DD)", tags=["digest"])
def day_digest(date: DigestDate) -> Response[DigestPage]:
    return Response(200, "application/json", load_digest_page(digest_day(date)))


# --------------------------------------------------------------------------- the page
@public_get(
    router,
    "/digest",
    page=True,
    summary="The latest daily digest as a web page",
    tags=["pages"],
    responses=text_responses("text/html", errors_as="text/html"),
)
def latest_digest_html():
    from signals.rendering.pages import digest_page

    return Response(200, HTML, digest_page(load_digest_page(None)))


@public_get(
    router,
    "/digest/<date>",
    page=True,
    summary="One UTC day's digest as a web page, with links to the previous and next days",
    tags=["pages"],
    responses=text_responses("text/html", errors_as="text/html"),
)
def day_digest_html(date: DigestDate):
    from signals.rendering.pages import digest_page

    return Response(200, HTML, digest_page(load_digest_page(digest_day(date))))


# --------------------------------------------------------------------------- the feeds
#: format -> (path, media type): one entry per day, the newest ``digest_feed_days``
DIGEST_FORMATS = {
    "rss": ("/v1/digest.rss", "application/rss+xml"),
    "atom": ("/v1/digest.atom", "application/atom+xml"),
    "json": ("/v1/digest.json", "application/feed+json"),
}


def _digest_document(fmt: str) -> Response:
    from signals.rendering import digest_syndication as render
    from signals.storage import digest_records as store

    path, media_type = DIGEST_FORMATS[fmt]
    event = router.current_event
    digests = store.latest_digests(get_settings().digest_feed_days)
    links = {"base_url": base_url(event), "self_url": self_url(event, path)}
    if fmt == "json":
        body = render.json_feed(digests, **links)
    else:
        body = (render.rss if fmt == "rss" else render.atom)(digests, **links, now=datetime.now(UTC))
    return Response(200, f"{media_type}; charset=utf-8", body)


@public_get(
    router,
    DIGEST_FORMATS["rss"][0],
    summary="The daily digest as RSS 2.0 (one entry per day)",
    tags=["digest"],
    responses=text_responses(DIGEST_FORMATS["rss"][1]),
)
def digest_rss():
    return _digest_document("rss")


@public_get(
    router,
    DIGEST_FORMATS["atom"][0],
    summary="The daily digest as Atom 1.0 (one entry per day)",
    tags=["digest"],
    responses=text_responses(DIGEST_FORMATS["atom"][1]),
)
def digest_atom():
    return _digest_document("atom")


@public_get(
    router,
    DIGEST_FORMATS["json"][0],
    summary="The daily digest as JSON Feed 1.1 (one entry per day)",
    tags=["digest"],
    responses=text_responses(DIGEST_FORMATS["json"][1]),
)
def digest_json_feed():
    return _digest_document("json")
