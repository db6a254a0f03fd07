"""HTTP behaviour every route shares: CORS for public GETs, security headers and CSP, strong ETags
and 304s, Cache-Control, unknown parameters, errors as problem details, 404 and 405.

Public routes register through ``public_get`` (CORS open: ``*``, no credentials); the resolver
(``OptInCorsResolver``) leaves every other route, the subscription and ops routers' included,
without CORS. Powertools' ``CORSConfig`` builds the headers and answers preflights.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.shared.json_encoder import Encoder

from signals.api import freshness
from signals.api.problems import (
    PROBLEM_JSON,
    PROBLEM_RESPONSES,
    ApiError,
    not_found,
    problem_body,
    problem_for,
)
from signals.config import get_settings
from signals.feeds.urls import is_tracking
from signals.telemetry import logger

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PUBLIC_PATHS: set[str] = set()  # rules registered through ``public_get``
PAGE_PATHS: set[str] = {"/ops"}  # HTML pages: strict CSP (the ops router's page included)
DOCS_PATH = "/docs"
DOCS_CSP = "frame-ancestors 'none'"  # Swagger UI ships inline scripts; it only gets framing protection
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
CORS = CORSConfig(
    allow_origin="*",
    allow_headers=["If-None-Match", "If-Modified-Since", "Accept"],
    expose_headers=["ETag", "Last-Modified", "Link", "Cache-Control", "Signals-Next-Updated-Since"],
    max_age=86400,
)
#: The resolver's JSON serializer (Powertools' default, passed in by name so that the ETag
#: middleware hashes the very bytes sent without reading the resolver's private ``_serializer``).
to_json = functools.partial(json.dumps, separators=(",", ":"), cls=Encoder)


class OptInCorsResolver(APIGatewayHttpResolver):
    """A resolver whose routes get CORS only when they ask (``cors=True``); given a ``CORSConfig``,
    Powertools would otherwise open every route, the routers' admin routes included."""

    def route(self, rule: str, method: Any, cors: bool | None = None, *args: Any, **kwargs: Any) -> Any:
        return super().route(rule, method, bool(cors), *args, **kwargs)


def public_get(router: Router, rule: str, *, page: bool = False, **kwargs: Any) -> Callable[..., Any]:
    """``router.get`` for a public route: CORS ``*`` (no credentials), documented error responses;
    ``page``: an HTML page, under the strict page CSP."""
    PUBLIC_PATHS.add(rule)
    if page:
        PAGE_PATHS.add(rule)
    kwargs.setdefault("responses", PROBLEM_RESPONSES)
    return router.get(rule, cors=True, **kwargs)


#: What a JSON Feed 1.1 document is, as much as OpenAPI needs to check it (https://jsonfeed.org).
JSON_FEED_SCHEMA = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"type": "string"},
        "title": {"type": "string"},
        "items": {"type": "array", "items": {"type": "object"}},
    },
}


def text_responses(content_type: str, *, errors_as: str | None = None) -> dict[int | str, Any]:
    """OpenAPI responses of a route answering ``content_type`` (and the usual problems); ``errors_as``:
    the media type of its 400 and 404 when those are not problems (a page answers a page)."""
    schema = JSON_FEED_SCHEMA if content_type.endswith("json") else {"type": "string"}
    responses: dict[int | str, Any] = {
        **PROBLEM_RESPONSES,  # first: its plain 200 must not replace the typed one below
        200: {"description": "OK", "content": {content_type: {"schema": schema}}},
    }
    if errors_as:
        for status in (400, 404):
            description = PROBLEM_RESPONSES[status]["description"]
            responses[status] = {
                "description": description,
                "content": {errors_as: {"schema": {"type": "string"}}},
            }
    return responses


# --------------------------------------------------------------------------- which route, which headers


def _routes(app: APIGatewayHttpResolver) -> list[Any]:
    # Powertools offers no public list of registered routes; 405's Allow header and the "is this a
    # public path" check of a preflight need one. The one place that reads its private lists.
    return [*app._static_routes, *app._dynamic_routes]


