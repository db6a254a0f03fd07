"""Following Anthropic on the demo (issue 16 part 4): one cycle of the bundled corpus's two small
feeds (one of them Anthropic's news), then ``entity=anthropic`` and ``/entities/anthropic`` over HTTP."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any


def _get(url: str) -> tuple[int, Any, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_entity_anthropic_lists_anthropics_signals_newest_first(stack: Any) -> None:
    from signals.models.entity_slug import entity_slugs

    status, _, raw = _get(f"{stack.api_url}/v1/signals?entity=anthropic&limit=100")
    assert status == 200
    items = json.loads(raw)["items"]
    assert len(items) >= 5
    assert all("anthropic" in entity_slugs(item["entities"]) for item in items)
    times = [(item["published_at"], item["id"]) for item in items]
    assert times == sorted(times, reverse=True)
    # every Anthropic signal of the whole feed, none left out
    _, _, everything = _get(f"{stack.api_url}/v1/signals?limit=100&sort=time")
    whole = [i["id"] for i in json.loads(everything)["items"] if "anthropic" in entity_slugs(i["entities"])]
    assert [i["id"] for i in items][: len(whole)] == whole[: len(items)]
    # the entity's page shows the same thread, and "Open AI"-style spellings reach it
    status, _, page = _get(f"{stack.api_url}/entities/anthropic?limit=100")
    assert status == 200
    assert re.findall(r'<h2><a href="/signals/([^"]+)">', page.decode()) == [i["id"] for i in items]
    status, _, _ = _get(f"{stack.api_url}/v1/signals?entity=Anthropic&limit=1")
    assert status == 200
