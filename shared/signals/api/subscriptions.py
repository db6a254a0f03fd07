"""Subscription routes (``/v1/subscriptions``): API-key auth, owner isolation, optimistic locking.

Every route authenticates ``Authorization: Bearer <key>`` against the stored SHA-256 hash (401
otherwise); a subscription owned by another key answers 404, exactly like a missing one. The
signing secret appears only in the create and rotate-secret responses. These routes never send
``Access-Control-Allow-Origin`` (``cors=False``): they are not for browsers on other origins.
"""

from __future__ import annotations

import contextlib
import functools
import json
import secrets as _random
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ValidationError

from signals.api import cursor
from signals.api.problems import PROBLEM_JSON, ApiError, problem_body, problem_for
from signals.config import get_settings
from signals.models import utcnow
from signals.storage import apikeys, deliveries, subscriptions
from signals.webhooks import dispatch
from signals.webhooks.endpoints import InvalidEndpoint, validate_endpoint_url
from signals.webhooks.signing import generate_secret
from signals.webhooks.subscriptions import (
    Subscription,
    SubscriptionCreate,
    SubscriptionList,
    SubscriptionPatch,
    new_subscription,
    rotated,
)

router = Router()

#: Seam for tests: the resolver the subscription-time SSRF check uses (None: the OS resolver).
resolver: Any = None

_JSON = "application/json"


def _json(status: int, model: BaseModel | dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    body = model.model_dump_json(exclude_none=True) if isinstance(model, BaseModel) else json.dumps(model)
    return Response(status_code=status, content_type=_JSON, body=body, headers=headers or {})


def _problem_response(exc: Exception) -> Response:
    problem, headers = problem_for(exc)
    request_id = None
    with contextlib.suppress(Exception):  # a missing request context only loses the id
        request_id = router.current_event.request_context.request_id
    return Response(
        status_code=problem.status,
        content_type=PROBLEM_JSON,
        body=problem_body(problem, request_id),
        headers=headers,
    )


def _answers_problems(route: Callable[..., Response]) -> Callable[..., Response]:
    """Turn ``ApiError`` into problem details here, whatever the app's handlers are."""

    @functools.wraps(route)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return route(*args, **kwargs)
        except ApiError as exc:
            return _problem_response(exc)

    return wrapper


def _unauthorized() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "Unauthorized",
        "Send a valid Signals API key as 'Authorization: Bearer <key>'.",
        headers={"WWW-Authenticate": 'Bearer realm="signals"'},
    )


def _caller() -> apikeys.ApiKey:
    header = router.current_event.get_header_value("authorization", "", case_sensitive=False) or ""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized()
    key = apikeys.authenticate(token.strip())
    if key is None:
        raise _unauthorized()
    return key


def _not_found() -> ApiError:
    return ApiError(404, "subscription_not_found", "Not found", "No subscription with this id for your key.")


def _owned(subscription_id: str, key: apikeys.ApiKey) -> Subscription:
    found = subscriptions.get_owned(subscription_id, key.key_id)
    if found is None:
        raise _not_found()
    return found


def _body(model: type[BaseModel]) -> Any:
    raw = router.current_event.decoded_body
    if not raw:
        raise ApiError(400, "invalid_body", "Invalid body", "A JSON object body is required.")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid_json", "Invalid JSON", f"The body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_body", "Invalid body", "The body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        code = "read_only_property" if "read-only" in str(first.get("msg")) else "invalid_body"
        if first.get("type") == "extra_forbidden":
            code = "unknown_property"
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise ApiError(400, code, "Invalid body", f"{where}: {first.get('msg')}") from exc


def _check_url(url: str) -> str:
    settings = get_settings()
    try:
        return validate_endpoint_url(
            url,
            local_mode=settings.local_mode,
            allowed_ports=settings.webhook_allowed_ports,
            resolver=resolver,
        )
    except InvalidEndpoint as exc:
        raise ApiError(400, exc.code, "Webhook URL not allowed", str(exc)) from exc


