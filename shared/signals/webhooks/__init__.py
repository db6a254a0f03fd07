"""Webhooks: Standard Webhooks signing, subscriptions, fan-out and delivery with retries.

``signing`` (pure HMAC), ``subscriptions`` (the domain models and their rules), ``endpoints``
(which URLs may be subscribed), ``matching`` (fan-out index rows), ``schedule`` (retry timing and
status handling), ``delivery`` (one attempt, the queue task, the batch). Storage lives in
``signals.storage.subscription_records`` / ``deliveries`` / ``apikeys``.
"""
