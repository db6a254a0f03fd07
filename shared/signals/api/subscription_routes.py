"""Subscription routes (``/v1/subscriptions``): API-key auth, then one call into the webhooks service.

The rules (ownership, the per-key cap, URL checks, optimistic locking, enable/test/retry) live in
``signals.webhooks.subscription_service``; its errors become problems in ``api.problems``. Every route
authenticates ``Authorization: Bearer <key>`` against the stored SHA-256 hash (401 otherwise); a
subscription owned by another key answers 404, exactly like a missing one. The signing secret
appears only in the create and rotate-secret responses. These routes never send
``Access-Control-Allow-Origin`` (``cors=False``): they are not for browsers on other origins.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import BaseModel

from signals.api import cursor as cursors
from signals.api.problems import PROBLEM_JSON, ApiError, Problem
from signals.base_model import SignalsModel
from signals.config import get_settings
from signals.storage import apikey_records, key_schema
from signals.webhooks import wiring
from signals.webhooks.deliveries import DeliveryList
from signals.webhooks.subscription_service import SubscriptionService
from signals.webhooks.subscriptions import (
    SubscriptionCreate,
    SubscriptionList,
    SubscriptionPatch,
    SubscriptionView,
    SubscriptionWithSecret,
)

router = Router()

#: Seam for tests: the resolver the subscription-time SSRF check uses (None: the OS resolver).
resolver: Any = None

_JSON = "application/json"


class DeliveryQueued(SignalsModel):
    """A delivery put on the queue (test event, manual retry)."""

    delivery_id: str
    webhook_id: str
    status: str = "queued"


def _json(status: int, model: BaseModel, headers: dict[str, str] | None = None) -> Response:
    # private, per-key data: never cached by shared caches
    return Response(status, _JSON, model, headers={"Cache-Control": "no-store", **(headers or {})})


def _unauthorized() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "Unauthorized",
        "Send a valid Signals API key as 'Authorization: Bearer <key>'.",
        headers={"WWW-Authenticate": 'Bearer realm="signals"'},
    )


def authenticate() -> apikey_records.ApiKey:
    """The caller's API key from ``Authorization: Bearer <key>``; 401 otherwise."""
    header = router.current_event.get_header_value("authorization", "", case_sensitive=False) or ""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized()
    key = apikey_records.authenticate(token.strip())
    if key is None:
        raise _unauthorized()
    return key


def admit() -> apikey_records.ApiKey:
    """Admission for every subscription route, in order: 401 for the caller, then 400 for a body
    that is not JSON. The app's error handler calls it too when parsing failed before the route ran,
    so an unauthenticated caller always gets 401, never a validation answer."""
    key = authenticate()
    route = router.context.get("_route")
    content_type = (
        router.current_event.get_header_value("content-type", "", case_sensitive=False) or ""
    ).strip()
    takes_body = bool(getattr(getattr(route, "dependant", None), "body_params", None))
    if takes_body and content_type and not content_type.lower().startswith("application/json"):
        raise ApiError(
            400,
            "unsupported_content_type",
            "Unsupported content type",
            "Send the body as 'Content-Type: application/json'.",
        )
    router.append_context(api_key=key)
    return key


def _caller() -> apikey_records.ApiKey:
    return router.context.get("api_key") or admit()


def _service() -> SubscriptionService:
    return wiring.subscription_service(resolver=resolver)


_settings = get_settings()
Limit = Annotated[int | None, Query(ge=1, le=_settings.page_limit_max, description="items per page")]
Cursor = Annotated[
    str | None, Query(min_length=1, max_length=_settings.cursor_max_chars, description="opaque page cursor")
]
EXAMPLE_SUBSCRIPTION_ID = "sub_5f2c8e0b9a7d4c3e1f6a2b8d"
SubscriptionId = Annotated[str, Path(min_length=1, max_length=100, examples=[EXAMPLE_SUBSCRIPTION_ID])]
DeliveryId = Annotated[str, Path(min_length=1, max_length=64)]
CreateBody = Annotated[
    SubscriptionCreate,
    Body(description=f"the subscription to create (JSON, at most {_settings.api_body_max_bytes} bytes)"),
]
PatchBody = Annotated[
    SubscriptionPatch,
    Body(description="the properties to change; read-only properties are rejected with 400"),
]