def _limit() -> int:
    settings = get_settings()
    text = router.current_event.get_query_string_value("limit", None)
    if text is None:
        return settings.page_limit_default
    if not text.isdigit() or not 1 <= int(text) <= settings.page_limit_max:
        raise ApiError(
            400, "limit_out_of_range", "Invalid parameter", f"limit must be 1..{settings.page_limit_max}."
        )
    return int(text)


def _start_key(fingerprint: str) -> dict[str, Any] | None:
    text = router.current_event.get_query_string_value("cursor", None)
    if not text:
        return None
    try:
        return cursor.decode(text, fingerprint).get("k")
    except cursor.CursorError as exc:
        raise ApiError(400, exc.code, "Bad cursor", exc.detail) from exc


def _next_cursor(fingerprint: str, last_key: dict[str, Any] | None) -> str | None:
    return cursor.encode(fingerprint, {"k": last_key}) if last_key else None


# --------------------------------------------------------------------------- routes


@router.post("/v1/subscriptions", cors=False)
@_answers_problems
def create_subscription() -> Response:
    key = _caller()
    request: SubscriptionCreate = _body(SubscriptionCreate)
    _check_url(request.url)
    if subscriptions.count_owned(key.key_id) >= get_settings().subscriptions_per_key_max:
        raise ApiError(409, "too_many_subscriptions", "Limit reached", "Delete a subscription first.")
    subscription = new_subscription(key.key_id, request, generate_secret())
    subscriptions.create(subscription)
    return _json(201, subscription.with_secret(), {"Location": f"/v1/subscriptions/{subscription.id}"})


@router.get("/v1/subscriptions", cors=False)
@_answers_problems
def list_subscriptions() -> Response:
    key = _caller()
    fingerprint = f"subscriptions:{key.key_id}"
    items, last = subscriptions.list_owned(key.key_id, limit=_limit(), start_key=_start_key(fingerprint))
    return _json(
        200, SubscriptionList(items=[s.view() for s in items], next_cursor=_next_cursor(fingerprint, last))
    )


@router.get("/v1/subscriptions/<subscription_id>", cors=False)
@_answers_problems
def get_subscription(subscription_id: str) -> Response:
    subscription = _owned(subscription_id, _caller())
    return _json(200, subscription.view(), {"ETag": f'"{subscription.version}"'})


def _expected_version(patch: SubscriptionPatch, current: Subscription) -> int:
    header = router.current_event.get_header_value("if-match", None, case_sensitive=False)
    if header:
        text = header.strip().removeprefix("W/").strip('"')
        if not text.isdigit():
            raise ApiError(400, "invalid_if_match", "Invalid If-Match", "If-Match must be the ETag you read.")
        return int(text)
    return patch.expected_version or current.version


def _write(before: Subscription, after: Subscription, expected: int) -> Subscription:
    if expected != before.version:
        raise _conflict()
    try:
        return subscriptions.replace(before, after)
    except subscriptions.VersionConflict as exc:
        raise _conflict() from exc


def _conflict() -> ApiError:
    return ApiError(
        409,
        "version_conflict",
        "Conflict",
        "The subscription changed since you read it; read it again and retry.",
    )


@router.patch("/v1/subscriptions/<subscription_id>", cors=False)
@_answers_problems
def patch_subscription(subscription_id: str) -> Response:
    key = _caller()
    current = _owned(subscription_id, key)
    patch: SubscriptionPatch = _body(SubscriptionPatch)
    changes = patch.model_dump(exclude_unset=True, exclude={"expected_version"})
    if "url" in changes:
        _check_url(changes["url"])
    if "filters" in changes:
        changes["filters"] = patch.filters
    after = current.model_copy(update={**changes, "updated_at": utcnow()})
    stored = _write(current, after, _expected_version(patch, current))
    return _json(200, stored.view(), {"ETag": f'"{stored.version}"'})


