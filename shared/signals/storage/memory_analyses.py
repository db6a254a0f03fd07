"""``analysis_records.DynamoAnalyses`` in memory: the scorer's ``AnalysisCache`` for unit tests, no moto."""

from __future__ import annotations

from signals.models.analysis import CachedAnalysis, Spend, budget_day


class InMemoryAnalyses:
    """The same port held in memory, counting in micro-dollars as the table does: for unit tests and
    ``signals eval`` runs outside AWS (the budget still stops a run that would spend too much)."""

    def __init__(self) -> None:
        self._answers: dict[str, CachedAnalysis] = {}
        self._spent: dict[str, tuple[int, int]] = {}  # day -> (tokens, usd micros)

    def get_cached(self, key: str) -> CachedAnalysis | None:
        return self._answers.get(key)

    def put_cached(self, key: str, cached: CachedAnalysis) -> None:
        self._answers[key] = cached

    def reserve(self, spend: Spend, *, token_budget: int, usd_budget: float, day: str | None = None) -> bool:
        day = day or budget_day()
        tokens, micros = self._spent.get(day, (0, 0))
        over_tokens = tokens + spend.tokens > token_budget
        if over_tokens or micros + spend.usd_micros > round(usd_budget * 1_000_000):
            return False
        self._spent[day] = (tokens + spend.tokens, micros + spend.usd_micros)
        return True

    def settle(self, reserved: Spend, actual: Spend, *, day: str) -> None:
        tokens, micros = self._spent.get(day, (0, 0))
        self._spent[day] = (
            tokens - reserved.tokens + actual.tokens,
            micros - reserved.usd_micros + actual.usd_micros,
        )

    def spent(self, day: str | None = None) -> Spend:
        tokens, micros = self._spent.get(day or budget_day(), (0, 0))
        return Spend(tokens=tokens, usd=micros / 1_000_000)
