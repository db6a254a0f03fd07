"""The local stack the e2e tests share: `signals demo`'s stack on two small bundled feeds."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

SMALL_CORPUS = ["anthropic-news-recent", "aisi-blog"]  # two small feeds: one cycle takes seconds


@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    """The local stack with its API on a free loopback port, after one cycle (environment restored after)."""
    from signals.config import reset_settings
    from signals.local.runner import LocalStack
    from signals.storage.aws import reset_clients

    saved = dict(os.environ)
    # AWS's cache period, not the demo's 5 s: a conditional GET must not straddle a period
    os.environ["SIGNALS_CACHE_MAX_AGE_S"] = "60"
    local = LocalStack(port=0, only=SMALL_CORPUS)
    try:
        local.start(serve_api=True)
        local.run_cycle()
        yield local
    finally:
        local.stop()
        os.environ.clear()
        os.environ.update(saved)
        reset_settings()
        reset_clients()
