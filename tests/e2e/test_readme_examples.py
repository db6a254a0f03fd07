"""README.md's examples run as written, against the local stack the demo runs (two small feeds).

Every fenced ``bash`` block of README.md is an example. A block that cannot run in a test (it needs
DNS, AWS or runs until Ctrl-C) says so just before it, and the reason is reported as a skip:

    <!-- example: skip, needs DNS for example.com -->

Every other block runs in bash with ``set -euo pipefail``, ``curl`` failing on an error status
(``--fail-with-body``) and ``signals`` being this checkout's command. Two substitutions only: the
demo's address ``http://127.0.0.1:3000`` becomes the test stack's, and the placeholder ``<id>``
becomes the id of a stored signal. An unmarked block with a command other than ``curl``, ``signals``
or a variable assignment fails: it must be made runnable or marked.

The command table's synopses (``signals demo [--once] ...``) are checked against the parser: each
command exists and takes every option the table names.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DEMO_BASE = "http://127.0.0.1:3000"
SKIP_MARK = re.compile(r"<!--\s*example:\s*skip,\s*(?P<reason>[^>]*?)\s*-->")
RUNNABLE = re.compile(r"^(curl|signals|\.venv/bin/signals|[A-Z_][A-Z0-9_]*=)")
PRELUDE = """set -euo pipefail
curl() { command curl --silent --show-error --fail-with-body --max-time 30 "$@"; }
"""


@dataclass(frozen=True)
class Example:
    line: int  # where the block starts in README.md (1-based)
    code: str
    skip: str | None  # the reason given in the README, when marked

    @property
    def commands(self) -> list[str]:
        """The block's commands: continuation lines joined, comments and blank lines dropped."""
        joined = re.sub(r"\s*\\\n\s*", " ", self.code)
        lines = (re.sub(r"\s+#.*$", "", line).strip() for line in joined.splitlines())
        return [line for line in lines if line and not line.startswith("#")]


def readme_examples(text: str) -> list[Example]:
    """Every fenced bash block, with the skip reason marked just before it (if any)."""
    examples = []
    for match in re.finditer(r"^```(?:bash|sh|shell)\n(.*?)^```", text, flags=re.S | re.M):
        before = text[: match.start()].rstrip().splitlines()
        mark = SKIP_MARK.fullmatch(before[-1].strip()) if before else None
        line = text.count("\n", 0, match.start()) + 1
        examples.append(Example(line, match.group(1), mark.group("reason") if mark else None))
    return examples


EXAMPLES = readme_examples(README.read_text())


def test_the_readme_has_examples_and_each_skip_gives_a_reason() -> None:
    assert sum(1 for e in EXAMPLES if e.skip is None) >= 2, "README.md has no runnable example left"
    for example in EXAMPLES:
        assert example.skip is None or len(example.skip) >= 8, f"README.md:{example.line}: say why"


def test_the_parser_reads_a_skip_mark_and_joins_continued_lines() -> None:
    text = "x\n<!-- example: skip, needs DNS -->\n```bash\ncurl -X POST a \\\n   -d b   # post\n```\n"
    (example,) = readme_examples(text)
    assert example.skip == "needs DNS" and example.commands == ["curl -X POST a -d b"]


def _a_signal_id(base: str) -> str:
    with urllib.request.urlopen(f"{base}/v1/signals?limit=1", timeout=10) as response:
        return json.loads(response.read())["items"][0]["id"]


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl missing: apt-get install curl")
@pytest.mark.parametrize("example", EXAMPLES, ids=[f"README.md:{e.line}" for e in EXAMPLES])
def test_readme_example_runs_as_written(example: Example, stack: Any) -> None:
    if example.skip:
        pytest.skip(f"README.md:{example.line} is marked: {example.skip}")
    unknown = [c for c in example.commands if not RUNNABLE.match(c)]
    assert not unknown, f"README.md:{example.line}: run {unknown} here or mark the block as a skip, with why"
    # Given the README's block, pointed at the test stack instead of the demo's port
    script = example.code.replace(DEMO_BASE, stack.api_url)
    if "<id>" in script:
        script = script.replace("<id>", _a_signal_id(stack.api_url))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    # When it runs in bash
    done = subprocess.run(
        ["bash", "-c", PRELUDE + script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    # Then every command succeeded: no error status from curl, no non-zero exit
    output = f"{done.stderr[-1500:]}\n{done.stdout[-1500:]}"
    assert done.returncode == 0, f"README.md:{example.line} failed (exit {done.returncode}):\n{output}"


def _synopses(text: str) -> list[str]:
    """The command table's first column: `signals ...` synopses (``\\|`` is a table-escaped bar)."""
    rows = re.findall(r"^\| `(signals [^`]+)`(?: / `(signals [^`]+)`)? \|", text, flags=re.M)
    return [synopsis.replace("\\|", "|") for row in rows for synopsis in row if synopsis]


@pytest.mark.parametrize("synopsis", _synopses(README.read_text()))
def test_the_command_table_names_real_commands_and_options(synopsis: str) -> None:
    import argparse

    from signals.cli import build_parser

    parsers: list[argparse.ArgumentParser] = [build_parser()]
    depth = 0
    for word in synopsis.split()[1:]:  # walk down the sub-commands the synopsis names (demo; keys create)
        # a word may name alternatives (`subscription-counters|api-keys`): each must be a sub-command
        found = []
        for parser in parsers:
            sub = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
            choices = sub[0].choices if sub else {}
            found += [choices[alt] for alt in word.split("|") if alt in choices]
        if not found:
            break
        alternatives = len(word.split("|")) * len(parsers)
        assert len(found) == alternatives, f"{synopsis!r}: {word!r} is not a sub-command"
        parsers, depth = found, depth + 1
    assert depth, f"{synopsis!r}: not a signals command"
    named = set(re.findall(r"--[a-z][a-z-]*", synopsis))
    for parser in parsers:
        known = {option for action in parser._actions for option in action.option_strings}
        unknown = sorted(named - known)
        assert not unknown, f"{synopsis!r} names options {parser.prog} does not take: {unknown}"
