"""Signals: a ranked, explained AI-news intelligence feed.

The package is the Lambda layer's domain: feeds (ingest), scoring, storage adapters, the HTTP
API, webhooks and the local runtime. Handlers in ``functions/*`` only parse, delegate and shape.
"""

__version__ = "0.1.0"
