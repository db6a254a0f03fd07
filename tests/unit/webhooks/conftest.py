"""Fixtures of the webhooks unit tests: ``world``, the in-memory webhooks world."""

from __future__ import annotations

from webhook_world import world

__all__ = ["world"]
