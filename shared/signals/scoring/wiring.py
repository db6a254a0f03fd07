"""The scorer's composition root: the real analyst and the storage classes behind scoring's ports.

The only scoring module that knows which storage implements what; the handler builds this once
per container (``functions/scorer/app.py``) and unit tests build their own from in-memory twins.
"""

from __future__ import annotations

from signals.scoring.enrichers import build_analyst
from signals.scoring.service import Collaborators
from signals.storage.analysis_records import DynamoAnalyses
from signals.storage.archive import S3Archive
from signals.storage.queues import SqsEventQueue
from signals.storage.story_records import StoryRecords


def build_collaborators() -> Collaborators:
    """The real collaborators: the configured analyst (its cache and budget in the table), the
    story records, the S3 archive, the delivery queue and the ops counters."""
    from signals.ops.pipeline_stats import PipelineStats  # the daily counters (first call, not cold start)

    return Collaborators(
        analyst=build_analyst(store=DynamoAnalyses()),
        stories=StoryRecords(),
        archive=S3Archive(),
        queue=SqsEventQueue(),
        stats=PipelineStats(),
    )
