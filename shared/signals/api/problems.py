"""Errors as RFC 9457 problem details, mapped from domain errors in this one place.

Every error body has a stable ``code`` a program can switch on, a ``title`` and a ``detail`` a
person can act on, the HTTP ``status`` and the ``request_id``; never a stack trace.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import Field

from signals.api.cursor import CursorError
from signals.base_model import SignalsModel

PROBLEM_JSON = "application/problem+json"


class ParameterError(SignalsModel):
    parameter: str
    message: str


class Problem(SignalsModel):
    """RFC 9457 problem details, with a stable ``code``."""

    type: str = Field("about:blank", description="RFC 9457 problem type")
    title: str
    status: int
    detail: str
    code: str = Field(description="stable, machine-readable error code")
    request_id: str | None = None
    errors: list[ParameterError] | None = None


class ApiError(Exception):
    """A client error with a stable code, raised anywhere below the routes."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
        *,
        parameter: str | None = None,
    ):
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.headers = headers or {}
        self.parameter = parameter  # the query parameter at fault, named in the problem's ``errors``


def not_found(detail: str = "Nothing lives at this address.") -> ApiError:
    return ApiError(404, "not_found", "Not found", detail)


PROBLEM_RESPONSES: dict[int | str, Any] = {
    200: {"description": "OK"},
    304: {"description": "Not modified: the representation matches If-None-Match.", "content": {}},
    400: {
        "description": "Bad request: an unknown, malformed or out-of-range parameter, or a bad cursor.",
        "content": {PROBLEM_JSON: {"model": Problem}},
    },
    404: {"description": "Not found.", "content": {PROBLEM_JSON: {"model": Problem}}},
}


def _parameter_errors(errors: list[dict[str, Any]]) -> list[ParameterError]:
    out = []
    for error in errors:
        in_body = (error.get("loc") or ("",))[0] == "body"
        where = [part for part in error.get("loc", ()) if part not in ("query", "path", "header", "body")]
        # a query list's item index names no parameter: ``category``, not ``category.0``
        loc = [str(part) for part in where if in_body or not isinstance(part, int)]
        out.append(
            ParameterError(parameter=".".join(loc) or "request", message=str(error.get("msg", "invalid")))
        )
    return out


#: Body validation error types with their own stable code (anything else: ``invalid_body``).
BODY_ERROR_CODES = {
    "json_invalid": "invalid_json",
    "read_only_property": "read_only_property",
    "extra_forbidden": "unknown_property",
}


def parse_json_body(text: str) -> Any:
    """The resolver's JSON body parser: over-size bodies and absurd nesting are 400s, not work or 500s."""
    from signals.config import get_settings

    limit = get_settings().api_body_max_bytes
    if len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit:
        raise ApiError(
            400, "body_too_large", "Body too large", f"The request body is larger than {limit} bytes."
        )
    try:
        return json.loads(text)
    except RecursionError as exc:  # json.loads recurses per nesting level
        raise ApiError(400, "invalid_json", "Invalid JSON", "The body is nested too deeply.") from exc
    except json.JSONDecodeError:
        raise  # the validator reports where the JSON is broken
    except ValueError as exc:  # a number Python refuses to convert (over sys.get_int_max_str_digits())
        raise ApiError(
            400,
            "invalid_json",
            "Invalid JSON",
            "The body holds a number too long to read; send a shorter one.",
        ) from exc


def _body_problem(errors: list[dict[str, Any]]) -> Problem:
    codes = [BODY_ERROR_CODES.get(str(e.get("type")), "invalid_body") for e in errors]
    code = next((c for c in ("invalid_json", "read_only_property", "unknown_property") if c in codes), None)
    details = []
    for error in errors:
        where = ".".join(str(p) for p in error.get("loc", ())[1:])
        if error.get("type") == "missing" and not where:
            details.append("A JSON object body is required.")
        elif error.get("type") == "json_invalid":
            details.append(
                f"The body is not valid JSON: {(error.get('ctx') or {}).get('error', 'decode error')}."
            )
        else:
            details.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
    return Problem(
        title="Invalid JSON" if code == "invalid_json" else "Invalid body",
        status=400,
        detail="; ".join(dict.fromkeys(details)) or "Invalid body.",
        code=code or "invalid_body",
        errors=_parameter_errors(errors) if code != "invalid_json" else None,
    )


