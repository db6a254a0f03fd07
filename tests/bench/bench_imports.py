"""Cold import time of each Lambda handler vs ``import boto3`` alone, in fresh processes.

Target (issue 14): each handler within 1.25x of ``import boto3`` (issue 2 asked for 1.5x). Prints
medians and ratios; ``bench_imports_build.py`` measures the same from the ``sam build`` output.
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
TARGET_RATIO = 1.25

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
    codes = {n: _IMPORT_HANDLER.format(path=str(ROOT / "functions" / n / "app.py")) for n in FUNCTIONS}
    for code in codes.values():
        _time(code)
    # Paired runs: each handler import right after an ``import boto3``, the ratio taken per pair (a
    # burst of load on a shared machine then moves both sides of a ratio, not one median)
    boto3_times: list[float] = []
    ratios: dict[str, list[float]] = {name: [] for name in FUNCTIONS}
    times: dict[str, list[float]] = {name: [] for name in FUNCTIONS}
    for _ in range(args.runs):
        for name, code in codes.items():
            base, seconds = _time(_IMPORT_BOTO3), _time(code)
            boto3_times.append(base)
            times[name].append(seconds)
            ratios[name].append(seconds / base)
    print(
        f"import boto3 alone: {statistics.median(boto3_times) * 1000:.0f} ms (median); ratios are medians"
        f" of {args.runs} paired runs"
    )
    worst = 0.0
    for name in FUNCTIONS:
        ratio = statistics.median(ratios[name])
        worst = max(worst, ratio)
        flag = "ok" if ratio <= TARGET_RATIO else f"OVER {TARGET_RATIO}x"
        seconds = statistics.median(times[name])
        fastest = min(times[name]) / min(boto3_times)
        print(
            f"  functions/{name}/app.py: {seconds * 1000:.0f} ms = {ratio:.2f}x boto3  [{flag}]"
            f" (fastest runs: {fastest:.2f}x)"
        )
    print(f"worst ratio {worst:.2f}x (target <= {TARGET_RATIO}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
