"""The model analyst's cached answers and spending: what crosses the ``AnalysisCache`` port.

The analyst (``scoring/bedrock.py``) computes and uses them; ``storage/analysis_records.py`` only
stores them, so they live here, where both may import them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import ConfigDict

from signals.base_model import SignalsModel
from signals.models import iso, utcnow


class CachedAnalysis(SignalsModel):
    """A validated model answer and what it cost, as stored."""

    model_config = ConfigDict(frozen=True)

    answer: dict[str, Any]  # the validated tool input (re-validated on read by the analyst)
    model_id: str
    prompt_version: str
    input_tokens: int
    output_tokens: int
    latency_ms: int
    cost_usd: float
    created_at: datetime


class Spend(SignalsModel):
    """Usage to reserve or settle against a day's budget."""

    model_config = ConfigDict(frozen=True)

    tokens: int
    usd: float

    @property
    def usd_micros(self) -> int:
        return round(self.usd * 1_000_000)


NO_SPEND = Spend(tokens=0, usd=0.0)


def cache_key(*, prompt_version: str, model_id: str, text: str) -> str:
    """The cache key of one model input: same prompt, model and text → same answer, paid once."""
    digest = hashlib.sha256()
    for part in (prompt_version, model_id, text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")  # unit separator: ("ab", "c") and ("a", "bc") hash differently
    return digest.hexdigest()


def budget_day(now: datetime | None = None) -> str:
    """The UTC calendar day a spend counts against (``YYYY-MM-DD``)."""
    return iso(now or utcnow())[:10]
