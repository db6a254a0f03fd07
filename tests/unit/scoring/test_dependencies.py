"""Scoring's dependencies point one way: its modules import each other without a cycle (function-local
imports included: hiding one does not break it), and the storage behind its ports imports no domain
package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "shared" / "signals"
DOMAIN = ("feeds", "scoring", "webhooks", "ranking", "ops", "api", "rendering")
SCORING_STORAGE = [
    "story_records",
    "memory_stories",
    "analysis_records",
    "archive",
    "memory_archive",
    "queues",
    "memory_queues",
]


def imports_of(path: Path) -> set[str]:
    """Every ``signals.*`` module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("signals"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("signals"))
    return found


def test_scoring_modules_import_each_other_without_a_cycle():
    modules = {f"signals.scoring.{p.stem}": p for p in (PACKAGE / "scoring").glob("*.py")}
    graph = {name: sorted(imports_of(path) & modules.keys() - {name}) for name, path in modules.items()}

    def cycle_from(start: str, path: list[str]) -> list[str] | None:
        for nxt in graph[start]:
            if nxt in path:
                return [*path[path.index(nxt) :], nxt]
            found = cycle_from(nxt, [*path, nxt])
            if found:
                return found
        return None

    cycles = [c for name in graph if (c := cycle_from(name, [name]))]
    assert not cycles, cycles[0]


@pytest.mark.parametrize("module", SCORING_STORAGE)
def test_the_storage_behind_scorings_ports_imports_no_domain_package(module):
    imported = imports_of(PACKAGE / "storage" / f"{module}.py")

    assert not [m for m in imported if m.split(".")[1] in DOMAIN]
