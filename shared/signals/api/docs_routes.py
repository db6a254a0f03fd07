"""The API's own documentation: the OpenAPI document (``/v1/openapi.json``) and Swagger UI (``/docs``)."""

from __future__ import annotations

import functools
import json
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from signals.api.http_policy import DOCS_PATH, public_get

router = Router()

API_TITLE = "Signals API"
API_VERSION = "1.0.0"


@functools.cache
def openapi_document() -> str:
    """The OpenAPI 3.1 document of this API, generated from the routes (fixed once imported: built
    on first request, ~25 ms, and kept for the container)."""
    from signals.api.subscription_routes import SECURITY_SCHEMES

    resolver = router.api_resolver  # the app this router is included in: the whole API
    if resolver is None:
        raise RuntimeError("include docs_routes.router in the API's resolver first")
    document = json.loads(
        resolver.get_openapi_json_schema(  # type: ignore[attr-defined]
            title=API_TITLE,
            version=API_VERSION,
            description="AI news, ranked by significance and explained. Errors are RFC 9457 problem details.",
            security_schemes=SECURITY_SCHEMES,
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


@public_get(router, "/v1/openapi.json", include_in_schema=False)
def openapi_json():
    return Response(200, "application/json", openapi_document())


@public_get(router, DOCS_PATH, include_in_schema=False)
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
