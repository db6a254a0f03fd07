"""Search-term postings for signals stored before search existed: ``signals migrate term-postings``.

Signals written by this version carry ``terms_indexed`` (``signal_records.to_record``) and get their
``TERM#<term>#<month>`` postings in the scorer's transaction. Older signal records lack the mark, so
``q=`` cannot find them until the scorer changes them. A paginated Scan finds them (an admin job,
like the other migrations) and one transaction per signal writes its term postings (at most
``search_terms_per_item_max``, within ``postings_per_signal_max``) and marks it, on the condition
that the record is still the version read and unmarked: a signal the scorer changed meanwhile is
skipped (its new version was written with its postings and the mark). Idempotent, safe beside live
traffic; no counts are involved.
"""

from __future__ import annotations

from signals.models import Signal
from signals.storage.entity_postings import write_marked
from signals.storage.signal_records import TERMS_INDEXED, posting_pks


def term_posting_pks(signal: Signal) -> list[str]:
    """The search-term postings the signal has under this version (the ``TERM#`` part of its postings)."""
    return [pk for pk in posting_pks(signal) if pk.startswith("TERM#")]


def index_terms(signal: Signal) -> bool:
    """Write an old signal's term postings and mark it; False when it changed or was done meanwhile."""
    return write_marked(signal, TERMS_INDEXED, term_posting_pks(signal))
