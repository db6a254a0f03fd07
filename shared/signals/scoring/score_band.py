"""How far a model may move the rules' score: one rule for the model analyst and for re-scoring.

Its own module so that ``bedrock`` (which writes the bounded score) and ``enrichers`` (which
re-bounds it when corroboration changes the rules' score) both use it without importing each other.
"""

from __future__ import annotations


def bound_score(rules_score: int, model_score: int, band: int) -> int:
    """The final score: the model's, moved at most ``band`` from the rules' (and within 1..10)."""
    return max(1, min(10, rules_score + band, max(rules_score - band, model_score)))
