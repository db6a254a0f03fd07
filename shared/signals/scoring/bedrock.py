"""The model analyst: analyst notes written by a model on Amazon Bedrock, for the stories that matter.

The judge (or the rule analyst) always runs first. Only items it finds likely to matter go to the
model (cost follows significance): the judge's calibrated P(score >= 6) at least
``bedrock_min_p6``, or, for an analyst without one, a score of at least ``bedrock_min_score``.
They go through the Converse API with one forced tool whose JSON
schema is the answer's shape; the answer is validated with pydantic. Feed text is untrusted data:
it is sent JSON-encoded between markers, the system prompt says it is data, and the model's score
may move the final score only within ``bedrock_score_band`` of the rule score (both are recorded
in ``score_breakdown.model``).

Never lost: a reply that fails validation, a throttle, a timeout, an outage or an exhausted daily
budget returns the rule-based result, marked ``model.status == "fallback"`` with the reason, and
counted in metrics; the item is stored as usual and can be enriched again later. Answers are cached
by (prompt version, model id, text sent) so a redelivery or replay does not pay twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import ValidationError

from signals.config import Settings, get_settings
from signals.models import Analysis, Enrichment, Item, utcnow
from signals.models.analysis import NO_SPEND, CachedAnalysis, Spend, budget_day, cache_key
from signals.scoring.bedrock_prompt import ANSWER_SCHEMA, SYSTEM_PROMPT, TOOL_NAME, ModelAnswer, render_item
from signals.scoring.ports import AnalysisCache
from signals.scoring.score_band import bound_score
from signals.telemetry import MetricUnit, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics

ANALYST_NAME = "bedrock"
MAX_TAGS = 10


class RuleAnalystLike(Protocol):
    """What the model analyst needs from the rule analyst (``signals.scoring.analyst.Analyst``)."""

    def enrich(self, item: Item, *, corroboration: int = 1) -> Enrichment: ...


def qualifies(base: Enrichment, settings: Settings) -> bool:
    """Whether an item gets the model's notes: the judge's P(6+) clears ``bedrock_min_p6`` (the rules'
    score misses most majors on unseen feeds), else the score clears ``bedrock_min_score``."""
    judge = base.score_breakdown.judge
    if judge is not None and "p6plus" in judge:
        return float(judge["p6plus"]) >= settings.bedrock_min_p6
    return base.score >= settings.bedrock_min_score


def _estimated_tokens(chars: int) -> int:
    # Conservative (about 3 characters a token) so a reservation covers the real input.
    return chars // 3 + 1


_FIXED_INPUT_CHARS = len(SYSTEM_PROMPT) + len(json.dumps(ANSWER_SCHEMA)) + 200


# --------------------------------------------------------------------------- the client


@cache
def runtime_client() -> Any:
    """The bedrock-runtime client: its own timeout and few retries (a throttle falls back, not waits)."""
    import boto3
    from botocore.config import Config

    settings = get_settings()
    config = Config(
        connect_timeout=5,
        read_timeout=settings.bedrock_timeout_s,
        retries={"mode": "standard", "max_attempts": settings.bedrock_max_attempts},
    )
    return boto3.client(
        "bedrock-runtime",
        region_name=settings.aws_region,
        endpoint_url=settings.aws_endpoint_url,
        config=config,
    )


_THROTTLED = {"ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException"}
_TIMEOUT = {"ModelTimeoutException"}
_UNAVAILABLE = {
    "ServiceUnavailableException",
    "InternalServerException",
    "ModelNotReadyException",
    "ModelErrorException",
}


def failure_reason(error: Exception) -> str:
    """The fallback reason for a failed Converse call: throttled, timeout, unavailable or rejected."""
    from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in _THROTTLED:
            return "throttled"
        if code in _TIMEOUT:
            return "timeout"
        if code in _UNAVAILABLE:
            return "unavailable"
        return "rejected"  # access denied, validation, unknown model: a configuration problem
    if isinstance(error, (ReadTimeoutError, ConnectTimeoutError)):
        return "timeout"
    return "unavailable"  # connection errors and other botocore failures


# --------------------------------------------------------------------------- the analyst


class BedrockAnalyst:
    """Rule analyst first; a Bedrock model writes the notes (bounded score) for significant items."""

    name = ANALYST_NAME

    def __init__(
        self,
        rules: RuleAnalystLike,
        *,
        store: AnalysisCache,
        client: Any = None,
        settings: Settings | None = None,
        metrics_sink: Metrics | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.rules = rules
        self._client = client
        self.store = store
        self.settings = settings or get_settings()
        self.metrics = metrics_sink or metrics
        self._clock = clock

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = runtime_client()
        return self._client

    def enrich(self, item: Item, *, corroboration: int = 1) -> Enrichment:
        """The rule result, with the model's notes and bounded score when the item qualifies."""
        base = self.rules.enrich(item, corroboration=corroboration)
        settings = self.settings
        if not qualifies(base, settings):
            return base
        text = render_item(item, max_chars=settings.bedrock_max_input_chars)
        key = cache_key(
            prompt_version=settings.bedrock_prompt_version, model_id=settings.bedrock_model_id, text=text
        )
        cached = self.store.get_cached(key)
        if cached is not None:
            answer = self._validated(cached.answer)
            if answer is not None:
                self._count("AnalystModelCacheHits")
                return self._compose(base, answer, cached, cached_hit=True)
        return self._ask(item, base, text, key)

    # -- the call -------------------------------------------------------------------------------

    def _ask(self, item: Item, base: Enrichment, text: str, key: str) -> Enrichment:
        settings = self.settings
        reserved = self._cost(_estimated_tokens(_FIXED_INPUT_CHARS + len(text)), settings.bedrock_max_tokens)
        day = budget_day()
        try:
            allowed = self.store.reserve(
                reserved,
                token_budget=settings.bedrock_daily_token_budget,
                usd_budget=settings.bedrock_daily_usd_budget,
                day=day,
            )
        except Exception:  # cannot account for the spend: do not spend
            logger.exception("model analyst budget unavailable", extra={"item_id": item.id})
            return self._fallback(item, base, "budget_unavailable")
        if not allowed:
            self._count("AnalystBudgetExhausted")
            return self._fallback(item, base, "budget_exhausted")

        self._count("AnalystModelCalls")
        started = self._clock()
        try:
            response = self.client.converse(**self.request(text))
        except Exception as error:  # every failure of the call falls back
            self._settle(reserved, NO_SPEND, day)
            reason = failure_reason(error)
            logger.warning(
                "model analyst call failed",
                extra={"item_id": item.id, "reason": reason, "error": str(error)[:300]},
            )
            return self._fallback(item, base, reason)
        latency_ms = round((self._clock() - started) * 1000)

        usage = response.get("usage", {})
        input_tokens = int(usage.get("inputTokens", 0))
        output_tokens = int(usage.get("outputTokens", 0))
        actual = self._cost(input_tokens, output_tokens)
        self._settle(reserved, actual, day)
        self._count("AnalystModelInputTokens", input_tokens)
        self._count("AnalystModelOutputTokens", output_tokens)
        self.metrics.add_metric(name="AnalystModelLatency", unit=MetricUnit.Milliseconds, value=latency_ms)
        self.metrics.add_metric(name="AnalystModelCostUsd", unit=MetricUnit.NoUnit, value=actual.usd)

        answer = self._validated(self._tool_input(response))
        if answer is None:
            logger.warning(
                "model analyst reply failed validation",
                extra={"item_id": item.id, "stop_reason": response.get("stopReason")},
            )
            usage_seen = (input_tokens, output_tokens, actual.usd)
            return self._fallback(item, base, "invalid_reply", usage=usage_seen)
        cached = CachedAnalysis(
            answer=answer.model_dump(mode="json"),
            model_id=settings.bedrock_model_id,
            prompt_version=settings.bedrock_prompt_version,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_ms=latency_ms,
            cost_usd=actual.usd,
            created_at=utcnow(),
        )
        try:
            self.store.put_cached(key, cached)
        except Exception:  # the answer is still good; only reuse is lost
            logger.exception("model analyst cache write failed", extra={"item_id": item.id})
        return self._compose(base, answer, cached, cached_hit=False)

    def request(self, text: str) -> dict[str, Any]:
        """The Converse request for one rendered item: system prompt, data message, forced tool."""
        return {
            "modelId": self.settings.bedrock_model_id,
            "system": [{"text": SYSTEM_PROMPT}],
            "messages": [{"role": "user", "content": [{"text": text}]}],
            "inferenceConfig": {"maxTokens": self.settings.bedrock_max_tokens, "temperature": 0.0},
            "toolConfig": {
                "tools": [
                    {
                        "toolSpec": {
                            "name": TOOL_NAME,
                            "description": "Record the analysis of the news item.",
                            "inputSchema": {"json": ANSWER_SCHEMA},
                        }
                    }
                ],
                "toolChoice": {"tool": {"name": TOOL_NAME}},
            },
        }

    @staticmethod
    def _tool_input(response: dict[str, Any]) -> Any:
        if response.get("stopReason") not in (None, "tool_use", "end_turn"):
            return None  # truncated (max_tokens), filtered or malformed: not a complete answer
        content = response.get("output", {}).get("message", {}).get("content", [])
        for block in content:
            tool_use = block.get("toolUse") if isinstance(block, dict) else None
            if tool_use and tool_use.get("name") == TOOL_NAME:
                return tool_use.get("input")
        return None

    @staticmethod
    def _validated(raw: Any) -> ModelAnswer | None:
        if not isinstance(raw, dict):
            return None
        try:
            return ModelAnswer.model_validate(raw)
        except ValidationError:
            return None

    # -- results --------------------------------------------------------------------------------

    def _compose(
        self,
        base: Enrichment,
        answer: ModelAnswer,
        cached: CachedAnalysis,
        *,
        cached_hit: bool,
    ) -> Enrichment:
        settings = self.settings
        band = settings.bedrock_score_band
        rules_score = base.score
        final = bound_score(rules_score, answer.score, band)
        if final != answer.score:
            self._count("AnalystScoreClamped")
        self._count("AnalystModelAnswers")
        details = {
            "status": "ok",
            "model_id": cached.model_id,
            "prompt_version": cached.prompt_version,
            "rules_score": rules_score,
            "model_score": answer.score,
            "final_score": final,
            "score_band": band,
            "clamped": final != answer.score,
            "rules_category": base.category.value,
            "model_category": answer.category.value,
            "input_tokens": cached.input_tokens,
            "output_tokens": cached.output_tokens,
            "latency_ms": cached.latency_ms,
            "cost_usd": cached.cost_usd,
            "cached": cached_hit,
        }
        tags = list(dict.fromkeys([*answer.tags, *base.tags]))[:MAX_TAGS]
        return base.model_copy(
            update={
                "category": answer.category,
                "score": final,
                "tags": tags,
                "summary": _trim(answer.summary, settings.signal_summary_max_chars),
                "rationale": answer.rationale,
                "analysis": Analysis(
                    technical_impact=answer.technical_impact,
                    why_it_matters=answer.why_it_matters,
                    what_to_watch=answer.what_to_watch,
                ),
                "score_breakdown": base.score_breakdown.model_copy(
                    update={"analyst": ANALYST_NAME, "model": details}
                ),
            }
        )

    def _fallback(
        self, item: Item, base: Enrichment, reason: str, *, usage: tuple[int, int, float] | None = None
    ) -> Enrichment:
        """The rule result, marked so the stored signal says the model did not write it (and why)."""
        self._count("AnalystModelFallbacks")
        self._count(f"AnalystFallback{''.join(p.title() for p in reason.split('_'))}")
        details: dict[str, Any] = {
            "status": "fallback",
            "reason": reason,
            "model_id": self.settings.bedrock_model_id,
            "prompt_version": self.settings.bedrock_prompt_version,
            "rules_score": base.score,
        }
        if usage is not None:
            details.update(input_tokens=usage[0], output_tokens=usage[1], cost_usd=usage[2])
        return base.model_copy(
            update={"score_breakdown": base.score_breakdown.model_copy(update={"model": details})}
        )

    def _cost(self, input_tokens: int, output_tokens: int) -> Spend:
        s = self.settings
        usd = (
            input_tokens * s.bedrock_usd_per_1k_input_tokens
            + output_tokens * s.bedrock_usd_per_1k_output_tokens
        ) / 1000
        return Spend(tokens=input_tokens + output_tokens, usd=round(usd, 9))

    def _settle(self, reserved: Spend, actual: Spend, day: str) -> None:
        try:
            self.store.settle(reserved, actual, day=day)
        except Exception:  # the reservation stays counted: the safe side
            logger.exception("model analyst budget settle failed")

    def _count(self, name: str, value: float = 1) -> None:
        self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def _trim(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters (with an ellipsis)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"
