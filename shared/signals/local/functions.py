"""Load the Lambda handlers from ``functions/<name>/app.py``: the very files Lambda runs."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

from signals.local.template import PROJECT_ROOT

FUNCTION_NAMES = ("ingest", "scorer", "api", "deliver")


@cache
def load_handler(name: str) -> Callable[[dict[str, Any], Any], Any]:
    """The ``handler`` of ``functions/<name>/app.py``, imported once under a unique module name."""
    if name not in FUNCTION_NAMES:
        raise ValueError(f"unknown function {name!r}; expected one of {FUNCTION_NAMES}")
    path = PROJECT_ROOT / "functions" / name / "app.py"
    module_name = f"signals_function_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module.handler
