"""Which analyst enriches items: the learned judge (default), the rules alone, or the judge with
the Bedrock model analyst's notes.

Chosen by ``settings.enricher`` (``SIGNALS_ENRICHER``). The judge always runs the rules first (tags,
entities, floors, caps, evidence); the model analyst wraps the judge and only writes notes for the
items the judge gives a good chance of scoring 6+ (``bedrock_min_p6``).
Also here, because the pipeline needs it whichever analyst ran: re-scoring a stored enrichment
for new corroboration without losing the model's bounded adjustment. Pure: no boto3 at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from signals.config import Settings, get_settings
from signals.models import Enrichment
from signals.scoring.analyst import Analyst, RuleAnalyst
from signals.scoring.analyst import corroborated as rules_corroborated
from signals.scoring.score_band import bound_score

if TYPE_CHECKING:
    from signals.scoring.ports import AnalysisCache


def build_analyst(
    settings: Settings | None = None, *, enricher: str | None = None, store: AnalysisCache | None = None
) -> Analyst:
    """The analyst ``enricher`` (default ``settings.enricher``) names: ``judge``, ``rules`` or ``bedrock``.

    ``store``: the model analyst's cache and budget (default the table's,
    ``storage.analysis_records.DynamoAnalyses``; ``InMemoryAnalyses()`` for runs without the table,
    such as ``signals eval``).
    """
    settings = settings or get_settings()
    choice = enricher or settings.enricher
    rules = RuleAnalyst(summary_max_chars=settings.signal_summary_max_chars)
    if choice == "rules":
        return rules
    if choice not in ("judge", "bedrock"):
        raise ValueError(f"unknown enricher {choice!r}: expected 'judge', 'rules' or 'bedrock'")
    from signals.scoring.judge import JudgeAnalyst, load_model

    judge = JudgeAnalyst(rules, load_model(settings.judge_model_path) if settings.judge_model_path else None)
    if choice == "judge":
        return judge
    from signals.scoring.bedrock import BedrockAnalyst  # only functions that use it pay the import

    if store is None:
        from signals.storage.analysis_records import DynamoAnalyses

        store = DynamoAnalyses()
    return BedrockAnalyst(judge, store=store, settings=settings)


def corroborated(enrichment: Enrichment, corroboration: int) -> Enrichment:
    """``signals.scoring.analyst.corroborated`` for any analyst's result: when a model wrote it, the
    new rule score is bounded again by the model's score (notes kept, no new model call)."""
    rescored = rules_corroborated(enrichment, corroboration)
    details = enrichment.score_breakdown.model
    if not details or details.get("status") != "ok":
        return rescored
    rules_score = rescored.score  # the rule score of the story with its new corroboration
    final = bound_score(rules_score, int(details["model_score"]), int(details["score_band"]))
    new_details = {
        **details,
        "rules_score": rules_score,
        "final_score": final,
        "clamped": final != details["model_score"],
    }
    return rescored.model_copy(
        update={
            "score": final,
            "score_breakdown": rescored.score_breakdown.model_copy(update={"model": new_details}),
        }
    )
