"""Bad input to any `signals` command is one line on stderr and exit status 2, never a traceback;
a command that cannot do its work (AWS unreachable, a bug) is one line and exit status 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from signals.cli import main

ROOT = Path(__file__).resolve().parents[3]
FEED = ROOT / "demo" / "feeds" / "labs" / "anthropic-news__leontloveless__2026-08-14.xml"
DEMO_JSON = ROOT / "demo" / "feeds" / "dedupe-hints.json"  # a JSON dump the demo bundles, not a feed


def one_error_line(capsys: pytest.CaptureFixture[str], command: str) -> str:
    """The single line a refused command printed on stderr (nothing on stdout)."""
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"signals {command}: "), lines[0]
    assert "Traceback" not in captured.err and captured.out == ""
    return lines[0]


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("http://nonexistent.invalid/feed", "cannot fetch: cannot resolve 'nonexistent.invalid'"),
        ("http://", "has no host"),
        ("http://127.0.0.1:9/feed", "refused: address 127.0.0.1 is not public"),
        ("http://localhost:9/feed", "refused"),
        ("ftp://x/y", "unsupported scheme 'ftp'; expected an RSS, Atom or JSON Feed file"),
        ("gopher:whatever", "unsupported scheme 'gopher'"),
        ("README.md", "README.md: a text file, not a feed; expected an RSS, Atom or JSON Feed"),
        (str(DEMO_JSON), "a JSON document that is not a JSON Feed"),
        ("no/such/feed.xml", "no/such/feed.xml: no such file"),
        ("demo", "demo: is a directory"),
    ],
)
def test_score_refuses_what_is_not_a_readable_feed_in_one_line(capsys, monkeypatch, target, says):
    # Given a person in the repository's folder (README.md, demo/)
    monkeypatch.chdir(ROOT)
    # When they score something that is not a feed they can read
    code = main(["score", target])
    # Then one line says what it is and what is expected, exit status 2
    assert code == 2
    assert says in one_error_line(capsys, "score")


def test_score_refuses_html_and_empty_files_saying_what_they_are(capsys, tmp_path):
    page, empty = tmp_path / "page.html", tmp_path / "empty.xml"
    page.write_text("<!doctype html><html><body>hi</body></html>")
    empty.write_bytes(b"")
    assert main(["score", str(page)]) == 2
    assert "an HTML page, not a feed" in one_error_line(capsys, "score")
    assert main(["score", str(empty)]) == 2
    assert "an empty file" in one_error_line(capsys, "score")


def test_a_file_url_of_a_feed_is_scored(capsys):
    assert main(["score", FEED.as_uri()]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 10


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["demo", "--once", "--only", "aisi-blog", "--only", "nope"], "--only: unknown source id(s) 'nope'"),
        (["demo", "--port", "70000"], "--port 70000: a TCP port is 0..65535"),
        (["demo", "--interval", "0"], "--interval 0: give a number of seconds above 0"),
        (["demo", "--once", "--sources", "no-such.yaml"], "--sources no-such.yaml: no such file"),
        (["demo", "--sources", "sources.yaml", "--only", "aisi-blog"], "--only chooses from the demo corpus"),
        (["eval", "--labels", "README.md"], "README.md: not a labels file (row: Invalid JSON"),
        (["eval", "--labels", "no-such.jsonl"], "no-such.jsonl: not a labels file"),
        (["eval", "--cv", "--folds", "1"], "--folds 1: cross-validation needs at least 2 folds"),
        (["train", "--labels", "README.md", "--no-cv"], "README.md: not a labels file"),
        (["train", "--no-cv", "--out", "no/such/folder/judge.json"], "--out no/such/folder/judge.json: give"),
        (["train", "--folds", "0"], "--folds 0"),
        (["keys", "create", "--name", "  "], "--name must be 1..100 characters"),
    ],
)
def test_every_command_refuses_bad_input_in_one_line_before_doing_anything(capsys, monkeypatch, argv, says):
    monkeypatch.chdir(ROOT)
    assert main(argv) == 2
    assert says in one_error_line(capsys, argv[0])


def test_an_unreachable_aws_is_one_line_with_what_to_check(capsys, monkeypatch):
    # Given AWS settings pointing at a closed loopback port
    from signals.config import reset_settings
    from signals.storage.aws import reset_clients

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    reset_settings()
    reset_clients()
    # When an operator lists keys, Then one line names the failure and what to check, exit status 1
    assert main(["keys", "list"]) == 1
    line = one_error_line(capsys, "keys")
    assert "AWS call failed (EndpointConnectionError)" in line and "AWS_ENDPOINT_URL" in line


def test_a_bug_is_one_line_too_and_the_traceback_is_there_when_asked(capsys, monkeypatch):
    import signals.cli.score as score

    def broken(args):
        raise KeyError("boom")

    monkeypatch.setattr(score, "run", broken)
    assert main(["score", str(FEED)]) == 1
    assert "failed: KeyError: 'boom' (SIGNALS_DEBUG=1 shows the traceback)" in one_error_line(capsys, "score")
    monkeypatch.setenv("SIGNALS_DEBUG", "1")
    assert main(["score", str(FEED)]) == 1
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["http://", "ftp://x/y", "README.md"])
def test_the_installed_command_prints_one_line_and_exits_2(target):
    # the console script as a person runs it: a process of its own, real stderr
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from signals.cli import main; sys.exit(main())", "score", target],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "shared")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert done.stdout == ""
