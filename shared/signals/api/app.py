"""The HTTP API: one Powertools resolver (``app``) with validation on, its routers, and ``handle``.

Each router holds one job: ``signal_routes`` (JSON), ``syndication_routes`` (RSS/Atom/JSON Feed),
``page_routes`` (HTML), ``docs_routes`` (OpenAPI, Swagger UI), ``ops_routes`` and
``subscription_routes``. What every route shares (CORS for public GETs, security headers, ETags,
unknown parameters, problem details, 404/405) is ``http_policy``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from signals.api import (
    digest_routes,
    docs_routes,
    follow_routes,
    http_policy,
    ops_routes,
    page_routes,
    signal_routes,
    subscription_routes,
    syndication_routes,
)
from signals.api.cursor import CursorError
from signals.api.docs_routes import openapi_document
from signals.api.problems import ApiError, parse_json_body

__all__ = ["app", "handle", "openapi_document"]

app = http_policy.OptInCorsResolver(
    enable_validation=True,
    json_body_deserializer=parse_json_body,
    serializer=http_policy.to_json,
    cors=http_policy.CORS,
)
# Routers of other features: one line each. Their routes are not public (no CORS) unless
# registered through ``http_policy.public_get``.
app.include_router(ops_routes.router)
app.include_router(subscription_routes.router)
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
