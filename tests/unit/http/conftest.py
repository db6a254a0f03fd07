"""Fixtures for the HTTP client tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback_server import LoopbackServer


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()
    yield srv
    srv.close()
