"""The learned judge: applying a model file, the rules' floors and caps around it, the rationale,
and the shipped model (its format, size, stored held-out figures and the seed item)."""

from __future__ import annotations

import base64
import gzip
import json
from array import array
from datetime import UTC, datetime
from pathlib import Path

import pytest
from signals.models import Category, Item
from signals.scoring.analyst import RuleAnalyst, corroborated
from signals.scoring.features import describe, featurize, stem, words
from signals.scoring.judge import FORMAT, MODEL_PATH, JudgeAnalyst, JudgeModel, load_model

CATS = [c.value for c in Category]
THRESHOLDS = list(range(2, 11))
WHEN = datetime(2026, 6, 2, 17, 1, tzinfo=UTC)


def make_item(title: str, summary: str = "", source: str = "Example News") -> Item:
    return Item(
        id="i1",
        source_id="s1",
        source_name=source,
        feed_url="https://example.com/feed",
        url="https://example.com/a",
        title=title,
        summary=summary,
        published_at=WHEN,
        fetched_at=WHEN,
        content_hash="h",
    )


def tiny_model(weights: dict[str, list[float]], intercepts: list[float], **extra) -> JudgeModel:
    """A model document built by hand: columns = 9 categories, relevance, 9 ordinal thresholds (and
    the 7+ classifier's, with ``major=True``)."""
    columns = len(intercepts)
    scales = [1 / 1000] * columns
    q = array("h")
    names = sorted(weights)
    for name in names:
        row = weights[name]
        assert len(row) == columns
        q.extend(round(v / s) for v, s in zip(row, scales, strict=True))
    doc = {
        "format": FORMAT,
        "version": "test",
        "categories": CATS,
        "thresholds": THRESHOLDS,
        "columns": columns,
        "relevance_threshold": 0.5,
        "high_threshold": 0.5,
        "intercepts": intercepts,
        "scales": scales,
        "features": names,
        "weights": base64.b64encode(q.tobytes()).decode(),
        **extra,
    }
    return JudgeModel(doc)


def row(cat: dict[str, float] | None = None, rel: float = 0.0, ordinal: float = 0.0) -> list[float]:
    cat = cat or {}
    return [cat.get(c, 0.0) for c in CATS] + [rel] + [ordinal] * len(THRESHOLDS)


# intercepts: products slightly favoured, about AI, ordinal falling so the plain item scores ~3
BASE = [0.0] * len(CATS)
BASE[CATS.index("products")] = 0.5
INTERCEPTS = [*BASE, 2.0, 3.0, 1.0, -0.5, -1.5, -3.0, -4.0, -5.0, -6.0, -7.0]


def test_features_are_namespaced_and_scaled():
    item = make_item("OpenAI releases GPT-5 to all users", "The model is available today in ChatGPT.")
    rules, findings = RuleAnalyst().analyse(item)
    feats = featurize(item, rules, findings)
    assert "t:releas" in feats and "b:openai_releases" in feats and "s:available" in feats
    assert "p:relea" in feats and f"r:cat={rules.category.value}" in feats
    assert "t:gpt-0" in feats  # digits folded: GPT-5 and GPT-6 share a shape
    # each namespace is a scaled unit vector: many summary words cannot outvote the title
    title = [v for k, v in feats.items() if k.startswith("t:")]
    assert sum(v * v for v in title) == pytest.approx(1.0)
    assert stem("models") == "model" and stem("launching") == "launch" and stem("gas") == "gas"
    assert words("GPT-4o and Llama 3.1") == ["gpt-0o", "and", "llama", "0.0"]
    assert describe("b:export_controls") == "'export controls' in the title"
    assert describe("r:money>=10b") == "money of 10b+ named"


def test_a_non_latin_title_is_marked():
    item = make_item("颱風「巴威」| 天文台料明日至周日大致晴朗")
    rules, findings = RuleAnalyst().analyse(item)
    assert "x:non-latin" in featurize(item, rules, findings)


def test_category_score_and_relevance_follow_the_weights():
    model = tiny_model(
        {
            "t:regul": row({"safety-policy": 4.0}, ordinal=3.0),
            "t:recipe": row(rel=-9.0, ordinal=-3.0),
        },
        INTERCEPTS,
    )
    policy = model.judge({"t:regul": 1.0})
    assert policy.category is Category.SAFETY_POLICY
    assert policy.score > model.judge({}).score
    assert all(
        a >= b for a, b in zip(policy.p_at_least.values(), list(policy.p_at_least.values())[1:], strict=False)
    )
    assert policy.weighed[0][0] == "t:regul" and policy.weighed[0][1] > 0
    off = model.judge({"t:recipe": 1.0})
    assert off.category is Category.OFF_TOPIC and off.score <= 2 and off.relevance < 0.5


def test_seven_plus_only_through_the_gate():
    # a feature that lifts every threshold: expected score high, but P(7+) below the gate -> 6 at most
    lifted = tiny_model({"t:big": row(ordinal=6.5)}, INTERCEPTS, high_threshold=0.99)
    judgement = lifted.judge({"t:big": 1.0})
    assert judgement.expected >= 6.5 and judgement.score == 6
    gated = tiny_model({"t:big": row(ordinal=6.5)}, INTERCEPTS, high_threshold=0.3)
    assert gated.judge({"t:big": 1.0}).score >= 7


def test_a_separate_seven_plus_classifier_drives_the_gate_when_present():
    # the ordinal columns say ~3 whatever the item; the last (major) column says 7+ for "t:big"
    model = tiny_model({"t:big": [*row(ordinal=0.0), 9.0]}, [*INTERCEPTS, -5.0], major=True)
    assert model.judge({}).score <= 6 and model.judge({}).gate < 0.5
    lifted = model.judge({"t:big": 1.0})
    assert lifted.gate > 0.5 and lifted.score >= 7


