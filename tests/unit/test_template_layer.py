"""The layer ships bytecode (issue 12, finding 4): /opt is read-only, so nothing can compile at run time.

`sam build` runs ``shared/Makefile``'s ``build-SharedLayer`` (pip for arm64 python3.13, then
``compileall --invalidation-mode unchecked-hash``). The pip step needs the network, so here the code
and bytecode steps run for real into a temporary directory, and the dependency step is checked as
``make -n`` prints it. The full build was checked by hand (docs/operations.md#deploying).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from signals.local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "shared"
VERSION = "{}.{}".format(*sys.version_info[:2])
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make(*args: str, artifacts: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(SHARED), *args, f"ARTIFACTS_DIR={artifacts}",
         f"PYTHON={sys.executable}", f"LAYER_PYTHON_VERSION={VERSION}"],
        capture_output=True, text=True, check=check, timeout=300,
    )  # fmt: skip


def _pyc_flags(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[4:8], "little")


def test_template_builds_the_layer_with_the_makefile_beside_its_code() -> None:
    (layer,) = [
        r for r in load_template()["Resources"].values() if r["Type"] == "AWS::Serverless::LayerVersion"
    ]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    makefile = ROOT / layer["Properties"]["ContentUri"] / "Makefile"
    assert "build-SharedLayer:" in makefile.read_text()
    assert "LAYER_PYTHON_VERSION ?= 3.13" in makefile.read_text()


def test_build_recipe_installs_arm64_wheels_without_bytecode_then_compiles_unchecked(tmp_path: Path) -> None:
    steps = _make("-n", "build-SharedLayer", artifacts=tmp_path).stdout
    install = next(line for line in steps.splitlines() if "pip install" in line or "--platform" in line)
    assert "--no-compile" in steps and "--target" in install
    assert "--platform manylinux2014_aarch64" in steps and f"--python-version {VERSION}" in steps
    assert "-r requirements.txt" in steps
    compile_step = next(line for line in steps.splitlines() if "compileall" in line)
    assert "--invalidation-mode unchecked-hash" in compile_step and " -f " in compile_step
    assert steps.index("pip install") < steps.index("compileall")


def test_code_and_bytecode_steps_leave_an_unchecked_pyc_beside_every_module(tmp_path: Path) -> None:
    # A dependency pip left with a timestamp-checked .pyc: the build must replace it, not keep it.
    dependency = tmp_path / "python" / "somedep"
    dependency.mkdir(parents=True)
    (dependency / "__init__.py").write_text("VALUE = 1\n")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dependency)], check=True)

    _make("layer-check-python", "layer-code", "layer-bytecode", artifacts=tmp_path)

    site = tmp_path / "python"
    modules = sorted(site.rglob("*.py"))
    assert len(modules) > 50 and (site / "signals" / "api" / "cursor.py") in modules
    tag = sys.implementation.cache_tag
    for module in modules:
        pyc = Path(importlib.util.cache_from_source(str(module)))
        assert pyc.exists(), f"no bytecode for {module.relative_to(site)}"
        assert pyc.name.endswith(f".{tag}.pyc")
        assert _pyc_flags(pyc) == UNCHECKED_HASH, f"{pyc.relative_to(site)} is timestamp-checked"
    # no stale bytecode from a developer's tree travels with the copied package
    assert not [p for p in (site / "signals").rglob("*.pyc") if p.parent.name != "__pycache__"]

    # Imported read-only, as from /opt: Python writes nothing and needs nothing it lacks.
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*.pyc")}
    subprocess.run([sys.executable, "-c", "import signals.api.cursor, somedep"], env=env, check=True)
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*.pyc")} == before


def test_build_refuses_an_interpreter_other_than_the_runtimes(tmp_path: Path) -> None:
    run = subprocess.run(
        ["make", "--no-print-directory", "-C", str(SHARED), "layer-check-python", f"ARTIFACTS_DIR={tmp_path}",
         f"PYTHON={sys.executable}", "LAYER_PYTHON_VERSION=3.99"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode != 0
    assert "layer bytecode needs python3.99" in run.stderr


def test_the_xray_sdk_goes_in_without_a_botocore_of_its_own(tmp_path: Path) -> None:
    # A botocore in the layer comes before the runtime's on sys.path: boto3 would run on a botocore
    # of another version. aws-xray-sdk (the Tracer's recorder) needs only botocore and wrapt.
    steps = _make("-n", "build-SharedLayer", artifacts=tmp_path).stdout.replace("\\\n", " ")
    nodeps = next(line for line in steps.splitlines() if "requirements-nodeps.txt" in line)
    assert "pip install" in nodeps and "--no-deps" in nodeps and "--target" in nodeps
    assert "--platform manylinux2014_aarch64" in nodeps and "--only-binary=:all:" in nodeps
    listed = {
        line.split("#")[0].strip().split("==")[0].split(">=")[0].lower()
        for name in ("requirements.txt", "requirements-nodeps.txt")
        for line in (SHARED / name).read_text().splitlines()
    } - {""}
    assert "aws-xray-sdk" in listed and "wrapt" in listed
    assert not listed & {"boto3", "botocore", "s3transfer"}
    nodeps_listed = [
        line.split("#")[0].strip() for line in (SHARED / "requirements-nodeps.txt").read_text().splitlines()
    ]
    assert [n for n in nodeps_listed if n] == ["aws-xray-sdk==2.15.0"]
