"""The HTTP API: JSON feed and signals, RSS/Atom/JSON Feed, HTML pages, OpenAPI and Swagger UI.

One Powertools resolver (``app``) with validation on. Cross-cutting HTTP behaviour lives in one
middleware (unknown parameters, strong ETags and 304s, Cache-Control, CORS for public GETs,
security headers) and one error mapper (``problems.problem_for``). Routes register as public with
``public_get``; anything else (routers added later: subscriptions, ops) gets no CORS header.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, Field, ValidationError

from signals.api import cursor as cursors
from signals.api import ops_routes, subscription_routes
from signals.api.problems import (
    PROBLEM_JSON,
    PROBLEM_RESPONSES,
    ApiError,
    not_found,
    parse_json_body,
    problem_body,
    problem_for,
)
from signals.config import get_settings
from signals.models import Category, Signal, as_utc
from signals.telemetry import logger

app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=parse_json_body)

# Routers of other features: one line each, e.g. app.include_router(subscription_routes.router)
app.include_router(ops_routes.router)
app.include_router(subscription_routes.router)
# (their routes are not public: no CORS header unless registered through ``public_get``).

API_TITLE = "Signals API"
API_VERSION = "1.0.0"
PUBLIC_GET_PATHS: set[str] = set()
PAGE_PATHS: set[str] = {"/ops"}  # HTML pages: strict CSP (the ops router's page included)
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = "frame-ancestors 'none'"  # Swagger UI ships inline scripts; it only gets framing protection
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Link, Cache-Control",
}
_settings = get_settings()
Limit = Annotated[
    int,
    Query(
        ge=1,
        le=_settings.page_limit_max,
        description=f"items per page (default {_settings.page_limit_default})",
    ),
]
MinScore = Annotated[int, Query(ge=1, le=10, description="only signals scoring at least this")]
Categories = Annotated[list[Category] | None, Query(description="category id; repeat for several")]
Text = Annotated[str | None, Query(min_length=1, max_length=_settings.query_param_max_chars)]
Instant = Annotated[datetime | None, Query(description="UTC instant, ISO 8601")]
Cursor = Annotated[
    str | None, Query(min_length=1, max_length=_settings.cursor_max_chars, description="opaque")
]


def public_get(rule: str, *, page: bool = False, **kwargs: Any) -> Any:
    """``app.get`` for a public route: CORS ``*`` (no credentials), documented error responses."""
    PUBLIC_GET_PATHS.add(rule)
    if page:
        PAGE_PATHS.add(rule)
    kwargs.setdefault("responses", PROBLEM_RESPONSES)
    return app.get(rule, **kwargs)


# --------------------------------------------------------------------------- response models


class SignalList(BaseModel):
    """A page of the feed."""

    items: list[Signal]
    limit: int
    next_cursor: str | None = Field(None, description="pass as `cursor` (same filters) for the next page")


class CategoryCount(BaseModel):
    id: Category
    label: str
    count: int


class CategoryList(BaseModel):
    items: list[CategoryCount]


class TagCount(BaseModel):
    tag: str
    count: int


class TagList(BaseModel):
    items: list[TagCount]


class _PositionsState(BaseModel):
    m: list[Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")]] = Field(max_length=1200)
    p: list[tuple[Annotated[int, Field(ge=0)], str | None]] = Field(max_length=1200)


class _HotState(BaseModel):
    a: int
    o: Annotated[int, Field(ge=0)]


# --------------------------------------------------------------------------- feed reading


def _request_id() -> str | None:
    try:
        return app.current_event.request_context.request_id
    except (AttributeError, KeyError, TypeError):
        return None


def base_url() -> str:
    """Absolute origin for links: the configured public URL, else the request's own host."""
    configured = get_settings().public_base_url.rstrip("/")
    if configured:
        return configured
    headers = app.current_event.headers or {}
    host = headers.get("host") or app.current_event.request_context.domain_name or "localhost"
    local = host.startswith(("127.0.0.1", "localhost", "[::1]"))
    proto = headers.get("x-forwarded-proto") or ("http" if local else "https")
    return f"{proto}://{host}"