SECURITY_SCHEME = "bearerAuth"
#: The OpenAPI security schemes these routes use (the app passes them to the document).
#: A plain mapping, validated into Powertools' ``HTTPBearer`` when the document is generated:
#: importing its OpenAPI models here would cost every cold start ~40 ms for a page rarely read.
SECURITY_SCHEMES: dict[str, Any] = {
    SECURITY_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "Signals API key",
        "description": "`Authorization: Bearer <key>`; create a key with `signals keys create --name NAME`.",
    }
}
_PROBLEM = {PROBLEM_JSON: {"model": Problem}}
_ERRORS: dict[int, dict[str, Any]] = {
    400: {
        "description": "Bad request: invalid JSON or body, unsupported content type, body too large, "
        "read-only or unknown property, bad parameter or cursor, or a webhook URL that is not allowed.",
        "content": _PROBLEM,
    },
    401: {"description": "Missing or unknown API key.", "content": _PROBLEM},
    404: {"description": "No such subscription (or delivery) for this key.", "content": _PROBLEM},
    409: {
        "description": "Conflict: changed since read, subscription disabled, or a limit reached.",
        "content": _PROBLEM,
    },
    429: {
        "description": "Too many sends by hand: wait the seconds `Retry-After` says.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"}},
        "content": _PROBLEM,
    },
}


def _documented(success: int, description: str, *errors: int) -> dict[str, Any]:
    """The route options every subscription route shares: no CORS, bearer auth, its responses."""
    ok: dict[str, Any] = {"description": description}
    if success == 204:
        ok["content"] = {}
    return {
        "cors": False,
        "security": [{SECURITY_SCHEME: []}],
        "tags": ["subscriptions"],
        "responses": {success: ok, **{code: _ERRORS[code] for code in (400, 401, *errors)}},
    }


def _limit(limit: int | None) -> int:
    return limit or get_settings().page_limit_default


#: The attributes of a page key the stores hand back (DynamoDB: all four, typed; the twins: gsi1sk).
_PAGE_KEY_NAMES = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})


def _page_key_fits(key: Any, partition: str) -> bool:
    """Whether a cursor's page key has a shape the stores issue, in the partition being read."""
    if not isinstance(key, dict) or not key or not set(key) <= _PAGE_KEY_NAMES:
        return False
    typed = [isinstance(v, dict) for v in key.values()]
    if any(typed) and (not all(typed) or set(key) != _PAGE_KEY_NAMES):
        return False  # DynamoDB's own key: every attribute of the table and the index, typed
    values = [v.get("S") if isinstance(v, dict) and set(v) == {"S"} else v for v in key.values()]
    if any(typed):
        return all(isinstance(v, str) and v for v in values) and key["gsi1pk"]["S"] == partition
    return set(key) == {"gsi1sk"} and isinstance(key["gsi1sk"], str)


def _start_key(fingerprint: str, text: str | None, partition: str) -> dict[str, Any] | None:
    """Where a page starts: the cursor's key, checked (signed is not enough: its shape is too)."""
    if not text:
        return None
    try:
        key = cursors.decode(text, fingerprint).get("k")
    except cursors.CursorError as exc:
        raise ApiError(400, exc.code, "Bad cursor", exc.detail) from exc
    if not _page_key_fits(key, partition):
        raise ApiError(
            400, "invalid_cursor", "Bad cursor", "The cursor is malformed; start again without a cursor."
        )
    return key


def _next_cursor(fingerprint: str, last_key: dict[str, Any] | None) -> str | None:
    return cursors.encode(fingerprint, {"k": last_key}) if last_key else None


# --------------------------------------------------------------------------- routes


@router.post(
    "/v1/subscriptions",
    summary="Create a subscription (the signing secret is shown this once)",
    **_documented(201, "Created; `secret` is shown only now.", 409),
)
def create_subscription(request: CreateBody) -> Response[SubscriptionWithSecret]:
    subscription = _service().create(_caller().key_id, request)
    return _json(201, subscription.with_secret(), {"Location": f"/v1/subscriptions/{subscription.id}"})


