"""Ingest handler: load the sources, run one ingest, emit metrics, return the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from signals.config import get_settings
from signals.feeds.ingest import run_ingest
from signals.feeds.sources import load_sources
from signals.ops.pipeline_stats import record_ingest
from signals.telemetry import MetricUnit, logger, metrics

_BUNDLED_SOURCES = Path(__file__).parent / "sources.yaml"


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    configured = get_settings().sources_file  # the local runtime points this at its corpus
    path = Path(configured) if configured else _BUNDLED_SOURCES
    report = run_ingest(load_sources(path), remaining_ms=context.get_remaining_time_in_millis)
    for name, value, unit in (
        ("SourcesFetched", report.fetched, MetricUnit.Count),
        ("SourcesNotModified", report.not_modified, MetricUnit.Count),
        ("SourcesFailed", report.failed, MetricUnit.Count),
        ("SourcesNotReached", report.not_reached, MetricUnit.Count),
        ("ItemsNew", report.items_new, MetricUnit.Count),
        ("ItemsUpdated", report.items_updated, MetricUnit.Count),
        ("BytesFetched", report.bytes, MetricUnit.Bytes),
    ):
        metrics.add_metric(name=name, unit=unit, value=value)
    record_ingest(
        fetched=report.fetched,
        not_modified=report.not_modified,
        failed=report.failed,
        new_items=report.items_new,
        bytes_=report.bytes,
    )
    logger.info("ingest run finished", extra={"report": report.model_dump(exclude={"errors"})})
    return report.model_dump()
