"""Every key shape in the single DynamoDB table, in one place.

Table: ``pk``/``sk`` plus three overloaded GSIs (``gsiNpk``/``gsiNsk``). Time buckets are calendar
months (``YYYY-MM``): a page of the feed touches one or two partitions, and at 100,000 items a
day a month partition takes ~1.2 writes/s, far below the 1,000 WCU per-partition ceiling.
``tests/integration/test_key_schema.py`` writes every kind of record and checks each against
this table (``RECORDS``), so it cannot go stale.

| record | pk | sk | gsi1 | gsi2 | gsi3 |
|---|---|---|---|---|---|
| signal | ``SIGNAL#<id>`` | ``SIGNAL`` | ``FEED#<month>`` / ``<iso>#<id>`` | ``CAT#<cat>#<month>`` / ``<iso>#<id>`` | ``SCORE#<month>`` / ``<score:02d>#<iso>#<id>`` |
| item seen (scorer idempotency + delivery-event outbox ``pending``) | ``ITEM#<item_id>`` | ``ITEM`` | | | |
| story candidate key (string set ``sids`` of story ids) | ``STORYKEY#<key>`` | ``KEYS`` | | | |
| min-score posting (body copy; per threshold 2..score) | ``MIN#<t:02d>#<month>`` | ``<iso>#<id>`` | | | |
| category min-score posting (body copy) | ``MINCAT#<cat>#<t:02d>#<month>`` | ``<iso>#<id>`` | | | |
| tag posting (body copy) | ``TAG#<tag>#<month>`` | ``<iso>#<id>`` | | | |
| source posting (body copy) | ``SRC#<source_id>#<month>`` | ``<iso>#<id>`` | | | |
| entity posting (body copy; ``models/entity_slug.py``) | ``ENT#<slug>#<month>`` | ``<iso>#<id>`` | | | |
| search term posting (body copy; ``models/search_terms.py``) | ``TERM#<term>#<month>`` | ``<iso>#<id>`` | | | |
| month registry (sharded) | ``MONTHS`` | ``<month>#<shard>`` | | | |
| counters (category, tag, entity; sharded) | ``COUNTS`` | ``TOTAL#<shard>`` | | | |
| source state | ``SOURCE#<id>`` | ``STATE`` | ``SOURCES`` / ``<id>`` | | |
| seen entry (ingest dedupe) | ``SEEN#<item_id>`` | ``SEEN`` | | | |
| daily stats shard | ``STATS#<yyyy-mm-dd>#<shard>`` | ``STATS`` | | | |
| a source's items per day | ``SRCSTATS#<source_id>`` | ``DAILY`` | | | |
| cached model answer | ``ANALYSIS#<sha256>`` | ``ANALYSIS`` | | | |
| model daily budget | ``BUDGET#<yyyy-mm-dd>`` | ``BUDGET`` | | | |
| api key | ``APIKEY#<sha256>`` | ``APIKEY`` | ``APIKEYS`` / ``<iso>#<key_id>`` | | |
| subscription | ``SUB#<id>`` | ``SUB`` | ``OWNER#<key_id>`` / ``<iso>#<id>`` | | |
| subscription fan-out row | ``SUBIDX#<category or *>#<shard>`` | ``<min_score:02d>#<sub_id>`` | | | |
| delivery | ``SUB#<id>`` | ``DELIVERY#<delivery_id>`` | ``DELIVERIES#<sub_id>`` / ``<iso>#<delivery_id>`` | | |
| subscription counter (``owner#<key_id>``, ``host#<key_id>#<host>``; changed with the subscription) | ``SUBCOUNT#<counter>`` | ``COUNT`` | | | |
| rate-limit window (fixed window; TTL) | ``RATE#<scope>#<window_start_epoch>`` | ``RATE`` | | | |
| story-thread entry (``<kind>#<entity>``; a small copy: id, title, score, category, time) | ``THREAD#<kind>#<entity>`` | ``<iso>#<id>`` | | | |
| change posting (body copy; at the time the signal was scored or last changed) | ``UPD#<updated month>`` | ``<updated iso>#<id>`` | | | |
| daily digest (one per UTC day; written once, replaced only by a rebuild) | ``DIGEST#<yyyy-mm-dd>`` | ``DIGEST`` | ``DIGESTS`` / ``<yyyy-mm-dd>`` | | |

Reads of the stored pages of signals (``storage/timeline_index.py``): time order uses gsi1 (no
filter), gsi2 (category) or the posting partitions (min_score, category + min_score, tag, source, entity,
search term: ``ranking/search.py`` reads one term's partition at a time);
score order uses gsi3. Each is read one month partition at a time, newest first; only matching
items are read. "Earlier in this story" reads a thread's partition below the signal's sort key
(``storage/thread_records.py``): one Query per thread, at most ``story_threads_per_signal_max``.
``updated_since`` reads the change postings (``storage/change_index.py``) oldest first, one Query
per month partition of the change time. Postings, not a fourth GSI: a base-table Query can be
strongly consistent, so a poll sees every committed change up to its horizon (a GSI is eventually
consistent with no bound on its lag, which would break the no-miss guarantee), and it follows the
other postings (body copies, deleted in the writing transaction when the time moves:
``signal_records.obsolete_keys``). No shard: every write of a signal moves one posting, ~2 writes/s
per month partition at 100,000 items a day plus their merges, far below the partition ceiling. Modules that own a record build its keys with the functions below, and nowhere else.
"""

