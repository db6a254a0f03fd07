"""The web pages: the feed page (filters, next page), one signal's page, and their stylesheet."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from signals.api import freshness, reading, thread_reading
from signals.api.http_policy import public_get, text_responses
from signals.api.parameters import LIMIT_DEFAULT, Cursor, FeedFilters, Limit, SignalId, Sort, with_filters
from signals.config import get_settings
from signals.rendering.feed_view import PAGE_DEFAULT_SORT, FeedView

router = Router()
HTML = "text/html; charset=utf-8"


def _cached() -> dict[str, str]:
    return {"Cache-Control": f"public, max-age={get_settings().page_cache_max_age_s}"}


#: ``show=all``: the front page shows what it hides by default (off-topic, low scores)
Show = Annotated[str | None, Query(pattern="^all$", description="all: also off-topic and low scores")]


@public_get(
    router,
    "/",
    page=True,
    summary="The feed as a web page (default: the top of the last days, off-topic and low scores hidden)",
    tags=["pages"],
    responses=text_responses("text/html", errors_as="text/html"),
)
@with_filters("min_score", "category", "tag", "source", "entity", "q")
def home_page(
    filters: FeedFilters,
    sort: Sort = PAGE_DEFAULT_SORT,
    show: Show = None,
    limit: Limit = LIMIT_DEFAULT,
    cursor: Cursor = None,
):
    from signals.rendering.pages import feed_page

    view = FeedView(
        sort=sort,
        categories=tuple(filters.category or ()),
        min_score=filters.min_score,
        tags=tuple(filters.tag or ()),
        source=filters.source,
        entities=tuple(filters.entity_slugs()),
        show_all=show == "all",
        q=filters.q,
    )
    shown = filters.model_copy(
        update={"category": list(view.effective_categories()), "min_score": view.effective_min_score()}
    )
    signals, next_cursor = reading.read_feed(reading.feed_query(shown, sort), limit, cursor)
    freshness.ignore_in_etag(router.context, next_cursor)
    next_url = None
    if next_cursor:
        paging = [("limit", str(limit))] if limit != LIMIT_DEFAULT else []
        next_url = view.url(extra=[*paging, ("cursor", next_cursor)])
    html = feed_page(signals, view=view, next_url=next_url)
    return Response(200, HTML, html, headers=freshness.last_modified(signals))


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


@public_get(router, "/assets/icon.svg", include_in_schema=False)
def site_icon():
    from signals.rendering.pages import icon

    return Response(200, "image/svg+xml", icon(), headers=_cached())
