"""``signals migrate``: a table written by an older Signals (subscriptions without their counters, API
keys without the listing index) is filled in, idempotently, without losing a live write (moto)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from signals.cli import main
from signals.config import get_settings, reset_settings
from signals.models.subscription import CapReached, SubscriptionFilters
from signals.ops import migrations
from signals.storage import apikey_records, subscription_counters
from signals.storage.subscription_records import DynamoSubscriptionStore
from signals.webhooks import wiring
from signals.webhooks.matching import index_rows
from signals.webhooks.subscription_service import counters_of
from signals.webhooks.subscriptions import SubscriptionCreate, new_subscription

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _caps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALS_SUBSCRIPTIONS_PER_KEY_MAX", "4")
    monkeypatch.setenv("SIGNALS_SUBSCRIPTIONS_PER_HOST_MAX", "3")
    reset_settings()


def counted_in() -> Any:
    """The live store's rule (key and key-at-host counters, with the caps set above)."""
    return counters_of(get_settings())


def old_store() -> DynamoSubscriptionStore:
    """The store as it was before the counters: the same records and index rows, no counter."""
    shards = get_settings().fanout_shards
    return DynamoSubscriptionStore(rows_for=lambda s: index_rows(s, shards))


def subscribe(owner: str, host: str, store: DynamoSubscriptionStore | None = None) -> Any:
    request = SubscriptionCreate(url=f"https://{host}/hook", filters=SubscriptionFilters(min_score=5))
    subscription = new_subscription(owner, request, "whsec_" + "x" * 32, NOW)
    (store or old_store()).create(subscription)
    return subscription


def counters() -> dict[str, int]:
    return subscription_counters.scan_counters(page_size=100)


