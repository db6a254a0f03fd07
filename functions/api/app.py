"""API function: API Gateway HTTP API (v2) events -> the Signals HTTP API (``signals.api.app``)."""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from signals.api.app import handle
from signals.api.cursor_key import require_cursor_key
from signals.telemetry import logger, metrics
from signals.tracing import tracer

#: A subscription's own routes (``/v1/subscriptions/<id>...``): its id annotates the trace.
_SUBSCRIPTION_PATH = re.compile(r"/v1/subscriptions/([A-Za-z0-9_-]{1,100})(?:/|$)")

require_cursor_key()  # a missing or weak cursor key fails the init, saying how to fix it


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response = handle(event, context)
    http = event.get("requestContext", {}).get("http", {})
    subscription = _SUBSCRIPTION_PATH.match(str(event.get("rawPath", "")))
    tracer.annotate(
        method=str(http.get("method", ""))[:10],
        status=response.get("statusCode"),
        subscription_id=subscription.group(1) if subscription else None,
    )
    return response
