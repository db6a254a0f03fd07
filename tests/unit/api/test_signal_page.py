"""The signal page as the product's reference lays it out (rendering/signal_page.py + signal.html)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fabricate import make_signal
from signals.models import Category, FactorScore, ScoreBreakdown, SourceRef
from signals.models.thread import RelatedSignal
from signals.rendering import pages
from signals.rendering.publishers import publishers
from signals.rendering.signal_page import score_bars

WHEN = datetime(2026, 6, 2, 17, 1, tzinfo=UTC)


def source(name: str, url: str, minutes: int = 0, *, date_only: bool = False) -> SourceRef:
    at = WHEN.replace(hour=0, minute=0) if date_only else WHEN + timedelta(minutes=minutes)
    return SourceRef(
        item_id=f"it-{name}-{minutes}",
        source_id=name,
        name=name,
        url=url,
        published_at=at,
        published_date_only=date_only,
    )


RULES = ScoreBreakdown(
    rubric_version="r1",
    base=7.5,
    event="funding",
    raw=8.9,
    factors=[
        FactorScore(name="event", value=1, weight=0, contribution=0, evidence=["funding", "money 65"]),
        FactorScore(name="scale", value=1, weight=0.6, contribution=0.6, evidence=["Anthropic"]),
        FactorScore(
            name="concrete_facts", value=0.9, weight=1, contribution=0.9, evidence=["money", "numbers"]
        ),
        FactorScore(name="hype", value=1, weight=-0.1, contribution=-0.1, evidence=["groundbreaking"]),
    ],
)


def test_the_reference_layout_for_a_signal_with_a_time():
    signal = make_signal(
        2,
        score=8,
        category=Category.SAFETY_POLICY,
        published=WHEN,
        summary="What changes, for whom.",
        context="What happened before.",
        rationale="Anthropic: a $65B round, news that changes the field.",
        tags=["policy", "claude code"],
        score_breakdown=RULES,
    )
    html = pages.signal_page(signal)
    assert '8/10</span> · <span class="category">Safety &amp; Policy</span> · <time' in html
    assert ">2 Jun 2026, 17:01 UTC</time>" in html
    order = [
        "<h1>",
        "What changes, for whom.",
        "What happened before.",
        "Technical Impact",
        "Why It Matters",
        "What to Watch Next",
        'href="/tags/policy"',
        "Sources",
        "What moved the score",
        "Back to feed",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions), order
    assert 'href="/tags/claude%20code"' in html
    assert "news that changes the field" in html and "Analyst notes" not in html
    assert "<script" not in html and "style=" not in html


def test_the_date_alone_when_the_publisher_gave_no_time():
    signal = make_signal(
        3,
        published=WHEN.replace(hour=0, minute=0),
        published_date_only=True,
        sources=[source("Lab", "https://lab.example/a", date_only=True)],
    )
    html = pages.signal_page(signal)
    assert ">2 Jun 2026</time>" in html and "00:00" not in html


def test_without_notes_a_plain_line_says_which_stories_get_them():
    judged = RULES.model_copy(update={"judge": {"p6plus": 0.031}})
    html = pages.signal_page(make_signal(1, score_breakdown=judged))  # odd n: no analysis
    assert "Technical Impact</h2>" not in html
    gate = "the learned judge gives at least a 5% chance of scoring 6+ when Bedrock is on"
    assert f"written for stories {gate}" in html
    assert "This one: 3%." in html


def test_a_publisher_and_its_mirror_are_one_source():
    folded = publishers(
        [
            source("AI Security Institute", "https://www.aisi.gov.uk/blog/x"),
            source("AI Security Institute (Turing mirror)", "https://www.aisi.gov.uk/blog/x?ref=t", 30),
            source("Wire", "https://wire.example/x", 60),
        ]
    )
    assert [(p.name, p.reports) for p in folded] == [("AI Security Institute", 2), ("Wire", 1)]
    assert folded[0].url == "https://www.aisi.gov.uk/blog/x"


def test_cards_and_feed_items_fold_a_mirror_as_the_signal_page_does():
    """One rule for publishers everywhere a reader sees them: the front page's card and each feed."""
    from signals.rendering import syndication

    mirrored = [
        source("AI Security Institute", "https://www.aisi.gov.uk/blog/x"),
        source("AI Security Institute (Turing mirror)", "https://www.aisi.gov.uk/blog/x?ref=t", 30),
    ]
    signal = make_signal(1, sources=mirrored)
    assert [p.name for p in pages.publishers(signal)] == ["AI Security Institute"]
    assert syndication.publishers(signal) == ["AI Security Institute"]
    site = "https://signals.example"
    rss = syndication.rss([signal], base_url=site, self_url=f"{site}/v1/feed.rss", now=WHEN)
    assert "Turing mirror" not in rss


def test_the_score_is_drawn_as_steps_with_their_evidence():
    bars = score_bars(make_signal(1, score_breakdown=RULES))
    assert [(b.label, b.points, b.kind) for b in bars] == [
        ("Base: funding", "7.50", "base"),
        ("Scale", "+0.60", "up"),
        ("Concrete facts", "+0.90", "up"),
        ("Hype", "-0.10", "down"),
    ]
    assert bars[0].evidence == "money 65" and bars[2].evidence == "money, numbers"
    assert bars[1].x == 75.0 and bars[1].width == 6.0  # starts where the base ended, on the 0-10 axis
    html = pages.signal_page(make_signal(1, score_breakdown=RULES))
    assert html.count('<rect class="') == 4 and "groundbreaking" in html
    judge = ScoreBreakdown(
        rubric_version="r1",
        analyst="judge",
        base=6.6,
        raw=6.6,
        factors=[
            FactorScore(name="learned_judge", value=6.6, weight=1, contribution=0, evidence=["'raises'"])
        ],
    )
    assert [(b.label, b.evidence) for b in score_bars(make_signal(1, score_breakdown=judge))] == [
        ("Learned judge's estimate", "'raises'")
    ]


def test_earlier_in_this_story_links_each_earlier_signal():
    earlier = [
        RelatedSignal(
            id="old 1",
            title="Anthropic raises $30B <Series G>",
            score=8,
            category=Category.BUSINESS,
            published_at=WHEN - timedelta(days=100),
            thread="funding#anthropic",
        ),
    ]
    html = pages.signal_page(make_signal(1), earlier)
    assert "Earlier in this story" in html and 'href="/signals/old%201"' in html
    assert "Anthropic raises $30B &lt;Series G&gt;</a> · 8/10 · 22 Feb 2026" in html
    assert "Earlier in this story" not in pages.signal_page(make_signal(1))


def test_the_judges_estimate_then_the_rules_floor_then_corroboration():
    judged = ScoreBreakdown(
        rubric_version="r1", analyst="judge", base=7.0, raw=7.4, judge={"expected": 3.1, "floor": 7},
        factors=[
            FactorScore(name="learned_judge", value=7.0, weight=1, contribution=0, evidence=["order"]),
            FactorScore(name="corroboration", value=0.4, weight=1, contribution=0.4, evidence=["3 sources"]),
        ],
    )  # fmt: skip
    bars = score_bars(make_signal(1, score_breakdown=judged))
    assert [(b.label, b.points) for b in bars] == [
        ("Learned judge's estimate", "3.10"),
        ("Rules' floor", "+3.90"),
        ("Corroboration", "+0.40"),
    ]
    assert bars[1].evidence == "kept at 7 by what the rules found"