def _matching(app: APIGatewayHttpResolver, path: str) -> list[Any]:
    return [route for route in _routes(app) if route.rule.match(path)]


def _route_path(app: APIGatewayHttpResolver) -> str | None:
    """The rule of the route answering (for an unmatched request: its own path)."""
    return getattr(app.context.get("_route"), "path", None)


def _is_public(app: APIGatewayHttpResolver) -> bool:
    return app.current_event.http_method in ("GET", "HEAD") and _route_path(app) in PUBLIC_PATHS


def _security_headers(path: str | None) -> dict[str, str]:
    csp = PAGE_CSP if path in PAGE_PATHS else DOCS_CSP if path == DOCS_PATH else DEFAULT_CSP
    return {**SECURITY_HEADERS, "Content-Security-Policy": csp}


def _etag(body: str | bytes) -> str:
    raw = body.encode() if isinstance(body, str) else body
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    candidates = [part.strip().removeprefix("W/") for part in if_none_match.split(",")]
    return "*" in candidates or etag in candidates


# --------------------------------------------------------------------------- the middleware


#: Besides the trackers ingest strips from publishers' links (``feeds.urls.is_tracking``): ``ref``
#: says where a reader came from; on a publisher's link it can be content, on our pages it is not.
PAGE_ONLY_TRACKING = frozenset({"ref"})


def _is_tracking(name: str) -> bool:
    """A parameter a shared link picked up on its way to us: ignored, so the link works (any other
    unknown parameter is refused, so a typo never passes silently)."""
    return is_tracking(name) or name.lower() in PAGE_ONLY_TRACKING


def _reject_unknown_parameters(app: APIGatewayHttpResolver) -> None:
    route = app.context.get("_route")
    if not any(route is registered for registered in _routes(app)):
        return  # no route answers this method and path: the 404 or 405 comes first
    allowed = {param.alias for param in getattr(getattr(route, "dependant", None), "query_params", [])}
    given = set(app.current_event.query_string_parameters or {})
    unknown = sorted(name for name in given - allowed if not _is_tracking(name))
    if route is not None and unknown:
        raise ApiError(
            400,
            "unknown_parameter",
            "Unknown parameter",
            f"Unknown query parameter(s): {', '.join(unknown)}. See /v1/openapi.json for the parameters.",
        )


def http_behaviour(app: APIGatewayHttpResolver, next_middleware: Any) -> Response:
    """Unknown parameters, preflights, ETag/304, Cache-Control, CORS and security headers."""
    _reject_unknown_parameters(app)
    path = app.current_event.path
    preflight = app.current_event.http_method == "OPTIONS"
    if preflight and not any(route.path in PUBLIC_PATHS for route in _matching(app, path)):
        return unmatched(app)  # no preflight for what is not public: the 404 or 405 it always was
    response = next_middleware(app)
    response.headers.update(_security_headers(_route_path(app)))
    if _is_public(app) or preflight:
        # Always, not only when the request has an Origin as Powertools does: public answers are
        # cached (public, max-age) and must be the same bytes for every requester.
        response.headers.update(CORS.to_dict("*"))
    if app.current_event.http_method != "GET" or response.status_code != 200:
        return response
    if not isinstance(response.body, str | bytes):
        response.body = to_json(response.body)
    etag = _etag(freshness.etag_basis(app.context, response.body))
    response.headers["ETag"] = etag
    response.headers.setdefault("Cache-Control", f"public, max-age={get_settings().cache_max_age_s}")
    headers = app.current_event.headers
    if_none_match = headers.get("if-none-match", "")
    unchanged = (
        _matches(if_none_match, etag)
        if if_none_match
        else freshness.not_modified_since(
            headers.get("if-modified-since"), response.headers.get("Last-Modified")
        )
    )
    if unchanged:
        keep = {k: v for k, v in response.headers.items() if k != "Content-Type"}
        return Response(304, None, "", headers=keep)
    return response


# --------------------------------------------------------------------------- errors, 404 and 405