def _webhook_problem(exc: Exception) -> Problem | None:
    """The problem for a webhooks domain error (status, stable code, title; detail from the error)."""
    # Not imported yet: then no webhook error was raised (they are raised behind the subscription
    # routes, which import this module; the two it re-exports from elsewhere are raised there too),
    # and a reader's first error answer (a bad parameter) does not pay ~15 ms to import it
    errors = sys.modules.get("signals.webhooks.errors")
    if errors is None:
        return None

    table: dict[type[errors.WebhookError], tuple[int, str, str]] = {
        errors.SubscriptionNotFound: (404, "subscription_not_found", "Not found"),
        errors.DeliveryNotFound: (404, "delivery_not_found", "Not found"),
        errors.TooManySubscriptions: (409, "too_many_subscriptions", "Limit reached"),
        errors.TooManySubscriptionsForHost: (409, "too_many_subscriptions_for_host", "Limit reached"),
        errors.RateLimited: (429, "rate_limited", "Too many requests"),
        errors.SubscriptionDisabled: (409, "subscription_disabled", "Subscription disabled"),
        errors.TooManyAttempts: (409, "too_many_attempts", "Too many attempts"),
        errors.DeliveryPending: (409, "delivery_pending", "Delivery pending"),
    }
    if isinstance(exc, errors.VersionConflict):  # raised by the store too: the detail is ours
        detail = "The subscription changed since you read it; read it again and retry."
        return Problem(title="Conflict", status=409, detail=detail, code="version_conflict")
    if isinstance(exc, errors.InvalidEndpoint):
        return Problem(title="Webhook URL not allowed", status=400, detail=str(exc), code=exc.code)
    if isinstance(exc, errors.WebhookError):
        status, code, title = next(v for kind, v in table.items() if isinstance(exc, kind))
        return Problem(title=title, status=status, detail=exc.detail, code=code)
    return None


def problem_for(exc: Exception) -> tuple[Problem, dict[str, str]]:
    """The problem (and extra headers) for an exception: the single map of domain errors to HTTP."""
    from aws_lambda_powertools.event_handler.exceptions import NotFoundError
    from aws_lambda_powertools.event_handler.openapi.exceptions import (
        RequestUnsupportedContentType,
        RequestValidationError,
    )

    if isinstance(exc, ApiError):
        message = exc.detail.removeprefix(f"{exc.parameter}: ")
        errors = [ParameterError(parameter=exc.parameter, message=message)] if exc.parameter else None
        problem = Problem(title=exc.title, status=exc.status, detail=exc.detail, code=exc.code, errors=errors)
        return problem, exc.headers
    webhook_problem = _webhook_problem(exc)
    if webhook_problem is not None:
        retry_after = getattr(exc, "retry_after_s", None)  # RateLimited: seconds to the window's end
        return webhook_problem, ({"Retry-After": str(retry_after)} if retry_after is not None else {})
    if isinstance(exc, CursorError):
        return Problem(title="Bad cursor", status=400, detail=exc.detail, code=exc.code), {}
    if isinstance(exc, RequestUnsupportedContentType):
        return Problem(
            title="Unsupported content type",
            status=400,
            detail="Send the body as 'Content-Type: application/json'.",
            code="unsupported_content_type",
        ), {}
    if isinstance(exc, UnicodeDecodeError):  # a base64 body that is not UTF-8
        return Problem(
            title="Invalid body", status=400, detail="The body is not UTF-8 text.", code="invalid_body"
        ), {}
    if isinstance(exc, RequestValidationError) and any(
        (e.get("loc") or ("",))[0] == "body" for e in exc.errors()
    ):
        return _body_problem([e for e in exc.errors() if (e.get("loc") or ("",))[0] == "body"]), {}
    if isinstance(exc, RequestValidationError):
        errors = _parameter_errors(list(exc.errors()))
        names = {e.parameter for e in errors}
        if "limit" in names:
            code, detail = "limit_out_of_range", "limit must be an integer within the documented range."
        else:
            code = "invalid_parameter"
            detail = "; ".join(f"{e.parameter}: {e.message}" for e in errors) or "Invalid request."
        return Problem(title="Invalid parameter", status=400, detail=detail, code=code, errors=errors), {}
    if isinstance(exc, NotFoundError):
        return Problem(
            title="Not found", status=404, detail="Nothing lives at this address.", code="not_found"
        ), {}
    return (
        Problem(
            title="Internal error",
            status=500,
            detail="Something failed on our side; try again later.",
            code="internal_error",
        ),
        {},
    )


def problem_body(problem: Problem, request_id: str | None) -> str:
    data = problem.model_copy(update={"request_id": request_id}).model_dump(mode="json", exclude_none=True)
    return json.dumps(data, separators=(",", ":"))
