"""Cold import of each handler the way Lambda runs it: from the built layer, with the build's bytecode.

``bench_imports.py`` times the source tree with warm ``__pycache__`` folders. In Lambda the layer is
read-only under ``/opt/python`` and carries the bytecode ``shared/Makefile`` compiled at build time
(unchecked-hash ``.pyc``); nothing can be written. This bench rebuilds that layout for this machine:

- the layer: ``make -C shared build-SharedLayer`` (the very recipe ``sam build`` runs) into
  ``.bench/layer-<arch>``, for this machine's architecture (the deployed layer is arm64 and cannot
  be imported on x86_64; the files and bytecode are otherwise the same); dependencies are fetched
  once (pip) and reused while the requirement files are unchanged, the code and bytecode are
  rebuilt every run;
- the runtime's own ``boto3`` (the python3.13 runtime ships it, with bytecode) in ``.bench/runtime``;
- each function's code directory as ``/var/task`` (``sam build`` copies it without bytecode).

Each handler is imported by python3.13 in a fresh process with ``-S`` (no site-packages but these),
``PYTHONDONTWRITEBYTECODE=1``, beside ``import boto3`` from the same interpreter and path. Ratios
are of CPU time (an import is single-threaded and CPU-bound; CPU time leaves out this shared
machine's scheduling noise); wall-clock ratios are printed beside them. It also
reports how many layer modules were imported without bytecode (compiled at import): 0 is expected.

Run: ``python tests/bench/bench_imports_build.py [--runs N] [--python python3.13]`` (``make bench``
runs it when a python3.13 is found: ``PYENV_VERSION=3.13.0`` or on PATH). Needs the package
registry the first time; prints a notice and exits 0 when python3.13 or the registry is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ("ingest", "scorer", "api", "deliver")
TARGET_RATIO = 1.25  # issue 14: every handler within 1.25x of import boto3, from the build output
BENCH_DIR = ROOT / ".bench"

_PROBE = """
import importlib.util, json, sys, time
sys.path[:0] = {paths!r}
t, c = time.perf_counter(), time.process_time()
{body}
elapsed, cpu = time.perf_counter() - t, time.process_time() - c
layer = {layer!r}
mods = [m for m in list(sys.modules.values()) if (getattr(m, "__file__", None) or "").startswith(layer)]
src = [m.__file__ for m in mods if m.__file__.endswith(".py")]
missing = [f for f in src if not __import__("os").path.exists(importlib.util.cache_from_source(f))]
report = {{"s": elapsed, "cpu": cpu, "layer_modules": len(mods)}}
report.update(no_bytecode=missing[:5], n_missing=len(missing))
print(json.dumps(report))
"""
_HANDLER = """spec = importlib.util.spec_from_file_location("app", {path!r})
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)"""


def _python313(explicit: str | None) -> str | None:
    """A working python3.13: the one given, pyenv's 3.13.0, or one on PATH (a pyenv shim without
    ``PYENV_VERSION`` is on PATH but does not run, so each candidate is tried)."""
    candidates = [explicit] if explicit else []
    try:
        out = subprocess.run(
            ["pyenv", "which", "python3.13"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYENV_VERSION": "3.13.0"},
            check=True,
        )
        candidates.append(out.stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates.append(shutil.which("python3.13") or "")
    for candidate in filter(None, candidates):
        try:
            version = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2])"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            continue
        if version == "(3, 13)":
            return candidate
    return None


def _requirements_hash() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "requirements-nodeps.txt", "Makefile"):
        digest.update((ROOT / "shared" / name).read_bytes())
    return digest.hexdigest()[:16]


def build_layer(python: str, arch: str) -> Path:
    """The layer as ``sam build`` makes it, for ``arch``; dependencies reused while unchanged."""
    out = BENCH_DIR / f"layer-{arch}"
    stamp = out / ".deps-stamp"
    make = ["make", "-s", "-C", str(ROOT / "shared"), f"ARTIFACTS_DIR={out}", f"PYTHON={python}"]
    make.append(f"LAYER_PLATFORM=manylinux2014_{arch}")
    if not stamp.exists() or stamp.read_text() != _requirements_hash():
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([*make, "layer-check-python", "layer-deps"], check=True)
        stamp.write_text(_requirements_hash())
    shutil.rmtree(out / "python" / "signals", ignore_errors=True)
    subprocess.run([*make, "layer-code", "layer-bytecode"], check=True)
    return out / "python"


def runtime_site(python: str) -> Path:
    """boto3 as the python3.13 runtime has it: installed once, with bytecode."""
    site = BENCH_DIR / "runtime"
    if not (site / "boto3").is_dir():
        shutil.rmtree(site, ignore_errors=True)
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(site), "boto3"],
            check=True,
        )
        subprocess.run([python, "-m", "compileall", "-q", "-j", "0", str(site)], check=True)
    return site


def _run(python: str, code: str) -> dict:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "Signals",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",  # as template.yaml sets it for every function
        "PYTHONDONTWRITEBYTECODE": "1",
        "SIGNALS_CURSOR_SECRET": "bench-cursor-key-of-at-least-32-characters",  # the API's init needs a key
    }
    out = subprocess.run([python, "-S", "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--python", help="a python3.13 (default: python3.13 on PATH or pyenv 3.13.0)")
    args = parser.parse_args()
    python = _python313(args.python)
    if not python:
        print("skipped: no python3.13 (set PYENV_VERSION=3.13.0 or put python3.13 on PATH)")
        return 0
    arch = {"arm64": "aarch64"}.get(platform.machine(), platform.machine())
    try:
        layer = build_layer(python, arch)
        runtime = runtime_site(python)
    except subprocess.CalledProcessError as error:
        print(f"skipped: could not build the layer ({error}); the package registry is needed the first time")
        return 0
    tasks = BENCH_DIR / "task"
    boto3_code = _PROBE.format(paths=[str(layer), str(runtime)], body="import boto3", layer=str(layer))
    _run(python, boto3_code)  # warm the page cache
    probes: dict[str, str] = {}
    for name in FUNCTIONS:
        task = tasks / name
        shutil.rmtree(task, ignore_errors=True)
        shutil.copytree(ROOT / "functions" / name, task, ignore=shutil.ignore_patterns("__pycache__"))
        probes[name] = _PROBE.format(
            paths=[str(task), str(layer), str(runtime)],
            body=_HANDLER.format(path=str(task / "app.py")),
            layer=str(layer),
        )
    firsts = {name: _run(python, code) for name, code in probes.items()}
    # Paired runs: each handler import right after an ``import boto3``, the ratio taken per pair, so a
    # burst of load on this shared machine moves both sides of a ratio instead of one median
    boto3_runs: list[dict] = []
    runs: dict[str, list[dict]] = {name: [] for name in FUNCTIONS}
    for _ in range(args.runs):
        for name, code in probes.items():
            boto3_runs.append(_run(python, boto3_code))
            runs[name].append(_run(python, code))
    boto3_cpu, boto3_wall = (statistics.median(r[k] for r in boto3_runs) * 1000 for k in ("cpu", "s"))
    print(
        f"build output, python3.13 ({arch}), no writable cache; import boto3: {boto3_cpu:.0f} ms CPU,"
        f" {boto3_wall:.0f} ms wall (medians); ratios are medians of {args.runs} paired runs, CPU time"
        " (wall time in brackets)"
    )
    worst = 0.0
    for i, name in enumerate(FUNCTIONS):
        pairs = list(zip(boto3_runs[i :: len(FUNCTIONS)], runs[name], strict=True))
        ratio = statistics.median(t["cpu"] / b["cpu"] for b, t in pairs)
        wall_ratio = statistics.median(t["s"] / b["s"] for b, t in pairs)
        worst = max(worst, ratio)
        flag = "ok" if ratio <= TARGET_RATIO else f"OVER {TARGET_RATIO}x"
        first = firsts[name]
        cpu_ms = statistics.median(r["cpu"] for r in runs[name]) * 1000
        print(
            f"  {name}: {cpu_ms:.0f} ms = {ratio:.2f}x boto3 [{flag}] ({wall_ratio:.2f}x wall);"
            f" {first['layer_modules']} layer modules, {first['n_missing']} without bytecode"
            f" {first['no_bytecode'] or ''}"
        )
    print(f"worst ratio {worst:.2f}x (target <= {TARGET_RATIO}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
