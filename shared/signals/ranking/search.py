"""Search (``q=``): pages of the signals having every term, newest first, from the term postings.

Each term has a posting partition per month (``TERM#<term>#<month>``, body copies), and every
match is in *each* term's partition. So one term's partition read from the top down to a position
holds every match above that position: the reader never merges or intersects lists, it reads one
term at a time and checks the other terms in the posting itself (``FeedQuery.matches``). Within a
month it reads a chunk of one term, then continues *below* that chunk with whichever term has
matched best so far (the most selective one: its postings are mostly matches), so no time range is
read twice; a term not read yet is first probed with a small chunk (``search_probe_chunk``). A
month ends when the term being read has nothing more in it. A rare term's month fits in one chunk:
a two-term search costs about one Query per month and term, often one per month.

Order: newest first (``sort=time``); by score, then newest (``sort=score``: ``read_ranked_page``
reads the matches, at most ``search_rank_candidates_max`` of the newest, and ranks them, pages
fixed by the instant of the first page); ``sort=hot`` ranks by score decayed by age over the hot
window (``ranking/hot.py``). ``read_matches`` is the entry point the time-ordered readers use: a
search page, or an ordinary one.
"""

from __future__ import annotations

from datetime import datetime

from signals.config import get_settings
from signals.models import as_utc, iso
from signals.models.timeline import Lane
from signals.ranking.paging import FeedPage, Resume, read_page
from signals.ranking.ports import FeedIndex
from signals.ranking.query import FeedQuery


def read_matches(
    index: FeedIndex,
    query: FeedQuery,
    limit: int,
    *,
    months: list[str] | None = None,
    resume: Resume | None = None,
) -> FeedPage:
    """One page of the query: from the term postings when it searches, else ``paging.read_page``."""
    if query.terms:
        return read_search_page(index, query, limit, months=months, resume=resume)
    return read_page(index, query, limit, months=months, resume=resume)


def read_search_page(
    index: FeedIndex,
    query: FeedQuery,
    limit: int,
    *,
    months: list[str] | None = None,
    resume: Resume | None = None,
) -> FeedPage:
    """One page of matches, newest first; resume with the previous page's ``resume``."""
    if months is None:
        months = index.months(query.since, query.until)
    lanes = [Lane("term", term) for term in query.terms]
    seen = dict.fromkeys(query.terms, 0)  # postings read per term
    hits = dict.fromkeys(query.terms, 0)  # of which matches
    signals = []
    last = resume
    for month in (m for m in months if resume is None or m <= resume.month):
        frontier = resume.position if resume else None  # this month above it is done
        while True:
            lane = max(lanes, key=lambda ln: _yield(ln.value or "", seen, hits))
            wanted = limit - len(signals) + 1
            if len(lanes) > 1 and not seen[lane.value or ""]:  # untried term: probe before committing
                wanted = min(wanted, get_settings().search_probe_chunk)
            chunk = index.read(
                lane, month, since=query.since, until=query.until, after=frontier, limit=wanted
            )
            for position, signal in chunk.entries:
                matched = query.matches(signal)
                seen[lane.value or ""] += 1
                hits[lane.value or ""] += matched
                if matched and len(signals) == limit:
                    return FeedPage(signals, last)  # one more match exists: the page is full
                last = Resume(month, position)
                if matched:
                    signals.append(signal)
            if not chunk.more or not chunk.entries:
                break  # this term has nothing more this month: neither has the search
            frontier = chunk.entries[-1][0]
    return FeedPage(signals, None)


def _yield(term: str, seen: dict[str, int], hits: dict[str, int]) -> tuple[float, int]:
    """How selective a term has proved: its share of matches (an unread term first: 1.0), then the
    query's own order (``reading.feed_query`` puts the longest, likely rarest, term first)."""
    order = -list(seen).index(term)
    return ((hits[term] / seen[term]) if seen[term] else 1.0, order)


def read_ranked_page(
    index: FeedIndex, query: FeedQuery, limit: int, *, as_of: datetime, offset: int = 0
) -> FeedPage:
    """A search page ranked by score, then newest, among the matches published up to ``as_of``.

    Reads the newest ``search_rank_candidates_max`` matches at most (one search walk; the ranking is
    of those when a search has more: say so in the docs, never a Scan); ``offset`` pages through it.
    """
    until = min(as_utc(query.until), as_of) if query.until else as_of
    bounded = query.model_copy(update={"sort": "time", "until": until})
    found = read_search_page(index, bounded, get_settings().search_rank_candidates_max).signals
    ranked = sorted(found, key=lambda s: (s.score, iso(s.published_at), s.id), reverse=True)
    more = offset + limit < len(ranked)
    return FeedPage(ranked[offset : offset + limit], None, offset + limit if more else None)
