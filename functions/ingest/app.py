"""Ingest handler: the scheduled run over the configured sources; returns its report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from signals.config import get_settings
from signals.feeds.ingest import scheduled_run
from signals.feeds.sources import load_sources
from signals.telemetry import logger, metrics
from signals.tracing import tracer

_BUNDLED_SOURCES = Path(__file__).parent / "sources.json"  # make sources: sources.yaml as JSON


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    configured = get_settings().sources_file  # the local runtime points this at its corpus
    sources = load_sources(Path(configured) if configured else _BUNDLED_SOURCES)
    report = scheduled_run(sources, remaining_ms=context.get_remaining_time_in_millis)
    tracer.annotate(
        sources=report.sources, fetched=report.fetched, failed=report.failed, items_new=report.items_new
    )
    return report.model_dump()
