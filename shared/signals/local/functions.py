"""Load the Lambda handlers from ``functions/<name>/app.py``: the very files Lambda runs."""

from __future__ import annotations

import importlib.util
import sys
import threading
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any

from signals.local.template import PROJECT_ROOT

FUNCTION_NAMES = ("ingest", "scorer", "api", "deliver")
# One invocation at a time in this process, as in a Lambda container: the handlers share
# process-wide Powertools state (the metric set, logger keys) that Lambda never shares across
# concurrent invocations, and interleaving them here would corrupt it.
_INVOCATION_LOCK = threading.RLock()


@cache
def load_handler(name: str) -> Callable[[dict[str, Any], Any], Any]:
    """The ``handler`` of ``functions/<name>/app.py``, imported once under a unique module name."""
    if name not in FUNCTION_NAMES:
        raise ValueError(f"unknown function {name!r}; expected one of {FUNCTION_NAMES}")
    # Locally an invocation often records no metric (the demo turns metrics off), and Powertools
    # warns each time: noise, in every process that invokes a function (demo, API, workers)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    path = PROJECT_ROOT / "functions" / name / "app.py"
    module_name = f"signals_function_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    handler = module.handler

    def invoke(event: dict[str, Any], context: Any) -> Any:
        with _INVOCATION_LOCK:
            return handler(event, context)

    return invoke
