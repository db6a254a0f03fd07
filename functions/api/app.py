"""API function: API Gateway HTTP API (v2) events -> the Signals HTTP API (``signals.api.app``)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from signals.api.app import handle
from signals.api.cursor_key import require_cursor_key
from signals.telemetry import logger, metrics

require_cursor_key()  # a missing or weak cursor key fails the init, saying how to fix it


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, context)