def _request_id(app: APIGatewayHttpResolver) -> str | None:
    try:
        return app.current_event.request_context.request_id
    except (AttributeError, KeyError, TypeError):
        return None


def problem_response(app: APIGatewayHttpResolver, exc: Exception) -> Response:
    """The problem-details answer to ``exc`` (logged: 5xx with the trace, 4xx with the code)."""
    problem, extra = problem_for(exc)
    if problem.status >= 500:
        logger.exception("unhandled error", extra={"path": app.current_event.path})
    else:
        logger.info("client error", extra={"code": problem.code, "path": app.current_event.path})
    headers = {**_security_headers(None), **extra, "Cache-Control": "no-store"}
    if _is_public(app):
        headers.update(CORS.to_dict("*"))
    if _is_public(app) and _route_path(app) in PAGE_PATHS:  # a browser gets a page, not JSON
        from signals.rendering.pages import error_page

        headers.update(_security_headers(_route_path(app)))
        return Response(
            problem.status,
            "text/html; charset=utf-8",
            error_page(problem.title, problem.detail),
            headers=headers,
        )
    return Response(problem.status, PROBLEM_JSON, problem_body(problem, _request_id(app)), headers=headers)


def admission_first(app: APIGatewayHttpResolver, exc: Exception) -> Exception:
    """On a route that declares security, an error raised before the route admitted its caller
    (body parsing and validation run first) yields to the admission check: 401 before any 400."""
    route = app.context.get("_route")
    if not getattr(route, "security", None) or "api_key" in app.context:
        return exc
    from signals.api import subscription_routes  # the only routes that declare security

    try:
        subscription_routes.admit()
    except ApiError as refused:
        return refused
    except Exception:  # the original error stays the answer
        logger.warning("admission check failed while handling an error", exc_info=True)
    return exc


#: pages whose address holds a value: an address no route matches there is answered with a page
_PAGE_PREFIXES = {
    "/signals/": "/signals/<signal_id>",
    "/entities/": "/entities/<slug>",
    "/tags/": "/tags/<tag>",
}


def unmatched(app: APIGatewayHttpResolver) -> Response:
    """No route for this method and path: 405 with ``Allow`` when other methods serve the path, else 404."""
    # Powertools marks its catch-all route CORS-open whenever a CORSConfig is set (so that it can
    # answer preflights); a 404 or 405 is not a public answer: no CORS headers, Origin or not.
    unmatched_route = app.context.get("_route")
    if unmatched_route is not None:
        unmatched_route.cors = False
    path = app.current_event.path
    methods = sorted({route.method for route in _matching(app, path)})
    if not methods and app.current_event.http_method in ("GET", "HEAD") and path.startswith("/digest/"):
        # a day no digest can have (e.g. not ASCII) at the digest page's address: a page, not JSON
        from signals.rendering.pages import error_page

        headers = {**_security_headers("/digest/<date>"), "Cache-Control": "no-store"}
        detail = "There is no digest at this address: a day is YYYY-MM-DD, e.g. /digest/2026-02-12."
        return Response(404, "text/html; charset=utf-8", error_page("Not found", detail), headers=headers)
    page_rule = next((rule for prefix, rule in _PAGE_PREFIXES.items() if path.startswith(prefix)), None)
    if not methods and app.current_event.http_method in ("GET", "HEAD") and page_rule:
        # an id (slug, tag) no page can have (e.g. not ASCII) at a page's address: a page's 404
        from signals.rendering.pages import not_found_page

        headers = {**_security_headers(page_rule), "Cache-Control": "no-store"}
        return Response(404, "text/html; charset=utf-8", not_found_page(), headers=headers)
    if not methods:
        return problem_response(app, not_found())
    allow = ", ".join(methods)
    return problem_response(
        app,
        ApiError(
            405,
            "method_not_allowed",
            "Method not allowed",
            f"{app.current_event.http_method} is not allowed here; use {allow}.",
            headers={"Allow": allow},
        ),
    )
