"""The daily digest's announcement through the real stores and queue (``webhooks.wiring``): what the
digest function runs after each build. The event itself: ``webhooks/digest_events.py``."""

from __future__ import annotations

from signals.models.day_digest import Digest
from signals.webhooks.digest_events import announce


def announce_digest(digest: Digest) -> int:
    """Queue the day's delivery to each opted-in subscriber through the real stores and queue (the
    digest function after each run, a retry too: same ids, each sent once); how many were queued."""
    from signals.telemetry import logger
    from signals.webhooks.wiring import delivery_context

    ctx = delivery_context()
    settings = ctx.settings
    queued = announce(
        digest,
        ctx.subscriptions,
        ctx.queue,
        shards=settings.fanout_shards,
        page_size=settings.fanout_page_size,
    )
    logger.info("digest announced", extra={"date": digest.date, "subscribers": queued})
    return queued
