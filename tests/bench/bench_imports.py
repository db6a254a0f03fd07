"""Cold import time of each Lambda handler vs ``import boto3`` alone, in fresh processes.

Target (issue 2): each handler within 1.5x of ``import boto3``. Prints medians and ratios.
Run: ``make bench`` or ``python tests/bench/bench_imports.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ("ingest", "scorer", "api", "deliver")
TARGET_RATIO = 1.5

_IMPORT_HANDLER = """
import importlib.util, sys, time
t = time.perf_counter()
spec = importlib.util.spec_from_file_location("app", {path!r})
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
print(time.perf_counter() - t)
"""
_IMPORT_BOTO3 = "import time; t = time.perf_counter(); import boto3; print(time.perf_counter() - t)"


def _time(code: str) -> float:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "Signals",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",  # as template.yaml sets it for every function
        "PYTHONDONTWRITEBYTECODE": "0",
        "SIGNALS_CURSOR_SECRET": "bench-cursor-key-of-at-least-32-characters",  # the API's init needs a key
    }
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    _time(_IMPORT_BOTO3)  # warm the OS page cache and .pyc files before measuring
    boto3_s = statistics.median(_time(_IMPORT_BOTO3) for _ in range(args.runs))
    print(f"import boto3 alone: {boto3_s * 1000:.0f} ms (median of {args.runs})")
    worst = 0.0
    for name in FUNCTIONS:
        code = _IMPORT_HANDLER.format(path=str(ROOT / "functions" / name / "app.py"))
        _time(code)
        seconds = statistics.median(_time(code) for _ in range(args.runs))
        ratio = seconds / boto3_s
        worst = max(worst, ratio)
        flag = "ok" if ratio <= TARGET_RATIO else f"OVER {TARGET_RATIO}x"
        print(f"  functions/{name}/app.py: {seconds * 1000:.0f} ms = {ratio:.2f}x boto3  [{flag}]")
    print(f"worst ratio {worst:.2f}x (target <= {TARGET_RATIO}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
