"""Ingest: sources, fetching, parsing, normalising, and the run that ties them together.

``sources`` (the curated list), ``fetcher`` (one polite conditional GET), ``parser`` (bytes to
entries), ``normalize`` (entry to :class:`signals.models.Item`), ``urls`` (canonical URLs),
``ingest`` (the scheduled run: :func:`signals.feeds.ingest.run_ingest`).
"""
