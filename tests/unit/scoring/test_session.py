"""A scoring session against the in-memory ports: stories created, joined, edited and re-delivered,
and the outbox of delivery events, in milliseconds (the DynamoDB path: tests/integration/test_scorer.py)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from signals.models import Item, ScoreRequest
from signals.scoring.analyst import RuleAnalyst
from signals.scoring.session import ScoringSession, event_id
from signals.storage.memory_archive import InMemoryArchive
from signals.storage.memory_queues import InMemoryEventQueue
from signals.storage.memory_stories import InMemoryStories

PUBLISHED = datetime(2026, 8, 20, 9, 0, tzinfo=UTC)
NOW = PUBLISHED + timedelta(hours=1)
EO = (
    "Trump signs narrower AI executive order shifting to voluntary prerelease model reviews",
    "https://policywire.example/2026/08/ai-executive-order",
)


def make_item(source: str, title: str, url: str, summary: str = "", published: datetime = PUBLISHED) -> Item:
    return Item(
        id=hashlib.sha256(f"{source}|{url}".encode()).hexdigest()[:20],
        source_id=source,
        source_name=source.title(),
        feed_url=f"https://{source}.example/feed",
        url=url,
        title=title,
        summary=summary,
        published_at=published,
        fetched_at=published + timedelta(minutes=5),
        content_hash=hashlib.sha256(f"{title}|{summary}|{url}".encode()).hexdigest(),
    )


class Ports:
    """The in-memory ports one test shares between its sessions (as redeliveries share the table)."""

    def __init__(self) -> None:
        self.archive = InMemoryArchive()
        self.stories = InMemoryStories()
        self.queue = InMemoryEventQueue()
        self.analyst = RuleAnalyst()

    def request(self, item: Item) -> ScoreRequest:
        key = self.archive.put(item)
        return ScoreRequest(item_key=key, item_id=item.id, source_id=item.source_id, enqueued_at=NOW)

    def run(self, *items: Item) -> list[str]:
        """One batch, as the scorer runs it: prepare, score each, flush; returns the actions."""
        session = self.session()
        requests = [self.request(i) for i in items]
        session.prepare(requests)
        actions = [session.score(r).action for r in requests]
        session.flush_events()
        return actions

    def session(self) -> ScoringSession:
        return ScoringSession(
            analyst=self.analyst,
            stories=self.stories,
            archive=self.archive,
            queue=self.queue,
            clock=lambda: NOW,
        )


@pytest.fixture
def ports() -> Ports:
    return Ports()


def test_a_new_item_becomes_a_signal_and_its_creation_is_announced(ports):
    item = make_item("policywire", *EO)

    assert ports.run(item) == ["created"]

    signal = ports.stories.signals[item.id]
    assert (signal.title, signal.url, signal.version) == (item.title, item.url, 1)
    assert signal.category.value == "safety-policy" and signal.score >= 7
    assert [s.item_id for s in signal.sources] == [item.id]
    (event,) = ports.queue.sent
    assert (event.type, event.signal_id, event.signal_version) == ("signal.created", item.id, 1)
    assert event.event_id == event_id(item.id, 1)
    assert ports.stories.seen[item.id].pending == ()  # the outbox mark is cleared once sent


def test_a_redelivered_item_is_a_duplicate_that_changes_and_sends_nothing(ports):
    item = make_item("policywire", *EO)
    ports.run(item)
    stored = ports.stories.signals[item.id]

    # again in a new batch, and twice within one batch
    assert ports.run(item) == ["duplicate"]
    assert ports.run(item, item) == ["duplicate", "duplicate"]

    assert ports.stories.writes == 1 and ports.stories.signals[item.id] == stored
    assert len(ports.queue.sent) == 1


def test_an_edited_item_updates_its_signal_with_the_new_text(ports):
    original = make_item("labnews", "Acme opens a small office in Lisbon", "https://labnews.example/lisbon")
    ports.run(original)
    before = ports.stories.signals[original.id]
    edited = original.model_copy(
        update={"title": "Acme AI raises $2B Series C led by Sequoia", "content_hash": "edited-hash"}
    )

    assert ports.run(edited) == ["updated"]

    signal = ports.stories.signals[original.id]
    assert signal.title == edited.title and signal.version == 2
    assert signal.score > before.score  # the new text was scored
    assert [(e.type, e.signal_version) for e in ports.queue.sent] == [
        ("signal.created", 1),
        ("signal.updated", 2),
    ]


def test_a_second_publisher_joins_the_story_and_corroboration_raises_its_score(ports):
    lab = make_item(
        "labnews",
        "Acme AI releases an open-weight 12B reasoning model",
        "https://acme.example/blog/open-12b",
        summary="Weights on Hugging Face under Apache 2.0.",
    )
    ports.run(lab)
    created = ports.stories.signals[lab.id]
    press = make_item(
        "technews",
        "Acme AI releases open-weight 12B reasoning model",
        "https://technews.example/acme-open-12b?utm_source=rss",
        published=PUBLISHED + timedelta(days=1),
    )

    assert ports.run(press) == ["merged"]

    assert list(ports.stories.signals) == [lab.id]
    merged = ports.stories.signals[lab.id]
    assert [s.item_id for s in merged.sources] == [lab.id, press.id]
    assert merged.score_breakdown.corroboration == 2 and merged.version == 2
    assert merged.score_breakdown.raw > created.score_breakdown.raw
    assert ports.stories.seen[press.id].story_id == lab.id


def test_reports_of_one_story_in_one_batch_merge_created_then_updated(ports):
    title = "Partnering with Mozilla to improve Firefox's security"
    items = [
        make_item("labnews", title, "https://labnews.example/mozilla-firefox-security"),
        make_item("wire", title, "https://wire.example/2026/firefox"),
        make_item("blog", title, "https://blog.example/firefox"),
    ]

    assert ports.run(*items) == ["created", "merged", "merged"]

    (signal,) = ports.stories.signals.values()
    assert len(signal.sources) == 3 and signal.score_breakdown.corroboration == 3
    events = ports.queue.sent
    assert events[0].type == "signal.created" and all(e.type == "signal.updated" for e in events[1:])
    assert len({e.event_id for e in events}) == len(events)


def test_events_that_could_not_be_sent_are_sent_by_the_redelivery_exactly_once(ports):
    # Given a batch whose events could not be sent (the invocation fails; SQS will redeliver)
    items = [make_item("policywire", *EO), make_item("wire", EO[0], "https://wire.example/2026/eo")]
    ports.queue.fail_next = 1
    with pytest.raises(ConnectionError):
        ports.run(*items)
    assert ports.queue.sent == []
    unsent = [e for i in items for e in ports.stories.seen[i.id].pending]  # the outbox keeps them
    (signal,) = ports.stories.signals.values()
    assert unsent[0].event_id == event_id(signal.id, 1)

    # When the batch is redelivered, then redelivered once more
    assert ports.run(*items) == ["duplicate", "duplicate"]
    assert ports.run(*items) == ["duplicate", "duplicate"]

    # Then each unsent event went out exactly once, with its deterministic id, and the outbox is empty
    assert ports.queue.sent == unsent
    assert not any(seen.pending for seen in ports.stories.seen.values())


def test_an_edit_carries_the_unsent_events_of_the_original_forward(ports):
    original = make_item("labnews", "Acme opens a small office in Lisbon", "https://labnews.example/lisbon")
    ports.queue.fail_next = 1
    with pytest.raises(ConnectionError):
        ports.run(original)

    edited = original.model_copy(
        update={"title": "Acme AI raises $2B Series C led by Sequoia", "content_hash": "edited-hash"}
    )
    ports.run(edited)

    assert sorted((e.type, e.signal_version) for e in ports.queue.sent) == [
        ("signal.created", 1),
        ("signal.updated", 2),
    ]


def test_a_story_changed_by_another_writer_is_read_again_and_joined(ports):
    # Given a story, and a batch that read it before another scorer added a report to it
    title = "Partnering with Mozilla to improve Firefox's security"
    ports.run(make_item("labnews", title, "https://labnews.example/mozilla-firefox-security"))
    late = make_item("blog", title, "https://blog.example/firefox")
    session = ports.session()
    request = ports.request(late)
    session.prepare([request])
    ports.run(make_item("wire", title, "https://wire.example/2026/firefox"))  # the other writer

    # When this batch writes its report
    outcome = session.score(request)

    # Then the version conflict made it re-read the story, and no report was lost
    (signal,) = ports.stories.signals.values()
    assert outcome.action == "merged" and signal.version == 3
    assert len(signal.sources) == 3


def test_an_item_missing_from_the_archive_fails_alone(ports):
    good = make_item("policywire", *EO)
    missing = ScoreRequest(
        item_key="items/ghost/none.json", item_id="ghost", source_id="ghost", enqueued_at=NOW
    )
    session = ports.session()
    requests = [missing, ports.request(good)]
    session.prepare(requests)

    with pytest.raises(KeyError):
        session.score(missing)
    assert session.score(requests[1]).action == "created"
