"""Scoring: the analyst (category, significance, tags, summary, rationale), stories (same-story
detection), the scoring pipeline over storage, and the evaluation metrics. Rubric as data in
``rubric/``."""
