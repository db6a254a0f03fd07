"""The demo's first-cycle progress: the pages' "still ingesting" line and the terminal's line."""

from __future__ import annotations

import io
import multiprocessing

import pytest
from signals.local.progress import IngestWatch, ProgressReporter, SharedProgress
from signals.rendering import pages, site_notice


@pytest.fixture
def shared() -> SharedProgress:
    return SharedProgress(multiprocessing.get_context("spawn"))


@pytest.fixture(autouse=True)
def _no_notice():
    yield
    site_notice.set_source(None)


def test_pages_say_still_ingesting_until_the_first_cycle_is_done(shared: SharedProgress) -> None:
    # Given the demo's first cycle under way, 12 of 32 feeds fetched and 800 of 1,400 items scored
    shared.set(feeds_done=12, feeds_total=32, items_scored=800, items_queued=1400, ingesting=1)
    site_notice.set_source(shared.notice)
    # Then every page says so, above its content
    for html in (pages.not_found_page(), pages.error_page("Bad request", "nope")):
        assert "Still ingesting: 12 of 32 feeds fetched, 800 of 1,400 items scored so far." in html
        assert 'class="site-notice" role="status"' in html
    # And once the cycle is done the line goes
    shared.set(ingesting=0)
    assert "Still ingesting" not in pages.not_found_page()


def test_pages_show_no_line_when_nothing_sets_one() -> None:
    # deployed: no source, no line, and a failing source never breaks a page
    assert "site-notice" not in pages.not_found_page()
    site_notice.set_source(lambda: 1 / 0)  # type: ignore[arg-type,return-value]
    assert "site-notice" not in pages.not_found_page()


def test_the_terminal_line_counts_feeds_and_items_and_publishes_them(shared: SharedProgress) -> None:
    # Given an ingest that stored 3 sources' states and queued 25 items (one batch elsewhere)
    watch = IngestWatch("https://sqs.example/score")
    for n in range(3):
        watch._put_item({"Item": {"pk": {"S": f"SOURCE#feed{n}"}}})
    watch._put_item({"Item": {"pk": {"S": "SIGNAL#x"}}})  # not a source state
    watch._send_batch({"QueueUrl": "https://sqs.example/score", "Entries": [{}] * 10})
    watch._send_batch({"QueueUrl": "https://sqs.example/score", "Entries": [{}] * 15})
    watch._send_batch({"QueueUrl": "https://sqs.example/delivery", "Entries": [{}] * 10})
    out = io.StringIO()
    reporter = ProgressReporter(watch, lambda: 7, feeds_total=32, shared=shared, out=out)
    # When the reporter publishes and the cycle finishes
    assert reporter.line() == "first ingest: feeds fetched 3 of 32, items scored 7 of 25 queued"
    reporter.publish(ingesting=True)
    assert shared.notice().startswith("Still ingesting: 3 of 32 feeds fetched, 7 of 25 items scored")
    reporter.finish()
    # Then the terminal has the last line and the pages no longer say "still ingesting"
    assert out.getvalue().strip().endswith("items scored 7 of 25 queued (done)")
    assert shared.notice() == ""
