"""The JSON reading routes: the signals (filtered, ranked, paginated), one signal, categories, tags."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ConfigDict, Field

from signals.api import freshness, reading, thread_reading, updated_since
from signals.api.http_policy import public_get
from signals.api.parameters import LIMIT_DEFAULT, Cursor, FeedFilters, Limit, SignalId, Sort, with_filters
from signals.api.problems import ApiError
from signals.api.request_urls import base_url, with_query
from signals.base_model import SignalsModel
from signals.config import get_settings
from signals.models import Category, Signal
from signals.models.thread import RelatedSignal

router = Router()


class SignalList(SignalsModel):
    """A page of the feed."""

    items: list[Signal]
    limit: int
    next_cursor: str | None = Field(None, description="pass as `cursor` (same filters) for the next page")
    next_updated_since: str | None = Field(
        None,
        description="with `updated_since`: the value to send as `updated_since` next time (also the"
        " `Signals-Next-Updated-Since` header); every change up to it was listed once",
        examples=["2026-06-02T17:00:00Z", "2026-06-02T17:00:00Z~3f9c2a71d0b84e56a1c0"],
    )


class RelatedList(SignalsModel):
    """Earlier in this story: signals before this one sharing an entity and a kind of event."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "signal_id": "3f9c2a71d0b84e56a1c0",
                    "items": [
                        {
                            "id": "8b1e44c09a7d4f2e9d31",
                            "title": "Anthropic raises $30 billion in Series G funding",
                            "score": 8,
                            "category": "business",
                            "published_at": "2026-02-12T16:00:00Z",
                            "thread": "funding#anthropic",
                        }
                    ],
                }
            ]
        }
    )

    signal_id: str
    items: list[RelatedSignal] = Field(
        description="newest first; at most `SIGNALS_STORY_THREAD_LIST_MAX` (5), each once"
    )


class CategoryCount(SignalsModel):
    id: Category
    label: str
    count: int


class CategoryList(SignalsModel):
    items: list[CategoryCount]


class TagCount(SignalsModel):
    tag: str
    count: int


class TagList(SignalsModel):
    items: list[TagCount]


@public_get(router, "/v1/signals", summary="The feed: filtered, ranked, paginated", tags=["feed"])
@with_filters()
def list_signals(
    filters: FeedFilters, sort: Sort = "time", limit: Limit = LIMIT_DEFAULT, cursor: Cursor = None
) -> Response[SignalList]:
    if filters.updated_since is not None:
        return _list_changes(filters, sort, limit, cursor)
    signals, next_cursor = reading.read_feed(reading.feed_query(filters, sort), limit, cursor)
    headers = freshness.last_modified(signals)
    freshness.ignore_in_etag(router.context, next_cursor)
    if next_cursor:
        params = {**filters.query_params(), "sort": sort, "limit": limit, "cursor": next_cursor}
        link = with_query(f"{base_url(router.current_event)}/v1/signals", params)
        headers["Link"] = f'<{link}>; rel="next"'
    return Response(
        200,
        "application/json",
        SignalList(items=signals, limit=limit, next_cursor=next_cursor),
        headers=headers,
    )


def _list_changes(filters: FeedFilters, sort: str, limit: int, cursor: str | None) -> Response[SignalList]:
    """``updated_since``: the signals changed since, oldest change first, and the value to poll with."""
    if sort != "time":
        raise ApiError(
            400,
            "invalid_parameter",
            "Invalid parameter",
            "sort: updated_since lists signals in the order they changed; leave sort out (or time).",
            parameter="sort",
        )
    query = reading.feed_query(filters, sort)
    signals, next_cursor, next_since = updated_since.read_changes(reading.feed_index(), query, limit, cursor)
    headers = {**freshness.last_modified(signals), updated_since.HEADER: next_since}
    freshness.ignore_in_etag(router.context, next_cursor)
    if next_cursor:
        params = {**filters.query_params(), "limit": limit, "cursor": next_cursor}
        link = with_query(f"{base_url(router.current_event)}/v1/signals", params)
        headers["Link"] = f'<{link}>; rel="next"'
    body = SignalList(items=signals, limit=limit, next_cursor=next_cursor, next_updated_since=next_since)
    return Response(200, "application/json", body, headers=headers)


@public_get(router, "/v1/signals/<signal_id>", summary="One signal, whole", tags=["feed"])
def get_signal(signal_id: SignalId) -> Response[Signal]:
    signal = reading.load_signal(signal_id)
    if signal is None:
        raise ApiError(404, "signal_not_found", "Signal not found", f"No signal has the id {signal_id!r}.")
    return Response(200, "application/json", signal)


@public_get(
    router,
    "/v1/signals/<signal_id>/related",
    summary="Earlier in this story: signals sharing this one's entities and event type",
    tags=["feed"],
)
def get_related(signal_id: SignalId) -> Response[RelatedList]:
    signal = reading.load_signal(signal_id)
    if signal is None:
        raise ApiError(404, "signal_not_found", "Signal not found", f"No signal has the id {signal_id!r}.")
    items = thread_reading.earlier_in_story(signal)
    return Response(200, "application/json", RelatedList(signal_id=signal.id, items=items))


@public_get(router, "/v1/categories", summary="Categories with their signal counts", tags=["feed"])
def list_categories() -> Response[CategoryList]:
    counts = reading.counts().categories
    items = [CategoryCount(id=c, label=c.label, count=counts.get(c.value, 0)) for c in Category]
    return Response(200, "application/json", CategoryList(items=items))


@public_get(router, "/v1/tags", summary="Tags with their signal counts, most used first", tags=["feed"])
def list_tags() -> Response[TagList]:
    counts = sorted(reading.counts().tags.items(), key=lambda kv: (-kv[1], kv[0]))[
        : get_settings().tags_list_max
    ]
    return Response(200, "application/json", TagList(items=[TagCount(tag=t, count=n) for t, n in counts]))
