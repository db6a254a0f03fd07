"""Syndication for feed readers: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the newest signals.

The URL paths keep their published names (``/v1/feed.rss`` ...); in the code "feed" means an
ingested feed, so these are syndication documents. Same filters as the JSON route, newest first,
one page (readers poll; they do not paginate).
"""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from signals.api import freshness, reading
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
    signals: list[Signal] = reading.read_feed(reading.feed_query(filters), limit, None)[0]
    page_filters = filters.model_copy(update={"since": None, "until": None}).query_params()
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
        body = syndication.json_feed(signals, **links)
    else:
        render = syndication.rss if fmt == "rss" else syndication.atom
        body = render(signals, **links, now=datetime.now(UTC))
    return Response(200, f"{media_type}; charset=utf-8", body, headers=freshness.last_modified(signals))


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
