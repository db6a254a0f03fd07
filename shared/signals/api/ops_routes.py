"""Operations routes: ``/v1/health``, ``/v1/stats``, ``/v1/sources`` and the ``/ops`` page.

Thin: each route calls one function of ``signals.ops`` and shapes the answer. Health is never
cached (``no-store``); the figures may be cached briefly (they change once per write).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from signals.api.problems import PROBLEM_RESPONSES
from signals.config import get_settings
from signals.ops.health import HealthReport
from signals.ops.pipeline_stats import StatsReport
from signals.ops.source_health import SourceHealthList

router = Router()

_settings = get_settings()
Days = Annotated[
    int,
    Query(
        ge=1,
        le=_settings.stats_days_max,
        description=f"days to report, ending today UTC (default {_settings.stats_days_default})",
    ),
]
NO_STORE = {"Cache-Control": "no-store"}
_HEALTH_RESPONSES = {
    503: {
        "description": "A dependency is unreachable; the body names it.",
        "content": {"application/json": {"model": HealthReport}},
    },
    **PROBLEM_RESPONSES,
}


@router.get(
    "/v1/health",
    summary="Liveness and reachability of table, bucket and queues",
    tags=["ops"],
    responses=_HEALTH_RESPONSES,
)
def health() -> Response[HealthReport]:
    from signals.ops.health import check_health

    report = check_health()
    return Response(200 if report.status == "ok" else 503, "application/json", report, headers=NO_STORE)


@router.get(
    "/v1/stats",
    summary="Items per category per day, scores, lag, deliveries",
    tags=["ops"],
    responses=PROBLEM_RESPONSES,
)
def stats(days: Days = _settings.stats_days_default) -> Response[StatsReport]:
    from signals.ops.pipeline_stats import read_report

    return Response(200, "application/json", read_report(days))


@router.get(
    "/v1/sources",
    summary="Each source's fetch health and items per day",
    tags=["ops"],
    responses=PROBLEM_RESPONSES,
)
def sources() -> Response[SourceHealthList]:
    from signals.ops.source_health import read_sources

    return Response(200, "application/json", read_sources())


@router.get(
    "/ops",
    summary="Operations page: the figures drawn as charts (server-rendered SVG)",
    tags=["ops"],
    responses={
        **PROBLEM_RESPONSES,  # first: its plain 200 must not replace the typed one below
        200: {"description": "OK", "content": {"text/html": {"schema": {"type": "string"}}}},
    },
)
def ops_page(days: Days = _settings.stats_days_default):
    from signals.ops.health import check_health
    from signals.ops.pipeline_stats import read_report
    from signals.ops.source_health import read_sources
    from signals.rendering.ops_page import ops_page as render

    html = render(read_report(days), check_health(), read_sources())
    return Response(200, "text/html; charset=utf-8", html, headers=NO_STORE)
