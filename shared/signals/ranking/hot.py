"""``sort=hot``: significance decayed by age, ranked exactly (top-k by the threshold algorithm)."""

from __future__ import annotations

from datetime import datetime, timedelta

from signals.config import get_settings
from signals.models import Signal, as_utc, iso
from signals.ranking.paging import FeedPage, Resume
from signals.ranking.ports import FeedIndex
from signals.ranking.query import FeedQuery
from signals.ranking.search import read_matches


def hot_score(signal: Signal, as_of: datetime) -> float:
    """Significance decayed by age: halves every ``hot_half_life_h`` hours."""
    age_h = max((as_utc(as_of) - as_utc(signal.published_at)).total_seconds() / 3600, 0.0)
    return signal.score * 0.5 ** (age_h / get_settings().hot_half_life_h)


def _window(query: FeedQuery, as_of: datetime) -> FeedQuery:
    """The query bounded to the hot window (the last ``hot_window_days`` before ``as_of``), time order."""
    window_start = as_of - timedelta(days=get_settings().hot_window_days)
    return query.model_copy(
        update={
            "sort": "time",
            "since": max(as_utc(query.since), window_start) if query.since else window_start,
            "until": min(as_utc(query.until), as_of) if query.until else as_of,
        }
    )


def read_hot_page(
    index: FeedIndex, query: FeedQuery, limit: int, *, as_of: datetime, offset: int = 0
) -> FeedPage:
    """One page ranked by hotness as of a fixed instant (kept in the cursor, so pages are stable).

    Exact top-k by the threshold algorithm over score tiers: tier ``t`` walks the signals scoring
    at least ``t`` (the min-score lanes) newest first. A signal of score ``s`` that no tier has
    reached is older than every tier ``t <= s`` has read, so its hotness is below ``s`` decayed by
    that age; reading stops once that bound, over all scores, is at or below the k-th best found.
    The bottom tier (every match) is read first, two chunks: a quiet window ends there.
    In a busy one the sparse high tiers end the search early: recent major signals outrank
    everything older. Tag, source and search (``q``) filters have no per-score lanes: one tier.
    Past ``hot_max_candidates`` reads the ranking is of what was read (approximate).
    """
    settings = get_settings()
    bounded = _window(query, as_of)
    bottom = bounded.min_score
    single_tier = bool(bounded.tags) or bounded.source is not None or bool(bounded.terms)
    thresholds = [bottom] if single_tier else list(range(bottom, 11))
    tiers = {t: bounded.model_copy(update={"min_score": t}) for t in thresholds}
    months = index.months(bounded.since, bounded.until)
    resume: dict[int, Resume | None] = dict.fromkeys(thresholds)
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
        page = read_matches(index, tiers[tier], chunk, months=months, resume=resume[tier])
        read += len(page.signals)
        for signal in page.signals:
            found[signal.id] = ((hot_score(signal, as_of), iso(signal.published_at), signal.id), signal)
        if page.signals:
            age_s = (as_utc(as_of) - as_utc(page.signals[-1].published_at)).total_seconds()
            reached_h[tier] = max(age_s / 3600, 0.0)
        resume[tier] = page.resume
        exhausted[tier] = page.resume is None
    ranked = [signal for _, signal in sorted(found.values(), key=lambda entry: entry[0], reverse=True)]
    more = offset + limit < len(ranked)
    return FeedPage(ranked[offset : offset + limit], None, offset + limit if more else None)
