"""One batch of the scoring pipeline: archived item -> story -> signal -> delivery event.

A :class:`ScoringSession` handles one SQS batch through the ports it is given (``scoring/ports.py``:
the item archive, the story store, the delivery queue). ``prepare`` reads what the whole batch needs
(items from S3, then ONE BatchGetItem for item-seen records and candidate keys, ONE for the
candidate signals); ``score`` then handles each request in order (so two reports of one story in
the same batch merge), writing each with one TransactWriteItems; ``flush_events`` sends the
``signal.created`` / ``signal.updated`` events in batches of ten. Steady state: one S3 read and
one transaction per item, plus three calls per batch.

Events go through an outbox so none is lost: each transaction also writes its event(s) onto the
item-seen record (``pending``); ``flush_events`` sends them and then clears the marks (one
transaction per 100 items, each clear conditional on the record's content being unchanged, so
an edit that landed meanwhile keeps its own marks). If the send fails the batch is retried; a
redelivered item that is a duplicate but still carries pending events re-sends them with the
same deterministic ids.
A redelivery of a fully processed message (no marks left) changes nothing and sends nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from signals.config import Settings, get_settings
from signals.models import Item, ScoreRequest, Signal, SignalEvent, SourceRef, utcnow
from signals.models.story import DuplicateItem, SeenItem, StoryState, VersionConflict
from signals.scoring.analyst import Analyst
from signals.scoring.enrichers import corroborated
from signals.scoring.impact_summary import filled_summary
from signals.scoring.ports import EventQueue, ItemArchive, StoryStore
from signals.scoring.stories import (
    StoryFingerprint,
    fingerprint,
    independent_source,
    lookup_keys,
    same_story,
    story_url,
    write_keys,
)

MAX_VERSION_RETRIES = 3

Action = Literal["created", "merged", "updated", "duplicate"]


@dataclass(frozen=True)
class Outcome:
    """What scoring one request did."""

    action: Action
    item: Item
    signal: Signal | None = None
    score_changed: bool = False
    event: SignalEvent | None = None


def event_id(signal_id: str, version: int) -> str:
    """Deterministic event id per (signal, version): redelivery cannot mint a second one."""
    return "evt_" + hashlib.sha256(f"{signal_id}:{version}".encode()).hexdigest()[:24]


def corroboration_of(sources: Sequence[SourceRef]) -> int:
    """Independent sources of a story: distinct publishers (registrable domains) among its reports."""
    return max(1, len({independent_source(s.url) for s in sources}))


def _source_ref(item: Item) -> SourceRef:
    return SourceRef(
        item_id=item.id,
        source_id=item.source_id,
        name=item.source_name,
        url=item.url,
        published_at=item.published_at,
        published_date_only=item.published_date_only,
    )


@dataclass
class ScoringSession:
    """Scores one batch of requests through its ports (see the module docstring)."""

    analyst: Analyst
    stories: StoryStore
    archive: ItemArchive
    queue: EventQueue
    settings: Settings = field(default_factory=get_settings)
    clock: Callable[[], datetime] = utcnow
    items: dict[str, Item | Exception] = field(default_factory=dict)
    state: StoryState = field(default_factory=StoryState)
    events: list[SignalEvent] = field(default_factory=list)
    # item-seen records carrying pending events, to clear once the events are on the queue
    outbox: dict[str, SeenItem] = field(default_factory=dict)

    # ------------------------------------------------------------------ batch reads

    def prepare(self, requests: Sequence[ScoreRequest]) -> None:
        """Read the batch's items and the story state they need (errors are kept per item)."""
        fingerprints: dict[str, StoryFingerprint] = {}
        for request in requests:
            if request.item_key in self.items:
                continue
            try:
                item = self.archive.read_item(request.item_key)
            except Exception as exc:
                self.items[request.item_key] = exc
                continue
            self.items[request.item_key] = item
            fingerprints[item.id] = self._fingerprint(item)
        window = self.settings.story_window_days
        story_keys = [k for fp in fingerprints.values() for k in lookup_keys(fp, window)]
        if not fingerprints:
            return
        self.state = self.stories.read_state(fingerprints.keys(), story_keys)
        wanted = {sid for ids in self.state.stories_by_key.values() for sid in ids}
        wanted |= {seen.story_id for seen in self.state.seen.values()}
        self.state.signals.update(self.stories.read_signals(wanted))

    # ------------------------------------------------------------------ one request

    def score(self, request: ScoreRequest) -> Outcome:
        """Create, join or update the story of one request's item; idempotent."""
        item = self._item(request)
        for _ in range(MAX_VERSION_RETRIES):
            try:
                return self._score_once(item)
            except VersionConflict:
                # someone else updated the story: re-read it and try again
                self.state.signals.update(self.stories.read_signals(self.state.signals.keys()))
        raise VersionConflict()

    def _item(self, request: ScoreRequest) -> Item:
        if request.item_key not in self.items:
            self.prepare([request])
        got = self.items[request.item_key]
        if isinstance(got, Exception):
            raise got
        if got.id != request.item_id:
            raise ValueError(f"archived item {got.id} does not match request {request.item_id}")
        return got

    def _fingerprint(self, item: Item) -> StoryFingerprint:
        return fingerprint(item.title, item.url, item.published_at)

    def _score_once(self, item: Item) -> Outcome:
        seen = self.state.seen.get(item.id)
        if seen is not None and seen.content_hash == item.content_hash:
            self._resend(seen)
            return Outcome("duplicate", item)
        if seen is not None and seen.story_id in self.state.signals:
            return self._update(item, self.state.signals[seen.story_id])
        fp = self._fingerprint(item)
        story = self._find_story(fp)
        if story is None:
            return self._create(item, fp)
        return self._join(item, fp, story)

    def _find_story(self, fp: StoryFingerprint) -> Signal | None:
        window = self.settings.story_window_days
        candidate_ids: set[str] = set()
        for key in lookup_keys(fp, window):
            candidate_ids |= self.state.stories_by_key.get(key, set())
        missing = [sid for sid in candidate_ids if sid not in self.state.signals]
        if missing:
            self.state.signals.update(self.stories.read_signals(missing))
        best: Signal | None = None
        for sid in sorted(candidate_ids):
            signal = self.state.signals.get(sid)
            if signal is None:
                continue
            lead = fingerprint(signal.title, signal.url, signal.published_at)
            urls = {story_url(s.url) for s in signal.sources}
            confirmed = fp.url in urls or same_story(fp, lead, window)
            if confirmed and (best is None or signal.published_at < best.published_at):
                best = signal
        return best

    # ------------------------------------------------------------------ writes

    def _create(self, item: Item, fp: StoryFingerprint) -> Outcome:
        now = self.clock()
        enrichment = self.analyst.enrich(item, corroboration=1)
        signal = Signal(
            id=item.id,
            title=item.title,
            url=item.url,
            published_at=item.published_at,
            published_date_only=item.published_date_only,
            scored_at=now,
            updated_at=now,
            sources=[_source_ref(item)],
            version=1,
            **{name: getattr(enrichment, name) for name in Signal.ENRICHED_FIELDS},
        )
        return self._write(item, signal, None, write_keys(fp, self.settings.story_window_days), "created")

    def _join(self, item: Item, fp: StoryFingerprint, story: Signal) -> Outcome:
        sources = [s for s in story.sources if s.item_id != item.id] + [_source_ref(item)]
        sources.sort(key=lambda s: s.published_at)
        return self._rescored(item, story, sources, write_keys(fp, self.settings.story_window_days), "merged")

    def _update(self, item: Item, story: Signal) -> Outcome:
        """A publisher edited an item already in a story: refresh its report (and the lead's text)."""
        sources = [_source_ref(item) if s.item_id == item.id else s for s in story.sources]
        if item.id == story.id:
            enrichment = self.analyst.enrich(item, corroboration=corroboration_of(sources))
            now = self.clock()
            signal = story.enriched(
                enrichment,
                title=item.title,
                url=item.url,
                published_at=item.published_at,
                published_date_only=item.published_date_only,
                updated_at=now,
                scored_at=now,
                sources=sources,
                version=story.version + 1,
            )
            keys = write_keys(self._fingerprint(item), self.settings.story_window_days)
            return self._write(item, signal, story, keys, "updated")
        return self._rescored(item, story, sources, [], "updated")

    def _rescored(
        self, item: Item, story: Signal, sources: list[SourceRef], keys: list[str], action: Action
    ) -> Outcome:
        enrichment = corroborated(story.enrichment(), corroboration_of(sources))
        enrichment = filled_summary(enrichment, story.title, item)
        now = self.clock()
        signal = story.enriched(
            enrichment, sources=sources, updated_at=now, scored_at=now, version=story.version + 1
        )
        return self._write(item, signal, story, keys, action)

    def _write(
        self, item: Item, signal: Signal, previous: Signal | None, keys: list[str], action: Action
    ) -> Outcome:
        changed = previous is None or previous.score != signal.score
        event = None
        if changed:
            event = SignalEvent(
                type="signal.created" if previous is None else "signal.updated",
                event_id=event_id(signal.id, signal.version),
                signal_id=signal.id,
                signal_version=signal.version,
                occurred_at=self.clock(),
            )
        # an edit of an item whose earlier events were never sent carries them forward
        earlier = self.state.seen.get(item.id)
        pending = (*(earlier.pending if earlier else ()), *((event,) if event else ()))
        try:
            self.stories.write_story(
                item_id=item.id,
                content_hash=item.content_hash,
                signal=signal,
                previous=previous,
                story_keys=keys,
                pending=pending,
            )
        except DuplicateItem as duplicate:
            # scored meanwhile by another delivery: send what it left pending, if anything
            if duplicate.seen is not None:
                self.state.seen[item.id] = duplicate.seen
                self._resend(duplicate.seen)
            return Outcome("duplicate", item)
        # keep the batch's view current so later requests in this batch see this write
        self.state.signals[signal.id] = signal
        seen = SeenItem(item.id, signal.id, item.content_hash, pending)
        self.state.seen[item.id] = seen
        for key in keys:
            self.state.stories_by_key.setdefault(key, set()).add(signal.id)
        self._resend(seen)
        return Outcome(action, item, signal, changed, event)

    def _resend(self, seen: SeenItem) -> None:
        """Queue the record's pending events (if any) and remember to clear its mark once sent."""
        if seen.pending:
            self.events.extend(seen.pending)
            self.outbox[seen.item_id] = seen

    # ------------------------------------------------------------------ events

    def flush_events(self) -> int:
        """Send the batch's events to the delivery queue, then clear their outbox marks; returns
        the number of AWS calls. A failed send raises and leaves the marks (redelivery re-sends)."""
        if not self.events:
            return 0
        unique = {e.event_id: e for e in self.events}  # one item may be queued twice in a batch
        calls = self.queue.send_events(list(unique.values()))
        self.events.clear()
        try:
            calls += self.stories.clear_pending(self.outbox.values())
        except Exception:
            # the events are out; a mark left behind only makes a redelivery re-send the same ids
            from signals.telemetry import MetricUnit, logger, metrics

            logger.exception("could not clear outbox marks", extra={"items": sorted(self.outbox)})
            metrics.add_metric(name="OutboxClearFailures", unit=MetricUnit.Count, value=1)
        self.outbox.clear()
        return calls
