"""``updated_since`` without AWS: a poller that stores the value it is given never misses nor
repeats a change, across pages, restarts, ties within a second and writes still in flight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from fabricate import body, event, make_signal
from signals.models import Signal

NOW = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
HEADER = "Signals-Next-Updated-Since"


def changed(n: int, at: datetime, **overrides: Any) -> Signal:
    """Signal ``n`` published a week before ``at`` (unless said otherwise), scored or changed at ``at``."""
    published = overrides.pop("published", at - timedelta(days=7))
    return make_signal(n, published=published, **overrides).model_copy(
        update={"updated_at": at, "scored_at": at}
    )


class Poller:
    """An API over an in-memory index whose clock the test moves, and a client that stores the value."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, signals: list[Signal]) -> None:
        from signals.api import reading, updated_since
        from signals.api.app import app
        from signals.storage.memory_timeline import InMemoryFeedIndex

        self.now = NOW
        monkeypatch.setattr(updated_since, "clock", lambda: self.now.timestamp())
        self.index = InMemoryFeedIndex(signals, now=NOW)
        reading.use_index(self.index)
        self.app = app

    def get(self, path: str, params: Any) -> dict[str, Any]:
        return self.app.resolve(event(path, params), None)

    def poll(self, since: str, limit: int = 3, **filters: Any) -> tuple[list[str], str, int]:
        """Every page from ``since`` (following cursors): ids in order, the value to store, pages."""
        ids, cursor, pages = [], None, 0
        while True:
            params = {"updated_since": since, "limit": limit, **filters}
            params.update({"cursor": cursor} if cursor else {})
            response = self.get("/v1/signals", params)
            assert response["statusCode"] == 200, response["body"]
            page, pages = body(response), pages + 1
            assert response["headers"][HEADER] == page["next_updated_since"]
            ids += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                return ids, page["next_updated_since"], pages


@pytest.fixture(autouse=True)
def _index_back() -> Any:
    yield
    from signals.api import reading

    reading.use_index(None)


def test_a_poller_gets_exactly_the_new_and_changed_signals_oldest_change_first(monkeypatch: Any) -> None:
    first = [changed(n, NOW - timedelta(hours=10 - n)) for n in range(7)]
    poller = Poller(monkeypatch, first)

    ids, value, pages = poller.poll("2026-06-01T00:00:00Z")
    assert ids == [s.id for s in first] and pages == 3  # oldest change first, 3 a page
    assert value == "2026-06-03T11:57:59Z"  # the horizon: the last whole second over 120 s (the lag) ago

    # later: a new signal, one published long before what the poller saw but scored only now,
    # and an edit of one it already has
    poller.now = NOW + timedelta(hours=1)
    late = changed(20, NOW + timedelta(minutes=20), published=datetime(2026, 1, 5, tzinfo=UTC))
    fresh = changed(21, NOW + timedelta(minutes=30))
    edited = changed(2, NOW + timedelta(minutes=40), title="Headline 2, edited", version=2)
    poller.index.add([late, fresh, edited])

    ids, value2, _ = poller.poll(value)
    assert ids == ["sig00020", "sig00021", "sig00002"]  # exactly the changes, each once, in change order
    assert value2 > value
    assert poller.poll(value2)[0] == []  # nothing new: nothing repeated


def test_a_change_still_settling_is_listed_by_the_next_poll_not_lost(monkeypatch: Any) -> None:
    poller = Poller(monkeypatch, [changed(1, NOW - timedelta(hours=1))])
    # a scorer read its clock 30 s ago and has not yet committed when the poll runs ...
    ids, value, _ = poller.poll("2026-06-01T00:00:00Z")
    assert ids == ["sig00001"]
    # ... it commits now with that earlier time, below "now" but above the value returned
    poller.index.add([changed(2, NOW - timedelta(seconds=30))])
    poller.now = NOW + timedelta(minutes=5)
    assert poller.poll(value)[0] == ["sig00002"]


