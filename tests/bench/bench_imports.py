"""Cold import time of each Lambda handler vs ``import boto3`` alone, in fresh processes.

Target (issue 14): each handler within 1.25x of ``import boto3`` (issue 2 asked for 1.5x). Prints
medians and ratios; ``bench_imports_build.py`` measures the same from the ``sam build`` output.
Ratios are of CPU time: an import is single-threaded and CPU-bound, and its CPU time is that cost
without this shared machine's scheduling noise (wall-clock medians are printed beside them).
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
t, c = time.perf_counter(), time.process_time()
spec = importlib.util.spec_from_file_location("app", {path!r})
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
print(time.perf_counter() - t, time.process_time() - c)
"""
_IMPORT_BOTO3 = """
import time
t, c = time.perf_counter(), time.process_time()
import boto3
print(time.perf_counter() - t, time.process_time() - c)
"""


def _time(code: str) -> tuple[float, float]:
    """(wall, CPU) seconds of ``code``'s import in a fresh interpreter."""
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
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    _time(_IMPORT_BOTO3)  # warm the OS page cache and .pyc files before measuring
    codes = {n: _IMPORT_HANDLER.format(path=str(ROOT / "functions" / n / "app.py")) for n in FUNCTIONS}
    for code in codes.values():
        _time(code)
    # Paired runs: each handler import right after an ``import boto3``, the ratio taken per pair (a
    # burst of load on a shared machine then moves both sides of a ratio, not one median)
    boto3_times: list[tuple[float, float]] = []
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in FUNCTIONS}
    for _ in range(args.runs):
        for name, code in codes.items():
            boto3_times.append(_time(_IMPORT_BOTO3))
            times[name].append(_time(code))
    base_wall, base_cpu = (statistics.median(t[i] for t in boto3_times) * 1000 for i in (0, 1))
    print(
        f"import boto3 alone: {base_cpu:.0f} ms CPU, {base_wall:.0f} ms wall (medians); ratios are medians"
        f" of {args.runs} paired runs, CPU time (wall time in brackets)"
    )
    worst = 0.0
    for name in FUNCTIONS:
        pairs = list(zip(boto3_times[FUNCTIONS.index(name) :: len(FUNCTIONS)], times[name], strict=True))
        ratio = statistics.median(t[1] / b[1] for b, t in pairs)
        wall_ratio = statistics.median(t[0] / b[0] for b, t in pairs)
        worst = max(worst, ratio)
        flag = "ok" if ratio <= TARGET_RATIO else f"OVER {TARGET_RATIO}x"
        cpu_ms = statistics.median(t[1] for t in times[name]) * 1000
        line = f"  functions/{name}/app.py: {cpu_ms:.0f} ms = {ratio:.2f}x boto3  [{flag}]"
        print(f"{line} ({wall_ratio:.2f}x wall)")
    print(f"worst ratio {worst:.2f}x (target <= {TARGET_RATIO}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
