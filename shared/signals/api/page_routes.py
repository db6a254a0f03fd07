"""The web pages: the feed page (filters, next page), one signal's page, and their stylesheet."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from signals.api import reading, thread_reading
from signals.api.http_policy import public_get, text_responses
from signals.api.parameters import LIMIT_DEFAULT, Cursor, FeedFilters, Limit, SignalId, with_filters
from signals.api.request_urls import with_query
from signals.config import get_settings

router = Router()
HTML = "text/html; charset=utf-8"


def _cached() -> dict[str, str]:
    return {"Cache-Control": f"public, max-age={get_settings().page_cache_max_age_s}"}


@public_get(
    router,
    "/",
    page=True,
    summary="The feed as a web page",
    tags=["pages"],
    responses=text_responses("text/html", errors_as="text/html"),
)
@with_filters("min_score", "category")
def home_page(filters: FeedFilters, limit: Limit = LIMIT_DEFAULT, cursor: Cursor = None):
    from signals.rendering.pages import feed_page

    query = reading.feed_query(filters)
    signals, next_cursor = reading.read_feed(query, limit, cursor)
    next_url = None
    if next_cursor:
        params = {"category": filters.category_ids(), "min_score": filters.min_score, "cursor": next_cursor}
        next_url = with_query("/", params)
    html = feed_page(signals, categories=query.categories, min_score=filters.min_score, next_url=next_url)
    return Response(200, HTML, html)


@public_get(
    router,
    "/signals/<signal_id>",
    page=True,
    summary="One signal as a web page",
    tags=["pages"],
    responses=text_responses("text/html", errors_as="text/html"),
)
def signal_html(signal_id: SignalId):
    from signals.rendering.pages import not_found_page, signal_page

    signal = reading.load_signal(signal_id)
    if signal is None:
        return Response(404, HTML, not_found_page())
    earlier = thread_reading.earlier_in_story(signal)
    return Response(200, HTML, signal_page(signal, earlier), headers=_cached())


@public_get(router, "/assets/signals.css", include_in_schema=False)
def stylesheet():
    from signals.rendering.pages import stylesheet as css

    return Response(200, "text/css; charset=utf-8", css(), headers=_cached())
