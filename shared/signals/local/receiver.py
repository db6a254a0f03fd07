"""A loopback webhook receiver for the demo and tests: verifies signatures, records what came.

Verification uses the official ``standardwebhooks`` package when installed (the reference a real
subscriber would use), else our own verifier. ``start_receiver()`` runs ``http.server`` in a
thread on 127.0.0.1; ``.received`` lists every request with its verdict.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from signals.local.loopback_server import LoopbackServer
from signals.webhooks.signing import verify

#: Maps the request path (e.g. ``/hooks/sub_123``) to the secrets that may have signed it.
SecretLookup = Callable[[str], list[str]]


@dataclass
class ReceivedWebhook:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    error: str | None = None

    @property
    def payload(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def describe(self) -> str:
        data = self.payload if isinstance(self.payload, dict) else {}
        signal = data.get("data") or {}
        verdict = "verified" if self.verified else f"REJECTED ({self.error})"
        title = signal.get("title") or signal.get("message") or ""
        score = f"{signal['score']}/10 " if "score" in signal else ""
        webhook_id = self.headers.get("webhook-id", "")
        return f"[{verdict}] {data.get('type', '?')} {webhook_id} {score}{title}".rstrip()


def _verify_official(secret: str, body: bytes, headers: dict[str, str]) -> None:
    from standardwebhooks import Webhook

    Webhook(secret).verify(body, headers)


def _verifier() -> Callable[[str, bytes, dict[str, str]], None]:
    try:
        import standardwebhooks  # noqa: F401
    except ImportError:
        return lambda secret, body, headers: verify(secret, body, headers)
    return _verify_official


@dataclass
class Receiver:
    """A running receiver: its base URL, what it received, and ``stop()``."""

    server: LoopbackServer
    thread: threading.Thread
    received: list[ReceivedWebhook] = field(default_factory=list)
    on_receive: Callable[[ReceivedWebhook], None] | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    @property
    def webhooks_received(self) -> int:
        """How many webhook requests arrived (verified or not)."""
        return len(self.received)

    @property
    def webhooks_verified(self) -> int:
        """How many of them carried a signature the verifier accepted."""
        return sum(1 for item in self.received if item.verified)

    def show(self) -> str:
        """Everything received, one line each."""
        return "\n".join(item.describe() for item in self.received) or "(nothing received yet)"


def start_receiver(
    port: int = 0,
    secret_lookup: SecretLookup | None = None,
    *,
    status: int = 200,
    on_receive: Callable[[ReceivedWebhook], None] | None = None,
) -> Receiver:
    """Start a receiver on 127.0.0.1:``port`` (0 = any free port); it answers ``status``."""
    verify_with = _verifier()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 1024 * 1024))
            headers = {k.lower(): v for k, v in self.headers.items()}
            verified, error = False, None
            for secret in secret_lookup(self.path) if secret_lookup else []:
                try:
                    verify_with(secret, body, headers)
                    verified, error = True, None
                    break
                except Exception as exc:  # the official verifier raises its own types
                    error = f"{type(exc).__name__}: {exc}"
            if not secret_lookup:
                error = "no secret to verify with"
            item = ReceivedWebhook(self.path, headers, body, verified, error)
            with lock:
                receiver.received.append(item)
            if receiver.on_receive:
                receiver.on_receive(item)
            code = status if verified else 401
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            answer = json.dumps({"ok": verified}).encode()
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def do_GET(self) -> None:
            """A person opening the receiver's URL sees what arrived, newest last, verified or not."""
            with lock:
                text = receiver.show()
            answer = (text + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    server = LoopbackServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    receiver = Receiver(server=server, thread=thread, on_receive=on_receive)
    thread.start()
    return receiver


def ensure_demo_key(name: str = "demo") -> str:
    """The demo's API key text: ``SIGNALS_DEMO_API_KEY`` when set (stored if new), else a fresh key."""
    from signals.config import get_settings
    from signals.storage.apikey_records import new_key_text, store_key

    plaintext = get_settings().demo_api_key or new_key_text()
    store_key(plaintext, name)
    return plaintext


def create_demo_subscription(api_key: str, receiver_url: str, *, min_score: int = 1) -> tuple[str, str]:
    """A subscription owned by ``api_key`` pointing at ``<receiver_url>/hooks/<id>``: (id, secret).

    Requires local mode (loopback http URLs); goes through the same URL validation as the API.
    """
    from signals.config import get_settings
    from signals.storage import apikey_records
    from signals.webhooks import wiring
    from signals.webhooks.endpoints import validate_endpoint_url
    from signals.webhooks.signing import generate_secret
    from signals.webhooks.subscriptions import SubscriptionCreate, SubscriptionFilters, new_subscription

    settings = get_settings()
    key = apikey_records.authenticate(api_key)
    if key is None:
        raise ValueError("unknown API key")
    base = receiver_url.rstrip("/")
    request = SubscriptionCreate(
        url=f"{base}/hooks/pending",
        filters=SubscriptionFilters(min_score=min_score),
        event_types=["signal.created", "signal.updated", "digest.daily"],  # the demo shows every event
    )
    subscription = new_subscription(key.key_id, request, generate_secret())
    subscription = subscription.model_copy(update={"url": f"{base}/hooks/{subscription.id}"})
    validate_endpoint_url(
        subscription.url,
        local_mode=settings.local_mode,
        allowed_ports=settings.webhook_allowed_ports,
        loopback_ports=settings.local_loopback_ports,
    )
    wiring.subscription_store(settings).create(subscription)
    return subscription.id, subscription.secrets[0].secret


def stored_secrets(path: str) -> list[str]:
    """Secret lookup for ``/hooks/<subscription id>``: the subscription's signing secrets now."""
    from signals.models import utcnow
    from signals.webhooks import wiring

    found = wiring.subscription_store().get(path.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0])
    return found.signing_secrets(utcnow()) if found else []


def start_demo_webhooks(port: int = 0, *, echo: bool = True, min_score: int = 1) -> tuple[Receiver, str]:
    """For ``signals demo``: a demo key, a verifying receiver, a subscription to it. (receiver, key)

    Needs local mode on (loopback http). The key is ``SIGNALS_DEMO_API_KEY`` when set.
    """
    import os
    from urllib.parse import urlsplit

    from signals.config import reset_settings

    key = ensure_demo_key()
    receiver = start_receiver(
        port, secret_lookup=stored_secrets, on_receive=(lambda item: print(item.describe())) if echo else None
    )
    # local mode delivers to loopback on this port only (set before the API process starts)
    os.environ["SIGNALS_LOCAL_LOOPBACK_PORTS"] = f"[{urlsplit(receiver.url).port}]"
    reset_settings()
    create_demo_subscription(key, receiver.url, min_score=min_score)
    return receiver, key
