"""Every key shape in the single DynamoDB table, in one place.

Table: ``pk``/``sk`` plus four overloaded GSIs (``gsiNpk``/``gsiNsk``). Time buckets are calendar
months (``YYYY-MM``): a page of the feed touches one or two partitions, and at 100,000 items a
day a month partition takes ~1.2 writes/s, far below the 1,000 WCU per-partition ceiling.

| record | pk | sk | gsi1 | gsi2 | gsi3 | gsi4 |
|---|---|---|---|---|---|---|
| signal | ``SIGNAL#<id>`` | ``SIGNAL`` | ``FEED#<month>`` / ``<iso>#<id>`` | ``CAT#<cat>#<month>`` / ``<iso>#<id>`` | ``SCORE#<month>`` / ``<score:02d>#<iso>#<id>`` | ``TIER#<score:02d>#<month>`` / ``<iso>#<id>`` |
| item seen (scorer idempotency + delivery-event outbox ``pending``) | ``ITEM#<item_id>`` | ``ITEM`` | | | | |
| story candidate key (string set ``sids`` of story ids) | ``STORYKEY#<key>`` | ``KEYS`` | | | | |
| cached model answer (``storage/analysis_records.py``) | ``ANALYSIS#<sha256>`` | ``ANALYSIS`` | | | | |
| model daily budget (``storage/analysis_records.py``) | ``BUDGET#<yyyy-mm-dd>`` | ``BUDGET`` | | | | |
| source state | ``SOURCE#<id>`` | ``STATE`` | ``SOURCES`` / ``<id>`` | | | |
| seen entry (ingest dedupe) | ``SEEN#<item_id>`` | ``SEEN`` | | | | |
| tag posting (body copy) | ``TAG#<tag>#<month>`` | ``<iso>#<id>`` | | | | |
| min-score posting (copy; per threshold 2..score) | ``MIN#<t:02d>#<month>`` | ``<iso>#<id>`` | | | | |
| category min-score posting (body copy) | ``MINCAT#<cat>#<t:02d>#<month>`` | ``<iso>#<id>`` | | | | |
| source posting (body copy) | ``SRC#<source_id>#<month>`` | ``<iso>#<id>`` | | | | |
| month registry | ``MONTHS`` | ``<month>`` | | | | |
| counters (category, tag) | ``COUNTS`` | ``TOTAL`` | | | | |
| api key | ``APIKEY#<sha256>`` | ``APIKEY`` | | | | |
| subscription | ``SUB#<id>`` | ``SUB`` | ``OWNER#<key_id>`` / ``<created>#<id>`` | | | |
| subscription fan-out row | ``SUBIDX#<category or *>#<shard>`` | ``<min_score:02d>#<sub_id>`` | | | | |
| delivery | ``SUB#<id>`` | ``DELIVERY#<delivery_id>`` | ``DELIVERIES#<sub_id>`` / ``<iso>#<delivery_id>`` | | | |

Feed reads (``storage/timeline_index.py``): time order uses gsi1 (no filter), gsi2 (category) or the posting
partitions (min_score, category+min_score, tag, source); score order uses gsi3. Each is read one
month partition at a time, newest first; only matching items are read. gsi4 is written but unused.

Modules that own a record build its keys with the helpers below.
"""

from __future__ import annotations

from datetime import datetime

from signals.models import iso

__all__ = ["iso", "month", "time_sort_key"]


def month(value: datetime) -> str:
    """The calendar-month bucket of an instant (``YYYY-MM``)."""
    return iso(value)[:7]


def time_sort_key(value: datetime, record_id: str) -> str:
    """Sort key that orders by time, ties broken by id."""
    return f"{iso(value)}#{record_id}"


def signal_pk(signal_id: str) -> str:
    return f"SIGNAL#{signal_id}"


def item_pk(item_id: str) -> str:
    return f"ITEM#{item_id}"


def source_pk(source_id: str) -> str:
    return f"SOURCE#{source_id}"


def seen_pk(item_id: str) -> str:
    return f"SEEN#{item_id}"


def story_key_pk(key: str) -> str:
    return f"STORYKEY#{key}"
