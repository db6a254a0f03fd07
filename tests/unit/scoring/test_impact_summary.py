"""The impact summary, context paragraph and news-stating rationale, on hand-written texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from signals.models import Category
from signals.scoring.analyst import RuleAnalyst
from signals.scoring.impact_summary import filled_summary, impact_text
from signals.scoring.rationale import news_phrase, news_rationale

MICRON = (
    "Backed by a $10 billion planned investment over the next decade, Micron Research Labs will unite "
    "academia, government, startups and industry to advance the memory and compute breakthroughs that will "
    "define the AI era BOISE, Idaho, Aug. 20, 2026 (GLOBE NEWSWIRE) - Micron Technology, Inc. (Nasdaq: MU) "
    "today unveiled Micron Research Labs, a U.S.-based research institution headquartered in Boise. "
    "Building on Micron’s technology and manufacturing leadership, the new hub will bring together "
)


def test_a_wire_dateline_goes_and_the_subtitle_before_it_becomes_a_sentence():
    found = impact_text("Micron announces $10B research hub in Boise", MICRON, limit=300)
    assert found.summary.endswith("that will define the AI era.")
    assert "GLOBE NEWSWIRE" not in found.summary + found.context and "BOISE" not in found.summary
    # the context is the next whole sentence ("Inc." is no sentence end); the publisher's cut tail is dropped
    assert found.context.startswith("Micron Technology, Inc. (Nasdaq: MU) today unveiled")
    assert found.context.endswith("headquartered in Boise.")


def test_a_dateline_at_the_start_goes_too():
    text = "SAN FRANCISCO, June 2, 2026 /PRNewswire/ -- Acme AI today launched Acme Agents for banks."
    assert (
        impact_text("Acme launches agents", text).summary == "Acme AI today launched Acme Agents for banks."
    )


def test_never_the_title_again():
    title = "Introducing the Ettin Reranker Family"
    assert impact_text(title, title).summary == ""
    assert impact_text(title, f"{title} (nlp, community, research, open-source)").summary == ""
    assert impact_text(title, f"{title}. Ettin rerankers score passages in 40 languages.").summary == (
        "Ettin rerankers score passages in 40 languages."
    )
    assert impact_text("Apollo threat map", "Blog").summary == ""  # too short to say anything


def test_cut_at_a_sentence_or_a_clause_never_mid_phrase():
    long = "Gemini 3 Pro is out. " + "It reasons over long documents and many images at once. " * 10
    found = impact_text("Google releases Gemini 3 Pro", long, limit=120)
    assert found.summary == "Gemini 3 Pro is out. It reasons over long documents and many images at once."
    assert found.context.endswith("at once.") and len(found.context) <= 600
    # a text the publisher cut ("…"): the last whole clause, with a full stop
    cut = (
        "MolmoPoint and MolmoWeb extend the Molmo family from visual understanding to visual action, "
        "giving researchers…"
    )
    assert impact_text("Molmo learns to point", cut).summary == (
        "MolmoPoint and MolmoWeb extend the Molmo family from visual understanding to visual action."
    )
    # ...and nothing when the only cut is inside a list
    listed = (
        "A new benchmark testing AI in genomics, biology, and research using complex, real-world datasets,…"
    )
    assert impact_text("GeneBench", listed).summary == ""
    # a feed cut mid-word without an ellipsis: the unfinished sentence goes
    assert impact_text(
        "Mistral Large 2", "Today we announce Mistral Large 2. It also provides capabili"
    ).summary == ("Today we announce Mistral Large 2.")


def test_the_rule_analyst_writes_summary_and_context():
    from signals.models import Item

    when = datetime(2026, 6, 2, tzinfo=UTC)
    item = Item(
        id="i1",
        source_id="s",
        source_name="Acme",
        feed_url="https://a.example/feed",
        url="https://a.example/1",
        title="Micron announces $10B research hub in Boise",
        summary=MICRON,
        published_at=when,
        fetched_at=when,
        content_hash="h",
    )
    enrichment = RuleAnalyst().enrich(item)
    assert enrichment.summary.startswith("Backed by a $10 billion") and enrichment.context.startswith(
        "Micron"
    )


def test_an_empty_summary_is_filled_from_a_later_report_of_the_story():
    from signals.models import Item

    when = datetime(2026, 6, 2, tzinfo=UTC)
    analyst = RuleAnalyst()

    def item(n: int, summary: str) -> Item:
        return Item(
            id=f"i{n}",
            source_id="s",
            source_name="Anthropic News",
            feed_url="https://a.example/feed",
            url=f"https://a.example/{n}",
            title="Anthropic raises $65B in Series H funding",
            summary=summary,
            published_at=when,
            fetched_at=when,
            content_hash=f"h{n}",
        )

    lead = analyst.enrich(item(1, "Anthropic raises $65B in Series H funding"))
    assert lead.summary == ""
    text = (
        "Anthropic has raised $65 billion in Series H funding led by Altimeter Capital and Sequoia Capital."
    )
    filled = filled_summary(lead, "Anthropic raises $65B in Series H funding", item(2, text))
    assert filled.summary == text and filled.score == lead.score
    assert (
        filled_summary(filled, "x", item(3, "Something else entirely happened today at Anthropic.")) is filled
    )


def test_the_rationale_states_the_news_not_the_formula():
    news = news_phrase(
        "funding",
        "Anthropic raises $65B in Series H funding at $965B post-money valuation",
        "",
        ["Anthropic"],
    )
    assert news == "Anthropic: a $65B Series H round"
    assert (
        news_rationale(news, 10, Category.BUSINESS)
        == "Anthropic: a $65B Series H round, news that changes the field."
    )
    model = news_phrase("frontier-model", "Introducing Claude Opus 5", "", ["Anthropic"])
    assert news_rationale(model, 8, Category.MODELS_RESEARCH, 3) == (
        "Claude Opus 5: a new frontier model, major news most readers should see today. "
        "Reported by 3 independent sources."
    )
    assert news_rationale(news_phrase("general", "Acme ships", "", []), 4, Category.PRODUCTS) == (
        "Products & Launches news, minor, of interest to specialists."
    )
    assert news_rationale("x", 1, Category.OFF_TOPIC).startswith("Not about AI")


def test_the_scorer_fills_a_storys_empty_summary_from_a_later_report():
    from signals.models import Item, ScoreRequest
    from signals.scoring.session import ScoringSession
    from signals.storage.memory_archive import InMemoryArchive
    from signals.storage.memory_queues import InMemoryEventQueue
    from signals.storage.memory_stories import InMemoryStories

    when = datetime(2026, 6, 2, tzinfo=UTC)
    title = "Anthropic raises $65B in Series H funding at $965B post-money valuation"
    text = "Anthropic has raised $65 billion in Series H funding led by Altimeter Capital and Sequoia."
    archive, stories = InMemoryArchive(), InMemoryStories()
    requests = []
    for n, (site, summary) in enumerate([("www.anthropic.com", title), ("mirror.example", text)]):
        item = Item(
            id=f"i{n}", source_id=f"s{n}", source_name=f"S{n}", feed_url=f"https://{site}/feed",
            url=f"https://{site}/news/series-h", title=title, summary=summary, content_hash=f"h{n}",
            published_at=when + timedelta(hours=n), fetched_at=when + timedelta(hours=n),
        )  # fmt: skip
        requests.append(ScoreRequest(item_key=archive.put(item), item_id=item.id, source_id=item.source_id,
                                     enqueued_at=when))  # fmt: skip
    queue = InMemoryEventQueue()
    for request in requests:
        ScoringSession(analyst=RuleAnalyst(), stories=stories, archive=archive, queue=queue).score(request)
    (signal,) = stories.signals.values()
    assert len(signal.sources) == 2 and signal.summary == text
