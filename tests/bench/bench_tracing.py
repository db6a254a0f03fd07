"""What the lazy Powertools Tracer (signals/tracing.py) costs on a container's first invocation.

The Tracer and the X-Ray SDK are built when the first event arrives, not at import; this measures
that build (X-Ray recorder, its sampler's botocore client, the botocore patch) in fresh processes:
as in Lambda with a sampled trace (after the handler's boto3 is loaded, and before it), and
disabled (outside Lambda). Prints medians of CPU time (less sensitive to a busy machine than wall
time) and wall time. Run: ``make bench`` or ``python tests/bench/bench_tracing.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_BUILD = """
import sys, time
if {boto3_first}:
    import boto3
    boto3.session.Session().client("dynamodb", region_name="us-east-1")
from signals.tracing import tracer
wall, cpu = time.perf_counter(), time.process_time()
tracer.tracer  # what the first invocation does before the handler runs
print(time.process_time() - cpu, time.perf_counter() - wall)
"""

CASES = {
    "in Lambda, boto3 already loaded": (True, True),
    "in Lambda, before any boto3 client": (True, False),
    "disabled (outside Lambda)": (False, False),
}


def _run(in_lambda: bool, boto3_first: bool, task_root: str) -> tuple[float, float]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "shared"),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    env.pop("LAMBDA_TASK_ROOT", None)
    if in_lambda:
        env["LAMBDA_TASK_ROOT"] = task_root
        env["_X_AMZN_TRACE_ID"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    code = _BUILD.format(boto3_first=boto3_first)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    cpu, wall = out.stdout.strip().splitlines()[-1].split()
    return float(cpu), float(wall)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as task_root:
        for label, (in_lambda, boto3_first) in CASES.items():
            _run(in_lambda, boto3_first, task_root)  # warm the page cache and .pyc files
            runs = [_run(in_lambda, boto3_first, task_root) for _ in range(args.runs)]
            cpu = statistics.median(r[0] for r in runs) * 1000
            wall = statistics.median(r[1] for r in runs) * 1000
            print(f"Tracer built on the first invocation, {label}: {cpu:.0f} ms CPU, {wall:.0f} ms wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
