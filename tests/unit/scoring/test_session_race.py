"""Two scorers racing on one item (issue 12, finding 17): two ``ScoringSession``s, neither with a
cached ``prepare``, both read the story state before either writes; the item-seen condition must
make exactly one of them the creator. Exactly one signal is stored and one event announced (by
id: the loser may re-send the winner's pending outbox event, which deliveries deduplicate by id).

The same race over DynamoDB (moto, ``StoryRecords``) is in ``tests/integration/test_scorer.py``.
Checked by hand: with the item-seen condition made always true (``InMemoryStories.write_story``'s
duplicate check, or ``attribute_not_exists(pk) OR content_hash <> :h`` replaced by an always-true
condition in ``storage/story_records.py``), this test fails.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from signals.scoring.session import ScoringSession, event_id
from signals.storage.memory_stories import InMemoryStories
from test_session import EO, NOW, Ports, make_item


class BothReadFirst:
    """The story store as two concurrent Lambda invocations see it: the first two state reads meet
    at a barrier (neither has written yet), and each write is atomic, as one DynamoDB transaction is."""

    def __init__(self, inner: InMemoryStories) -> None:
        self.inner = inner
        self.barrier = threading.Barrier(2, timeout=5)
        self.reads = 0
        self.lock = threading.Lock()

    def read_state(self, *args: Any) -> Any:
        state = self.inner.read_state(*args)
        with self.lock:
            self.reads += 1
            first_two = self.reads <= 2
        if first_two:
            self.barrier.wait()
        return state

    def write_story(self, **kwargs: Any) -> None:
        with self.lock:
            self.inner.write_story(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def race(sessions: list[ScoringSession], request) -> list[str]:
    """Each session scores ``request`` in its own thread (no prepare: ``score`` reads for itself)."""
    actions: list[str] = ["", ""]
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            actions[n] = sessions[n].score(request).action
            sessions[n].flush_events()
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return actions


def test_two_sessions_scoring_one_item_at_once_store_one_signal_and_one_event():
    ports = Ports()
    racing = BothReadFirst(ports.stories)
    item = make_item("policywire", *EO)
    request = ports.request(item)
    sessions = [
        ScoringSession(
            analyst=ports.analyst, stories=racing, archive=ports.archive, queue=ports.queue, clock=lambda: NOW
        )
        for _ in range(2)
    ]

    actions = race(sessions, request)

    assert racing.reads >= 2  # both read before either wrote: a real race
    assert Counter(actions) == Counter({"created": 1, "duplicate": 1})
    assert ports.stories.writes == 1
    (signal,) = ports.stories.signals.values()
    assert signal.version == 1 and [s.item_id for s in signal.sources] == [item.id]
    # one event: the loser may re-send the winner's still-pending outbox event, with the same id
    assert {(e.event_id, e.type, e.signal_version) for e in ports.queue.sent} == {
        (event_id(signal.id, 1), "signal.created", 1)
    }