@router.get("/v1/subscriptions", summary="Your subscriptions", **_documented(200, "A page of subscriptions."))
def list_subscriptions(limit: Limit = None, cursor: Cursor = None) -> Response[SubscriptionList]:
    key = _caller()
    fingerprint = f"subscriptions:{key.key_id}"
    start = _start_key(fingerprint, cursor, key_schema.owner_pk(key.key_id))
    items, last = _service().list(key.key_id, limit=_limit(limit), start_key=start)
    return _json(
        200, SubscriptionList(items=[s.view() for s in items], next_cursor=_next_cursor(fingerprint, last))
    )


@router.get(
    "/v1/subscriptions/<subscription_id>",
    summary="One subscription",
    **_documented(200, "The subscription.", 404),
)
def get_subscription(subscription_id: SubscriptionId) -> Response[SubscriptionView]:
    return _json(200, _service().owned(_caller().key_id, subscription_id).view())


@router.patch(
    "/v1/subscriptions/<subscription_id>",
    summary="Change a subscription (optimistic lock: expected_version)",
    **_documented(200, "The changed subscription.", 404, 409),
)
def patch_subscription(subscription_id: SubscriptionId, patch: PatchBody) -> Response[SubscriptionView]:
    return _json(200, _service().patch(_caller().key_id, subscription_id, patch).view())


@router.delete(
    "/v1/subscriptions/<subscription_id>",
    summary="Delete a subscription",
    **_documented(204, "Deleted.", 404),
)
def delete_subscription(subscription_id: SubscriptionId):  # 204, no body
    _service().delete(_caller().key_id, subscription_id)
    return Response(status_code=204, body="")


@router.post(
    "/v1/subscriptions/<subscription_id>/rotate-secret",
    summary="New signing secret; the old one keeps signing for the overlap",
    **_documented(200, "The subscription with its new secret (shown this once).", 404, 409),
)
def rotate_secret(subscription_id: SubscriptionId) -> Response[SubscriptionWithSecret]:
    return _json(200, _service().rotate_secret(_caller().key_id, subscription_id).with_secret())


@router.post(
    "/v1/subscriptions/<subscription_id>/enable",
    summary="Re-enable a disabled subscription",
    **_documented(200, "The active subscription.", 404, 409),
)
def enable_subscription(subscription_id: SubscriptionId) -> Response[SubscriptionView]:
    """Re-enable a disabled subscription (the only way back after an auto-disable)."""
    return _json(200, _service().enable(_caller().key_id, subscription_id).view())


@router.post(
    "/v1/subscriptions/<subscription_id>/test",
    summary="Send a test event",
    **_documented(202, "Queued.", 404, 409, 429),
)
def send_test_event(subscription_id: SubscriptionId) -> Response[DeliveryQueued]:
    task = _service().send_test_event(_caller().key_id, subscription_id)
    return _json(202, DeliveryQueued(delivery_id=task.delivery_id, webhook_id=task.webhook_id))


@router.get(
    "/v1/subscriptions/<subscription_id>/deliveries",
    summary="Deliveries with their attempts",
    **_documented(200, "A page of deliveries.", 404),
)
def list_subscription_deliveries(
    subscription_id: SubscriptionId, limit: Limit = None, cursor: Cursor = None
) -> Response[DeliveryList]:
    service = _service()
    current = service.owned(_caller().key_id, subscription_id)  # 404 before the cursor is read
    fingerprint = f"deliveries:{current.id}"
    start = _start_key(fingerprint, cursor, key_schema.deliveries_pk(current.id))
    items, last = service.deliveries_of(current, limit=_limit(limit), start_key=start)
    return _json(200, DeliveryList(items=items, next_cursor=_next_cursor(fingerprint, last)))


@router.post(
    "/v1/subscriptions/<subscription_id>/deliveries/<delivery_id>/retry",
    summary="Redeliver by hand (same webhook-id)",
    **_documented(202, "Queued.", 404, 409, 429),
)
def retry_delivery(subscription_id: SubscriptionId, delivery_id: DeliveryId) -> Response[DeliveryQueued]:
    reopened = _service().retry_delivery(_caller().key_id, subscription_id, delivery_id)
    return _json(202, DeliveryQueued(delivery_id=delivery_id, webhook_id=reopened.webhook_id))
