"""``signals.deferred_inits``: a re-exporting package ``__init__`` runs one import statement at a time.

A throwaway package on ``tmp_path`` records which of its submodules were executed; each test imports
it through the hook in a fresh interpreter (an import hook and ``sys.modules`` are process-wide).
The last tests compare the real Powertools packages, deferred and stock, name by name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_INIT = '''"""A package that only re-exports."""

from .alpha import Alpha
from .beta import Beta, beta_helper as helper
from .gamma import gamma
from demo_pkg.epsilon import epsilon

__all__ = ["Alpha", "Beta", "helper", "gamma", "epsilon"]
'''


def _package(root: Path, init: str = _INIT) -> None:
    pkg = root / "demo_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(init)
    for name, body in {
        "alpha": "class Alpha: pass",
        "beta": "class Beta: pass\ndef beta_helper(): return 'help'",
        "gamma": "def gamma(): return 'the function, not the module'",
        "delta": "import demo_pkg\nDELTA = 4",
        "epsilon": "def epsilon(): return 'epsilon, the function'",
    }.items():
        (pkg / f"{name}.py").write_text(
            f"import builtins\nbuiltins.RAN = [*getattr(builtins, 'RAN', []), {name!r}]\n{body}\n"
        )


def _run(tmp_path: Path, code: str) -> dict:
    """Run ``code`` with the hook installed for ``demo_pkg``; it sets ``out``, printed as JSON."""
    script = "import builtins, json, sys\nfrom signals import deferred_inits\n"
    script += "sys.meta_path.insert(0, deferred_inits._DeferredInitFinder(frozenset({'demo_pkg'})))\n"
    script += "def ran(): return getattr(builtins, 'RAN', [])\n"
    script += textwrap.dedent(code) + "\nprint(json.dumps(out))\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "shared")])}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_package_runs_none_of_its_submodules(tmp_path: Path) -> None:
    _package(tmp_path)

    out = _run(
        tmp_path, "import demo_pkg\nout = {'ran': ran(), 'doc': demo_pkg.__doc__, 'all': demo_pkg.__all__}"
    )

    # Then: only the self-named re-exports ran (gamma relative, epsilon absolute); the docstring and
    # __all__ are the package's own
    assert out == {
        "ran": ["gamma", "epsilon"],
        "doc": "A package that only re-exports.",
        "all": ["Alpha", "Beta", "helper", "gamma", "epsilon"],
    }


def test_a_name_runs_only_the_statement_that_binds_it(tmp_path: Path) -> None:
    _package(tmp_path)

    out = _run(
        tmp_path,
        """
        from demo_pkg import helper
        first = ran()
        import demo_pkg
        out = {"first": first, "helper": helper(), "beta": demo_pkg.Beta.__module__, "then": ran()}
        """,
    )

    # Then: beta ran once, for both names its statement binds (one under an alias); alpha never ran
    assert out == {
        "first": ["gamma", "epsilon", "beta"],
        "helper": "help",
        "beta": "demo_pkg.beta",
        "then": ["gamma", "epsilon", "beta"],
    }


def test_the_package_still_behaves_as_a_package(tmp_path: Path) -> None:
    _package(tmp_path)

    out = _run(
        tmp_path,
        """
        import demo_pkg
        from demo_pkg import delta           # a submodule not named in __init__
        import demo_pkg.alpha as alpha_module
        import demo_pkg.gamma                # submodules whose functions the package re-exports,
        import demo_pkg.epsilon              # relatively and absolutely
        import copy
        beta_module = demo_pkg.beta          # a submodule the __init__ imports: there as usual
        loader_copy = type(copy.copy(demo_pkg.__loader__)).__name__
        listed = "Alpha" in dir(demo_pkg)    # pending names are listed
        try:
            demo_pkg.nothing_like_this
            missing = None
        except AttributeError as exc:
            missing = str(exc)
        namespace = {}
        exec("from demo_pkg import *", namespace)
        out = {
            "delta": delta.DELTA,
            "same_alpha": alpha_module.Alpha is demo_pkg.Alpha,
            "gamma": demo_pkg.gamma(),
            "epsilon": demo_pkg.epsilon(),
            "beta_module": beta_module.__name__,
            "loader_copy": loader_copy,
            "listed": listed,
            "missing": missing,
            "star": sorted(k for k in namespace if not k.startswith("__")),
        }
        """,
    )

    assert out == {
        "delta": 4,
        "same_alpha": True,
        "gamma": "the function, not the module",
        "epsilon": "epsilon, the function",
        "beta_module": "demo_pkg.beta",
        "loader_copy": "_DeferredInitLoader",
        "listed": True,
        "missing": "module 'demo_pkg' has no attribute 'nothing_like_this'",
        "star": ["Alpha", "Beta", "epsilon", "gamma", "helper"],
    }


_ALL = '__all__ = ["Alpha", "Beta", "helper", "gamma", "epsilon"]'


@pytest.mark.parametrize(
    ("replace", "by"),
    [
        ("", "import os\n"),
        ("", "x = 1\n"),
        ("", "from .alpha import *\n"),
        ("", "try:\n    from .alpha import Alpha\nexcept ImportError:\n    pass\n"),
        ("", "from . import alpha\n"),  # a submodule by name
        ("", "from os.path import join\n"),  # a name from another package
        (_ALL, '__all__ = ["Alpha"] + ["Beta", "helper", "gamma", "epsilon"]'),  # not a literal
        (_ALL, ""),  # no __all__: a star import would miss the names not bound yet
    ],
)
def test_an_init_that_does_anything_else_runs_as_written(tmp_path: Path, replace: str, by: str) -> None:
    _package(tmp_path, _INIT.replace(replace, by) if replace else _INIT + by)

    out = _run(tmp_path, "import demo_pkg\nout = {'ran': sorted(set(ran()))}")

    # Then: the whole __init__ ran at import, as without the hook
    assert out == {"ran": ["alpha", "beta", "epsilon", "gamma"]}


def test_two_threads_reading_one_pending_name_both_get_it(tmp_path: Path) -> None:
    _package(tmp_path)
    # alpha takes a while to import, so the second thread asks while the first is importing it
    slow = "import time\ntime.sleep(0.2)\n"
    (tmp_path / "demo_pkg" / "alpha.py").write_text(slow + (tmp_path / "demo_pkg" / "alpha.py").read_text())

    out = _run(
        tmp_path,
        """
        import threading, demo_pkg
        got = []
        def read():
            try:
                got.append(demo_pkg.Alpha.__name__)
            except AttributeError as exc:
                got.append(repr(exc))
        threads = [threading.Thread(target=read) for _ in range(2)]
        [t.start() for t in threads]; [t.join() for t in threads]
        out = {"got": got, "ran": ran()}
        """,
    )

    assert out == {"got": ["Alpha", "Alpha"], "ran": ["gamma", "epsilon", "alpha"]}


_EXPORTS = """
import importlib, json, sys
{setup}
result = {{}}
for package in {packages!r}:
    module = importlib.import_module(package)
    result[package] = {{
        "all": module.__all__,
        "doc": module.__doc__,
        "names": {{n: f"{{o.__module__}}.{{o.__qualname__}}" for n in module.__all__
                   for o in [getattr(module, n)]}},
        "ran_init": "__getattr__" not in vars(module),
    }}
print(json.dumps(result))
"""


def _exports(setup: str) -> dict:
    from signals.deferred_inits import PACKAGES

    code = _EXPORTS.format(setup=setup, packages=sorted(PACKAGES))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_powertools_packages_export_the_same_objects_deferred_or_not() -> None:
    stock = _exports("")
    deferred = _exports("import signals")

    # Then: the installed Powertools is still deferrable (its __init__ only re-exports), and every
    # exported name is the same object, from the same module, as when the __init__ runs
    assert all(report["ran_init"] for report in stock.values())
    assert not any(report["ran_init"] for report in deferred.values())
    for package in stock:
        assert deferred[package]["names"] == stock[package]["names"]
        assert (
            deferred[package]["all"] == stock[package]["all"]
            and deferred[package]["doc"] == stock[package]["doc"]
        )
        assert len(stock[package]["names"]) >= 10
