"""Logging and metrics: one Powertools Logger and one Metrics (EMF, one namespace) per process.

Handlers decorate with ``logger.inject_lambda_context`` and ``metrics.log_metrics``; domain code
calls ``metrics.add_metric`` / ``logger.info`` with correlation ids in ``extra``.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
metrics = Metrics()

__all__ = ["MetricUnit", "logger", "metrics"]