def test_ties_within_a_second_are_each_listed_once_across_pages(monkeypatch: Any) -> None:
    second = NOW - timedelta(hours=1)
    tied = [changed(n, second) for n in (5, 3, 9, 1)]
    poller = Poller(monkeypatch, [*tied, changed(7, second - timedelta(seconds=1))])
    seen, value = [], "2026-06-03T10:00:00Z"
    for _ in range(10):  # a poller restarting after every page: it keeps only the value
        page = body(poller.get("/v1/signals", {"updated_since": value, "limit": 1}))
        seen += [item["id"] for item in page["items"]]
        value = page["next_updated_since"]
        if not page["next_cursor"]:
            break
    assert seen == ["sig00007", "sig00001", "sig00003", "sig00005", "sig00009"]
    mid = body(poller.get("/v1/signals", {"updated_since": "2026-06-03T10:00:00Z", "limit": 2}))
    assert mid["next_updated_since"] == "2026-06-03T11:00:00Z~sig00001"  # stopped inside the second


def test_other_filters_combine_and_a_page_stops_at_the_last_change_it_read(monkeypatch: Any) -> None:
    signals = [changed(n, NOW - timedelta(hours=10 - n), score=9 if n % 2 else 2) for n in range(8)]
    poller = Poller(monkeypatch, signals)
    ids, value, _ = poller.poll("2026-06-01T00:00:00Z", limit=2, min_score=5)
    assert ids == ["sig00001", "sig00003", "sig00005", "sig00007"] and value == "2026-06-03T11:57:59Z"


def test_feeds_carry_the_value_to_poll_with(monkeypatch: Any) -> None:
    poller = Poller(monkeypatch, [changed(n, NOW - timedelta(hours=n)) for n in range(1, 4)])
    params = {"updated_since": "2026-06-03T09:30:00Z"}
    json_feed = poller.get("/v1/feed.json", params)
    document = body(json_feed)
    assert len(document["items"]) == 2  # changed after 09:30: signals 2 and 1, not 3
    assert document["_signals"] == {"next_updated_since": "2026-06-03T11:57:59Z"}
    assert json_feed["headers"][HEADER] == "2026-06-03T11:57:59Z"
    assert HEADER in json_feed["headers"]["Access-Control-Expose-Headers"]  # readable from a browser
    rss = poller.get("/v1/feed.rss", params)
    assert rss["headers"][HEADER] == "2026-06-03T11:57:59Z"
    titles = [entry.title for entry in feedparser.parse(rss["body"]).entries]
    assert titles == ["Headline 2 <b>&amp; co</b>", "Headline 1 <b>&amp; co</b>"]  # oldest change first


def test_an_instant_inside_a_second_lists_that_whole_second_and_never_skips_it(monkeypatch: Any) -> None:
    # stored positions are whole seconds: a change at 11:00:00.7 sits at 11:00:00
    late_in_second = changed(1, NOW.replace(hour=11, microsecond=700_000))
    poller = Poller(monkeypatch, [late_in_second])
    assert poller.poll("2026-06-03T11:00:00.5Z")[0] == ["sig00001"]
    # and a value past the horizon comes back as one that still covers its whole second
    value = body(poller.get("/v1/signals", {"updated_since": "2026-06-03T11:59:30.5Z"}))["next_updated_since"]
    assert value == "2026-06-03T11:59:29Z"
    poller.index.add([changed(2, NOW.replace(hour=11, minute=59, second=30, microsecond=700_000))])
    poller.now = NOW + timedelta(minutes=5)
    assert poller.poll(value)[0] == ["sig00002"]


BAD = [
    ({"updated_since": "yesterday"}, "invalid_updated_since"),
    ({"updated_since": "0.5"}, "invalid_updated_since"),
    ({"updated_since": "2026-06-03T11:00:00Z~bad id"}, "invalid_updated_since"),
    ({"updated_since": "0001-01-01T00:00:00+01:00"}, "invalid_updated_since"),
    ({"updated_since": "2026-06-04T00:00:00Z"}, "updated_since_in_future"),
    ({"updated_since": "2024-01-01T00:00:00Z"}, "updated_since_too_old"),
]


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        *(("/v1/signals", params, code) for params, code in BAD),
        *(("/v1/feed.atom", params, code) for params, code in BAD),
        ("/v1/signals", {"updated_since": "2026-06-03T00:00:00Z", "sort": "score"}, "invalid_parameter"),
    ],
)
def test_bad_values_are_400_with_a_stable_code(monkeypatch: Any, path: str, params: Any, code: str) -> None:
    poller = Poller(monkeypatch, [])
    response = poller.get(path, params)
    assert response["statusCode"] == 400, response["body"]
    problem = body(response)
    assert problem["code"] == code and problem["detail"].startswith(("updated_since:", "sort:"))
