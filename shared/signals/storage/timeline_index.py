"""The read side of the feed: pages of signals by time, score or hotness, filtered by indexes.

Every page is a k-way merge of "lanes": a lane walks one index's month partitions newest first
(``storage/key_schema.py``). The index is chosen so that it holds only matching signals (category,
min-score and tag/source postings), so a page reads about ``limit + 1`` items and costs one Query per
partition it touches. A residual in-memory check keeps results correct for combined filters and
for postings left stale by a writer. No Scan anywhere.
"""

from __future__ import annotations

import heapq
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from signals.config import get_settings
from signals.models import Category, Signal, as_utc
from signals.storage import key_schema
from signals.storage.aws import client
from signals.storage.signal_records import (
    COUNTS_PK,
    MONTHS_PK,
    counts_sk,
    min_score_pk,
    source_posting_pk,
    tag_pk,
)

Sort = Literal["time", "score", "hot"]
_TOP = "\uffff"


class FeedQuery(BaseModel):
    """What a reader asked for (filters and order); a cursor is bound to its fingerprint."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_score: int = 1
    categories: tuple[Category, ...] = ()
    tag: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: Sort = "time"

    def fingerprint(self) -> str:
        """Canonical text of the query: equal for equal filters, whatever the parameter order."""
        data = self.model_dump(mode="json")
        data["categories"] = sorted(data["categories"])
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def matches(self, signal: Signal) -> bool:
        """The residual check every returned signal passes."""
        published = as_utc(signal.published_at)
        return (
            signal.score >= self.min_score
            and (not self.categories or signal.category in self.categories)
            and (self.tag is None or self.tag in signal.tags)
            and (self.source is None or any(s.source_id == self.source for s in signal.sources))
            and (self.since is None or published >= as_utc(self.since))
            and (self.until is None or published <= as_utc(self.until))
        )


@dataclass(frozen=True)
class Partition:
    """One index partition: which index, its key attribute names, the partition value, sk bounds."""

    index: str | None
    pk_name: str
    sk_name: str
    pk: str
    low: str
    high: str

    def start_key(self, after_sk: str) -> dict[str, Any]:
        """The ExclusiveStartKey that resumes after the item with sort key ``after_sk``."""
        start = {self.pk_name: {"S": self.pk}, self.sk_name: {"S": after_sk}}
        if self.index:  # a GSI key also needs the table key of that item
            start["pk"] = {"S": f"SIGNAL#{after_sk.rsplit('#', 1)[-1]}"}
            start["sk"] = {"S": "SIGNAL"}
        return start


@dataclass
class FeedPage:
    """One page: the signals, and the lane positions to resume from (None when the feed ended)."""

    signals: list[Signal]
    months: list[str]
    positions: list[list[Any]] | None
    offset: int | None = None


@dataclass
class Counts:
    categories: dict[str, int]
    tags: dict[str, int]


def _time_bounds(query: FeedQuery) -> tuple[str, str]:
    low = key_schema.iso(query.since) if query.since else "0"
    high = key_schema.iso(query.until) + "#" + _TOP if query.until else _TOP
    return low, high


def lanes_for(query: FeedQuery) -> list[Any]:
    """One function month -> Partition per lane, using the most selective index for the query."""
    low, high = _time_bounds(query)

    def base(pk_of: Any) -> Any:
        return lambda month: Partition(None, "pk", "sk", pk_of(month), low, high)

    def gsi(n: int, pk_of: Any, lo: str = low, hi: str = high) -> Any:
        return lambda month: Partition(f"gsi{n}", f"gsi{n}pk", f"gsi{n}sk", pk_of(month), lo, hi)

    if query.sort == "score":
        return [gsi(3, lambda m: f"SCORE#{m}", f"{query.min_score:02d}#", _TOP)]
    if query.tag is not None:
        return [base(lambda m: tag_pk(query.tag, m))]
    if query.source is not None:
        return [base(lambda m: source_posting_pk(query.source, m))]
    if query.categories:
        if query.min_score > 1:
            return [
                base(lambda m, c=c: min_score_pk(query.min_score, m, c.value))
                for c in sorted(set(query.categories))
            ]
        return [gsi(2, lambda m, c=c: f"CAT#{c.value}#{m}") for c in sorted(set(query.categories))]
    if query.min_score > 1:
        return [base(lambda m: min_score_pk(query.min_score, m))]
    return [gsi(1, lambda m: f"FEED#{m}")]


def list_months(query: FeedQuery, *, now: datetime | None = None) -> list[str]:
    """Months that hold signals within the query's time bounds, newest first.

    The month registry is read once per container and cache period (kept on the client, so a new
    client starts afresh); the current month is always included, so a new month is never missed.
    """
    dynamodb = client("dynamodb")
    cached = getattr(dynamodb, "_signals_months", None)
    current = key_schema.month(now or datetime.now(UTC))
    if cached is None or time.monotonic() - cached[0] > get_settings().cache_max_age_s:
        cached = (time.monotonic(), _registry_months())
        dynamodb._signals_months = cached
    low = key_schema.month(query.since) if query.since else "0000-00"
    high = key_schema.month(query.until) if query.until else "9999-99"
    months = set(cached[1]) | {current}
    return sorted((m for m in months if low <= m <= high), reverse=True)


def _registry_months() -> list[str]:
    """Every month in the registry (one Query; a few hundred bytes for decades of months)."""
    months: list[str] = []
    request: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": MONTHS_PK}},
        "ScanIndexForward": False,
        "ProjectionExpression": "sk",
    }
    while True:
        response = client("dynamodb").query(**request)
        months.extend(item["sk"]["S"].split("#", 1)[0] for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return sorted(set(months), reverse=True)
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _query(partition: Partition, limit: int, start: dict[str, Any] | None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :lo AND :hi",
        "ExpressionAttributeNames": {"#pk": partition.pk_name, "#sk": partition.sk_name, "#b": "body"},
        "ExpressionAttributeValues": {
            ":pk": {"S": partition.pk},
            ":lo": {"S": partition.low},
            ":hi": {"S": partition.high},
        },
        "ProjectionExpression": "#pk, #sk, #b",
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if partition.index:
        request["IndexName"] = partition.index
        request["ProjectionExpression"] += ", pk, sk"
    if start:
        request["ExclusiveStartKey"] = start
    return client("dynamodb").query(**request)


def _lane(
    lane_no: int, partition_of: Any, months: list[str], position: list[Any], wanted: list[int]
) -> Iterator[tuple[str, int, int, dict[str, Any]]]:
    """Items of one lane, newest first: (sort key, lane, month index, item).

    Each Query asks for what the page still lacks plus one (``wanted[0] + 1``), so a lane reads
    hardly more than it contributes, and a partition is queried once per page.
    """
    month_index, after = position
    for index in range(month_index, len(months)):
        partition = partition_of(months[index])
        start = partition.start_key(after) if index == month_index and after else None
        while True:
            response = _query(partition, wanted[0] + 1, start)
            for item in response.get("Items", []):
                yield item[partition.sk_name]["S"], lane_no, index, item
            start = response.get("LastEvaluatedKey")
            if not start:
                break


def read_page(
    query: FeedQuery,
    limit: int,
    *,
    months: list[str] | None = None,
    positions: list[list[Any]] | None = None,
) -> FeedPage:
    """One page in time or score order; resume with the months and positions of the previous page."""
    if months is None:
        months = list_months(query)
    if query.sort == "score":  # score order is global: one lane per month, merged
        (partition_of,) = lanes_for(query)
        plan = [(partition_of, [month]) for month in months]
    else:  # time order: one lane per selected partition family, each walking the months
        plan = [(partition_of, months) for partition_of in lanes_for(query)]
    positions = [list(p) for p in positions] if positions else [[0, None] for _ in plan]
    if len(positions) != len(plan):
        raise ValueError("cursor does not fit this query")
    wanted = [limit]  # shared with the lanes: how many more signals this page needs
    lanes = [_lane(n, p, lane_months, positions[n], wanted) for n, (p, lane_months) in enumerate(plan)]
    merged = heapq.merge(*lanes, key=lambda entry: entry[0], reverse=True)
    signals: list[Signal] = []
    for sort_key, lane_no, month_index, item in merged:
        signal = Signal.model_validate_json(item["body"]["S"])
        if not query.matches(signal):
            positions[lane_no] = [month_index, sort_key]
            continue
        if len(signals) == limit:  # one more match exists: the page is full and the feed goes on
            return FeedPage(signals, months, positions)
        positions[lane_no] = [month_index, sort_key]
        signals.append(signal)
        wanted[0] = limit - len(signals)
    return FeedPage(signals, months, None)


def hot_score(signal: Signal, as_of: datetime) -> float:
    """Significance decayed by age: halves every ``hot_half_life_h`` hours."""
    age_h = max((as_utc(as_of) - as_utc(signal.published_at)).total_seconds() / 3600, 0.0)
    return signal.score * 0.5 ** (age_h / get_settings().hot_half_life_h)


def read_hot_page(query: FeedQuery, limit: int, *, as_of: datetime, offset: int = 0) -> FeedPage:
    """One page ranked by hotness as of a fixed instant (kept in the cursor, so pages are stable).

    Exact top-k by the threshold algorithm over score tiers: tier ``t`` walks the signals scoring
    at least ``t`` (the min-score postings) newest first. A signal of score ``s`` that no tier has
    reached is older than every tier ``t <= s`` has read, so its hotness is below ``s`` decayed by
    that age; reading stops once that bound, over all scores, is at or below the k-th best found.
    The bottom tier (every match) is read first, two chunks: a quiet window ends there.
    In a busy one the sparse high tiers end the search early: recent major signals outrank
    everything older. Tag and source filters have no per-score postings: only the bottom tier.
    Past ``hot_max_candidates`` reads the ranking is of what was read (approximate).
    """
    settings = get_settings()
    window_start = as_of - timedelta(days=settings.hot_window_days)
    bounded = query.model_copy(
        update={
            "sort": "time",
            "since": max(as_utc(query.since), window_start) if query.since else window_start,
            "until": min(as_utc(query.until), as_of) if query.until else as_of,
        }
    )
    bottom = bounded.min_score
    if bounded.tag is not None or bounded.source is not None:
        thresholds = [bottom]
    else:
        thresholds = list(range(bottom, 11))
    tiers = {t: bounded.model_copy(update={"min_score": t}) for t in thresholds}
    months = list_months(bounded)
    positions: dict[int, list[list[Any]] | None] = dict.fromkeys(thresholds)
    reached_h = dict.fromkeys(thresholds, 0.0)  # age (hours) of the oldest signal each tier read
    exhausted = dict.fromkeys(thresholds, False)

    def unread_bound(score: int) -> float:
        """The most an unread signal of exactly ``score`` can be worth (-1: none is left)."""
        below = [t for t in thresholds if t <= score]
        if any(exhausted[t] for t in below):
            return -1.0
        return score * 0.5 ** (max(reached_h[t] for t in below) / settings.hot_half_life_h)

    found: dict[str, tuple[tuple[float, str, str], Signal]] = {}
    wanted = offset + limit + 1  # one more than the page: tells whether another page follows
    read = 0
    while read < settings.hot_max_candidates:
        best = sorted((rank for rank, _ in found.values()), reverse=True)
        kth = best[wanted - 1][0] if len(best) >= wanted else 0.0
        worst_case = max(range(bottom, 11), key=unread_bound)
        if unread_bound(worst_case) <= kth:  # nothing unread can enter the top ``wanted``
            break
        quiet_so_far = read < 2 * settings.hot_read_chunk
        tier = bottom if quiet_so_far else max(t for t in thresholds if t <= worst_case)
        chunk = min(settings.hot_read_chunk, settings.hot_max_candidates - read)
        page = read_page(tiers[tier], chunk, months=months, positions=positions[tier])
        read += len(page.signals)
        for signal in page.signals:
            found[signal.id] = (
                (hot_score(signal, as_of), key_schema.iso(signal.published_at), signal.id),
                signal,
            )
        if page.signals:
            age_s = (as_utc(as_of) - as_utc(page.signals[-1].published_at)).total_seconds()
            reached_h[tier] = max(age_s / 3600, 0.0)
        positions[tier] = page.positions
        exhausted[tier] = page.positions is None
    ranked = [signal for _, signal in sorted(found.values(), key=lambda entry: entry[0], reverse=True)]
    more = offset + limit < len(ranked)
    return FeedPage(ranked[offset : offset + limit], [], None, offset + limit if more else None)


def get_counts() -> Counts:
    """Signals per category and per tag: one BatchGetItem over the counter shards the writer keeps."""
    settings = get_settings()
    shard_keys = [{"pk": {"S": COUNTS_PK}, "sk": {"S": counts_sk(n)}} for n in range(settings.counter_shards)]
    request: dict[str, Any] = {settings.table_name: {"Keys": shard_keys}}
    shards: list[dict[str, Any]] = []
    while request:
        response = client("dynamodb").batch_get_item(RequestItems=request)
        shards.extend(response.get("Responses", {}).get(settings.table_name, []))
        request = response.get("UnprocessedKeys") or {}
    totals: dict[str, int] = {}
    for shard in shards:
        for name, value in shard.items():
            if "N" in value:
                totals[name] = totals.get(name, 0) + int(value["N"])
    categories = {name[4:]: n for name, n in totals.items() if name.startswith("cat:") and n > 0}
    tags = {name[4:]: n for name, n in totals.items() if name.startswith("tag:") and n > 0}
    return Counts(categories, tags)
