"""The ingest run's rules on in-memory ports (a loopback feed server, no moto): what is fetched,
enqueued, stored and reported. The AWS calls a run makes are counted in tests/integration/test_ingest.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from feed_server import FeedServer, rss
from signals.config import reset_settings
from signals.feeds.ingest import IngestPorts, run_ingest, scheduled_run
from signals.storage.memory_archive import InMemoryArchive
from signals.storage.memory_queues import InMemoryScoreQueue
from signals.storage.memory_sources import InMemorySourceStore

NOW = datetime(2026, 6, 2, 17, 0, tzinfo=UTC)


class Figures:
    """The ingest's daily figures, kept."""

    def __init__(self) -> None:
        self.source_items: dict[str, int] = {}
        self.runs: list[dict[str, int]] = []

    def record_source_items(self, source_id: str, count: int, *, at: datetime | None = None) -> bool:
        self.source_items[source_id] = self.source_items.get(source_id, 0) + count
        return True

    def record_run(self, **figures: int) -> bool:
        self.runs.append(figures)
        return True


@pytest.fixture
def feeds(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    monkeypatch.setenv("SIGNALS_FETCH_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("SIGNALS_FETCH_TOTAL_DEADLINE_S", "1.0")
    monkeypatch.setenv("SIGNALS_FETCH_READ_TIMEOUT_S", "0.5")
    reset_settings()
    server = FeedServer()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def ports() -> IngestPorts:
    return IngestPorts(InMemorySourceStore(), InMemoryArchive(), InMemoryScoreQueue(), Figures())


def test_new_items_are_archived_enqueued_and_counted_once(feeds: FeedServer, ports: IngestPorts) -> None:
    feeds.docs["/a.xml"] = rss([(f"g{n}", f"Title {n}", f"<p>Body <b>{n}</b></p>") for n in range(3)])
    source = feeds.source("alpha", "/a.xml")
    report = scheduled_run([source], ports=ports)  # the run the schedule makes: figures recorded
    assert (report.fetched, report.items_new) == (1, 3)
    assert [r.reason for r in ports.queue.sent] == ["new"] * 3
    assert {ports.archive.read_item(r.item_key).title for r in ports.queue.sent} == {
        "Title 0",
        "Title 1",
        "Title 2",
    }
    assert len(ports.archive.raw) == 1 and ports.states.states["alpha"].items_seen == 3
    state = ports.states.states["alpha"]  # the dates it published, for its items a day on /ops
    assert state.items_dated == 3 and state.first_published_at == state.last_published_at
    assert (
        state.first_published_at is not None
        and state.first_published_at.isoformat() == "2026-06-02T12:00:00+00:00"
    )
    assert ports.stats.source_items == {"alpha": 3}
    assert ports.stats.runs == [
        {"fetched": 1, "not_modified": 0, "failed": 0, "new_items": 3, "bytes_": report.bytes}
    ]


def test_not_due_sources_are_not_fetched(feeds: FeedServer, ports: IngestPorts) -> None:
    feeds.docs["/a.xml"] = rss([("g1", "One", "x")])
    source = feeds.source("alpha", "/a.xml")
    run_ingest([source], now=NOW, ports=ports)
    report = run_ingest([source], now=NOW + timedelta(minutes=5), ports=ports)
    assert (report.skipped_not_due, report.fetched, len(feeds.requests)) == (1, 0, 1)


def test_edited_entry_is_enqueued_as_update_and_unchanged_ones_are_not(
    feeds: FeedServer, ports: IngestPorts
) -> None:
    source = feeds.source("alpha", "/b.xml")
    feeds.docs["/b.xml"] = rss([("g1", "One", "first"), ("g2", "Two", "second")])
    run_ingest([source], now=NOW, ports=ports)
    ports.queue.sent.clear()
    feeds.docs["/b.xml"] = rss(
        [("g1", "One", "first"), ("g2", "Two", "second, corrected"), ("g3", "Three", "x")]
    )
    report = run_ingest([source], now=NOW + timedelta(hours=2), ports=ports)
    assert (report.items_new, report.items_updated) == (1, 1)
    assert sorted(r.reason for r in ports.queue.sent) == ["new", "update"]


def test_failures_back_off_and_honour_retry_after(feeds: FeedServer, ports: IngestPorts) -> None:
    feeds.status["/down"] = (500, {})
    feeds.status["/busy"] = (503, {"Retry-After": "7200"})
    feeds.status["/slow"] = (429, {"Retry-After": "Tue, 02 Jun 2026 20:00:00 GMT"})
    sources = [feeds.source(name, f"/{name}") for name in ("down", "busy", "slow")]
    report = run_ingest(sources, now=NOW, ports=ports)
    assert report.failed == 3 and any("http_500" in e for e in report.errors)
    states = ports.states.states
    assert states["down"].consecutive_failures == 1 and states["down"].last_error == "http_500"
    assert states["down"].next_fetch_at >= NOW + timedelta(minutes=15)
    assert states["busy"].next_fetch_at >= NOW + timedelta(seconds=7200)
    assert states["slow"].next_fetch_at >= datetime(2026, 6, 2, 20, 0, tzinfo=UTC)
    assert ports.queue.sent == []


def test_a_stalled_feed_does_not_hold_up_the_others(feeds: FeedServer, ports: IngestPorts) -> None:
    feeds.stall.add("/tarpit")
    feeds.docs["/ok.xml"] = rss([("g1", "One", "x")])
    report = run_ingest(
        [feeds.source("tarpit", "/tarpit"), feeds.source("ok", "/ok.xml")], now=NOW, ports=ports
    )
    assert (report.fetched, report.failed, report.items_new) == (1, 1, 1)
    assert "timeout" in report.errors[0]


def test_a_run_short_of_time_starts_nothing_and_those_sources_go_first_next_time(
    feeds: FeedServer, ports: IngestPorts
) -> None:
    feeds.docs["/a.xml"] = rss([("g1", "One", "x")])
    feeds.docs["/b.xml"] = rss([("g2", "Two", "x")])
    fresh, waiting = feeds.source("fresh", "/a.xml"), feeds.source("waiting", "/b.xml")
    report = run_ingest([fresh, waiting], now=NOW, remaining_ms=lambda: 1000, ports=ports)
    assert (report.not_reached, report.fetched, feeds.requests) == (2, 0, [])
    assert run_ingest([fresh, waiting], now=NOW, ports=ports).fetched == 2


def test_bozo_feed_keeps_parsed_entries_and_records_the_warning(
    feeds: FeedServer, ports: IngestPorts
) -> None:
    feeds.docs["/bozo.xml"] = rss([("g1", "One", "x"), ("g2", "Two &nbsp; y", "z")])  # undefined entity
    report = run_ingest([feeds.source("bozo", "/bozo.xml")], now=NOW, ports=ports)
    assert report.items_new == 2
    assert ports.states.states["bozo"].last_warning


def test_a_failing_store_fails_that_source_alone(feeds: FeedServer, ports: IngestPorts) -> None:
    feeds.docs["/a.xml"] = rss([("g1", "One", "x")])
    feeds.docs["/b.xml"] = rss([("g2", "Two", "y")])

    class Outage(InMemoryArchive):
        def write_item(self, item):  # type: ignore[no-untyped-def]
            if item.source_id == "broken":
                raise ConnectionError("S3 unavailable")
            return super().write_item(item)

    broken = IngestPorts(ports.states, Outage(), ports.queue, ports.stats)
    report = run_ingest(
        [feeds.source("broken", "/a.xml"), feeds.source("fine", "/b.xml")], now=NOW, ports=broken
    )
    assert (report.fetched, report.failed) == (1, 1) and "internal: ConnectionError" in report.errors[0]
    assert [r.source_id for r in ports.queue.sent] == ["fine"]
    assert ports.states.states["broken"].consecutive_failures == 1  # retried next run, nothing lost