def feed_query(
    min_score: int,
    category: list[Category] | None,
    tag: str | None,
    source: str | None,
    since: datetime | None,
    until: datetime | None,
    sort: str,
) -> Any:
    from signals.ranking.query import FeedQuery

    if since and until and as_utc(since) > as_utc(until):
        raise ApiError(400, "invalid_parameter", "Invalid parameter", "since must not be later than until.")
    return FeedQuery(
        min_score=min_score,
        categories=tuple(category or ()),
        tag=tag,
        source=source,
        since=since,
        until=until,
        sort=sort,
    )


_feed_index: Any = None


def feed_index() -> Any:
    """The container's feed index (it caches the month registry between requests)."""
    global _feed_index
    if _feed_index is None:
        from signals.storage.timeline_index import DynamoFeedIndex

        _feed_index = DynamoFeedIndex()
    return _feed_index


def read_feed(query: Any, limit: int, cursor: str | None) -> tuple[list[Signal], str | None]:
    """A page of signals and the cursor of the next one."""
    from signals.ranking.hot import read_hot_page
    from signals.ranking.pages import read_page

    fingerprint = query.fingerprint()
    now = time.time()
    state = cursors.decode(cursor, fingerprint, now=now) if cursor else None
    try:
        if query.sort == "hot":
            hot = _HotState.model_validate(state) if state else _HotState(a=int(now), o=0)
            as_of = datetime.fromtimestamp(hot.a, UTC)
            page = read_hot_page(feed_index(), query, limit, as_of=as_of, offset=hot.o)
            next_state = None if page.offset is None else {"a": hot.a, "o": page.offset}
        else:
            positions = _PositionsState.model_validate(state) if state else None
            page = read_page(
                feed_index(),
                query,
                limit,
                months=positions.m if positions else None,
                positions=[list(p) for p in positions.p] if positions else None,
            )
            next_state = None if page.positions is None else {"m": page.months, "p": page.positions}
    except (ValidationError, ValueError) as exc:
        raise cursors.CursorError(
            "invalid_cursor", "The cursor does not fit this query; start again."
        ) from exc
    next_cursor = cursors.encode(fingerprint, next_state, now=now) if next_state else None
    return page.signals, next_cursor


def _url(path: str, params: dict[str, Any]) -> str:
    pairs = [
        (k, v) for k, values in params.items() for v in (values if isinstance(values, list) else [values])
    ]
    pairs = [(k, v.isoformat() if isinstance(v, datetime) else v) for k, v in pairs if v not in (None, "")]
    return f"{path}?{urlencode(pairs)}" if pairs else path


# --------------------------------------------------------------------------- JSON API


@public_get("/v1/signals", summary="The feed: filtered, ranked, paginated", tags=["feed"])
def list_signals(
    min_score: MinScore = 1,
    category: Categories = None,
    tag: Text = None,
    source: Text = None,
    since: Instant = None,
    until: Instant = None,
    sort: Annotated[str, Query(pattern="^(time|score|hot)$", description="time | score | hot")] = "time",
    limit: Limit = _settings.page_limit_default,
    cursor: Cursor = None,
) -> Response[SignalList]:
    query = feed_query(min_score, category, tag, source, since, until, sort)
    signals, next_cursor = read_feed(query, limit, cursor)
    headers = {}
    if next_cursor:
        params = {**query.model_dump(exclude={"categories"}), "category": [c.value for c in query.categories]}
        link = _url(f"{base_url()}/v1/signals", {**params, "limit": limit, "cursor": next_cursor})
        headers["Link"] = f'<{link}>; rel="next"'
    return Response(
        200,
        "application/json",
        SignalList(items=signals, limit=limit, next_cursor=next_cursor),
        headers=headers,
    )


SignalId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


@public_get("/v1/signals/<signal_id>", summary="One signal, whole", tags=["feed"])
def get_signal(signal_id: SignalId) -> Response[Signal]:
    from signals.storage.signal_records import get_signal as load

    signal = load(signal_id)
    if signal is None:
        raise ApiError(404, "signal_not_found", "Signal not found", f"No signal has the id {signal_id!r}.")
    return Response(200, "application/json", signal)


