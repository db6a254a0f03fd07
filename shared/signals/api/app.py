"""The HTTP API: one Powertools resolver (``app``) with validation on, its routers, and ``handle``.

Each router holds one job: ``signal_routes`` (JSON), ``syndication_routes`` (RSS/Atom/JSON Feed),
``page_routes`` (HTML), ``docs_routes`` (OpenAPI, Swagger UI), ``ops_routes`` and
``subscription_routes``. What every route shares (CORS for public GETs, security headers, ETags,
unknown parameters, problem details, 404/405) is ``http_policy``.

The routers in ``ON_FIRST_REQUEST`` are included by the first request under their paths (or the
first OpenAPI document), not at cold start: a reader's first request never needs the subscription
API with its webhook machinery, or the ops reports (~24 ms of a ~150 ms ``import boto3``).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from signals.api import (
    digest_routes,
    docs_routes,
    follow_routes,
    http_policy,
    page_routes,
    signal_routes,
    syndication_routes,
)
from signals.api.cursor import CursorError
from signals.api.docs_routes import openapi_document
from signals.api.problems import ApiError, parse_json_body

__all__ = ["app", "handle", "openapi_document"]

#: Routers included on first use, in this order: module -> the path prefixes its routes live under
#: (a test checks that every route of each is under them, and that no other route is).
ON_FIRST_REQUEST: dict[str, tuple[str, ...]] = {
    "signals.api.ops_routes": ("/v1/health", "/v1/stats", "/v1/sources", "/ops"),
    "signals.api.subscription_routes": ("/v1/subscriptions",),
}


class _Resolver(http_policy.OptInCorsResolver):
    """Includes each router of ``ON_FIRST_REQUEST`` before the first request under its paths, and
    all of them before an OpenAPI document is made."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending = list(ON_FIRST_REQUEST.items())
        self._including = threading.Lock()  # the local server answers requests on threads

    def include_pending(self, path: str | None = None) -> None:
        """Include the pending routers serving ``path`` (all of them: None), and those listed before
        them: routes are then always registered in one order, so every container's OpenAPI
        document (and its ETag) is the same whichever request came first."""
        if not self._wanted(path):
            return
        with self._including:
            for _ in range(self._wanted(path)):
                module, _prefixes = self._pending[0]
                self.include_router(importlib.import_module(module).router)
                del self._pending[0]  # after: a router no longer pending is included

    def _wanted(self, path: str | None) -> int:
        """How many of the pending routers to include (up to the last serving ``path``)."""
        pending = list(self._pending)
        serving = [i for i, (_, prefixes) in enumerate(pending) if path is None or _under(path, prefixes)]
        return serving[-1] + 1 if serving else 0

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        if self._pending:
            # the path routes are matched on: without the stage (a named stage's rawPath starts
            # with it) and without any strip_prefixes
            try:
                path: str | None = self._remove_prefix(self._to_proxy_event(dict(event)).path)
            except (KeyError, TypeError, AttributeError):
                path = None  # not an HTTP API event: every router, and the resolver answers as before
            self.include_pending(path)
        return super().resolve(event, context)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        self.include_pending()
        return super().get_openapi_schema(*args, **kwargs)


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)


app = _Resolver(
    enable_validation=True,
    json_body_deserializer=parse_json_body,
    serializer=http_policy.to_json,
    cors=http_policy.CORS,
)
# Routers of other features: one line each (or a line in ON_FIRST_REQUEST). Their routes are not
# public (no CORS) unless registered through ``http_policy.public_get``.
app.include_router(signal_routes.router)
app.include_router(syndication_routes.router)
app.include_router(digest_routes.router)
app.include_router(page_routes.router)
app.include_router(follow_routes.router)
app.include_router(docs_routes.router)
app.use(middlewares=[http_policy.http_behaviour])


@app.exception_handler([RequestValidationError, ApiError, CursorError, Exception])
def handle_error(exc: Exception) -> Response:
    return http_policy.problem_response(app, http_policy.admission_first(app, exc))


@app.not_found
def handle_not_found(exc: NotFoundError) -> Response:
    return http_policy.unmatched(app)


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one API Gateway (v2) event. HEAD is answered as the GET it mirrors, without the body
    (RFC 9110 §9.3.2): feed readers and link checkers probe with HEAD, and the validators match."""
    http = event.get("requestContext", {}).get("http", {})
    if http.get("method") != "HEAD":
        return app.resolve(event, context)
    as_get = {**event, "requestContext": {**event["requestContext"], "http": {**http, "method": "GET"}}}
    response = app.resolve(as_get, context)
    return {**response, "body": "", "isBase64Encoded": False}
