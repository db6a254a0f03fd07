"""The HTTP API: JSON feed, RSS/Atom/JSON Feed, pages, OpenAPI (``signals.api.app``)."""
