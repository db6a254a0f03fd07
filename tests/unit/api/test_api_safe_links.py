"""Issue 12 finding 5, defence in depth: a hostile link never leaves through any exit.

Each exit is given a signal whose links are hostile, as a record stored before normalisation
refused them would be (built with ``model_construct``: no validation on the way in), and the one read
back from storage (``model_validate``): the syndication feeds, the API's JSON (the model's
serialiser), the signal page's hrefs, and the webhook payload.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fabricate import make_signal
from signals.models import Signal, SourceRef
from signals.rendering import pages, syndication
from signals.webhooks.deliveries import payload_bytes

HOSTILE = [
    "javascript:alert(document.domain)",
    "JAVASCRIPT:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
]
NOW = datetime(2026, 6, 2, 18, 0, tzinfo=UTC)
MARKERS = ("javascript", "data:", "vbscript", "file:", "phnjcmlwd")


def _hostile(link: str, *, validated: bool) -> Signal:
    good = make_signal(1)
    fields = {**dict(good), "url": link}
    fields["sources"] = [
        SourceRef.model_construct(**{**dict(s), "url": link}) if not validated else {**dict(s), "url": link}
        for s in good.sources
    ]
    if validated:
        return Signal.model_validate({k: v for k, v in fields.items()})
    return Signal.model_construct(**fields)


def _clean(text: str) -> bool:
    lowered = text.lower().replace("\\t", "\t")
    return not any(marker in lowered for marker in MARKERS)


@pytest.mark.parametrize("validated", [False, True], ids=["stored-unchecked", "read-back"])
@pytest.mark.parametrize("link", HOSTILE)
def test_syndication_outputs_carry_no_hostile_link(link: str, validated: bool) -> None:
    signal = _hostile(link, validated=validated)
    base, self_url = "https://signals.example", "https://signals.example/v1/feed"
    for document in (
        syndication.rss([signal], base_url=base, self_url=self_url, now=NOW),
        syndication.atom([signal], base_url=base, self_url=self_url, now=NOW),
        syndication.json_feed([signal], base_url=base, self_url=self_url),
    ):
        assert _clean(document), document


@pytest.mark.parametrize("validated", [False, True], ids=["stored-unchecked", "read-back"])
@pytest.mark.parametrize("link", HOSTILE)
def test_the_signal_page_has_no_hostile_href(link: str, validated: bool) -> None:
    page = pages.signal_page(_hostile(link, validated=validated))
    assert _clean(page), page
    assert "Headline 1" in page  # the headline is still shown, without a link


@pytest.mark.parametrize("validated", [False, True], ids=["stored-unchecked", "read-back"])
@pytest.mark.parametrize("link", HOSTILE)
def test_the_api_json_and_webhook_payloads_carry_no_hostile_url(link: str, validated: bool) -> None:
    signal = _hostile(link, validated=validated)
    data = signal.model_dump(mode="json")  # what the API answers and what a webhook carries
    assert data["url"] == "" and all(s["url"] == "" for s in data["sources"])
    assert _clean(signal.model_dump_json())
    body = payload_bytes("signal.created", NOW, data).decode()
    assert _clean(body) and json.loads(body)["data"]["url"] == ""


def test_http_links_pass_every_exit_unchanged() -> None:
    signal = make_signal(1)
    assert signal.model_dump(mode="json")["url"] == "https://news.example/1"
    assert 'href="https://news.example/1"' in pages.signal_page(signal)
    atom = syndication.atom([signal], base_url="https://s.example", self_url="https://s.example/f", now=NOW)
    assert 'href="https://news.example/1"' in atom
