"""``digest.daily``: subscribers opt in; each gets one signed delivery per day, verified by the
official ``standardwebhooks`` library; a retried schedule queues the same webhook-id and nothing
is delivered twice."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
import test_webhooks as hooks  # its fixtures (receiver stub, moto + local mode, the API) and helpers
from fabricate import make_signal
from standardwebhooks import Webhook
from test_webhooks import new_key, pump, subscribe

_one_receiver_host, api, local, stub = hooks._one_receiver_host, hooks.api, hooks.local, hooks.stub

DAY = datetime(2026, 2, 12, tzinfo=UTC)


def run_schedule() -> dict[str, Any]:
    """The digest function, as the schedule invokes it (the 13th, 06:00 UTC)."""
    import importlib.util

    from signals.local.lambda_context import LambdaContext
    from signals.ops import digest_schedule

    spec = importlib.util.spec_from_file_location(
        "digest_app", Path(__file__).parents[2] / "functions/digest/app.py"
    )
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    real = digest_schedule.run_digest
    app.run_digest = lambda day=None: real(day, now=DAY + timedelta(days=1, hours=6))
    return app.handler({}, LambdaContext("digest"))


def test_one_signed_digest_delivery_per_day_to_each_subscriber_that_opted_in(
    local: Any, api: Any, stub: Any
) -> None:
    from signals.storage.story_records import StoryRecords

    StoryRecords().write_story(
        item_id="i1", content_hash="h", signal=make_signal(1, published=DAY + timedelta(hours=9), score=8),
        previous=None, story_keys=[],
    )  # fmt: skip
    key = new_key()
    daily = subscribe(
        api, key, f"{stub.base}/ok/daily", event_types=["digest.daily"], filters={"min_score": 9}
    )
    both = subscribe(api, key, f"{stub.base}/ok/both", event_types=["signal.created", "digest.daily"],
                     filters={"categories": ["security"]})  # fmt: skip
    default = subscribe(api, key, f"{stub.base}/ok/default")
    assert "digest.daily" not in default["event_types"]  # opted into, never by default

    # When the schedule runs, is retried, and the deliver function drains the queue after each
    first = run_schedule()
    pump(local)
    again = run_schedule()
    pump(local)

    # Then each opted-in subscriber got the day's digest once, whatever its signal filters
    assert (first["written"], first["announced"], again["written"], again["announced"]) == (True, 2, False, 2)
    assert sorted(h.path for h in stub.hits) == ["/ok/both", "/ok/daily"]
    secrets = {"/ok/daily": daily["secret"], "/ok/both": both["secret"]}
    for hit in stub.hits:
        Webhook(secrets[hit.path]).verify(hit.body, hit.headers)  # the official receiver accepts it
        payload = json.loads(hit.body)
        assert payload["type"] == "digest.daily" and payload["data"]["date"] == "2026-02-12"
        assert payload["data"]["opening"] == "2 items from 2 sources; 1 story; 1 at 7+."
    log = api("GET", f"/v1/subscriptions/{daily['id']}/deliveries", key=key).body["items"]
    assert len(log) == 1 and log[0]["status"] == "delivered"
    assert log[0]["webhook_id"] == next(h for h in stub.hits if h.path == "/ok/daily").headers["webhook-id"]
