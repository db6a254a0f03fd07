"""The local runtime as a user runs it: `signals demo --once`, and the stack's API over real HTTP.

Two small feeds from the bundled corpus keep it to seconds; the code path is the whole one:
moto server on loopback, resources from template.yaml, the loopback feed server and the real
fetcher, the SQS event sources played by the runner, the API behind the local gateway, and the
demo subscriber's receiver verifying webhook signatures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FEEDS = ["--only", "anthropic-news-recent", "--only", "aisi-blog"]


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SIGNALS_", "POWERTOOLS_"))}
    return env


def test_demo_once_prints_a_summary_with_signals_and_no_errors():
    # Given a fresh process with no AWS configuration at all
    # When a user runs one demo cycle
    run = subprocess.run(
        [str(Path(sys.executable).parent / "signals"), "demo", "--once", *FEEDS],
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    # Then stdout is one JSON summary: items ingested, scored into signals, delivered, no errors
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout)
    assert summary["sources"] == 2
    assert summary["items_ingested"] > 50
    assert summary["scored_messages"] == summary["items_ingested"]
    assert 0 < summary["signals"] <= summary["items_ingested"]
    assert summary["errors"] == 0 and summary["error_details"] == []
    # the demo subscriber (scores 6+) got signed webhooks, and every one verified
    assert summary["webhooks_received"] > 0
    assert summary["webhooks_verified"] == summary["webhooks_received"]


def _get(url: str) -> tuple[int, Any, bytes]:
    """Status, headers (case-insensitive, as HTTP says) and body of a GET."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_the_api_serves_ranked_signals_over_http(stack):
    status, headers, body = _get(f"{stack.api_url}/v1/signals?sort=score&limit=5")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    items = json.loads(body)["items"]
    assert len(items) == 5
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    status, _, page = _get(f"{stack.api_url}/signals/{items[0]['id']}")
    assert status == 200 and f"{items[0]['score']}/10".encode() in page


def test_conditional_get_over_http_answers_304(stack):
    _, headers, _ = _get(f"{stack.api_url}/v1/signals?limit=3")
    request = urllib.request.Request(
        f"{stack.api_url}/v1/signals?limit=3", headers={"If-None-Match": headers["ETag"]}
    )
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=10)
    assert answer.value.code == 304


def test_a_second_cycle_finds_nothing_new(stack):
    """Conditional GET end to end: unchanged feeds answer 304, nothing is re-ingested."""
    summary = stack.run_cycle()
    assert summary.items_ingested == 0 and summary.errors == 0


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False


def _tracker_running(session: int) -> bool:
    """Whether a process of the demo's session (its resource tracker) is still running."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == session and fields[0] != "Z":  # session id; not a zombie
                return True
    return False


def _wait_for(predicate: Any, seconds: float) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL", "SIGTERM to the group"])
def test_stopping_the_demo_stops_its_api_process(how: str, tmp_path: Path) -> None:
    import signal

    # Given `signals demo` serving its API on a port (one small feed)
    port = _free_port()
    # (the group case ingests the whole corpus, so the stop lands while feeds are being ingested)
    only = [] if how.endswith("group") else ["--only", "aisi-blog"]
    log = tmp_path / "demo.stderr"
    with log.open("wb") as stderr:  # the child keeps its own copy of the file
        demo = subprocess.Popen(
            [str(Path(sys.executable).parent / "signals"), "demo", "--port", str(port), *only],
            cwd=ROOT,
            env=_clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        assert _wait_for(lambda: _answers(port), 120), "the demo's API never answered"

        # When the demo is stopped the way a service manager, `timeout` or a crash stops it
        if how.endswith("group"):
            os.killpg(demo.pid, signal.SIGTERM)  # what `timeout` and service managers send
        else:
            demo.send_signal(getattr(signal, how))
        demo.wait(timeout=5)  # every part ends within 5 s (issue 14)

        # Then its API process goes too: nothing is left holding the port (a leftover answered
        # every request with 500, its moto gone)
        assert _wait_for(lambda: not _answers(port), 30), "the API process outlived the demo"
        if how.startswith("SIGTERM"):
            assert demo.returncode == 0  # a clean stop, as with Ctrl-C
            # and a quiet one: multiprocessing's resource tracker (it outlives the demo by a moment)
            # finds no semaphore the demo left behind
            assert _wait_for(lambda: not _tracker_running(demo.pid), 10)
            assert b"leaked" not in log.read_bytes()
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