from __future__ import annotations

from datetime import datetime

from signals.models import iso

__all__ = ["iso", "month", "time_sort_key"]

#: The table above as (record, pk pattern, sk pattern, gsi1 pk pattern) with ``<...>`` as wildcards.
RECORDS: list[tuple[str, str, str, str | None]] = [
    ("signal", "SIGNAL#<id>", "SIGNAL", "FEED#<month>"),
    ("item seen", "ITEM#<id>", "ITEM", None),
    ("story candidate key", "STORYKEY#<key>", "KEYS", None),
    ("min-score posting", "MIN#<t>#<month>", "<iso>#<id>", None),
    ("category min-score posting", "MINCAT#<cat>#<t>#<month>", "<iso>#<id>", None),
    ("tag posting", "TAG#<tag>#<month>", "<iso>#<id>", None),
    ("source posting", "SRC#<source>#<month>", "<iso>#<id>", None),
    ("entity posting", "ENT#<slug>#<month>", "<iso>#<id>", None),
    ("search term posting", "TERM#<term>#<month>", "<iso>#<id>", None),
    ("month registry", "MONTHS", "<month>#<shard>", None),
    ("counters", "COUNTS", "TOTAL#<shard>", None),
    ("source state", "SOURCE#<id>", "STATE", "SOURCES"),
    ("seen entry", "SEEN#<id>", "SEEN", None),
    ("daily stats shard", "STATS#<day>#<shard>", "STATS", None),
    ("source items per day", "SRCSTATS#<source>", "DAILY", None),
    ("cached model answer", "ANALYSIS#<sha>", "ANALYSIS", None),
    ("model daily budget", "BUDGET#<day>", "BUDGET", None),
    ("api key", "APIKEY#<sha>", "APIKEY", "APIKEYS"),
    ("subscription", "SUB#<id>", "SUB", "OWNER#<key>"),
    ("subscription fan-out row", "SUBIDX#<cat>#<shard>", "<min>#<id>", None),
    ("delivery", "SUB#<id>", "DELIVERY#<id>", "DELIVERIES#<id>"),
    ("subscription counter", "SUBCOUNT#<counter>", "COUNT", None),
    ("rate-limit window", "RATE#<scope>#<window>", "RATE", None),
    ("story-thread entry", "THREAD#<kind>#<entity>", "<iso>#<id>", None),
    ("change posting", "UPD#<month>", "<iso>#<id>", None),
    ("daily digest", "DIGEST#<day>", "DIGEST", "DIGESTS"),
]

TOP = "\uffff"  # sorts after every key: the open upper bound of a range


def month(value: datetime) -> str:
    """The calendar-month bucket of an instant (``YYYY-MM``)."""
    return iso(value)[:7]


def time_sort_key(value: datetime, record_id: str) -> str:
    """Sort key that orders by time, ties broken by id."""
    return f"{iso(value)}#{record_id}"


# ------------------------------------------------------------------ signals and their indexes
SIGNAL_SK = "SIGNAL"
MONTHS_PK = "MONTHS"
COUNTS_PK = "COUNTS"


def signal_pk(signal_id: str) -> str:
    return f"SIGNAL#{signal_id}"


def time_index_pk(month_: str) -> str:
    """gsi1: every signal of a month, by time."""
    return f"FEED#{month_}"


def category_index_pk(category: str, month_: str) -> str:
    """gsi2: the signals of one category in a month, by time."""
    return f"CAT#{category}#{month_}"


def score_index_pk(month_: str) -> str:
    """gsi3: every signal of a month, by score then time."""
    return f"SCORE#{month_}"


def score_sort_key(score: int, value: datetime, record_id: str) -> str:
    return f"{score:02d}#{time_sort_key(value, record_id)}"


def min_score_pk(threshold: int, month_: str, category: str | None = None) -> str:
    """Posting partition of signals scoring at least ``threshold`` (optionally in one category)."""
    if category:
        return f"MINCAT#{category}#{threshold:02d}#{month_}"
    return f"MIN#{threshold:02d}#{month_}"


def tag_pk(tag: str, month_: str) -> str:
    return f"TAG#{tag}#{month_}"


