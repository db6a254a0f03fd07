"""The signal page's view: what ``templates/signal.html`` shows, computed from the stored signal.

Score · category · time (the date alone when the publisher gave no time), headline, impact summary,
context, the analyst's three sections or a line saying when they are written, tags as links to the
filtered feed, every source by publisher (a publisher's mirrors folded into one), what moved the
score (the factor breakdown as bars, each with its evidence, under the rationale), "Earlier in this
story", and the way back. Pure: a signal in, plain values out; the template only lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from signals.config import get_settings
from signals.models import Signal
from signals.models.links import safe_url
from signals.models.thread import RelatedSignal
from signals.rendering.display import display_date, display_score, display_when
from signals.rendering.follow_links import entity_links, tag_href
from signals.rendering.publishers import Publisher, publishers

_FACTOR_LABELS = {
    "event": "Event type",
    "scale": "Scale",
    "immediacy": "Immediacy",
    "novelty": "Novelty",
    "primary_source": "Primary source",
    "concrete_facts": "Concrete facts",
    "corroboration": "Corroboration",
    "vagueness": "Vagueness",
    "speculation": "Speculation",
    "hype": "Hype",
    "self_promotion": "Self-promotion",
    "low_value_form": "Low-value form",
}
SCALE_MAX = 10.0  # the bars' axis: the score's own range


@dataclass(frozen=True)
class Bar:
    """One step of the score: from ``start`` to ``end`` on the 0-10 axis, as percentages."""

    label: str
    points: str  # "+0.40", "5.50"
    x: float
    width: float
    kind: str  # "base", "up", "down"
    evidence: str


@dataclass(frozen=True)
class Earlier:
    title: str
    href: str
    score: str
    when: str


@dataclass(frozen=True)
class SignalView:
    signal: Signal
    score: str
    when: str
    when_iso: str
    link: str
    tags: list[tuple[str, str]]
    entities: list[tuple[str, str]]  # (name, /entities/<slug>)
    publishers: list[Publisher]
    bars: list[Bar]
    total: str
    notes_line: str
    earlier: list[Earlier]


def score_bars(signal: Signal) -> list[Bar]:
    """The breakdown as steps on the 0-10 axis: the base (the event type's, or the learned judge's
    estimate), then each factor that moved it, with what in the text triggered it."""
    breakdown = signal.score_breakdown
    learned = next((f for f in breakdown.factors if f.name == "learned_judge"), None)
    if learned is not None:
        base_label = "Learned judge's estimate"
        base_evidence = ", ".join(learned.evidence)
    else:
        event = (breakdown.event or "").replace("-", " ")
        base_label = f"Base: {event}" if event else "Base"
        first = next((f for f in breakdown.factors if f.name == "event"), None)
        base_evidence = ", ".join(first.evidence[1:]) if first else ""
    judge = breakdown.judge or {}
    start = float(judge.get("expected", breakdown.base)) if learned is not None else breakdown.base
    bars = [_bar(base_label, 0.0, start, "base", base_evidence, f"{start:.2f}")]
    if abs(breakdown.base - start) >= 0.005:  # the judge's estimate moved by a rules' floor or its 7+ gate
        label = "Rules' floor" if judge.get("floor") else "Judge's 7+ gate"
        kind = "up" if breakdown.base > start else "down"
        floor = judge.get("floor")
        note = f"kept at {floor} by what the rules found" if floor else "P(7+) decides 7+"
        bars.append(_bar(label, start, breakdown.base, kind, note, f"{breakdown.base - start:+.2f}"))
    running = breakdown.base
    for factor in breakdown.factors:
        if factor.name in ("learned_judge", "event") or abs(factor.contribution) < 0.005:
            continue
        label = _FACTOR_LABELS.get(factor.name, factor.name.replace("_", " ").capitalize())
        end = running + factor.contribution
        kind = "up" if factor.contribution > 0 else "down"
        evidence = ", ".join(factor.evidence)
        bars.append(_bar(label, running, end, kind, evidence, f"{factor.contribution:+.2f}"))
        running = end
    if breakdown.cap is not None and breakdown.raw < running - 0.005:
        cap_note = f"capped at {breakdown.cap:g}: a low-value form"
        bars.append(_bar("Cap", running, breakdown.raw, "down", cap_note, f"{breakdown.raw - running:+.2f}"))
    return bars


def _bar(label: str, start: float, end: float, kind: str, evidence: str, points: str) -> Bar:
    low, high = sorted((max(0.0, min(SCALE_MAX, start)), max(0.0, min(SCALE_MAX, end))))
    x, width = 100 * low / SCALE_MAX, max(0.6, 100 * (high - low) / SCALE_MAX)
    return Bar(label, points, round(x, 2), round(min(width, 100 - x), 2), kind, evidence)


def notes_line(signal: Signal) -> str:
    """Why a page has no analyst notes: which stories get them (the gate ``bedrock_min_p6``)."""
    settings = get_settings()
    judge = signal.score_breakdown.judge or {}
    gate = (
        f"stories the learned judge gives at least a {settings.bedrock_min_p6:.0%} chance of scoring 6+"
        if judge
        else f"stories scoring {settings.bedrock_min_score}+"
    )
    sections = "Technical Impact, Why It Matters, What to Watch Next"
    line = f"Analyst notes ({sections}) are written for {gate} when Bedrock is on."
    if "p6plus" in judge:
        line += f" This one: {float(judge['p6plus']):.0%}."
    return line


def _machine_time(value: datetime, date_only: bool) -> str:
    """A ``<time datetime>`` value: the day alone when only the day is known."""
    return value.date().isoformat() if date_only else value.isoformat()


def _signal_href(signal_id: str) -> str:
    return "/signals/" + quote(signal_id, safe="")


def signal_view(signal: Signal, earlier: Sequence[RelatedSignal] = ()) -> SignalView:
    """Everything ``signal.html`` shows."""
    bars = score_bars(signal)
    return SignalView(
        signal=signal,
        score=display_score(signal.score),
        when=display_when(signal.published_at, signal.published_date_only),
        when_iso=_machine_time(signal.published_at, signal.published_date_only),
        link=safe_url(signal.url),
        tags=[(tag, tag_href(tag)) for tag in signal.tags],
        entities=entity_links(signal),
        publishers=publishers(signal.sources),
        bars=bars,
        total=f"{signal.score_breakdown.raw:.2f}",
        notes_line="" if signal.analysis else notes_line(signal),
        earlier=[
            Earlier(e.title, _signal_href(e.id), display_score(e.score), display_date(e.published_at))
            for e in earlier
        ],
    )
