"""One-off data migrations of the table (``signals migrate ...``): idempotent, resumable, safe beside
live traffic. ``docs/operations.md`` (Deploying) says when to run each.

**Subscription counters.** The per-key and per-host caps count subscriptions in ``SUBCOUNT#`` items
that live code changes only by ``+1``/``-1`` in the subscription's own transaction; subscriptions
stored before the counters existed are in none. Recount-then-set would race with a live create, so
each round brackets the count between two reads of the counters:

1. read every counter (consistent Scan) - the values *before*;
2. count the subscriptions (consistent, paginated Scan) with the domain's ``counted_in`` rule;
3. read the counters again (consistent BatchGetItem). A counter that moved between 1 and 3 was
   changed by a live write while we counted: left for the next round. Every live change to a
   counter's subscriptions also changes the counter (when only this code writes: run it after the
   deploy), so a counter that did not move was counted exactly;
4. set each wrong counter to its count *if it still holds the value read* (a conditional write):
   a create in between fails the condition, and the counter waits for the next round.

Rounds repeat (at most ``migrate_counter_rounds``) until no counter is left. Run twice, the second
run finds nothing to change. A dry run does steps 1-3 and reports what step 4 would set.

**Entity postings.** Signals stored before entity postings existed get them, and their ``ent:``
counts (``storage/entity_postings.py``): ``signals migrate entity-postings``.

**API keys.** Keys stored before the listing index existed get its attributes (``index_key``:
conditional, so a second run finds none).

**Change postings.** Signals stored before ``updated_since`` existed get the posting it reads, each
in a transaction conditional on the signal's version (a live change wrote its own) and on the
posting's absence (a second run writes none).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from signals.config import get_settings
from signals.models.subscription import Subscription

if TYPE_CHECKING:
    from signals.models import Signal

CountedIn = Callable[[Subscription], Mapping[str, int]]


@dataclass(frozen=True)
class CounterChange:
    """A counter whose stored value (None: absent) differs from the subscriptions it counts."""

    counter: str
    stored: int | None
    counted: int


@dataclass
class CounterReport:
    dry_run: bool
    rounds: int = 0
    subscriptions: int = 0  # counted in the last round
    changes: list[CounterChange] = field(default_factory=list)  # set (or, in a dry run, to set)
    unsettled: list[str] = field(default_factory=list)  # still moving after the last round

    @property
    def complete(self) -> bool:
        return not self.unsettled


def _count(counted_in: CountedIn, page_size: int) -> tuple[int, Counter[str]]:
    from signals.storage.subscription_counters import scan_subscriptions

    counts: Counter[str] = Counter()
    total = 0
    for subscription in scan_subscriptions(page_size):
        total += 1
        counts.update(counted_in(subscription).keys())
    return total, counts


def _round(counted_in: CountedIn, only: set[str] | None, report: CounterReport) -> set[str]:
    """One bracketed recount (steps 1-4); the counters left for another round."""
    from signals.storage import subscription_counters as store

    page_size = get_settings().migrate_scan_page_size
    before = store.scan_counters(page_size)
    report.subscriptions, counts = _count(counted_in, page_size)
    names = set(before) | set(counts)
    if only is not None:
        names &= only
    after = store.read_counters(names)
    retry = {n for n in names if before.get(n) != after.get(n)}
    for name in sorted(names - retry):
        stored, counted = after.get(name), counts.get(name, 0)
        if stored == counted or (stored is None and counted == 0):
            continue
        if report.dry_run or store.set_counter(name, counted, stored):
            report.changes.append(CounterChange(name, stored, counted))
        else:
            retry.add(name)
    return retry


def migrate_subscription_counters(counted_in: CountedIn, *, dry_run: bool = False) -> CounterReport:
    """Fill (or correct) every subscription counter from the subscriptions stored; see the module.

    ``counted_in``: the counters a subscription occupies, the rule the live store counts with
    (``signals.webhooks.subscription_service.counters_of(settings)``).
    """
    report = CounterReport(dry_run=dry_run)
    pending: set[str] | None = None  # None: every counter
    for _ in range(get_settings().migrate_counter_rounds):
        report.rounds += 1
        pending = _round(counted_in, pending, report)
        if not pending:
            break
    report.unsettled = sorted(pending or ())
    return report


@dataclass
class KeyReport:
    dry_run: bool
    indexed: list[str] = field(default_factory=list)  # key ids indexed (or, in a dry run, to index)


def reindex_api_keys(*, dry_run: bool = False) -> KeyReport:
    """Put every API key stored before the listing index existed into it (``signals keys list``)."""
    from signals.storage.apikey_records import index_key, unindexed_keys

    report = KeyReport(dry_run=dry_run)
    found = unindexed_keys(get_settings().migrate_scan_page_size)
    for record_pk, key in sorted(found, key=lambda found_key: (found_key[1].created_at, found_key[1].key_id)):
        if dry_run or index_key(record_pk, key):
            report.indexed.append(key.key_id)
    return report


@dataclass
class EntityReport:
    """What an index backfill did (entity postings, or search-term postings: the same shape)."""

    dry_run: bool
    indexed: list[str] = field(default_factory=list)  # signal ids given postings (or to give)
    postings: int = 0  # postings written (or to write)
    skipped: list[str] = field(default_factory=list)  # changed meanwhile (the scorer indexed them)


def migrate_entity_postings(*, dry_run: bool = False) -> EntityReport:
    """Give signals stored before entity postings existed their postings and counts
    (``storage/entity_postings.py``: idempotent, conditional on each signal's version)."""
    from signals.storage.entity_postings import index_entities
    from signals.storage.signal_records import ENTITIES_INDEXED, entity_posting_pks

    return _backfill_index(ENTITIES_INDEXED, index_entities, entity_posting_pks, dry_run=dry_run)


def migrate_term_postings(*, dry_run: bool = False) -> EntityReport:
    """Give signals stored before search existed their search-term postings
    (``storage/term_postings.py``: idempotent, conditional on each signal's version)."""
    from signals.storage.signal_records import TERMS_INDEXED
    from signals.storage.term_postings import index_terms, term_posting_pks

    return _backfill_index(TERMS_INDEXED, index_terms, term_posting_pks, dry_run=dry_run)


def _backfill_index(
    mark: str, index: Callable[[Signal], bool], pks: Callable[[Signal], list[str]], *, dry_run: bool
) -> EntityReport:
    """Index every signal record without ``mark``, by id; one the scorer changed meanwhile is skipped."""
    from signals.storage.entity_postings import unindexed_signals

    report = EntityReport(dry_run=dry_run)
    for signal in sorted(unindexed_signals(get_settings().migrate_scan_page_size, mark), key=lambda s: s.id):
        if dry_run or index(signal):
            report.indexed.append(signal.id)
            report.postings += len(pks(signal))
        else:
            report.skipped.append(signal.id)
    return report


@dataclass
class PostingReport:
    dry_run: bool
    scanned: int = 0
    written: list[str] = field(default_factory=list)  # signal ids given a posting (or, dry run, to give)


def backfill_change_postings(*, dry_run: bool = False) -> PostingReport:
    """Give every signal stored before ``updated_since`` existed its change posting (``UPD#<month>``)."""
    from signals.storage.change_index import lacks_change_posting, put_change_posting, stored_signals

    report = PostingReport(dry_run=dry_run)
    for signal in stored_signals(get_settings().migrate_scan_page_size):
        report.scanned += 1
        if lacks_change_posting(signal) and (dry_run or put_change_posting(signal)):
            report.written.append(signal.id)
    return report


__all__ = [
    "CounterChange",
    "CounterReport",
    "EntityReport",
    "KeyReport",
    "PostingReport",
    "backfill_change_postings",
    "migrate_entity_postings",
    "migrate_subscription_counters",
    "migrate_term_postings",
    "reindex_api_keys",
]
