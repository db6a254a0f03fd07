"""The daily digest against moto: built from one day's range of one partition, stored once (a retried
schedule writes nothing new), rebuilt on demand, read by the API with 404/400 for bad days."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
from fabricate import body, event, make_signal
from signals.models import Signal

DAY = datetime(2026, 2, 12, tzinfo=UTC)


def write(signal: Signal) -> None:
    from signals.storage.story_records import StoryRecords

    StoryRecords().write_story(
        item_id=f"item-{signal.id}", content_hash="h", signal=signal, previous=None, story_keys=[]
    )


class Calls:
    """DynamoDB operations through the shared client: (operation, partition or key, sort-key range)."""

    def __init__(self) -> None:
        from signals.storage.aws import client

        self.calls: list[tuple[str, str, str]] = []
        client("dynamodb").meta.events.register("before-parameter-build.dynamodb.*", self._record)

    def _record(self, model: Any, params: Any, **_: Any) -> None:
        values = params.get("ExpressionAttributeValues", {})
        pk = values.get(":pk", {}).get("S", "") or params.get("Key", {}).get("pk", {}).get("S", "")
        pk = pk or params.get("Item", {}).get("pk", {}).get("S", "")
        self.calls.append((model.name, pk, values.get(":lo", {}).get("S", "")))


def get(path: str) -> dict[str, Any]:
    from signals.api.app import app

    return app.resolve(event(path), None)


def the_month(aws: Any) -> None:
    # the 12th's stories, and neighbours on the 11th (same month) and the 13th
    for n, hours, score in [(1, 3, 8), (2, 10, 9), (3, 20, 4), (4, -2, 10), (5, 26, 10)]:
        write(make_signal(n, published=DAY + timedelta(hours=hours), score=score))


def digest_rows(aws: Any) -> list[dict[str, Any]]:
    rows = aws.dynamodb.scan(TableName=aws.table_name)["Items"]  # the test inspects; the code never scans
    return [r for r in rows if r["pk"]["S"].startswith("DIGEST#")]


def test_a_build_reads_only_its_days_range_and_stores_the_digest_once(aws: Any) -> None:
    from signals.ops.digest_schedule import run_digest

    the_month(aws)

    # When the schedule runs at 06:00 on the 13th
    calls = Calls()
    first = run_digest(now=DAY + timedelta(days=1, hours=6))

    # Then it digested the 12th from one Query of that day's range of the month partition
    assert first.written and first.digest.date == "2026-02-12"
    assert [e.id for e in first.digest.entries] == ["sig00002", "sig00001"]
    assert first.digest.stories == 3 and first.digest.opening.startswith("6 items from ")
    reads = [c for c in calls.calls if c[0] == "Query"]
    assert reads == [("Query", "FEED#2026-02", "2026-02-12T")]
    assert [r["pk"]["S"] for r in digest_rows(aws)] == ["DIGEST#2026-02-12"]

    # When the schedule is retried: nothing read again, nothing written, the same digest
    calls.calls.clear()
    again = run_digest(now=DAY + timedelta(days=1, hours=6, minutes=5))
    assert not again.written and again.digest == first.digest
    assert [c[0] for c in calls.calls] == ["GetItem"]


def test_a_rebuild_replaces_the_days_digest(aws: Any) -> None:
    from signals.ops.digest_schedule import run_digest

    the_month(aws)
    run_digest("2026-02-12")
    write(make_signal(7, published=DAY + timedelta(hours=12), score=7))

    assert run_digest("2026-02-12").digest.stories == 3  # stored once: unchanged
    rebuilt = run_digest("2026-02-12", rebuild=True)

    assert rebuilt.written and rebuilt.digest.stories == 4 and rebuilt.digest.notable == 3
    assert len(digest_rows(aws)) == 1


def test_the_api_reads_a_day_the_latest_and_refuses_bad_days(aws: Any) -> None:
    from signals.ops.digest_schedule import run_digest

    assert get("/v1/digest")["statusCode"] == 404  # nothing built yet
    the_month(aws)
    for day in ("2026-02-11", "2026-02-12", "2026-02-13"):
        run_digest(day)

    page = body(get("/v1/digest/2026-02-12"))
    assert page["digest"]["opening"] == "6 items from 4 sources; 3 stories; 2 at 7+."
    assert (page["previous"], page["next"]) == ("2026-02-11", "2026-02-13")
    assert body(get("/v1/digest"))["digest"]["date"] == "2026-02-13"

    missing = get("/v1/digest/2026-01-01")
    assert missing["statusCode"] == 404 and body(missing)["code"] == "digest_not_found"
    bad = get("/v1/digest/2026-13-40")
    assert bad["statusCode"] == 400 and body(bad)["code"] == "invalid_date"
    assert "YYYY-MM-DD" in body(bad)["detail"]


def test_the_page_opens_with_the_counts_and_links_the_days_around_it(aws: Any) -> None:
    from signals.ops.digest_schedule import run_digest

    the_month(aws)
    for day in ("2026-02-11", "2026-02-12", "2026-02-13"):
        run_digest(day)

    page = get("/digest/2026-02-12")
    html = page["body"]
    assert page["statusCode"] == 200 and page["headers"]["Content-Type"].startswith("text/html")
    assert "6 items from 4 sources; 3 stories; 2 at 7+." in html
    assert 'href="/digest/2026-02-11"' in html and 'href="/digest/2026-02-13"' in html
    assert html.index("/signals/sig00002") < html.index("/signals/sig00001")
    assert "Daily digest · <time" in get("/digest")["body"] and "2026-02-13" in get("/digest")["body"]

    missing, bad = get("/digest/2026-01-01"), get("/digest/2026-1-1")
    assert missing["statusCode"] == 404 and "There is no digest for 2026-01-01" in missing["body"]
    assert bad["statusCode"] == 400 and "date: String should match pattern" in bad["body"]
    assert all(r["headers"]["Content-Type"].startswith("text/html") for r in (missing, bad))


def test_the_digest_feeds_carry_one_entry_per_day_newest_first_from_one_query(aws: Any) -> None:
    import xml.etree.ElementTree as ET

    from signals.ops.digest_schedule import run_digest

    the_month(aws)
    for day in ("2026-02-11", "2026-02-12", "2026-02-13"):
        run_digest(day)
    run_digest("2026-02-12", rebuild=True)  # a rebuilt day stays one entry

    calls = Calls()
    feed = body(get("/v1/digest.json"))
    assert [c[0] for c in calls.calls] == ["Query"]
    assert [i["id"] for i in feed["items"]] == [f"urn:signals:digest:2026-02-{d}" for d in (13, 12, 11)]
    assert feed["items"][1]["summary"] == "6 items from 4 sources; 3 stories; 2 at 7+."
    assert feed["items"][1]["url"].endswith("/digest/2026-02-12")

    rss = ET.fromstring(get("/v1/digest.rss")["body"])
    assert [t.text for t in rss.iter("title")][1:] == [
        f"Signals daily digest · 2026-02-{d}" for d in (13, 12, 11)
    ]
    atom = ET.fromstring(get("/v1/digest.atom")["body"])
    ns = "{http://www.w3.org/2005/Atom}"
    assert len(atom.findall(f"{ns}entry")) == 3
