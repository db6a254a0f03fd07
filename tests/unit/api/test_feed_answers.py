"""What the feed answers carry, without AWS: short cursors, ETags that depend on content (304 on
every sort), Last-Modified, the same validation for ``source`` as for ``category``, repeated
``tag`` as OR, parameter names in errors, and syndication items a reader can use (issue 15)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import feedparser
import pytest
from fabricate import body, event, make_signal

SIGNALS = [make_signal(n) for n in range(30)]  # 7 h apart from 2 Jun 2026
#: a signal a month from January 2016 to May 2026: 125 month partitions
YEARS = [make_signal(n, published=datetime(2016 + n // 12, n % 12 + 1, 3, 9, tzinfo=UTC)) for n in range(125)]
NOW = datetime(2026, 6, 3, tzinfo=UTC)


def _api(signals: list[Any]) -> Any:
    from signals.api import reading
    from signals.api.app import app
    from signals.storage.memory_timeline import InMemoryFeedIndex

    reading.use_index(InMemoryFeedIndex(signals, now=NOW))
    return app


@pytest.fixture
def api() -> Any:
    yield _api(SIGNALS)
    from signals.api import reading

    reading.use_index(None)


@pytest.fixture
def years() -> Any:
    yield _api(YEARS)
    from signals.api import reading

    reading.use_index(None)


def get(app: Any, path: str, params: Any = None, **kwargs: Any) -> dict[str, Any]:
    return app.resolve(event(path, params, **kwargs), None)


def walk(app: Any, params: list[tuple[str, Any]]) -> tuple[list[str], list[str]]:
    """Every page to the end: the ids served and the cursors handed out."""
    ids, cursors, cursor = [], [], None
    for _ in range(100):
        response = get(app, "/v1/signals", params + ([("cursor", cursor)] if cursor else []))
        assert response["statusCode"] == 200, response["body"]
        page = body(response)
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids, cursors
        cursors.append(cursor)
    raise AssertionError("pagination did not end")


# --------------------------------------------------------------------------- cursors


@pytest.mark.parametrize(
    "params",
    [
        [],
        [("sort", "score")],
        [("category", c) for c in ("security", "business", "open-source", "society", "products")],
        [("min_score", "3"), ("tag", "policy"), ("tag", "frontier-models")],
    ],
)
def test_cursors_stay_short_on_a_feed_spanning_ten_years(years: Any, params: Any) -> None:
    ids, cursors = walk(years, [*params, ("limit", "7")])
    assert len(ids) == len(set(ids)) and len(cursors) >= 3
    longest = max(len(c) for c in cursors)
    assert longest < 300, longest  # was 1.8–3.4 KB: every month since 2016 was listed


def test_an_old_or_altered_cursor_is_a_400_with_a_stable_code(
    years: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re
    from urllib.parse import parse_qs

    api_cursor = body(get(years, "/v1/signals", {"limit": 5}))["next_cursor"]
    next_link = re.search(
        r'href="/\?([^"]+)" rel="next"', get(years, "/", {"sort": "time", "limit": 5})["body"]
    )
    assert next_link
    page_cursor = parse_qs(next_link.group(1).replace("&amp;", "&"))["cursor"][0]
    later = time.time() + 24 * 3600 + 60
    monkeypatch.setattr(time, "time", lambda: later)
    for altered, code, words in ((False, "cursor_expired", "expired"), (True, "invalid_cursor", "altered")):
        bad = api_cursor[:-3] + "AAA" if altered else api_cursor
        assert body(get(years, "/v1/signals", {"limit": 5, "cursor": bad}))["code"] == code
        bad = page_cursor[:-3] + "AAA" if altered else page_cursor
        page = get(years, "/", {"sort": "time", "limit": 5, "cursor": bad})  # a browser: the words, on a page
        assert (
            page["statusCode"] == 400
            and words in page["body"]
            and "text/html" in page["headers"]["Content-Type"]
        )


# --------------------------------------------------------------------------- ETag and Last-Modified


@pytest.mark.parametrize("sort", ["time", "score", "hot"])
@pytest.mark.parametrize("path", ["/v1/signals", "/"])
def test_every_sort_answers_304_to_its_own_etag_later(
    api: Any, monkeypatch: pytest.MonkeyPatch, path: str, sort: str
) -> None:
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    first = get(api, path, {"sort": sort, "limit": 5})
    assert first["statusCode"] == 200 and first["headers"]["Last-Modified"].endswith(" GMT")
    # a few cache periods later: the next cursor is issued at another time, the content is the same
    monkeypatch.setattr(time, "time", lambda: now + 3 * 61)
    again = get(api, path, {"sort": sort, "limit": 5}, headers={"if-none-match": first["headers"]["ETag"]})
    assert again["statusCode"] == 304, sort
    since = get(
        api,
        path,
        {"sort": sort, "limit": 5},
        headers={"if-modified-since": first["headers"]["Last-Modified"]},
    )
    assert since["statusCode"] == 304
    assert (
        get(api, path, {"sort": sort, "limit": 6}, headers={"if-none-match": first["headers"]["ETag"]})[
            "statusCode"
        ]
        == 200
    )


def test_feeds_carry_last_modified(api: Any) -> None:
    newest = max(s.updated_at for s in SIGNALS)
    for path in ("/v1/feed.rss", "/v1/feed.atom", "/v1/feed.json"):
        headers = get(api, path)["headers"]
        assert headers["Last-Modified"] == newest.strftime("%a, %d %b %Y %H:%M:%S GMT"), path


# --------------------------------------------------------------------------- parameters


def test_an_unknown_source_is_a_400_naming_the_parameter_and_the_valid_ids(api: Any) -> None:
    for path in ("/v1/signals", "/v1/feed.rss", "/v1/feed.json"):
        response = get(api, path, {"source": "nope"})
        assert response["statusCode"] == 400, (path, response["body"])
        problem = body(response)
        assert problem["code"] == "invalid_parameter" and problem["errors"][0]["parameter"] == "source"
        assert "src0, src1, src2, src3, wire" in problem["detail"] and "/v1/sources" in problem["detail"]
    page = get(api, "/", {"source": "nope"})
    assert page["statusCode"] == 400 and page["headers"]["Content-Type"].startswith("text/html")
    assert "src1" in page["body"]
    known_but_empty = get(api, "/v1/signals", {"source": "src1", "min_score": 10, "tag": "nothing-so-tagged"})
    assert known_but_empty["statusCode"] == 200 and body(known_but_empty)["items"] == []


def test_repeated_tags_are_any_of_them(api: Any) -> None:
    ids, _ = walk(api, [("tag", "regulation"), ("tag", "frontier-models"), ("limit", "7")])
    assert ids == [s.id for s in sorted(SIGNALS, key=lambda s: s.published_at, reverse=True)]
    only, _ = walk(api, [("tag", "policy"), ("tag", "regulation")])
    assert only == [
        s.id for s in sorted(SIGNALS, key=lambda s: s.published_at, reverse=True) if "policy" in s.tags
    ]


def test_errors_name_the_parameter_not_its_position(api: Any) -> None:
    response = get(api, "/v1/signals", [("category", "security"), ("category", "cooking")])
    problem = body(response)
    assert response["statusCode"] == 400 and [e["parameter"] for e in problem["errors"]] == ["category"]
    assert problem["detail"].startswith("category: ") and "category.1" not in response["body"]
    too_many = body(get(api, "/v1/feed.rss", [("tag", f"t{n}") for n in range(11)]))
    assert too_many["errors"][0]["parameter"] == "tag"


# --------------------------------------------------------------------------- syndication items


FILTERED = [
    ("category", "safety-policy"),
    ("category", "security"),
    ("min_score", "3"),
    ("tag", "policy"),
    ("tag", "frontier-models"),
]


def test_feedparser_reads_every_feed_with_filters_and_each_item_carries_what_a_reader_needs(api: Any) -> None:
    expected = body(get(api, "/v1/signals", FILTERED))["items"]
    assert expected
    for path in ("/v1/feed.rss", "/v1/feed.atom"):
        document = get(api, path, FILTERED)["body"]
        parsed = feedparser.parse(document.encode())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert (
            parsed.feed.title == "Signals: Safety & Policy + Security, 3+, tagged frontier-models or policy"
        )
        assert "category=safety-policy" in parsed.feed.link and "min_score=3" in parsed.feed.link
        for entry, item in zip(parsed.entries, expected, strict=True):
            page = f"https://api.signals.example/signals/{item['id']}"
            assert entry.link == item["url"]  # the publisher's story
            text = entry.get("content", [{}])[0].get("value") or entry.description
            for needed in (
                f"{item['score']}/10",
                "Why this score:",
                item["rationale"],
                "Sources:",
                "Wire",
                item["summary"],
            ):
                assert needed in text, (path, needed)
            if path.endswith("rss"):
                assert entry.id == page and entry.comments == page
                assert f'<guid isPermaLink="true">{page}</guid>' in document
            else:
                assert [link.href for link in entry.links if link.rel == "related"] == [page]


def test_json_feed_items_have_the_required_fields_and_link_both_ways(api: Any) -> None:
    feed = body(get(api, "/v1/feed.json", FILTERED))
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"].startswith("Signals: ")
    assert "tag=policy" in feed["feed_url"] and "tag=policy" in feed["home_page_url"]
    assert feed["items"]
    for item in feed["items"]:
        assert (
            isinstance(item["id"], str)
            and item["id"]
            and (item.get("content_html") or item.get("content_text"))
        )
        assert item["url"] == f"https://api.signals.example/signals/{item['id']}"
        assert item["external_url"].startswith("https://news.example/")
        assert item["authors"] == [
            {"name": n} for n in dict.fromkeys(s["name"] for s in item["_signals"]["sources"])
        ]
        assert {"score", "category", "rationale", "sources"} <= set(item["_signals"])
    json.dumps(feed)


def test_hot_on_a_quiet_feed_ranks_the_days_before_its_newest_signal(years: Any) -> None:
    # Given a feed whose newest signal is months old (now is later than 2026-06-03 by the clock)
    newest = max(YEARS, key=lambda s: s.published_at)
    assert time.time() - newest.published_at.timestamp() > 30 * 86400
    # When a reader asks for the top of the last days, Then they get its last days, not nothing
    assert [i["id"] for i in body(get(years, "/v1/signals", {"sort": "hot"}))["items"]] == [newest.id]
    assert f'href="/signals/{newest.id}"' in get(years, "/")["body"]


def test_a_cursor_of_the_old_format_is_a_400_invalid_cursor(years: Any) -> None:
    # Given a cursor this server signed before cursors became short (every month, each lane's place)
    from signals.api import cursor, reading
    from signals.api.parameters import FeedFilters

    months = [f"{y}-{m:02d}" for y in range(2026, 2015, -1) for m in range(12, 0, -1)]
    old = {"m": months, "p": [[3, "2026-03-03T09:00:00Z#sig00122"]]}
    token = cursor.encode(reading.feed_query(FeedFilters()).fingerprint(), old)
    assert len(token) > 1500
    # Then it is refused with the stable code clients restart on, not a crash or a schema message
    response = get(years, "/v1/signals", {"cursor": token})
    assert response["statusCode"] == 400 and body(response)["code"] == "invalid_cursor"