def table_items(aws: Any) -> list[dict[str, Any]]:
    items = aws.dynamodb.scan(TableName=aws.table_name, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


@pytest.fixture
def old_table(aws: Any) -> Any:
    """Key A: 3 subscriptions at a.example (one disabled), 1 at b.example; key B: 1 at a.example."""
    store = old_store()
    for _ in range(3):
        subscribe("key_a", "a.example", store)
    disabled = store.get(subscribe("key_a", "b.example", store).id)
    store.replace(disabled, disabled.model_copy(update={"status": "disabled"}))
    subscribe("key_b", "a.example", store)
    return aws


EXPECTED = {"owner#key_a": 4, "host#key_a#a.example": 3, "host#key_a#b.example": 1}
EXPECTED |= {"owner#key_b": 1, "host#key_b#a.example": 1}


def test_counters_are_filled_from_the_stored_subscriptions_and_then_hold_the_caps(old_table: Any) -> None:
    # Given: a table of the old code, plus the deployed code's first write: a delete of an old
    # subscription decremented counters it was never in (-1)
    assert counters() == {}
    gone = subscribe("key_b", "c.example")  # made by the old code...
    wiring.subscription_store().delete(gone)  # ...deleted by the new one
    assert counters() == {"owner#key_b": -1, "host#key_b#c.example": -1}

    # When
    report = migrations.migrate_subscription_counters(counted_in())

    # Then: every counter holds its subscriptions, the emptied one 0, in one round
    assert counters() == {**EXPECTED, "host#key_b#c.example": 0}
    assert (report.subscriptions, report.rounds, report.complete) == (5, 1, True)
    assert len(report.changes) == 6
    # and the caps hold again: key A is at its 4
    with pytest.raises(CapReached):
        subscribe("key_a", "d.example", wiring.subscription_store())


def test_a_second_run_changes_nothing(old_table: Any) -> None:
    migrations.migrate_subscription_counters(counted_in())
    before = table_items(old_table)

    report = migrations.migrate_subscription_counters(counted_in())

    assert report.changes == [] and report.complete
    assert table_items(old_table) == before


def test_a_dry_run_prints_what_it_would_set_and_writes_nothing(
    old_table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    before = table_items(old_table)

    code = main(["migrate", "subscription-counters", "--dry-run"])

    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert "would set owner#key_a: absent -> 4" in out
    assert "would set host#key_a#b.example: absent -> 1" in out
    assert out[-1].startswith("subscription-counters: 5 counter(s) would set, 5 subscription(s)")
    assert table_items(old_table) == before


@pytest.mark.parametrize("when", ["while counting", "after the second read"])
def test_a_live_create_during_the_run_is_not_lost(
    old_table: Any, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    # Given: the deployed code creates a subscription for key B once, mid-run
    created: list[str] = []

    def live_create() -> None:
        if not created:
            created.append(subscribe("key_b", "a.example", wiring.subscription_store()).id)

    if when == "while counting":  # after the scan passed every record: the count misses it
        scan = subscription_counters.scan_subscriptions

        def scanning(page_size: int) -> Any:
            yield from scan(page_size)
            live_create()

        monkeypatch.setattr(subscription_counters, "scan_subscriptions", scanning)
    else:  # between the bracket's second read and the conditional write
        read = subscription_counters.read_counters

        def reading(names: Any) -> dict[str, int]:
            values = read(names)
            live_create()
            return values

        monkeypatch.setattr(subscription_counters, "read_counters", reading)

    # When
    report = migrations.migrate_subscription_counters(counted_in())

    # Then: key B's counters count both subscriptions (a recount-then-set would leave 1)
    assert created and report.complete and report.rounds == 2
    assert counters() == {**EXPECTED, "owner#key_b": 2, "host#key_b#a.example": 2}


def test_the_cli_counters_migration_is_one_summary_line_after_its_changes(
    old_table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "subscription-counters"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 6 and "set owner#key_b: absent -> 1" in out
    assert counters() == EXPECTED


# ------------------------------------------------------------------ API keys


def store_old_key(aws: Any, key_id: str, created: str) -> str:
    """A key as stored before the listing index: no gsi1 attributes."""
    plaintext = apikey_records.new_key_text()
    aws.dynamodb.put_item(
        TableName=aws.table_name,
        Item={
            "pk": {"S": "APIKEY#" + apikey_records.key_hash(plaintext)},
            "sk": {"S": "APIKEY"},
            "key_id": {"S": key_id},
            "name": {"S": f"old {key_id}"},
            "created_at": {"S": created},
        },
    )
    return plaintext


def test_keys_stored_before_the_index_are_listed_and_revocable_after_the_migration(
    aws: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: two old keys and one of today's
    old = store_old_key(aws, "key_old1", "2026-01-05T10:00:00Z")
    store_old_key(aws, "key_old2", "2026-02-05T10:00:00Z")
    apikey_records.create_key("new")
    assert [k.name for k in apikey_records.list_keys()] == ["new"]

    # When: a dry run, then the run
    assert main(["migrate", "api-keys", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "would index key_old1",
        "would index key_old2",
        "api-keys: 2 key(s) would index",
    ]
    assert len(apikey_records.list_keys()) == 1
    assert main(["migrate", "api-keys"]) == 0

    # Then: listed in creation order, revocable by id, and a second run finds nothing
    assert [k.key_id for k in apikey_records.list_keys()][:2] == ["key_old1", "key_old2"]
    assert apikey_records.revoke_key("key_old1") is not None
    assert apikey_records.authenticate(old) is None
    capsys.readouterr()
    assert main(["migrate", "api-keys"]) == 0
    assert capsys.readouterr().out.splitlines() == ["api-keys: 0 key(s) indexed"]


def test_a_migration_that_cannot_reach_the_table_is_one_line_and_exit_2(
    aws: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    reset_settings()

    for migration in ("subscription-counters", "api-keys", "change-postings"):
        assert main(["migrate", migration]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: migrate could not read or write the table")


def test_signals_stored_before_updated_since_get_their_change_posting_once(
    aws: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "api"))
    from fabricate import make_signal, store
    from signals.storage.change_index import read_changes

    # Given: three signals, two stored by an older Signals (no change posting)
    signals = [make_signal(n) for n in range(3)]
    store(aws.dynamodb, aws.table_name, signals)
    from signals.storage.signal_records import change_key

    for old in signals[:2]:
        aws.dynamodb.delete_item(TableName=aws.table_name, Key=change_key(old))

    def listed() -> list[str]:
        month = f"{signals[0].updated_at:%Y-%m}"
        chunk = read_changes(month, low="0", high="\uffff", limit=10)
        return sorted(s.id for _, s in chunk.entries)

    assert listed() == ["sig00002"]
    # When: a dry run, then the run
    assert main(["migrate", "change-postings", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "change-postings: 2 of 3 signal(s) would post"
    assert listed() == ["sig00002"]
    assert main(["migrate", "change-postings"]) == 0
    capsys.readouterr()
    # Then: every signal is listed by updated_since, and a second run writes nothing
    assert listed() == ["sig00000", "sig00001", "sig00002"]  # all three in June 2026
    assert main(["migrate", "change-postings"]) == 0
    assert capsys.readouterr().out.splitlines() == ["change-postings: 0 of 3 signal(s) posted"]
