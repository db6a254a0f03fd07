"""Following one thing: ``/entities/<slug>`` and ``/tags/<tag>`` pages, ``/v1/entities``, ``/v1/opml``.

A follow page is the stored thread of an entity (its postings, ``ENT#<slug>#<month>``) or a tag
(``TAG#<tag>#<month>``), newest first: one Query per month partition, paginated with the feed's
cursors. A name that is not its own slug (``/entities/OpenAI``, ``/entities/open-ai``) redirects
(308) to the slug. A slug with no signal is a 404 page, except an entity of the vocabulary
(``scoring/rubric/vocabulary.yaml``), which shows an empty thread with its feeds: a reader may
follow Anthropic before the first story arrives. Entity slugs: ``models/entity_slug.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field

from signals.api import freshness, reading
from signals.api.http_policy import public_get, text_responses
from signals.api.parameters import ENTITY_PATTERN, LIMIT_DEFAULT, Cursor, FeedFilters, Limit
from signals.api.request_urls import base_url
from signals.base_model import SignalsModel
from signals.config import get_settings
from signals.models.entity_slug import entity_slug, known_name

if TYPE_CHECKING:
    from signals.models import Signal
    from signals.rendering.follow_pages import Followed

router = Router()
HTML = "text/html; charset=utf-8"
_settings = get_settings()  # the path parameters' schema (as api/parameters.py)

EntityPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=_settings.query_param_max_chars,
        pattern=ENTITY_PATTERN,
        description="an entity's slug (`anthropic`; see /v1/entities); a name redirects to its slug",
        examples=["anthropic"],
    ),
]
TagPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=_settings.query_param_max_chars,
        pattern=r"^[^,/]+$",
        description="a tag (see /v1/tags)",
        examples=["safety"],
    ),
]


class EntityCount(SignalsModel):
    slug: str = Field(description="use as `entity=` or in /entities/<slug>")
    name: str = Field(description="the vocabulary's name, else the slug")
    count: int


class EntityList(SignalsModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"slug": "anthropic", "name": "Anthropic", "count": 42},
                        {"slug": "openai", "name": "OpenAI", "count": 40},
                    ]
                }
            ]
        }
    )

    items: list[EntityCount]


_OPML_EXAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Signals feeds</title></head>
  <body>
    <outline text="Entities">
      <outline type="rss" text="Signals: about Anthropic" title="Signals: about Anthropic"
        xmlUrl="https://signals.example/v1/feed.rss?entity=anthropic"
        htmlUrl="https://signals.example/entities/anthropic" />
    </outline>
  </body>
</opml>
"""
_OPML_RESPONSES = text_responses("text/x-opml")
_OPML_RESPONSES[200]["content"]["text/x-opml"]["example"] = _OPML_EXAMPLE


@public_get(
    router, "/v1/entities", summary="Entities with their signal counts, most named first", tags=["feed"]
)
def list_entities() -> Response[EntityList]:
    counts = sorted(reading.counts().entities.items(), key=lambda kv: (-kv[1], kv[0]))
    items = [
        EntityCount(slug=slug, name=known_name(slug) or slug, count=n)
        for slug, n in counts[: get_settings().entities_list_max]
    ]
    return Response(200, "application/json", EntityList(items=items))


@public_get(
    router,
    "/v1/opml",
    summary="OPML 2.0 of the feeds a reader may import: categories, most used tags and entities",
    tags=["feeds"],
    responses=_OPML_RESPONSES,
)
def opml():
    from signals.rendering.opml import opml_document

    counts, settings = reading.counts(), get_settings()
    body = opml_document(
        base_url(router.current_event),
        tags=_most_used(counts.tags, settings.opml_tags_max),
        entities=[(s, known_name(s) or s) for s in _most_used(counts.entities, settings.opml_entities_max)],
    )
    return Response(200, "text/x-opml; charset=utf-8", body, headers=_cached())


def _most_used(counts: dict[str, int], limit: int) -> list[str]:
    return [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def _cached() -> dict[str, str]:
    return {"Cache-Control": f"public, max-age={get_settings().page_cache_max_age_s}"}


@public_get(
    router,
    "/entities/<slug>",
    page=True,
    summary="An entity's signals as a web page, newest first, with its feeds",
    tags=["pages"],
    responses={
        **text_responses("text/html", errors_as="text/html"),
        308: {
            "description": "a name that is not its slug (`Open AI`): the page of its slug (Location)",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
    },
)
def entity_page(slug: EntityPath, limit: Limit = LIMIT_DEFAULT, cursor: Cursor = None):
    from signals.rendering.follow_pages import Followed

    canonical = entity_slug(slug)
    if canonical != slug:
        return _moved(canonical, "/entities/") if canonical else _unknown(Followed("entity", slug, slug))
    names = known_name(canonical)
    return _thread_page(Followed("entity", canonical, names or canonical), limit, cursor, known=bool(names))


@public_get(
    router,
    "/tags/<tag>",
    page=True,
    summary="A tag's signals as a web page, newest first, with its feeds",
    tags=["pages"],
    responses=text_responses("text/html", errors_as="text/html"),
)
def tag_page(tag: TagPath, limit: Limit = LIMIT_DEFAULT, cursor: Cursor = None):
    from signals.rendering.follow_pages import Followed

    return _thread_page(Followed("tag", tag, tag), limit, cursor, known=False)


def _thread_page(followed: Followed, limit: int, cursor: str | None, *, known: bool) -> Response:
    """The page of a thread: newest first; no signal at all is a 404 unless ``known``."""
    from signals.rendering.follow_pages import follow_page

    filters = FeedFilters(**{followed.kind: [followed.value]})
    signals, next_cursor = reading.read_feed(reading.feed_query(filters, "time"), limit, cursor)
    if not signals and cursor is None and not known:
        return _unknown(followed)
    if followed.kind == "entity" and signals and followed.name == followed.value:
        followed = _named(followed, signals)
    freshness.ignore_in_etag(router.context, next_cursor)
    next_url = None
    if next_cursor:
        from urllib.parse import urlencode

        paging = [("limit", str(limit))] if limit != LIMIT_DEFAULT else []
        next_url = "?" + urlencode([*paging, ("cursor", next_cursor)])
    html = follow_page(followed, signals, next_url=next_url)
    return Response(200, HTML, html, headers=freshness.last_modified(signals))


def _named(followed: Followed, signals: list[Signal]) -> Followed:
    """An entity outside the vocabulary takes the name its newest signal gives it."""
    from dataclasses import replace

    for name in signals[0].entities:
        if entity_slug(name) == followed.value:
            return replace(followed, name=name)
    return followed


def _unknown(followed: Followed) -> Response:
    from signals.rendering.follow_pages import unknown_page

    return Response(404, HTML, unknown_page(followed))


def _moved(slug: str, prefix: str) -> Response:
    from urllib.parse import quote

    return Response(308, HTML, "", headers={"Location": prefix + quote(slug, safe="")})
