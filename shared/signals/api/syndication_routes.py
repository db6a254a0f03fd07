"""Syndication for feed readers: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the newest signals.

The URL paths keep their published names (``/v1/feed.rss`` ...); in the code "feed" means an
ingested feed, so these are syndication documents. Same filters as the JSON route, newest first,
one page (readers poll; they do not paginate).
"""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from signals.api import freshness, reading, updated_since
from signals.api.http_policy import public_get, text_responses
from signals.api.parameters import LIMIT_DEFAULT, FeedFilters, Limit, with_filters
from signals.api.request_urls import base_url, self_url, with_query
from signals.models import Signal

router = Router()


#: format -> (path, media type); each route below serves one of them
FORMATS = {
    "rss": ("/v1/feed.rss", "application/rss+xml"),
    "atom": ("/v1/feed.atom", "application/atom+xml"),
    "json": ("/v1/feed.json", "application/feed+json"),
}


def _document(fmt: str, filters: FeedFilters, limit: int) -> Response:
    """The newest matching signals, one page, as a syndication document of ``fmt``: titled by its
    filters, linking to the front page with the same filters, with ``Last-Modified``."""
    from signals.rendering import syndication

    path, media_type = FORMATS[fmt]
    event = router.current_event
    signals, headers, extension = _signals_of(filters, limit)
    unbounded = {"since": None, "until": None, "updated_since": None}
    page_filters = filters.model_copy(update=unbounded).query_params()
    links = {
        "base_url": base_url(event),
        "self_url": self_url(event, path),
        "home_url": with_query(f"{base_url(event)}/", page_filters),
        "title": syndication.feed_title(
            categories=filters.category or (),
            min_score=filters.min_score,
            tags=filters.tag or (),
            source=filters.source,
            entities=filters.entity_slugs(),
        ),
    }
    if fmt == "json":
        body = syndication.json_feed(signals, **links, extension=extension)
    else:
        render = syndication.rss if fmt == "rss" else syndication.atom
        body = render(signals, **links, now=datetime.now(UTC))
    return Response(200, f"{media_type}; charset=utf-8", body, headers=headers)


def _signals_of(
    filters: FeedFilters, limit: int
) -> tuple[list[Signal], dict[str, str], dict[str, str] | None]:
    """The newest matching signals; with ``updated_since`` the ones changed since, oldest change
    first, plus the value to poll with next (header, and ``_signals`` in a JSON Feed)."""
    if filters.updated_since is None:
        signals = reading.read_feed(reading.feed_query(filters), limit, None)[0]
        return signals, freshness.last_modified(signals), None
    signals, _, next_since = updated_since.read_changes(
        reading.feed_index(), reading.feed_query(filters), limit, None
    )
    headers = {**freshness.last_modified(signals), updated_since.HEADER: next_since}
    return signals, headers, {"next_updated_since": next_since}


@public_get(
    router,
    FORMATS["rss"][0],
    summary="RSS 2.0 feed (same filters)",
    tags=["feeds"],
    responses=text_responses(FORMATS["rss"][1]),
)
@with_filters()
def feed_rss(filters: FeedFilters, limit: Limit = LIMIT_DEFAULT):
    return _document("rss", filters, limit)


@public_get(
    router,
    FORMATS["atom"][0],
    summary="Atom 1.0 feed (same filters)",
    tags=["feeds"],
    responses=text_responses(FORMATS["atom"][1]),
)
@with_filters()
def feed_atom(filters: FeedFilters, limit: Limit = LIMIT_DEFAULT):
    return _document("atom", filters, limit)


@public_get(
    router,
    FORMATS["json"][0],
    summary="JSON Feed 1.1 (same filters)",
    tags=["feeds"],
    responses=text_responses(FORMATS["json"][1]),
)
@with_filters()
def feed_json(filters: FeedFilters, limit: Limit = LIMIT_DEFAULT):
    return _document("json", filters, limit)
