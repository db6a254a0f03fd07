"""Webhooks: Standard Webhooks signing, subscriptions, fan-out and delivery with retries.

``signing`` (pure HMAC), ``subscriptions`` (the request shapes and the filter rule), ``endpoints``
(which URLs may be subscribed), ``matching`` (which fan-out rows a subscription owns and an event
reads), ``schedule`` (the retry policy and status handling), ``deliveries`` (queue messages and the
bytes sent), ``dispatch`` (one message: fan-out, or precheck / attempt / conclude of a delivery),
``delivery_batch`` (a queue batch and its metrics), ``subscription_service`` (the subscription rules the API
calls), ``errors`` (what those rules refuse). The shapes that cross a storage port live in
``signals.models.subscription`` / ``delivery``; ``ports`` says what webhooks needs from storage,
``wiring`` builds the real stores (``signals.storage.subscription_records`` / ``delivery_records``
/ ``queues``).
"""
