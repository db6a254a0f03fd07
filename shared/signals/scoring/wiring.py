"""The scorer's composition root: the real analyst and the storage classes behind scoring's ports.

The only scoring module that knows which storage implements what; the handler builds this once
per container (``functions/scorer/app.py``) and unit tests build their own from in-memory twins.
"""

from __future__ import annotations

from collections.abc import Sequence

from signals.models import Item, Signal
from signals.scoring.enrichers import build_analyst
from signals.scoring.service import Collaborators
from signals.storage.analysis_records import DynamoAnalyses
from signals.storage.archive import S3Archive
from signals.storage.queues import DeliveryQueue
from signals.storage.story_records import StoryRecords


class PipelineStats:
    """Scoring's ``StatsSink`` over ``ops.pipeline_stats`` (best effort there: failures are logged)."""

    def record_scored_batch(self, stored: Sequence[tuple[Signal, Item, bool]]) -> None:
        from signals.ops import pipeline_stats

        pipeline_stats.record_scored_batch(stored)

    def record_scoring_error(self, count: int) -> None:
        from signals.ops import pipeline_stats

        pipeline_stats.record_scoring_error(count)


def build_collaborators() -> Collaborators:
    """The real collaborators: the configured analyst (its cache and budget in the table), the
    story records, the S3 archive, the delivery queue and the ops counters."""
    return Collaborators(
        analyst=build_analyst(store=DynamoAnalyses()),
        stories=StoryRecords(),
        archive=S3Archive(),
        queue=DeliveryQueue(),
        stats=PipelineStats(),
    )
