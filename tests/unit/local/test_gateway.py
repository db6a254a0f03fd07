"""The local API gateway gives the handler one request at a time, as one Lambda container gets them:
the API's resolver keeps the current request in module state, and two at once mixed up their
headers (a signal page answered with the JSON routes' CSP while the browser fetched its stylesheet)."""

from __future__ import annotations

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from signals.local.gateway import Gateway


def test_the_handler_never_runs_two_requests_at_once():
    inside, most, lock = 0, 0, threading.Lock()
    second_arrived = threading.Event()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
            if inside > 1:
                second_arrived.set()
        second_arrived.wait(0.3)  # long enough for an overlapping request to enter, if it can
        with lock:
            inside -= 1
        return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(1)}

    gateway = Gateway(handler, port=0).start()
    try:
        with ThreadPoolExecutor(4) as pool:
            statuses = list(
                pool.map(lambda _: urllib.request.urlopen(gateway.url + "/x", timeout=10).status, range(4))
            )
    finally:
        gateway.stop()
    assert statuses == [200] * 4
    assert most == 1
