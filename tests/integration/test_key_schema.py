"""``storage/key_schema.py``'s table is what is written: every kind of record, made by the code that
owns it against moto, matches one row of ``RECORDS``, and every row is matched by something written."""

from __future__ import annotations

import importlib.util
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from signals.models import Item, ScoreRequest
from signals.storage import key_schema

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "api"))
from fabricate import make_signal, store  # noqa: E402

NOW = datetime(2026, 6, 2, 17, 0, tzinfo=UTC)


def pattern(shape: str) -> re.Pattern[str]:
    """``SUB#<id>`` -> a regex where each ``<...>`` is one or more characters."""
    return re.compile(
        "^"
        + "".join(".+" if p.startswith("<") else re.escape(p) for p in re.split(r"(<[^>]+>)", shape))
        + "$"
    )


ROWS = [
    (name, pattern(pk), pattern(sk), pattern(g1) if g1 else None) for name, pk, sk, g1 in key_schema.RECORDS
]


def kind_of(item: dict[str, Any]) -> str | None:
    """The record kind of a stored item, or None if no row of the table fits it."""
    pk, sk = item["pk"]["S"], item["sk"]["S"]
    gsi1 = item.get("gsi1pk", {}).get("S")
    for name, pk_re, sk_re, g1_re in ROWS:
        if (
            pk_re.match(pk)
            and sk_re.match(sk)
            and (gsi1 is None or (g1_re is not None and g1_re.match(gsi1)))
        ):
            return name
    return None


def write_one_of_everything(aws: Any) -> None:
    from signals.local.lambda_context import LambdaContext
    from signals.models.analysis import CachedAnalysis, Spend
    from signals.models.delivery import DeliveryTask
    from signals.models.source import SeenEntry, SourceState
    from signals.ops.pipeline_stats import record_ingest
    from signals.storage.analysis_records import DynamoAnalyses
    from signals.storage.apikey_records import create_key
    from signals.storage.archive import write_item
    from signals.storage.delivery_records import DynamoDeliveryLog
    from signals.storage.source_records import DynamoSourceStore
    from signals.webhooks.subscriptions import SubscriptionCreate, new_subscription
    from signals.webhooks.wiring import subscription_store

    # signals and their indexes, as the scorer writes them (and a tagged one, from one source)
    store(
        aws.dynamodb,
        aws.table_name,
        [make_signal(1), make_signal(2, tags=["chips"], score=8, entities=["Anthropic"])],
    )
    # an item through the scorer: item-seen, story keys, the signal, its postings, daily stats
    spec = importlib.util.spec_from_file_location("scorer_app", ROOT / "functions/scorer/app.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    archived = Item(
        id="it-key-schema",
        source_id="src-a",
        source_name="Source A",
        feed_url="https://example.com/feed.xml",
        url="https://example.com/a",
        title="Anthropic releases Claude 9 with new safety evaluations",
        summary="Anthropic released a model.",
        published_at=NOW,
        fetched_at=NOW,
        content_hash="h1",
    )
    key, _ = write_item(archived)
    body = ScoreRequest(item_key=key, item_id=archived.id, source_id="src-a", reason="new", enqueued_at=NOW)
    event = {"Records": [{"messageId": "m1", "body": body.model_dump_json(), "eventSource": "aws:sqs"}]}
    assert scorer.handler(event, LambdaContext("scorer"))["batchItemFailures"] == []
    # ingest: a source's state, a seen entry, the per-source counter
    sources = DynamoSourceStore()
    sources.save_state(SourceState(source_id="src-a", next_fetch_at=NOW))
    sources.save_seen(
        [SeenEntry(item_id="it1", content_hash="h", item_key="k", source_id="src-a", seen_at=NOW)]
    )
    record_ingest(fetched=1, new_items=1, source_id="src-a", at=NOW)
    # webhooks: a key, a subscription (its fan-out rows, its counters), a delivery, a rate window
    plaintext, api_key = create_key("key-schema")
    request = SubscriptionCreate(url="https://hooks.example/x", event_types=["signal.created"])
    subscription = new_subscription(api_key.key_id, request, "whsec_" + "A" * 32, NOW)
    subscription_store().create(subscription)
    task = DeliveryTask(
        delivery_id="d1",
        subscription_id=subscription.id,
        event_id="e1",
        event_type="signal.created",
        occurred_at=NOW,
    )
    assert DynamoDeliveryLog().claim_attempt(task, NOW, 30)
    from signals.storage.rate_limits import DynamoRateLimits

    assert DynamoRateLimits().hit(f"sub:{subscription.id}", 5, 60, NOW) is None  # a rate-limit window
    # the model analyst: a cached answer and the day's budget
    analyses = DynamoAnalyses()
    cached = CachedAnalysis(
        answer={},
        model_id="m",
        prompt_version="p",
        input_tokens=1,
        output_tokens=1,
        latency_ms=1,
        cost_usd=0.0,
        created_at=NOW,
    )
    analyses.put_cached("c" * 64, cached)
    assert analyses.reserve(Spend(tokens=10, usd=0.01), token_budget=100, usd_budget=1.0, day="2026-06-02")
    assert plaintext
    # the daily digest: one record per day
    from signals.ops.digest_schedule import run_digest

    assert run_digest("2026-06-02").written


def test_every_record_written_is_in_the_table_and_every_row_is_written(aws: Any) -> None:
    write_one_of_everything(aws)
    items = aws.dynamodb.scan(TableName=aws.table_name)["Items"]  # a test may Scan; the code never does

    unknown = [
        (i["pk"]["S"], i["sk"]["S"], i.get("gsi1pk", {}).get("S")) for i in items if kind_of(i) is None
    ]
    assert unknown == []
    assert {name for name, *_ in key_schema.RECORDS} - {kind_of(i) for i in items} == set()
    signal = next(i for i in items if kind_of(i) == "signal")
    assert signal["gsi2pk"]["S"].startswith("CAT#") and signal["gsi3pk"]["S"].startswith("SCORE#")
    assert not any(name.startswith("gsi4") for i in items for name in i)
