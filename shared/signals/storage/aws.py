"""boto3 clients, created lazily once per container (clients, not resources: cold start)."""

from __future__ import annotations

from functools import cache
from typing import Any

from signals.config import get_settings


@cache
def _session() -> Any:
    """One boto3 session per process: it loads each service's model once, whoever asks for a client."""
    import boto3  # imported on first use: handlers that never touch AWS do not pay for it

    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    """The shared boto3 client for ``service`` (honours AWS_ENDPOINT_URL for moto/local)."""
    from botocore.config import Config

    settings = get_settings()
    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=5,
        read_timeout=10,
        max_pool_connections=20,
    )
    return _session().client(
        service, region_name=settings.aws_region, endpoint_url=settings.aws_endpoint_url, config=config
    )


def reset_clients() -> None:
    """Forget cached clients (tests start moto first, then let code create clients).

    The session stays: a new client of it costs milliseconds, where a new session reloads models.
    """
    client.cache_clear()
