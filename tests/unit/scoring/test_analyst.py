"""The rule analyst on hand-written items: category, score band, tags, summary, rationale."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from signals.models import Category, Item
from signals.scoring.analyst import Analyst, RuleAnalyst, corroborated, money_amount

NOW = datetime(2026, 8, 20, tzinfo=UTC)


def item(
    title: str,
    summary: str = "",
    source: str = "Example News",
    categories: tuple[str, ...] = (),
    authority: float = 1.0,
) -> Item:
    return Item(
        id="i1",
        source_id="s1",
        source_name=source,
        feed_url="https://example.com/feed",
        url="https://example.com/a",
        title=title,
        summary=summary,
        categories=list(categories),
        published_at=NOW,
        fetched_at=NOW,
        content_hash="h",
        authority=authority,
    )


@pytest.fixture(scope="module")
def analyst() -> RuleAnalyst:
    return RuleAnalyst()


def test_is_an_analyst(analyst):
    assert isinstance(analyst, Analyst)


def test_executive_order_example(analyst):
    e = analyst.enrich(
        item("Trump signs narrower AI executive order shifting to voluntary prerelease model reviews.")
    )
    assert e.category is Category.SAFETY_POLICY
    assert 7 <= e.score <= 9
    assert {"policy", "regulation"} & set(e.tags)
    assert "executive" in e.rationale


@pytest.mark.parametrize(
    ("title", "summary", "category", "low", "high"),
    [
        ("Anthropic raises $13B Series F at $183B post-money valuation", "", Category.BUSINESS, 8, 10),
        ("Acme AI raises $12M seed round to build agents for accountants", "", Category.BUSINESS, 3, 5),
        (
            "Threat actors used an AI coding agent to run a large-scale cyber espionage campaign",
            "We disrupted the operation and banned the accounts.",
            Category.SECURITY,
            5,
            8,
        ),
        (
            "Introducing GPT-6",
            "Our most capable model yet, available today in ChatGPT and the API.",
            Category.MODELS_RESEARCH,
            7,
            9,
        ),
        (
            "Mistral releases open-weight 24B coding model under Apache 2.0",
            "Weights on Hugging Face.",
            Category.OPEN_SOURCE,
            4,
            7,
        ),
        ("Nvidia unveils next-generation Rubin GPUs for AI data centers", "", Category.COMPUTE_INFRA, 4, 7),
        ("How to build a RAG chatbot with LangChain: a step-by-step tutorial", "", Category.PRODUCTS, 1, 3),
        (
            "AI Ethics and Society Newsletter #7",
            "A roundup of our recent reading on AI policy.",
            Category.SAFETY_POLICY,
            1,
            3,
        ),
        ("Survey: most teachers now use AI tools to prepare classes", "", Category.SOCIETY, 3, 6),
        (
            "The Lost Treasure of Sid Meier's Pirates",
            "A fan looks back at a classic game.",
            Category.OFF_TOPIC,
            1,
            2,
        ),
    ],
)
def test_category_and_score_band(analyst, title, summary, category, low, high):
    e = analyst.enrich(item(title, summary))
    assert e.category is category, e.rationale
    assert low <= e.score <= high, (e.score, e.rationale)


def test_significance_orders_major_above_minor(analyst):
    major = analyst.enrich(item("EU AI Act enters into force, binding rules for general-purpose AI models"))
    minor = analyst.enrich(item("Tips for writing better prompts"))
    assert major.score >= minor.score + 4


def test_factors_are_recorded_and_add_up(analyst):
    e = analyst.enrich(item("OpenAI acquires Acme for $2.5 billion", "The deal closed on March 3."))
    b = e.score_breakdown
    names = {f.name for f in b.factors}
    assert {"scale", "immediacy", "novelty", "primary_source", "concrete_facts", "corroboration"} <= names
    facts = next(f for f in b.factors if f.name == "concrete_facts")
    assert {"money", "dates", "named parties"} <= set(facts.evidence)
    assert b.rubric_version and b.analyst == "rules"
    assert abs(b.base + sum(f.contribution for f in b.factors) - b.raw) < 0.01


def test_penalties_lower_the_score(analyst):
    plain = analyst.enrich(item("Acme launches an AI assistant for lawyers"))
    hyped = analyst.enrich(
        item(
            "Acme launches a revolutionary, game-changing AI assistant for lawyers that could "
            "reportedly replace firms"
        )
    )
    assert hyped.score < plain.score or hyped.score_breakdown.raw < plain.score_breakdown.raw - 0.5
    assert {"hype", "speculation"} <= {f.name for f in hyped.score_breakdown.factors}


def test_authority_and_corroboration_raise_the_score(analyst):
    base = analyst.enrich(item("Acme AI partners with a hospital network on clinical notes"))
    trusted = analyst.enrich(
        item("Acme AI partners with a hospital network on clinical notes", authority=1.5)
    )
    assert trusted.score_breakdown.raw > base.score_breakdown.raw
    more = corroborated(base, 3)
    assert more.score_breakdown.corroboration == 3
    assert more.score_breakdown.raw > base.score_breakdown.raw
    assert analyst.enrich(
        item("Acme AI partners with a hospital network on clinical notes"), corroboration=3
    ).score_breakdown.raw == pytest.approx(more.score_breakdown.raw)


def test_tags_entities_summary(analyst):
    long_summary = "Google DeepMind today released Gemini 3 Pro. " + "It reasons over long documents. " * 20
    e = analyst.enrich(
        item(
            "Google DeepMind releases Gemini 3 Pro", long_summary, categories=("AI Safety", "Product", "News")
        )
    )
    assert "Google DeepMind" in e.entities and "Gemini" in e.entities
    # a feed's category becomes a tag only where it names one of the controlled vocabulary
    assert {"google-deepmind", "gemini", "safety"} <= set(e.tags)
    assert "news" not in e.tags and "product" not in e.tags
    assert len(e.summary) <= 300 and "<" not in e.summary
    assert e.rationale.count(".") <= 3


def test_money_amounts():
    assert money_amount("raises $13B at $183B valuation") == 13e9  # the round, not the valuation
    assert money_amount("a $750 million round") == 750e6
    assert money_amount("€2.5bn for data centres") == 2.5e9
    assert money_amount("no money here, 7,500 nodes") == 0


@pytest.mark.parametrize(
    ("title", "summary", "category"),
    [
        # SCORING.md: a model becoming available in an app or API is products unless the model is new
        ("Voice mode arrives in Gemini 4 for all users", "", Category.PRODUCTS),
        ("Grok for Excel", "Grok now works inside spreadsheets.", Category.PRODUCTS),
        ("Introducing Claude Opus 6", "Our most capable model yet.", Category.MODELS_RESEARCH),
        # an open-weight model release is open-source
        ("Meta releases Llama 6", "", Category.OPEN_SOURCE),
        ("Qwen4-Max: stronger reasoning in a smaller package", "", Category.OPEN_SOURCE),
        # cyber capability and exploits are security, even when measured with benchmarks
        (
            "Measuring how well AI agents find zero-day exploits",
            "A new benchmark of real vulnerabilities shows models improving quickly.",
            Category.SECURITY,
        ),
        # a stated position on a policy question is safety-policy
        ("Our position on AI liability", "", Category.SAFETY_POLICY),
        # what the headline is about outranks generic research words in the summary
        (
            "Teachers and students: how classrooms are using chatbots",
            "A study with findings from 40 schools.",
            Category.SOCIETY,
        ),
    ],
)
def test_category_rules_of_scoring_md(analyst, title, summary, category):
    assert analyst.enrich(item(title, summary)).category is category


def test_a_summary_repeating_the_title_counts_once(analyst):
    alone = analyst.enrich(item("OpenAI launches GPT-6 with 2M-token context"))
    repeated = analyst.enrich(
        item("OpenAI launches GPT-6 with 2M-token context", "OpenAI launches GPT-6 with 2M-token context")
    )
    assert (alone.category, alone.score, alone.score_breakdown, alone.tags) == (
        repeated.category,
        repeated.score,
        repeated.score_breakdown,
        repeated.tags,
    )


@pytest.mark.parametrize(
    ("title", "maker"),
    [
        ("Claude Sonnet 5 is better at long tasks", "anthropic"),
        ("GPT-6 tops the coding benchmark", "openai"),
        ("Gemini 4 Pro arrives in Search", "google"),
        ("Llama 5 weights are out", "meta"),
        ("Qwen3.5 tops the open leaderboard", "alibaba"),
    ],
)
def test_a_model_also_tags_its_maker(analyst, title, maker):
    assert maker in analyst.enrich(item(title)).tags


def test_every_model_maker_is_an_organisation_tag(tmp_path):
    import shutil

    import yaml
    from signals.scoring.rubric import RUBRIC_DIR, load_rubric

    shutil.copytree(RUBRIC_DIR, tmp_path / "rubric")
    vocab_file = tmp_path / "rubric" / "vocabulary.yaml"
    vocab = yaml.safe_load(vocab_file.read_text())
    vocab["models"][0]["maker"] = "no-such-lab"
    vocab_file.write_text(yaml.safe_dump(vocab))
    with pytest.raises(ValueError, match="no-such-lab"):
        load_rubric.__wrapped__(tmp_path / "rubric")


def test_factors_alone_do_not_make_a_minor_event_major(analyst):
    # a policy donation with money, a leading lab, numbers and novelty is still a 5-6 event
    e = analyst.enrich(
        item("Anthropic is donating another $20 million to the first national AI policy group")
    )
    assert e.score <= 6
    assert e.score_breakdown.raw <= 6.4


def test_money_is_not_reach(analyst):
    e = analyst.enrich(item("Acme AI raises $40 million to build agents for accountants"))
    scale = next(f for f in e.score_breakdown.factors if f.name == "scale")
    assert "million" not in scale.evidence
    reach = analyst.enrich(item("Acme AI assistant now used by millions of accountants"))
    assert "millions of" in next(f for f in reach.score_breakdown.factors if f.name == "scale").evidence


def test_a_form_in_the_summary_beats_an_event_only_in_the_summary(analyst):
    e = analyst.enrich(
        item("Sharing AI datasets with your team", "A step-by-step guide, from our research group.")
    )
    assert e.score_breakdown.factors[0].evidence[0] == "tutorial"
    assert e.score <= 3


def test_hosted_on_hugging_face_is_not_an_open_release(analyst):
    e = analyst.enrich(item("Running private inference on Hugging Face Endpoints"))
    assert e.score_breakdown.factors[0].evidence[0] != "open-release"


def test_running_a_model_locally_is_a_tutorial(analyst):
    e = analyst.enrich(item("Run Code Llama locally", "Meta's Code Llama is now available on Ollama to try."))
    assert e.score <= 3


def test_corroboration_lifts_a_minor_event_the_same_way_when_scored_or_rescored(analyst):
    text = "Anthropic is donating another $20 million to the first national AI policy group"
    direct = analyst.enrich(item(text), corroboration=3)
    rescored = corroborated(analyst.enrich(item(text)), 3)
    assert direct.score == rescored.score
    assert direct.score_breakdown.raw == pytest.approx(rescored.score_breakdown.raw)


def test_a_capped_form_stays_capped_when_sources_join(analyst):
    # Given a tutorial about a major model: its form caps the score, and the breakdown says so
    text = "How to fine-tune Llama 4 on your own data: a step-by-step tutorial"
    alone = analyst.enrich(item(text))
    assert alone.score_breakdown.cap is not None and alone.score <= alone.score_breakdown.cap

    # When four more independent sources republish it, scored at once or re-scored as they join
    direct = analyst.enrich(item(text), corroboration=5)
    rescored = corroborated(alone, 5)

    # Then corroboration does not lift it past its cap, either way
    assert rescored.score_breakdown.corroboration == 5
    assert rescored.score <= alone.score_breakdown.cap and direct.score <= alone.score_breakdown.cap
    assert rescored.score == direct.score


def test_research_from_a_safety_body_is_safety_research(analyst):
    # Given an evaluation study published by an alignment/safety body (SCORING.md: alignment/safety
    # research and evaluations are safety-policy), and the same study from a general research blog
    title = "Do chatbots talk people out of their beliefs? A study of persuasion with 20,000 participants"
    safety = analyst.enrich(item(title, "Large-scale experiments with language models.", source="AISI Blog"))
    # Then the safety body's piece is safety research
    assert safety.category is Category.SAFETY_POLICY
    # ...while plain capability research from a safety body's feed, with no safety subject in the
    # headline, stays models-research
    plain = analyst.enrich(
        item(
            "Recurrent neural networks learn to plan in puzzle games",
            "We show that reinforcement learning trains neural networks to plan ahead.",
            source="FAR.AI - Publications",
        )
    )
    assert plain.category is Category.MODELS_RESEARCH


def test_red_team_research_is_security(analyst):
    e = analyst.enrich(
        item(
            "Claude plays capture-the-flag competitions",
            "We entered a model in several student competitions.",
            source="Anthropic Frontier Red Team Blog",
        )
    )
    assert e.category is Category.SECURITY


@pytest.mark.parametrize(
    "title",
    [
        "Qwen3 235B now live on our inference cloud",
        "Gemini 3 Pro now available to Business customers in Workspace",
        "Claude Enterprise adds audit logs",
        "Grok Imagine API",
    ],
)
def test_a_model_becoming_available_is_a_product(analyst, title):
    # SCORING.md: a model becoming available in an app or API is products unless the model is new
    e = analyst.enrich(item(title))
    assert e.category is Category.PRODUCTS
    assert e.score <= 6  # availability of a flagship is not a new generation


def test_a_new_flagship_model_announced_with_where_it_is_available_stays_a_release(analyst):
    e = analyst.enrich(item("Introducing Claude Opus 7, available today in the API"))
    assert e.category is Category.MODELS_RESEARCH
    assert e.score >= 7


def test_a_release_stating_an_open_licence_is_open_source(analyst):
    e = analyst.enrich(item("Mistral Medium 4", "Our best mid-size model, released under Apache 2.0."))
    assert e.category is Category.OPEN_SOURCE


def test_a_sentence_headline_naming_a_model_is_not_a_model_release(analyst):
    # a bare model name is a release; a sentence about a model is not (by the headline's form)
    assert analyst.enrich(item("Mistral Medium 4")).score_breakdown.factors[0].evidence[0] == "model-release"
    e = analyst.enrich(item("How Grok helped us plan a conference"))
    assert e.score_breakdown.factors[0].evidence[0] != "model-release"


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("Streaming service to bring Gemini to 80 million subscribers", Category.BUSINESS),
        ("Tutoring with AI: what a year of classroom pilots taught teachers", Category.SOCIETY),
        ("OpenAI publishes a model spec update for its assistants", Category.SAFETY_POLICY),
        ("Scaling laws for mixture-of-experts language models", Category.MODELS_RESEARCH),
        ("Lab leaders call for a moratorium on autonomous AI agents", Category.SAFETY_POLICY),
    ],
)
def test_subject_cues(analyst, title, category):
    assert analyst.enrich(item(title)).category is category


def test_a_gigawatt_compute_deal_is_major(analyst):
    e = analyst.enrich(
        item("AI lab signs partnership with a utility for 2 gigawatts of data centre capacity")
    )
    assert e.score >= 7


def test_an_organisations_policy_position_is_minor_next_to_a_proposal(analyst):
    position = analyst.enrich(
        item("Our recommendations for the national AI action plan", source="Example Lab Blog")
    )
    proposal = analyst.enrich(item("European Commission proposes rules for general-purpose AI models"))
    assert position.category is Category.SAFETY_POLICY
    assert position.score < proposal.score


# ------------------------------------------------------------------ rules v2026.11.3


def _event(e) -> str:
    return e.score_breakdown.factors[0].evidence[0]


@pytest.mark.parametrize(
    ("title", "category"),
    [
        # a newsletter's list of stories is filed under its lead story
        ("Acme raises $9B 💰, Gemini 5 Ultra 🤖, robot chefs 🍳", Category.BUSINESS),
        (
            "Weekly Wire: Senators Draft AI Liability Rules, Robots Learn to Fold Laundry, Cheaper GPUs",
            Category.SAFETY_POLICY,
        ),
    ],
)
def test_a_digest_is_a_recap_filed_under_its_lead_story(analyst, title, category):
    e = analyst.enrich(item(title, "Dear friends, this week I have been thinking about compute budgets."))
    assert _event(e) in ("digest", "digest-recap")
    assert e.category is category
    # however big its stories, a digest re-runs news already out: minor
    assert e.score <= 4


@pytest.mark.parametrize(
    "title",
    [
        "Acme, Globex and Initech sign a compute pact",  # names, not stories
        "Faster, Cheaper, Smarter",  # a slogan
        "Lumen Studio, an AI canvas for designers, is now available",  # one sentence
        "We trained a 7B model on 1,000,000,000 tokens, and it works",  # numbers, an enumeration
        "Open models for vision, speech, and robotics",
    ],
)
def test_a_list_in_one_sentence_is_not_a_digest(analyst, title):
    assert _event(analyst.enrich(item(title))) not in ("digest", "digest-recap")


def test_a_model_name_and_tagline_headline_is_a_release(analyst):
    flagship = analyst.enrich(
        item("Claude Opus 6: a steadier hand for long tasks", source="Example Lab Blog")
    )
    assert _event(flagship) == "frontier-model" and flagship.category is Category.MODELS_RESEARCH
    assert _event(analyst.enrich(item("Mistral Small 5: fast and frugal"))) == "model-release"
    # a report that merely mentions a model after its own name is not a release
    assert _event(analyst.enrich(item("Example Usage Report: insights from Claude Opus 6"))) not in (
        "frontier-model",
        "model-release",
    )


def test_counts_of_people_are_not_money(analyst):
    assert money_amount("to 30 million riders and 2 million drivers") == 0
    assert money_amount("a 500 million dollar deal") == 500e6
    e = analyst.enrich(item("Ride-hailing firm to bring Claude to more than 30 million riders"))
    assert e.category is Category.BUSINESS
    assert "money" not in e.score_breakdown.factors[0].evidence[-1]


def test_a_response_to_a_consultation_is_a_position_not_the_proposal(analyst):
    e = analyst.enrich(item("Our response to the Commission's consultation on AI liability"))
    assert _event(e) == "policy-position"
    assert e.category is Category.SAFETY_POLICY


@pytest.mark.parametrize(
    "title",
    [
        "Example Lab partners with the Estonian government on AI for public services",
        "Minister of Digital Affairs appoints lab founder to national AI advisory board",
    ],
)
def test_a_partnership_with_a_government_is_safety_policy(analyst, title):
    assert analyst.enrich(item(title)).category is Category.SAFETY_POLICY


@pytest.mark.parametrize(
    ("title", "form"),
    [
        ("LLM Prompt Caching 101: what to cache and when", "tutorial"),
        ("Mastering long-context retrieval for AI agents", "tutorial"),
        ("AlphaProof at five: five years of progress in AI maths", "recap"),
    ],
)
def test_teaching_and_looking_back_are_low_value_forms(analyst, title, form):
    e = analyst.enrich(item(title))
    assert _event(e) == form
    assert e.score <= 3


def test_a_memory_leak_is_not_a_security_incident(analyst):
    e = analyst.enrich(item("Debugging a memory leak in our LLM inference server"))
    assert _event(e) != "security-incident"
    assert e.category is not Category.SECURITY


# ------------------------------------------------------------------ rules v2026.11.4


@pytest.mark.parametrize(
    "title",
    [
        "Introducing Mistral Small 5",  # an open-weight family of a lab that also sells closed models
        "Faster agents with the new Devstral models",
        "Falcon 3 is here",
        "Introducing Nemotron 4 Nano",
    ],
)
def test_an_open_weight_family_named_alone_is_open_source(analyst, title):
    assert analyst.enrich(item(title, source="Example Lab Blog")).category is Category.OPEN_SOURCE


def test_a_closed_family_of_an_open_lab_is_a_model_release(analyst):
    e = analyst.enrich(item("Introducing Mistral Medium 4", source="Example Lab Blog"))
    assert e.category is Category.MODELS_RESEARCH


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Probe Kit: a new standard for agentic cyber evaluations", ""),
        (
            "Can AI agents break out? A benchmark for sandbox escape capabilities",
            "We introduce a benchmark that measures whether agents can escape their sandboxes.",
        ),
    ],
)
def test_cyber_research_from_a_safety_body_is_security(analyst, title, summary):
    # security precedes safety-policy: research on cyber capability is filed by its subject,
    # even from a safety institute (whose research otherwise reads as safety-policy)
    e = analyst.enrich(item(title, summary, source="Example AI Security Institute Blog"))
    assert e.category is Category.SECURITY


def test_research_whose_headline_names_a_security_subject_is_security(analyst):
    e = analyst.enrich(
        item(
            "Measuring jailbreak robustness: a benchmark for frontier language models",
            "We evaluate state-of-the-art reasoning models on a new benchmark and find large gaps.",
        )
    )
    assert e.category is Category.SECURITY


def test_a_reinforcement_learning_policy_is_not_policy(analyst):
    e = analyst.enrich(
        item("Learning policy representations for cooperative agents", source="Example AI Research")
    )
    assert e.category is Category.MODELS_RESEARCH


def test_regulated_industries_are_customers_not_regulation(analyst):
    e = analyst.enrich(item("Example Corp brings Claude to banks and other regulated industries"))
    assert e.category is not Category.SAFETY_POLICY


def test_a_product_for_government_is_a_product(analyst):
    e = analyst.enrich(
        item("Announcing Acme AI for Government", "A suite of AI products for government customers.")
    )
    assert e.category is Category.PRODUCTS
    # a rule for government's own use is still policy
    assert analyst.enrich(item("Senate passes rules on government use of AI")).category is (
        Category.SAFETY_POLICY
    )


def test_gpu_software_is_not_an_infrastructure_deal(analyst):
    e = analyst.enrich(
        item(
            "Fused attention GPU kernels",
            "We're releasing open-source GPU kernels for sparse attention in neural networks.",
        )
    )
    assert _event(e) != "infrastructure-deal"
    assert e.category is Category.OPEN_SOURCE


def test_researchers_as_an_audience_are_not_a_research_result(analyst):
    e = analyst.enrich(
        item("National lab expands Claude for Enterprise use to its scientists and researchers")
    )
    assert _event(e) != "research-result"
    assert e.category is Category.PRODUCTS
    assert _event(analyst.enrich(item("Researchers find that small language models can learn to plan"))) == (
        "research-result"
    )


def test_careers_of_people_are_not_a_hiring_post(analyst):
    e = analyst.enrich(item("How an AI tutor is helping students kickstart careers in nursing"))
    assert _event(e) != "hiring-post"
    assert _event(analyst.enrich(item("Careers at Example AI Lab: open roles"))) == "hiring-post"


def test_a_headline_that_is_only_a_flagship_name_is_its_release(analyst):
    e = analyst.enrich(item("Gemini 7 Pro", source="Example Lab News"))
    assert _event(e) == "frontier-model"
    assert e.score >= 7
    assert _event(analyst.enrich(item("Claude 9.5 Sonnet and Claude Code"))) == "frontier-model"
    # a title-case sentence, a possessive and a product pairing are not a model's name
    assert _event(analyst.enrich(item("Claude Opus 9 One-Shots Full Custom Racing Game Demo"))) != (
        "frontier-model"
    )
    assert _event(analyst.enrich(item("Claude’s Constitution"))) != "frontier-model"
    assert _event(analyst.enrich(item("Claude and Alexa+"))) != "model-release"


def test_a_name_only_headline_on_a_distributors_feed_is_not_a_new_model(analyst):
    e = analyst.enrich(item("Llama 7", source="Ollama Blog"))
    assert _event(e) != "frontier-model"
    assert e.score <= 6


def test_start_building_with_a_flagship_is_its_release(analyst):
    assert _event(analyst.enrich(item("Start building with Gemini 7"))) == "frontier-model"


def test_a_tier_word_may_follow_the_name_in_a_tagline_headline(analyst):
    e = analyst.enrich(item("GPT-9o mini: cheaper intelligence for everyone"))
    assert _event(e) == "model-release"  # a mini model is not a new flagship generation
    assert e.category is Category.MODELS_RESEARCH


def test_metas_new_flagship_family_is_a_frontier_model(analyst):
    e = analyst.enrich(item("Introducing Muse Spark 3: the next step", source="AI at Meta Blog"))
    assert _event(e) == "frontier-model"
    assert e.category is Category.MODELS_RESEARCH


def test_releasing_a_models_weights_is_open_source(analyst):
    e = analyst.enrich(
        item(
            "Open Release of Grok-9",
            "We are releasing the weights and architecture of our 500 billion parameter model Grok-9.",
        )
    )
    assert e.category is Category.OPEN_SOURCE


def test_bringing_a_model_to_everyone_is_availability(analyst):
    e = analyst.enrich(
        item("Bringing Grok to Everyone", "Grok is now available to everyone on the platform.")
    )
    assert e.category is Category.PRODUCTS


def test_money_with_the_currency_sign_after_the_amount():
    assert money_amount("Example AI raises 1.7B€ to accelerate") == pytest.approx(1.7e9)
    assert money_amount("a 500 M€ round") == pytest.approx(5e8)
    assert money_amount("version 3.5") == 0


def test_a_deal_only_the_summary_speaks_of_is_sized_as_a_mention(analyst):
    headline = analyst.enrich(item("Example Corp raises $12 billion for AI chips"))
    mention = analyst.enrich(
        item(
            "Example Corp's new research hub",
            "Backed by a $12 billion planned investment over the next decade, the hub studies AI chips.",
        )
    )
    assert headline.score >= 9
    assert mention.score <= 7


def test_a_list_of_unmarked_headlines_is_a_recap_below_a_daily_brief(analyst):
    # a brief of the day's stories, each marked: an index of news just out
    brief = analyst.enrich(item("Orbit 3 launch 🚀, Acme buys AI startup 🤝, robot chefs 🍳"))
    # a magazine-style list of headlines under an editor's letter: a re-run of news already out
    recap = analyst.enrich(
        item(
            "The Weekly Wire: Robots Learn to Fold Laundry, Senators Draft Liability Rules, Cheap GPUs",
            "Dear friends, last week I spoke at a conference about careers in machine learning.",
        )
    )
    assert _event(brief) == "digest"
    assert _event(recap) == "digest-recap"
    assert recap.score <= 3
    assert recap.score < brief.score


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("How Globex uses an AI model to triage support tickets", ""),
        ("How Llama helps Initech speed up invoice processing", ""),
        (
            "Faster claims for a regional insurer",
            "Initech turned to Llama to help build an AI assistant that reads claim forms.",
        ),
    ],
)
def test_a_customer_story_is_minor(analyst, title, summary):
    e = analyst.enrich(item(title, summary, source="Example Lab Blog"))
    assert _event(e) == "customer-story"
    assert e.score <= 3


@pytest.mark.parametrize(
    "title",
    [
        "How university students use Claude",  # a study of a group's use
        "How we built our evaluation harness",  # the author's own account
        "How can safety cases help with frontier AI?",  # a question
    ],
)
def test_how_a_group_uses_ai_is_not_a_customer_story(analyst, title):
    assert _event(analyst.enrich(item(title))) != "customer-story"


def test_a_model_on_a_distributors_feed_is_its_availability(analyst):
    e = analyst.enrich(
        item(
            "Llama 9 Vision",
            "Llama 9 Vision 11B and 90B models are now available in Ollama.",
            source="Ollama Blog",
        )
    )
    assert _event(e) not in ("frontier-model", "model-release")
    assert e.score <= 4
    # the same headline on the maker's own feed is the release
    assert _event(analyst.enrich(item("Llama 9 Vision", source="AI at Meta Blog"))) in (
        "frontier-model",
        "model-release",
    )


def test_a_chip_named_in_a_summary_is_not_an_infrastructure_deal(analyst):
    e = analyst.enrich(item("Faster local runs", "The runtime now uses GPU acceleration on Linux."))
    assert _event(e) != "infrastructure-deal"
    assert e.score <= 4


def test_a_regional_appointment_is_minor(analyst):
    e = analyst.enrich(item("Example AI appoints Jane Roe as Head of Japan"))
    assert _event(e) == "executive-hire"
    assert e.category is Category.BUSINESS
    assert e.score <= 5


def test_safety_research_named_only_in_a_summary_is_a_mention(analyst):
    headline = analyst.enrich(item("Interpretability of reward models in LLMs"))
    mention = analyst.enrich(
        item("Sparse dictionaries for LLMs", "We apply interpretability tools to language model encoders.")
    )
    assert _event(headline) == "safety-evaluation"
    assert mention.score_breakdown.base < headline.score_breakdown.base


def test_an_on_topic_item_with_no_event_is_minor_not_noise(analyst):
    e = analyst.enrich(item("Notes on attention sinks in language models"))
    assert _event(e) == "general"
    assert 3 <= e.score <= 4


def test_a_labs_report_of_a_result_is_research(analyst):
    e = analyst.enrich(
        item("Arithmetic word problems", "We’ve trained an AI system that solves most of them.")
    )
    assert _event(e) == "research-result"


# ------------------------------------------------------------------ v2026.11.7


def test_a_recap_led_by_a_feature_story_is_filed_under_society(analyst):
    # a magazine-style recap whose lead headline speaks for no category, under an essay on careers
    e = analyst.enrich(
        item(
            "Weekly Wire: Chatbots Join the Family Dinner, Smarter Parking Meters, Faster Sorting",
            "Dear friends, many of you asked how to start a career in machine learning.",
            source="AI Weekly",
        )
    )
    assert _event(e) == "digest-recap"
    assert e.category is Category.SOCIETY
    # ...while a lead headline that speaks for a category still files it there
    led = analyst.enrich(
        item(
            "Weekly Wire: Court Ruling on Model Training, Robot Baristas, Faster Sorting",
            source="AI Weekly",
        )
    )
    assert led.category is Category.SAFETY_POLICY


def test_a_marked_daily_brief_keeps_its_lead_story_category(analyst):
    brief = "Chatbots at dinner ☕, Acme raises $2B 💰, faster sorting 📈"
    e = analyst.enrich(item(brief, source="Example AI Brief"))
    assert _event(e) == "digest"
    assert e.category is not Category.SOCIETY


@pytest.mark.parametrize(
    ("title", "category"),
    [
        # one organisation using an open model is a customer story, not an open release
        ("How Zentrix is using Llama to speed up invoice processing", Category.PRODUCTS),
        # ...and one about health care, education or conservation is how people use AI
        ("How Medora is using Llama to help clinicians triage patients", Category.SOCIETY),
        ("How Kestrel Labs is using Gemma to track wildlife in national parks", Category.SOCIETY),
    ],
)
def test_a_customer_story_is_filed_by_its_use(analyst, title, category):
    e = analyst.enrich(item(title, source="Example AI Blog"))
    assert _event(e) == "customer-story"
    assert e.category is category


@pytest.mark.parametrize(
    "title",
    [
        "Announcing the Acme Futures Fellowship for early-career researchers",
        "Meet the winners of our first hackathon in Lagos",
    ],
)
def test_programmes_and_hackathons_are_society_not_product_launches(analyst, title):
    e = analyst.enrich(item(title, source="Example AI Blog"))
    assert _event(e) == "event-programme"
    assert e.category is Category.SOCIETY


@pytest.mark.parametrize(
    ("title", "summary", "category"),
    [
        # the lede states the release of an artefact: open-source under a research headline
        (
            "Measuring transfer in reinforcement learning",
            "We’re releasing Mazeworld, a suite of 12 training environments for testing transfer. "
            "Agents trained on it generalise poorly.",
            Category.OPEN_SOURCE,
        ),
        (
            "Faster rigid-body simulation for robotics research",
            "We are open-sourcing a Python library for fast physics simulation.",
            Category.OPEN_SOURCE,
        ),
        # releasing "an approach" is a research result
        (
            "Learned optimisers for reinforcement learning",
            "We’re releasing an experimental approach called MetaStep, a method that learns the update rule.",
            Category.MODELS_RESEARCH,
        ),
        # code released further down is a detail of the research
        (
            "A sparse attention transformer for long documents",
            "We introduce a sparse attention pattern for transformers. It scales to long inputs. "
            "We’re releasing code for the model.",
            Category.MODELS_RESEARCH,
        ),
    ],
)
def test_a_stated_release_of_an_artefact_is_open_source(analyst, title, summary, category):
    e = analyst.enrich(item(title, summary, source="Example AI Blog"))
    assert e.category is category


def test_a_release_statement_names_an_artefact_ending_its_noun_phrase(analyst):
    statement = analyst.rubric.release_statement
    assert statement.search("We’re releasing Mazeworld, a suite of 12 training environments for agents.")
    assert statement.search("we’re releasing the largest version of the model along with code and weights")
    # plugins of a product ("Claude Code plugins") are not code released
    assert not statement.search("We’re releasing five new Claude Code plugins for insurance teams.")


def test_a_programme_in_the_summary_does_not_replace_the_headlines_launch(analyst):
    e = analyst.enrich(
        item(
            "Acme API public beta",
            "Developers can now build on the Acme models. We will run a beta program until June.",
            source="Example AI Blog",
        )
    )
    assert _event(e) == "product-launch"
    assert e.category is Category.PRODUCTS


# --------------------------------------------------------------------------- rules v2026.11.8


def test_a_valuation_or_a_revenue_milestone_is_not_the_size_of_a_deal(analyst):
    # "at a $60B valuation": what the company is worth; the round itself is unnamed
    round_ = analyst.enrich(item("Acme AI raises Series E at $60B post-money valuation"))
    named = analyst.enrich(item("Acme AI raises $20B Series E"))
    milestone = analyst.enrich(item("Acme AI buys a small startup as its coding tool reaches $1B run-rate"))
    assert money_amount("Acme AI raises Series E at $60B post-money valuation") == 0
    assert money_amount("valued at $380 billion, Acme raises $30 billion") == 30e9
    assert money_amount("reaches $1B milestone") == money_amount("$5B ARR") == 0
    assert round_.score < named.score
    assert milestone.score <= 8


def test_a_weekly_recap_with_one_short_item_is_still_a_recap(analyst):
    # one item of a single word ("Microsoft+Anthropic") does not make a list of headlines a slogan
    recap = analyst.enrich(
        item(
            "Google Tops Model Leaderboards, Microsoft+Anthropic, Labels Back AI Music, LLM Personas",
            source="The Batch (DeepLearning.AI)",
        )
    )
    slogan = analyst.enrich(item("Cheaper, Better, Faster, Stronger"))
    assert recap.score <= 3
    assert slogan.score_breakdown.factors[0].evidence != ["digest-recap"]


def test_tags_come_from_the_controlled_vocabulary(analyst):
    rubric = analyst.rubric
    e = analyst.enrich(
        item(
            "Acme ships a faster LLM tokenizer",
            "Benchmarks inside.",
            categories=("Random Stuff", "LLMs", "Product"),
        )
    )
    assert set(e.tags) <= rubric.controlled_tags
    assert "models" in e.tags  # the feed's "LLMs" is an alias of a controlled tag
    assert "random-stuff" not in e.tags


@pytest.mark.parametrize(
    ("title", "summary", "present", "absent"),
    [
        # oversight by people is governance, not alignment
        (
            "Senate bill would require human oversight of AI used in hiring",
            "The bill sets audits and reporting obligations for employers.",
            {"policy", "oversight", "compliance"},
            {"alignment"},
        ),
        # alignment research keeps its tag
        (
            "Detecting deceptive alignment with scalable oversight",
            "We study scheming in language models.",
            {"alignment"},
            {"oversight", "compliance"},
        ),
        # a passing mention of models is not the topic of new models
        (
            "How our support team triages tickets with AI models",
            "A customer story.",
            set(),
            {"models", "frontier-models"},
        ),
        # the rules of a game are not regulation
        ("The rules of chess, explained by a chatbot", "", set(), {"regulation"}),
    ],
)
def test_tag_senses(analyst, title, summary, present, absent):
    tags = set(analyst.enrich(item(title, summary)).tags)
    assert present <= tags, tags
    assert not (absent & tags), tags
