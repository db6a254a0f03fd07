"""Syndication for feed readers: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the newest signals.

The URL paths keep their published names (``/v1/feed.rss`` ...); in the code "feed" means an
ingested feed, so these are syndication documents. Same filters as the JSON route, newest first,
one page (readers poll; they do not paginate).
"""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from signals.api import reading
from signals.api.http_policy import public_get, text_responses
from signals.api.links import base_url, self_url
from signals.api.parameters import LIMIT_DEFAULT, FeedFilters, Limit, with_filters
from signals.models import Signal

router = Router()


def _newest(filters: FeedFilters, limit: int) -> list[Signal]:
    return reading.read_feed(reading.feed_query(filters), limit, None)[0]


@public_get(
    router,
    "/v1/feed.rss",
    summary="RSS 2.0 feed (same filters)",
    tags=["feeds"],
    responses=text_responses("application/rss+xml"),
)
@with_filters()
def feed_rss(filters: FeedFilters, limit: Limit = LIMIT_DEFAULT):
    from signals.rendering.syndication import rss

    event = router.current_event
    body = rss(
        _newest(filters, limit),
        base_url=base_url(event),
        self_url=self_url(event, "/v1/feed.rss"),
        now=datetime.now(UTC),
    )
    return Response(200, "application/rss+xml; charset=utf-8", body)


@public_get(
    router,
    "/v1/feed.atom",
    summary="Atom 1.0 feed (same filters)",
    tags=["feeds"],
    responses=text_responses("application/atom+xml"),
)
@with_filters()
def feed_atom(filters: FeedFilters, limit: Limit = LIMIT_DEFAULT):
    from signals.rendering.syndication import atom

    event = router.current_event
    body = atom(
        _newest(filters, limit),
        base_url=base_url(event),
        self_url=self_url(event, "/v1/feed.atom"),
        now=datetime.now(UTC),
    )
    return Response(200, "application/atom+xml; charset=utf-8", body)


@public_get(
    router,
    "/v1/feed.json",
    summary="JSON Feed 1.1 (same filters)",
    tags=["feeds"],
    responses=text_responses("application/feed+json"),
)
@with_filters()
def feed_json(filters: FeedFilters, limit: Limit = LIMIT_DEFAULT):
    from signals.rendering.syndication import json_feed

    event = router.current_event
    body = json_feed(
        _newest(filters, limit), base_url=base_url(event), self_url=self_url(event, "/v1/feed.json")
    )
    return Response(200, "application/feed+json; charset=utf-8", body)