def test_analyst_keeps_rules_floors_and_caps_and_says_why():
    model = tiny_model({}, INTERCEPTS)  # scores every item about 3
    judge = JudgeAnalyst(RuleAnalyst(), model)
    order = judge.enrich(make_item("President signs executive order on AI safety testing"))
    assert order.score >= 7  # the rules' executive-action floor
    # the floor is the breakdown's to show; the rationale states the news and what it means
    assert order.score_breakdown.judge["floor"] == 7
    assert order.rationale == "An executive action, major news most readers should see today."
    tutorial = judge.enrich(make_item("Tutorial: how to fine-tune a model in 5 steps"))
    assert tutorial.score <= (tutorial.score_breakdown.cap or 10)
    plain = judge.enrich(make_item("Acme adds dark mode to its AI assistant"))
    breakdown = plain.score_breakdown
    assert breakdown.analyst == "judge" and breakdown.judge["version"] == "test"
    assert breakdown.rubric_version and breakdown.judge["rules_score"] >= 1
    assert "raised by" not in plain.rationale.lower() and not plain.rationale.startswith(f"{plain.score}/10")


def test_corroboration_rescoring_works_on_the_judges_result():
    judge = JudgeAnalyst(RuleAnalyst(), tiny_model({}, INTERCEPTS))
    alone = judge.enrich(make_item("Acme adds dark mode to its AI assistant"))
    many = corroborated(alone, 4)
    assert many.score >= alone.score and "4 independent sources" in many.rationale


def test_a_model_file_of_another_format_is_refused(tmp_path: Path):
    bad = tmp_path / "m.json.gz"
    with gzip.open(bad, "wt") as handle:
        json.dump({"format": "something-else"}, handle)
    with pytest.raises(ValueError, match="not a judge model file"):
        load_model(bad)


# --------------------------------------------------------------------------- the shipped model


@pytest.fixture(scope="module")
def shipped() -> JudgeModel:
    return load_model(MODEL_PATH)


def test_the_shipped_model_is_small_and_complete(shipped):
    assert MODEL_PATH.stat().st_size <= 5 * 1024 * 1024
    assert shipped.categories == CATS and shipped.thresholds == THRESHOLDS
    assert 0.05 <= shipped.high_threshold <= 0.95
    assert shipped.trained_on["rows"] >= 8000 and shipped.trained_on["groups"] >= 100


def test_the_shipped_model_holds_its_line_on_held_out_feed_groups(shipped):
    # the figures `signals train` measured by grouped cross-validation (publishers held out whole)
    # and stored with the model; a retrained model that does worse fails here
    held = shipped.evaluation
    assert held is not None and "grouped" in held["method"]
    overall = held["overall"]
    assert overall["n"] == shipped.trained_on["rows"]
    # (measured at 2026.12+74c323f79f: accuracy 0.695, macro-F1 0.636, Spearman 0.780, MAE 0.699;
    # the set labelled after the design was frozen: 0.634, 0.612, 0.662, 0.858), less a margin
    assert overall["spearman"] >= 0.76
    assert overall["mae"] <= 0.72
    assert overall["category_accuracy"] >= 0.68
    assert overall["macro_f1"] >= 0.62
    fresh = held["by_set"]["signals-broad2"]
    assert fresh["category_accuracy"] >= 0.62 and fresh["spearman"] >= 0.64


SEED = make_item(
    # the product's reference signal (8/10, Safety & Policy, 2 Jun 2026, 17:01 UTC): an invented
    # item written to the description, not drawn from any feed or labelled set
    "EU adopts binding rules for frontier AI models: human oversight, incident reporting and "
    "third-party audits",
    "The European Commission adopted the implementing rules of the AI Act for general-purpose AI "
    "models with systemic risk. From August 2026, providers of frontier models must document human "
    "oversight measures, report serious incidents within 15 days and pass independent compliance "
    "audits before deployment; fines reach 3% of global turnover.",
    source="European Commission",
)


def test_the_seed_item():
    enrichment = JudgeAnalyst().enrich(SEED)
    assert enrichment.category is Category.SAFETY_POLICY
    assert 7 <= enrichment.score <= 9
    assert {"policy", "regulation", "frontier-models", "compliance"} <= set(enrichment.tags)
    assert "alignment" not in enrichment.tags


def test_a_signal_takes_a_new_enrichment_whole():
    from signals.models import Analysis, Signal, SourceRef

    analyst = JudgeAnalyst(RuleAnalyst(), tiny_model({}, INTERCEPTS))
    first = analyst.enrich(make_item("Acme opens a small office in Lisbon"))
    noted = first.model_copy(
        update={"analysis": Analysis(technical_impact="a", why_it_matters="b", what_to_watch="c")}
    )
    source = SourceRef(
        item_id="i1", source_id="s1", name="Example", url="https://example.com/a", published_at=WHEN
    )
    signal = Signal(
        id="i1",
        title="t",
        url="https://example.com/a",
        published_at=WHEN,
        scored_at=WHEN,
        updated_at=WHEN,
        sources=[source],
        **{name: getattr(noted, name) for name in Signal.ENRICHED_FIELDS},
    )
    assert signal.enrichment() == noted
    # an edited lead item, enriched again by an analyst that wrote no notes: the old notes go
    edited = analyst.enrich(make_item("Acme AI opens a lab in Lisbon"))
    updated = signal.enriched(edited, version=2)
    assert updated.analysis is None and updated.version == 2
    assert updated.enrichment() == edited
