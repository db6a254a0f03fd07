"""HTTP behaviour every route shares, without AWS: the stored signals are an in-memory list read
through ``signals.api.reading`` (the API's one seam to storage).

CORS open for public GETs only, preflights, security headers, ETag/304, parameter errors, 404/405
and the OpenAPI document. Reading itself (filters, orders, cursors, DynamoDB cost) is tested
against moto in ``tests/integration/test_api.py``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fabricate import body, event, make_signal

SIGNALS = [make_signal(n) for n in range(30)]
ORIGIN = {"origin": "https://x.example"}


@pytest.fixture
def api() -> Any:
    """The resolver over the in-memory feed index (the real ranking, cursors and counts)."""
    from signals.api import reading
    from signals.api.app import app
    from signals.storage.memory_timeline import InMemoryFeedIndex

    reading.use_index(InMemoryFeedIndex(SIGNALS))
    yield app
    reading.use_index(None)


def get(app: Any, path: str, params: Any = None, **kwargs: Any) -> dict[str, Any]:
    return app.resolve(event(path, params, **kwargs), None)


def _problem(response: dict[str, Any], status: int, code: str) -> dict[str, Any]:
    assert response["statusCode"] == status, response["body"]
    assert response["headers"]["Content-Type"] == "application/problem+json"
    problem = body(response)
    assert problem["code"] == code and problem["status"] == status and problem["title"] and problem["detail"]
    assert problem["request_id"] == "req-123"
    assert "Traceback" not in response["body"]
    return problem


# --------------------------------------------------------------------------- CORS


def test_cors_open_for_public_gets_only(api: Any) -> None:
    for path in ("/v1/signals", "/v1/signals/sig00001", "/v1/feed.rss", "/v1/categories"):
        for headers in ({}, ORIGIN):  # the same answer with or without Origin: it is cached publicly
            answer = get(api, path, headers=headers)["headers"]
            assert answer["Access-Control-Allow-Origin"] == "*"
            assert "Access-Control-Allow-Credentials" not in answer
            assert "ETag" in answer["Access-Control-Expose-Headers"]
    preflight = get(api, "/v1/signals", method="OPTIONS", headers=ORIGIN)
    assert preflight["statusCode"] == 204 and preflight["headers"]["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["headers"]["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight["headers"]["Access-Control-Allow-Headers"]

    if not any(r.path == "/v1/_admin_probe" for r in api._static_routes):

        @api.get("/v1/_admin_probe", include_in_schema=False)
        def _admin_probe() -> dict[str, str]:  # stands for a subscriptions/ops route added by a Router
            return {"ok": "yes"}

    for headers in ({}, ORIGIN):
        admin = get(api, "/v1/_admin_probe", headers=headers)
        assert admin["statusCode"] == 200 and "Access-Control-Allow-Origin" not in admin["headers"]


def test_no_preflight_for_admin_or_unknown_paths(api: Any) -> None:
    # When a browser asks to call an admin route or an unknown path across origins
    admin = get(api, "/v1/subscriptions", method="OPTIONS", headers=ORIGIN)
    unknown = get(api, "/v1/nothing-here", method="OPTIONS", headers=ORIGIN)

    # Then it gets the 405 or 404 those paths always answered, and no CORS header
    _problem(admin, 405, "method_not_allowed")
    assert admin["headers"]["Allow"] == "GET, POST"
    _problem(unknown, 404, "not_found")
    for answer in (admin, unknown, get(api, "/v1/signals", method="DELETE", headers=ORIGIN)):
        assert not [h for h in answer["headers"] if h.startswith("Access-Control-")], answer["headers"]


# --------------------------------------------------------------------------- headers, caching


def test_etag_and_304(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = time.time()
    monkeypatch.setattr(time, "time", lambda: frozen)
    first = get(api, "/v1/signals", {"limit": 5})
    etag = first["headers"]["ETag"]
    assert etag.startswith('"') and "max-age" in first["headers"]["Cache-Control"]
    again = get(api, "/v1/signals", {"limit": 5}, headers={"if-none-match": etag})
    assert again["statusCode"] == 304 and again["body"] == "" and again["headers"]["ETag"] == etag
    other = get(api, "/v1/signals", {"limit": 6}, headers={"if-none-match": etag})
    assert other["statusCode"] == 200
    page = get(api, "/signals/sig00001")
    assert (
        get(api, "/signals/sig00001", headers={"if-none-match": page["headers"]["ETag"]})["statusCode"] == 304
    )


def test_pages_carry_security_headers(api: Any) -> None:
    for path in ("/", "/signals/sig00001"):
        headers = get(api, path)["headers"]
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"]
    assert (
        get(api, "/v1/signals")["headers"]["Content-Security-Policy"]
        == "default-src 'none'; frame-ancestors 'none'"
    )


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": 0}, "limit_out_of_range"),
        ({"limit": 101}, "limit_out_of_range"),
        ({"limit": "ten"}, "limit_out_of_range"),
        ({"min_score": 11}, "invalid_parameter"),
        ({"category": "cooking"}, "invalid_parameter"),
        ({"sort": "random"}, "invalid_parameter"),
        ({"since": "yesterday"}, "invalid_parameter"),
        ({"since": "2026-06-02T00:00:00Z", "until": "2026-06-01T00:00:00Z"}, "invalid_parameter"),
        ({"colour": "blue"}, "unknown_parameter"),
    ],
)
def test_bad_parameters_get_400_problems(api: Any, params: dict[str, Any], code: str) -> None:
    _problem(get(api, "/v1/signals", params), 400, code)


def test_filter_errors_name_the_parameter_on_every_route(api: Any) -> None:
    for path in ("/v1/signals", "/v1/feed.rss", "/v1/feed.atom", "/v1/feed.json"):
        problem = _problem(get(api, path, {"min_score": 11}), 400, "invalid_parameter")
        assert problem["errors"][0]["parameter"] == "min_score"
        assert problem["detail"].startswith("min_score: ")
    page = get(api, "/", {"min_score": 11})  # a browser gets the same words as a page (issue 15)
    assert page["statusCode"] == 400 and page["headers"]["Content-Type"].startswith("text/html")
    assert "min_score: " in page["body"]
    since_after_until = {"since": "2026-06-02T00:00:00Z", "until": "2026-06-01T00:00:00Z"}
    detail = _problem(get(api, "/v1/feed.json", since_after_until), 400, "invalid_parameter")["detail"]
    assert detail == "since must not be later than until."
    page = get(api, "/", {"since": "2026-06-02T00:00:00Z"})  # the page filters less
    assert page["statusCode"] == 400 and "Unknown query parameter(s): since" in page["body"]


def test_unknown_id_route_and_method(api: Any) -> None:
    _problem(get(api, "/v1/signals/doesnotexist"), 404, "signal_not_found")
    _problem(get(api, "/v1/nothing-here"), 404, "not_found")
    response = get(api, "/v1/signals", method="DELETE")
    _problem(response, 405, "method_not_allowed")
    assert response["headers"]["Allow"] == "GET"


# --------------------------------------------------------------------------- OpenAPI


def test_committed_openapi_matches_the_code() -> None:
    from signals.api.openapi import document

    committed = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
    assert committed.read_text(encoding="utf-8") == document(), (
        "docs/openapi.json is stale; regenerate: .venv/bin/python -m signals.api.openapi > docs/openapi.json"
    )


def test_openapi_served_and_swagger_ui(api: Any) -> None:
    spec = body(get(api, "/v1/openapi.json"))
    assert spec["openapi"].startswith("3.1") and "/v1/signals" in spec["paths"]
    docs = get(api, "/docs")
    assert docs["statusCode"] == 200 and "swagger" in docs["body"].lower()
    # the page carries this API's own document, bearer scheme included
    assert '"/v1/signals"' in docs["body"] and "bearerAuth" in docs["body"]
    assert docs["headers"]["Content-Security-Policy"] == "frame-ancestors 'none'"
    # ...and the document link it shows under the title answers with that document
    assert body(get(api, "/docs", {"format": "json"})) == spec
    assert json.loads(get(api, "/v1/openapi.json")["body"]) == spec


@pytest.mark.parametrize("path", ["/", "/signals/sig00001", "/v1/feed.rss", "/v1/feed.json", "/v1/signals"])
@pytest.mark.parametrize(
    "tracking",
    [
        {"utm_source": "newsletter", "utm_medium": "email"},
        {"fbclid": "IwAR0x"},
        {"gclid": "x"},
        {"ref": "hn"},
    ],
)
def test_a_shared_link_with_tracking_parameters_works(api: Any, path: str, tracking: dict[str, str]) -> None:
    assert get(api, path, tracking)["statusCode"] == 200


def test_a_wrong_page_address_answers_a_page_and_the_api_a_problem(api: Any) -> None:
    page = get(api, "/", {"min_score": "eleven"})
    assert page["statusCode"] == 400 and page["headers"]["Content-Type"].startswith("text/html")
    assert (
        "min_score" in page["body"]
        and "<h1>" in page["body"]
        and "default-src 'none'" in page["headers"]["Content-Security-Policy"]
    )
    typo = get(api, "/", {"min_scor": "7"})
    assert typo["statusCode"] == 400 and "min_scor" in typo["body"] and typo["body"].lstrip().startswith("<!")
    _problem(get(api, "/v1/signals", {"min_scor": "7"}), 400, "unknown_parameter")
    _problem(get(api, "/v1/feed.rss", {"min_scor": "7"}), 400, "unknown_parameter")
