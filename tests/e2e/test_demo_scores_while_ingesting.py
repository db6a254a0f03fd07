"""The demo scores a feed's items while the ingest run is still going (issue 14), as the managed
SQS event source would: the scorer does not wait for every feed to be ingested."""

from __future__ import annotations

import os
import time
from unittest import mock

SCORED_WITHIN_S = 120  # a bound for the wait, not a performance figure: the old demo never scored here


def test_items_are_scored_before_the_ingest_run_returns() -> None:
    import signals.feeds.ingest as ingest
    from signals.config import reset_settings
    from signals.local.runner import LocalStack
    from signals.storage.aws import reset_clients

    saved = dict(os.environ)
    stack = LocalStack(port=0, only=["aisi-blog"])
    real_run = ingest.run_ingest
    seen_while_ingesting: list[int] = []

    def run_ingest_then_wait_for_signals(*args, **kwargs):
        # the run has archived and queued its feed; it does not return until scoring shows up
        report = real_run(*args, **kwargs)
        deadline = time.monotonic() + SCORED_WITHIN_S
        while time.monotonic() < deadline and not (count := stack.count_signals()):
            time.sleep(0.5)
        seen_while_ingesting.append(count)
        return report

    try:
        stack.start(serve_api=False)
        with mock.patch.object(ingest, "run_ingest", run_ingest_then_wait_for_signals):
            summary = stack.run_cycle()
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved)
        reset_settings()
        reset_clients()
    # Then signals were stored while the ingest run was still in progress, and the cycle completed
    assert seen_while_ingesting and seen_while_ingesting[0] > 0
    assert summary.errors == 0 and summary.scored_messages == summary.items_ingested > 50
