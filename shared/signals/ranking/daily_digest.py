"""Building one UTC day's digest from the signals published that day (pure: no storage here).

The digest opens with what it read ("N items from M sources; K stories; L at 7+") and lists the top
stories, highest score first then newest, at most ``digest_list_max``, only those at or above
``digest_notable_score``: a day with none says plainly that it was quiet instead of padding the list.
A signal is one story (the scorer groups the reports of a story into one signal), so a story is
counted once however many items reported it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from signals.config import get_settings
from signals.models import Signal, as_utc, iso
from signals.models.day_digest import Digest, DigestEntry


def parse_day(text: str) -> str:
    """``YYYY-MM-DD`` of a real calendar day, or ValueError saying what is expected."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a date; expected YYYY-MM-DD, e.g. 2026-02-12") from None


def day_of(value: datetime) -> str:
    """The UTC day of an instant."""
    return as_utc(value).strftime("%Y-%m-%d")


def previous_day(now: datetime) -> str:
    """The day a scheduled build digests: the last complete UTC day before ``now``."""
    return day_of(as_utc(now) - timedelta(days=1))


def opening(items: int, sources: int, stories: int, notable: int, notable_score: int) -> str:
    """The first sentence of a digest; a quiet day is said plainly."""
    read = (
        f"{_count(items, 'item', 'items')} from {_count(sources, 'source', 'sources')}; "
        f"{_count(stories, 'story', 'stories')}; {notable} at {notable_score}+."
    )
    if notable:
        return read
    if not stories:
        return read + " A quiet day: nothing was published."
    return read + f" A quiet day: nothing scored {notable_score} or more, so there is no list."


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def build_digest(day: str, signals: Iterable[Signal], *, now: datetime | None = None) -> Digest:
    """The digest of ``day`` from its signals (those of other days are ignored; each id once)."""
    settings = get_settings()
    bar = settings.digest_notable_score
    # one pass, keeping ids and item keys but only the notable signals (a busy day is ~100,000 items)
    stories: set[str] = set()
    items: set[tuple[str, str]] = set()
    notable: list[Signal] = []
    for s in signals:
        if day_of(s.published_at) != day or s.id in stories:
            continue
        stories.add(s.id)
        items.update((ref.source_id, ref.item_id) for ref in s.sources)
        if s.score >= bar:
            notable.append(s)
    sources = {source_id for source_id, _ in items}
    notable.sort(key=lambda s: (-s.score, -s.published_at.timestamp(), s.id))
    entries = [
        DigestEntry(
            id=s.id,
            title=s.title,
            url=str(s.url),
            score=s.score,
            category=s.category,
            summary=s.summary,
            published_at=s.published_at,
            reports=len(s.sources),
        )
        for s in notable[: settings.digest_list_max]
    ]
    return Digest(
        date=day,
        built_at=iso(now or datetime.now(UTC)),
        items=len(items),
        sources=len(sources),
        stories=len(stories),
        notable=len(notable),
        notable_score=bar,
        quiet=not notable,
        opening=opening(len(items), len(sources), len(stories), len(notable), bar),
        entries=entries,
    )
