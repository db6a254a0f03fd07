"""Signals: a ranked, explained AI-news intelligence feed.

The package is the Lambda layer's domain: feeds (ingest), scoring, storage adapters, the HTTP
API, webhooks and the local runtime. Handlers in ``functions/*`` only parse, delegate and shape.
"""

__version__ = "0.1.0"

from signals import deferred_inits

# Before any handler imports Powertools' event handler: the API's cold start loads the resolver it
# uses, not every resolver Powertools has (signals/deferred_inits.py)
deferred_inits.install()