@router.delete("/v1/subscriptions/<subscription_id>", cors=False)
@_answers_problems
def delete_subscription(subscription_id: str) -> Response:
    current = _owned(subscription_id, _caller())
    try:
        subscriptions.delete(current)
    except subscriptions.VersionConflict as exc:
        raise _not_found() from exc
    return Response(status_code=204, body="")


@router.post("/v1/subscriptions/<subscription_id>/rotate-secret", cors=False)
@_answers_problems
def rotate_secret(subscription_id: str) -> Response:
    current = _owned(subscription_id, _caller())
    after = rotated(current, generate_secret(), get_settings().secret_rotation_overlap_s, utcnow())
    stored = _write(current, after, current.version)
    return _json(200, stored.with_secret())


@router.post("/v1/subscriptions/<subscription_id>/enable", cors=False)
@_answers_problems
def enable_subscription(subscription_id: str) -> Response:
    """Re-enable a disabled subscription (the only way back after an auto-disable)."""
    current = _owned(subscription_id, _caller())
    if current.status == "active":
        return _json(200, current.view())
    _check_url(current.url)
    after = current.model_copy(
        update={"status": "active", "disabled_reason": None, "disabled_at": None, "updated_at": utcnow()}
    )
    stored = _write(current, after, current.version)
    subscriptions.reset_health(stored.id)
    return _json(200, (subscriptions.get(stored.id) or stored).view())


@router.post("/v1/subscriptions/<subscription_id>/test", cors=False)
@_answers_problems
def send_test_event(subscription_id: str) -> Response:
    current = _owned(subscription_id, _caller())
    if current.status != "active":
        raise ApiError(409, "subscription_disabled", "Subscription disabled", current.disabled_reason or "")
    task = dispatch.test_task(current.id, utcnow(), "test_" + _random.token_hex(12))
    dispatch.enqueue(task)
    return _json(202, {"delivery_id": task.delivery_id, "webhook_id": task.webhook_id, "status": "queued"})


@router.get("/v1/subscriptions/<subscription_id>/deliveries", cors=False)
@_answers_problems
def list_subscription_deliveries(subscription_id: str) -> Response:
    current = _owned(subscription_id, _caller())
    fingerprint = f"deliveries:{current.id}"
    items, last = deliveries.list_deliveries(current.id, limit=_limit(), start_key=_start_key(fingerprint))
    body = {
        "items": [d.model_dump(mode="json", exclude_none=True) for d in items],
        "next_cursor": _next_cursor(fingerprint, last),
    }
    return _json(200, body)


@router.post("/v1/subscriptions/<subscription_id>/deliveries/<delivery_id>/retry", cors=False)
@_answers_problems
def retry_delivery(subscription_id: str, delivery_id: str) -> Response:
    current = _owned(subscription_id, _caller())
    if current.status != "active":
        raise ApiError(
            409, "subscription_disabled", "Subscription disabled", "Enable the subscription first."
        )
    found = deliveries.get_delivery(current.id, delivery_id) if len(delivery_id) <= 64 else None
    if found is None:
        raise ApiError(
            404, "delivery_not_found", "Not found", "No delivery with this id for the subscription."
        )
    if found.attempt_count >= get_settings().delivery_max_attempts_logged:
        raise ApiError(
            409, "too_many_attempts", "Too many attempts", "This delivery cannot be retried again."
        )
    try:
        reopened = deliveries.reopen(current.id, delivery_id, utcnow())
    except deliveries.DeliveryBusy as exc:
        raise ApiError(
            409, "delivery_pending", "Delivery pending", "The delivery is still being attempted."
        ) from exc
    dispatch.enqueue(dispatch.manual_retry_task(reopened))
    return _json(202, {"delivery_id": delivery_id, "webhook_id": reopened.webhook_id, "status": "queued"})
