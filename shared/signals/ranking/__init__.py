"""Ranking: which signals a reader gets, in which order, page by page.

``query.py`` says what a reader asked for and which index lanes hold it; ``paging.py`` merges lanes
into pages in time or score order; ``hot.py`` ranks by significance decayed by age (exact top-k);
``ports.py`` is what ranking needs from storage (``FeedIndex``). The DynamoDB implementation and an
in-memory one live in ``storage/timeline_index.py``.
"""
