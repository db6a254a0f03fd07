"""Ops routes in-process against moto: /v1/health, /v1/stats, /v1/sources and the /ops page."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from signals.local.gateway import to_event
from signals.models import Category, utcnow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "ops"))
from test_stats_report import make_item, make_signal


def get(path: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    from signals.api.app import app

    return app.resolve(
        to_event("GET", path, {"host": "127.0.0.1", **(headers or {})}, b"", "127.0.0.1"), None
    )


def body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


class Calls:
    """Counts DynamoDB operations made through the shared client (botocore before-call hook)."""

    def __init__(self) -> None:
        from signals.storage.aws import client

        self.names: list[str] = []
        client("dynamodb").meta.events.register("before-call.dynamodb.*", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.names.append(model.name)


def test_stats_report_counts_written_by_the_pipeline_without_a_scan(aws):
    from signals.ops import pipeline_stats

    # Given: ten items scored today (nine within 5 minutes of their fetch, one 90 minutes late),
    # a scoring error, four delivery attempts (three succeeded) and an ingest run
    now = utcnow()
    for n in range(10):
        fetched = timedelta(minutes=2) if n < 9 else timedelta(minutes=90)
        category = Category.SECURITY if n < 6 else Category.PRODUCTS
        item = make_item(fetched_ago=fetched, published_ago=timedelta(minutes=50))
        item = item.model_copy(
            update={"fetched_at": now - fetched, "published_at": now - timedelta(minutes=50)}
        )
        assert pipeline_stats.record_scored(
            make_signal(score=8 if n < 6 else 3, category=category), item, merged=n == 0
        )
    pipeline_stats.record_scoring_error()
    for ok in (True, True, True, False):
        pipeline_stats.record_delivery(success=ok, latency_s=0.4)
    pipeline_stats.record_ingest(fetched=5, not_modified=2, failed=1, new_items=10, bytes_=12345)
    earlier = now - timedelta(days=2)
    old_item = make_item(fetched_ago=timedelta(0), published_ago=timedelta(0))
    old_item = old_item.model_copy(update={"fetched_at": earlier, "published_at": earlier})
    pipeline_stats.record_scored(make_signal(), old_item, at=earlier)
    calls = Calls()

    # When
    response = get("/v1/stats?days=3")

    # Then
    assert response["statusCode"] == 200, response["body"]
    report = body(response)
    today = report["days"][-1]
    assert [d["day"] for d in report["days"]][-1] == now.strftime("%Y-%m-%d")
    assert today["items_by_category"]["security"] == 6
    assert today["items_by_category"]["products"] == 4
    assert (today["scored"], today["merged"], today["errors"]) == (10, 1, 1)
    assert report["days"][0]["scored"] == 1  # two days ago
    assert report["score_histogram"]["8"] == 6 and report["score_histogram"]["3"] == 4
    assert report["lag_fetched_to_scored"]["p50_s"] == 300
    assert report["lag_fetched_to_scored"]["p95_s"] == 7200  # 11 items: rank 10.45 falls in the 2 h bucket
    assert report["lag_published_to_scored"]["p50_s"] == 3600
    assert report["delivery"] == {"attempts": 4, "successes": 3, "failures": 1, "success_rate": 0.75}
    assert report["ingest"]["failed"] == 1 and report["ingest"]["bytes"] == 12345
    # one BatchGetItem (3 days x shards keys), nothing else: no Scan, no Query
    assert calls.names == ["BatchGetItem"]


def test_stats_writes_spread_over_shards_and_never_raise(aws, monkeypatch):
    from signals.ops import pipeline_stats
    from signals.storage.aws import client

    for _ in range(40):
        pipeline_stats.record_delivery(success=True)
    day = utcnow().strftime("%Y-%m-%d")
    shards = [
        aws.dynamodb.get_item(
            TableName=aws.table_name, Key={"pk": {"S": f"STATS#{day}#{n}"}, "sk": {"S": "STATS"}}
        )
        for n in range(4)
    ]
    counts = [int(s["Item"]["delivery:attempts"]["N"]) for s in shards if "Item" in s]
    assert sum(counts) == 40 and len(counts) > 1

    # When DynamoDB throttles, recording reports False and the caller carries on
    from botocore.exceptions import ClientError

    def throttle(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "UpdateItem")

    client("dynamodb").meta.events.register("before-call.dynamodb.UpdateItem", throttle)
    assert pipeline_stats.record_delivery(success=False) is False
    assert pipeline_stats.record_ingest(fetched=1, new_items=1, source_id="s") is False


def test_health_is_200_with_queue_depths_when_everything_answers(aws):
    aws.sqs.send_message(QueueUrl=aws.queue_urls["ScoreDLQ"], MessageBody="{}")
    response = get("/v1/health")
    assert response["statusCode"] == 200, response["body"]
    assert response["headers"]["Cache-Control"] == "no-store"
    report = body(response)
    checks = {c["name"]: c for c in report["checks"]}
    assert report["status"] == "ok"
    assert set(checks) == {"table", "bucket", "score-queue", "score-dlq", "delivery-queue", "delivery-dlq"}
    assert checks["score-dlq"]["depth"] == 1 and checks["delivery-dlq"]["depth"] == 0


def test_health_is_503_naming_the_unreachable_dependency(aws):
    aws.sqs.delete_queue(QueueUrl=aws.queue_urls["DeliveryDLQ"])
    response = get("/v1/health")
    assert response["statusCode"] == 503
    report = body(response)
    failing = {c["name"]: c["detail"] for c in report["checks"] if not c["ok"]}
    assert report["status"] == "unavailable"
    assert list(failing) == ["delivery-dlq"]
    assert "QueueDoesNotExist" in failing["delivery-dlq"] or "NonExistentQueue" in failing["delivery-dlq"]
    assert aws.queue_urls["DeliveryDLQ"] not in response["body"]  # no internal names


def test_health_reports_a_dependency_that_times_out(aws, monkeypatch):
    import threading

    from signals.config import reset_settings
    from signals.storage.aws import client

    monkeypatch.setenv("SIGNALS_HEALTH_CHECK_TIMEOUT_S", "0.2")
    reset_settings()
    release = threading.Event()
    client("s3").meta.events.register("before-call.s3.HeadBucket", lambda **_: release.wait(5) and None)
    try:
        report = body(get("/v1/health"))
    finally:
        release.set()
    assert {c["name"]: c["detail"] for c in report["checks"] if not c["ok"]} == {"bucket": "timeout"}


def _save_states() -> None:
    from signals.models.source import SourceState
    from signals.storage.source_records import save_state

    now = utcnow()
    save_state(
        SourceState(
            source_id="good-feed",
            last_status="ok",
            last_fetch_at=now - timedelta(minutes=5),
            next_fetch_at=now + timedelta(minutes=55),
            items_seen=40,
        )
    )
    save_state(
        SourceState(
            source_id="bad-feed",
            last_status="failed",
            last_fetch_at=now,
            last_error="HTTP 503 <script>alert(1)</script>",
            last_http_status=503,
            consecutive_failures=3,
            next_fetch_at=now + timedelta(hours=2),
        )
    )


def test_sources_show_status_failures_next_fetch_and_items_per_day(aws):
    from signals.ops import pipeline_stats

    _save_states()
    pipeline_stats.record_ingest(fetched=1, new_items=14, source_id="good-feed")
    pipeline_stats.record_ingest(
        fetched=1, new_items=7, source_id="good-feed", at=utcnow() - timedelta(days=1)
    )
    pipeline_stats.record_ingest(
        fetched=1, new_items=99, source_id="good-feed", at=utcnow() - timedelta(days=30)
    )
    pipeline_stats.record_source_items("bad-feed", 0)  # nothing new: nothing written

    response = get("/v1/sources")

    assert response["statusCode"] == 200, response["body"]
    listing = body(response)
    assert listing["failing"] == 1
    first, second = listing["items"]
    assert (first["source_id"], first["status"], first["consecutive_failures"]) == ("bad-feed", "failing", 3)
    assert first["items_per_day"] == 0.0
    assert first["last_success_at"] is None and first["next_fetch_at"]
    assert (second["source_id"], second["status"]) == ("good-feed", "ok")
    assert second["items_per_day"] == 3.0  # (14 + 7) / 7 days; the 30-day-old count is outside
    assert second["last_success_at"] == second["last_fetch_at"]


def test_ops_page_draws_the_figures_as_svg_without_javascript(aws):
    from signals.ops import pipeline_stats

    _save_states()
    now = utcnow()
    item = make_item(fetched_ago=timedelta(0), published_ago=timedelta(0)).model_copy(
        update={"fetched_at": now - timedelta(minutes=1), "published_at": now - timedelta(minutes=1)}
    )
    pipeline_stats.record_scored(make_signal(score=9, category=Category.SAFETY_POLICY), item)
    pipeline_stats.record_delivery(success=True)

    response = get("/ops?days=7")

    assert response["statusCode"] == 200, response["body"]
    assert response["headers"]["Content-Type"].startswith("text/html")
    html = response["body"]
    assert "<script" not in html.lower().replace("&lt;script", "")
    assert html.count("<svg") == 5
    assert "Safety &amp; Policy" in html  # the category label in the chart legend
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # a feed's error text is escaped
    assert "bad-feed" in html and "good-feed" in html
    assert "100.0% succeeded" in html


@pytest.mark.parametrize("query", ["days=0", "days=32", "days=x", "verbose=1"])
def test_bad_parameters_are_400_problems(aws, query):
    response = get(f"/v1/stats?{query}")
    assert response["statusCode"] == 400
    assert response["headers"]["Content-Type"] == "application/problem+json"


def test_ops_routes_are_in_the_openapi_document():
    from signals.api.app import openapi_document

    paths = json.loads(openapi_document())["paths"]
    assert {"/v1/health", "/v1/stats", "/v1/sources", "/ops"} <= set(paths)
    assert "503" in paths["/v1/health"]["get"]["responses"]
