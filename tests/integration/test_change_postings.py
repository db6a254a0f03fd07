"""``updated_since`` against moto: the scorer's transaction keeps one change posting per signal (the
old one deleted when the time moves), and a poll reads only change postings, by Query, consistent."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
from fabricate import body, event, make_signal, store
from signals.models import Signal
from test_api import DynamoCalls


def change_postings(aws: Any) -> list[tuple[str, str]]:
    items = aws.dynamodb.scan(TableName=aws.table_name)["Items"]  # a test may Scan; the code never does
    return sorted((i["pk"]["S"], i["sk"]["S"]) for i in items if i["pk"]["S"].startswith("UPD#"))


def test_a_change_moves_the_posting_and_a_poll_reads_only_the_change_index(aws: Any) -> None:
    from signals.api.app import app
    from signals.storage.story_records import StoryRecords

    now = datetime.now(UTC).replace(microsecond=0)
    at = now - timedelta(hours=2)
    signals = [
        make_signal(n).model_copy(update={"updated_at": at + timedelta(minutes=n), "scored_at": at})
        for n in range(6)
    ]
    store(aws.dynamodb, aws.table_name, signals)
    assert len(change_postings(aws)) == 6

    # signal 1 changes (say, a second source joined its story): the scorer's one transaction
    old = signals[1]
    new: Signal = old.model_copy(update={"updated_at": now - timedelta(minutes=10), "version": 2})
    StoryRecords().write_story(item_id="it-join", content_hash="h", signal=new, previous=old, story_keys=[])
    postings = change_postings(aws)
    assert len(postings) == 6  # moved, not added: the posting at the old time was deleted
    assert (f"UPD#{now:%Y-%m}", f"{new.updated_at:%Y-%m-%dT%H:%M:%SZ}#sig00001") in [
        (pk, sk) for pk, sk in postings
    ]

    counter = DynamoCalls()
    ids, value, cursor = [], (at - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"), None
    for _ in range(10):
        params = {"updated_since": value, "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = app.resolve(event("/v1/signals", params), None)
        assert response["statusCode"] == 200, response["body"]
        page = body(response)
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert ids == ["sig00000", "sig00002", "sig00003", "sig00004", "sig00005", "sig00001"]
    assert {op for op, _ in counter.calls} == {"Query"}  # no Scan, no GetItem
    assert {p.split("#")[0] for p in counter.partitions()} == {"table:UPD"}
    assert all(params["ConsistentRead"] for _, params in counter.calls)
    assert counter.read <= len(ids) + 3  # 3 pages of 2: each reads its items plus one to know there is more