def source_posting_pk(source_id: str, month_: str) -> str:
    return f"SRC#{source_id}#{month_}"


def entity_pk(slug: str, month_: str) -> str:
    """Posting partition of the signals naming one entity (``slug``: ``models.entity_slug``) in a month."""
    return f"ENT#{slug}#{month_}"


def change_pk(month_: str) -> str:
    """Change postings of a month of change times (``updated_at``), sort key its time sort key."""
    return f"UPD#{month_}"


def term_pk(term: str, month_: str) -> str:
    """Search: the signals of a month that have a term (``models/search_terms.signal_terms``), by time."""
    return f"TERM#{term}#{month_}"


def thread_pk(thread: str) -> str:
    """A story thread's entries (``thread``: ``<kind>#<entity>``, ``models.thread``), by time."""
    return f"THREAD#{thread}"


def months_sk(month_: str, shard: int) -> str:
    return f"{month_}#{shard}"


def counts_sk(shard: int) -> str:
    return f"TOTAL#{shard}"


# ------------------------------------------------------------------ scoring: items and stories
ITEM_SK = "ITEM"
STORY_KEY_SK = "KEYS"


def item_pk(item_id: str) -> str:
    return f"ITEM#{item_id}"


def story_key_pk(key: str) -> str:
    return f"STORYKEY#{key}"


# ------------------------------------------------------------------ ingest: sources
SOURCE_STATE_SK = "STATE"
SOURCES_INDEX_PK = "SOURCES"
SEEN_SK = "SEEN"


def source_pk(source_id: str) -> str:
    return f"SOURCE#{source_id}"


def seen_pk(item_id: str) -> str:
    return f"SEEN#{item_id}"


# ------------------------------------------------------------------ webhooks
SUB_SK = "SUB"


def sub_pk(subscription_id: str) -> str:
    return f"SUB#{subscription_id}"


def owner_pk(owner: str) -> str:
    return f"OWNER#{owner}"


def fanout_pk(partition: str) -> str:
    """The partition key of a fan-out partition (``security#3`` -> ``SUBIDX#security#3``)."""
    return f"SUBIDX#{partition}"


def fanout_sk(min_score: int, subscription_id: str) -> str:
    """Rows sort by threshold inside a partition: ``<min_score:02d>#<sub_id>``."""
    return f"{min_score:02d}#{subscription_id}"


def fanout_score_bound(score: int) -> str:
    """Exclusive sort-key bound selecting fan-out rows with ``min_score <= score``."""
    return f"{score + 1:02d}#"


SUB_COUNT_SK = "COUNT"
RATE_SK = "RATE"


def sub_count_pk(counter: str) -> str:
    """A subscription counter (``owner#<key_id>``, ``host#<key_id>#<host>``: names the domain chose)."""
    return f"SUBCOUNT#{counter}"


def rate_pk(scope: str, window_start: int) -> str:
    """One fixed window of a rate limit (``window_start``: the window's first second, epoch)."""
    return f"RATE#{scope}#{window_start}"


def delivery_sk(delivery_id: str) -> str:
    return f"DELIVERY#{delivery_id}"


def deliveries_pk(subscription_id: str) -> str:
    """gsi1 partition of a subscription's deliveries (sort key ``<iso>#<delivery_id>``, newest first)."""
    return f"DELIVERIES#{subscription_id}"


# ------------------------------------------------------------------ the model analyst
ANALYSIS_SK = "ANALYSIS"
BUDGET_SK = "BUDGET"


def analysis_pk(cache_key: str) -> str:
    """A cached model answer (``cache_key``: sha256 of prompt version, model id and the text sent)."""
    return f"ANALYSIS#{cache_key}"


def budget_pk(day: str) -> str:
    """The model's spending counter of one UTC day (``yyyy-mm-dd``)."""
    return f"BUDGET#{day}"


# ------------------------------------------------------------------ api keys, ops figures
API_KEY_SK = "APIKEY"
STATS_SK = "STATS"
SOURCE_STATS_SK = "DAILY"


def apikey_pk(key_hash: str) -> str:
    return f"APIKEY#{key_hash}"


#: gsi1: every API key, by creation time (``signals keys list``, revocation by id).
APIKEYS_INDEX_PK = "APIKEYS"


def stats_pk(day: str, shard: int) -> str:
    """One shard of one day's pipeline counters."""
    return f"STATS#{day}#{shard}"


def source_stats_pk(source_id: str) -> str:
    return f"SRCSTATS#{source_id}"


# ------------------------------------------------------------------ the daily digest
DIGEST_SK = "DIGEST"
#: gsi1: every stored digest, by day (latest, previous and next day, the digest feeds).
DIGESTS_INDEX_PK = "DIGESTS"


def digest_pk(day: str) -> str:
    """One UTC day's digest (``yyyy-mm-dd``)."""
    return f"DIGEST#{day}"