@public_get("/v1/categories", summary="Categories with their signal counts", tags=["feed"])
def list_categories() -> Response[CategoryList]:
    counts = feed_index().counts().categories
    items = [CategoryCount(id=c, label=c.label, count=counts.get(c.value, 0)) for c in Category]
    return Response(200, "application/json", CategoryList(items=items))


@public_get("/v1/tags", summary="Tags with their signal counts, most used first", tags=["feed"])
def list_tags() -> Response[TagList]:
    tags = feed_index().counts().tags
    counts = sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[: get_settings().tags_list_max]
    return Response(200, "application/json", TagList(items=[TagCount(tag=t, count=n) for t, n in counts]))


# --------------------------------------------------------------------------- feeds for readers


def _feed_signals(
    min_score: int,
    category: list[Category] | None,
    tag: str | None,
    source: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[Signal]:
    query = feed_query(min_score, category, tag, source, since, until, "time")
    return read_feed(query, limit, None)[0]


def _self_url(path: str) -> str:
    raw = app.current_event.get("rawQueryString") or ""
    return f"{base_url()}{path}" + (f"?{raw}" if raw else "")


def _text_response(content: str) -> dict[str, Any]:
    return {
        200: {"description": "OK", "content": {content: {"schema": {"type": "string"}}}},
        **PROBLEM_RESPONSES,
    }


@public_get(
    "/v1/feed.rss",
    summary="RSS 2.0 feed (same filters)",
    tags=["feeds"],
    responses=_text_response("application/rss+xml"),
)
def feed_rss(
    min_score: MinScore = 1,
    category: Categories = None,
    tag: Text = None,
    source: Text = None,
    since: Instant = None,
    until: Instant = None,
    limit: Limit = _settings.page_limit_default,
):
    from signals.rendering.syndication import rss

    signals = _feed_signals(min_score, category, tag, source, since, until, limit)
    body = rss(signals, base_url=base_url(), self_url=_self_url("/v1/feed.rss"), now=datetime.now(UTC))
    return Response(200, "application/rss+xml; charset=utf-8", body)


@public_get(
    "/v1/feed.atom",
    summary="Atom 1.0 feed (same filters)",
    tags=["feeds"],
    responses=_text_response("application/atom+xml"),
)
def feed_atom(
    min_score: MinScore = 1,
    category: Categories = None,
    tag: Text = None,
    source: Text = None,
    since: Instant = None,
    until: Instant = None,
    limit: Limit = _settings.page_limit_default,
):
    from signals.rendering.syndication import atom

    signals = _feed_signals(min_score, category, tag, source, since, until, limit)
    body = atom(signals, base_url=base_url(), self_url=_self_url("/v1/feed.atom"), now=datetime.now(UTC))
    return Response(200, "application/atom+xml; charset=utf-8", body)


@public_get(
    "/v1/feed.json",
    summary="JSON Feed 1.1 (same filters)",
    tags=["feeds"],
    responses=_text_response("application/feed+json"),
)
def feed_json(
    min_score: MinScore = 1,
    category: Categories = None,
    tag: Text = None,
    source: Text = None,
    since: Instant = None,
    until: Instant = None,
    limit: Limit = _settings.page_limit_default,
):
    from signals.rendering.syndication import json_feed

    signals = _feed_signals(min_score, category, tag, source, since, until, limit)
    body = json_feed(signals, base_url=base_url(), self_url=_self_url("/v1/feed.json"))
    return Response(200, "application/feed+json; charset=utf-8", body)


# --------------------------------------------------------------------------- pages


@public_get(
    "/", page=True, summary="The feed as a web page", tags=["pages"], responses=_text_response("text/html")
)
def home_page(
    min_score: MinScore = 1,
    category: Categories = None,
    limit: Limit = _settings.page_limit_default,
    cursor: Cursor = None,
):
    from signals.rendering.pages import feed_page

    query = feed_query(min_score, category, None, None, None, None, "time")
    signals, next_cursor = read_feed(query, limit, cursor)
    next_url = None
    if next_cursor:
        params = {
            "category": [c.value for c in query.categories],
            "min_score": min_score,
            "cursor": next_cursor,
        }
        next_url = _url("/", params)
    html = feed_page(signals, categories=query.categories, min_score=min_score, next_url=next_url)
    return Response(200, "text/html; charset=utf-8", html)


@public_get(
    "/signals/<signal_id>",
    page=True,
    summary="One signal as a web page",
    tags=["pages"],
    responses=_text_response("text/html"),
)
def signal_html(signal_id: SignalId):
    from signals.rendering.pages import not_found_page, signal_page
    from signals.storage.signal_records import get_signal as load

    signal = load(signal_id)
    if signal is None:
        return Response(404, "text/html; charset=utf-8", not_found_page())
    return Response(
        200,
        "text/html; charset=utf-8",
        signal_page(signal),
        headers={"Cache-Control": f"public, max-age={get_settings().page_cache_max_age_s}"},
    )


@public_get("/assets/signals.css", include_in_schema=False)
def stylesheet():
    from signals.rendering.pages import stylesheet as css

    return Response(
        200,
        "text/css; charset=utf-8",
        css(),
        headers={"Cache-Control": f"public, max-age={get_settings().page_cache_max_age_s}"},
    )


# --------------------------------------------------------------------------- OpenAPI


@functools.cache
def openapi_document() -> str:
    """The OpenAPI 3.1 document of this API, generated from the routes (fixed once imported: built
    on first request, ~25 ms, and kept for the container)."""
    document = json.loads(
        app.get_openapi_json_schema(
            title=API_TITLE,
            version=API_VERSION,
            description="AI news, ranked by significance and explained. Errors are RFC 9457 problem details.",
            security_schemes=subscription_routes.SECURITY_SCHEMES,
        )
    )
    return json.dumps(_without_validation_422(document))


def _without_validation_422(document: dict[str, Any]) -> dict[str, Any]:
    """Drop the 422 Powertools declares on every route: validation errors are answered 400 here."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                operation.get("responses", {}).pop("422", None)
    if "#/components/schemas/HTTPValidationError" not in json.dumps(document.get("paths", {})):
        document.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
    return document


@public_get("/v1/openapi.json", include_in_schema=False)
def openapi_json():
    return Response(200, "application/json", openapi_document())


@public_get("/docs", include_in_schema=False)
def swagger_ui(format: Annotated[Literal["json"] | None, Query()] = None):
    if format == "json":  # the document link Swagger UI shows under the title
        return openapi_json()
    return Response(200, "text/html; charset=utf-8", swagger_page())


@functools.cache
def swagger_page() -> str:
    """Swagger UI over ``openapi_document()``, built on first request and kept for the container.

    Powertools' ``enable_swagger`` imports its OpenAPI models at registration, ~40 ms of every cold
    start for a page few requests read; this is the same page, paid for only when asked for.
    """
    from aws_lambda_powertools.event_handler import openapi
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = FilePath(openapi.__file__).parent / "swagger_ui"
    return generate_swagger_html(
        openapi_document().replace("</", "<\\/"),  # the JSON sits inside a <script> element
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        None,  # type: ignore[arg-type]  # assets inline: no CDN
        None,
    )


# --------------------------------------------------------------------------- HTTP behaviour


def _route_path() -> str | None:
    route = app.context.get("_route")
    return getattr(route, "path", None)


def _is_public() -> bool:
    return app.current_event.http_method in ("GET", "HEAD") and _route_path() in PUBLIC_GET_PATHS


def _security_headers(path: str | None) -> dict[str, str]:
    csp = (
        PAGE_CSP
        if path in PAGE_PATHS
        else DOCS_CSP
        if path == "/docs"
        else "default-src 'none'; frame-ancestors 'none'"
    )
    return {**SECURITY_HEADERS, "Content-Security-Policy": csp}


def _etag(body: str | bytes) -> str:
    raw = body.encode() if isinstance(body, str) else body
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    candidates = [part.strip().removeprefix("W/") for part in if_none_match.split(",")]
    return "*" in candidates or etag in candidates


def http_behaviour(app: APIGatewayHttpResolver, next_middleware: Any) -> Response:
    """Unknown parameters, ETag/304, Cache-Control, CORS and security headers for every route."""
    route = app.context.get("_route")
    allowed = {param.alias for param in getattr(getattr(route, "dependant", None), "query_params", [])}
    unknown = sorted(set(app.current_event.query_string_parameters or {}) - allowed)
    if route is not None and unknown:
        raise ApiError(
            400,
            "unknown_parameter",
            "Unknown parameter",
            f"Unknown query parameter(s): {', '.join(unknown)}. See /v1/openapi.json for the parameters.",
        )
    response = next_middleware(app)
    path = _route_path()
    response.headers.update(_security_headers(path))
    if _is_public():
        response.headers.update(CORS_HEADERS)
    if app.current_event.http_method != "GET" or response.status_code != 200:
        return response
    if not isinstance(response.body, str | bytes):
        response.body = app._serializer(response.body)
    etag = _etag(response.body)
    response.headers["ETag"] = etag
    response.headers.setdefault("Cache-Control", f"public, max-age={get_settings().cache_max_age_s}")
    if _matches(app.current_event.headers.get("if-none-match", ""), etag):
        keep = {k: v for k, v in response.headers.items() if k != "Content-Type"}
        return Response(304, None, "", headers=keep)
    return response


app.use(middlewares=[http_behaviour])


def _problem_response(exc: Exception) -> Response:
    problem, extra = problem_for(exc)
    if problem.status >= 500:
        logger.exception("unhandled error", extra={"path": app.current_event.path})
    else:
        logger.info("client error", extra={"code": problem.code, "path": app.current_event.path})
    headers = {**_security_headers(None), **extra, "Cache-Control": "no-store"}
    if _is_public():
        headers.update(CORS_HEADERS)
    return Response(problem.status, PROBLEM_JSON, problem_body(problem, _request_id()), headers=headers)


@app.exception_handler([RequestValidationError, ApiError, cursors.CursorError, Exception])
def handle_error(exc: Exception) -> Response:
    return _problem_response(_admission_first(exc))


def _admission_first(exc: Exception) -> Exception:
    """On a route that declares security, an error raised before the route admitted its caller
    (body parsing and validation run first) yields to the admission check: 401 before any 400."""
    route = app.context.get("_route")
    if not getattr(route, "security", None) or "api_key" in app.context:
        return exc
    try:
        subscription_routes.admit()
    except ApiError as refused:
        return refused
    except Exception:  # the original error stays the answer
        logger.warning("admission check failed while handling an error", exc_info=True)
    return exc


def _allowed_methods(path: str) -> list[str]:
    routes = [*app._static_routes, *app._dynamic_routes]
    return sorted({route.method for route in routes if route.rule.match(path)})


@app.not_found
def handle_not_found(exc: NotFoundError) -> Response:
    path = app.current_event.path
    methods = _allowed_methods(path)
    if not methods:
        return _problem_response(not_found())
    public = any(rule_path in PUBLIC_GET_PATHS for rule_path in _public_rules_matching(path))
    if app.current_event.http_method == "OPTIONS" and public:  # CORS preflight of a public GET
        return Response(
            204,
            None,
            "",
            headers={
                **CORS_HEADERS,
                "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                "Access-Control-Allow-Headers": "If-None-Match, Accept",
                "Access-Control-Max-Age": "86400",
            },
        )
    allow = ", ".join(methods)
    return _problem_response(
        ApiError(
            405,
            "method_not_allowed",
            "Method not allowed",
            f"{app.current_event.http_method} is not allowed here; use {allow}.",
            headers={"Allow": allow},
        )
    )


def _public_rules_matching(path: str) -> list[str]:
    routes = [*app._static_routes, *app._dynamic_routes]
    return [route.path for route in routes if route.rule.match(path)]


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one API Gateway (v2) event. HEAD is answered as the GET it mirrors, without the body
    (RFC 9110 §9.3.2): feed readers and link checkers probe with HEAD, and the validators match."""
    http = event.get("requestContext", {}).get("http", {})
    if http.get("method") != "HEAD":
        return app.resolve(event, context)
    as_get = {**event, "requestContext": {**event["requestContext"], "http": {**http, "method": "GET"}}}
    response = app.resolve(as_get, context)
    return {**response, "body": "", "isBase64Encoded": False}
