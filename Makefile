# Signals: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Fake credentials: tests never talk to AWS, and a leak fails loudly instead of reaching an account.
FAKE_AWS := env -u AWS_PROFILE -u AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
	AWS_SESSION_TOKEN=testing AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1

.PHONY: help install demo demo-once test test-slow train lint unit integration e2e bench build openapi sources screenshots clean

help:
	@echo "make demo       run Signals locally at http://127.0.0.1:3000 (moto, bundled feeds)"
	@echo "make test       ruff + cfn-lint + pytest (unit, integration, e2e)"
	@echo "make bench      benchmarks (import time, ingest, scoring, API)"
	@echo "make screenshots  Chromium screenshots of the pages at 1280 and 390 px (docs/screenshots/)"
	@echo "make train      refit the learned judge on tests/data/labeled (minutes)"
	@echo "make build      sam build (needs PYENV_VERSION=3.13.0 or a python3.13 on PATH)"
	@echo "make sources    sources.json from sources.yaml (after editing sources.yaml; a test checks they agree)"

$(STAMP): pyproject.toml shared/requirements.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/signals demo

demo-once: $(STAMP)
	$(BIN)/signals demo --once

# cfn-lint with the serverless rules, then checkov (each finding fixed or skipped in template.yaml
# with its reason); --skip-download keeps checkov offline.
CFN_LINT ?= $(BIN)/cfn-lint
CHECKOV ?= $(BIN)/checkov
lint: $(STAMP)
	$(BIN)/ruff check .
	$(CFN_LINT) template.yaml -a cfn_lint_serverless.rules
	$(CHECKOV) -f template.yaml --framework cloudformation --quiet --compact --skip-download

test: lint
	$(FAKE_AWS) $(BIN)/pytest

unit: $(STAMP)
	$(FAKE_AWS) $(BIN)/pytest tests/unit

integration: $(STAMP)
	$(FAKE_AWS) $(BIN)/pytest tests/integration

test-slow: $(STAMP)
	$(FAKE_AWS) $(BIN)/pytest -m slow

train: $(STAMP)
	$(BIN)/signals train

e2e: $(STAMP)
	$(FAKE_AWS) $(BIN)/pytest tests/e2e

bench: $(STAMP)
	@for script in tests/bench/bench_*.py; do echo "== $$script"; $(FAKE_AWS) $(BIN)/python $$script || exit 1; done

# The demo on two small feeds, headless Chromium at 1280 and 390 px: /, a 7+ and a 3/10 signal, /ops,
# written to docs/screenshots/ (commit them); fails if a page overflows a phone or logs an error.
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

openapi: $(STAMP)
	$(BIN)/python -m signals.api.openapi > docs/openapi.json

# sources.json: sources.yaml as the ingest function reads it (JSON: no PyYAML at its cold start)
sources: $(STAMP)
	$(BIN)/python -m signals.feeds.sources sources.yaml > sources.json

# The layer is built by shared/Makefile (build-SharedLayer: arm64 wheels + unchecked-hash bytecode);
# the check after it fails the build if any module of the layer lacks python3.13 bytecode.
LAYER_OUT := .aws-sam/build/SharedLayer/python
build:
	PYENV_VERSION=3.13.0 sam build
	PYENV_VERSION=3.13.0 python3 -c 'import importlib.util as u, pathlib, sys; \
		py = list(pathlib.Path("$(LAYER_OUT)").rglob("*.py")); \
		miss = [p for p in py if not pathlib.Path(u.cache_from_source(str(p))).exists()]; \
		print(f"layer: {len(py)} modules, {len(miss)} without bytecode", *miss[:5]); sys.exit(bool(miss or not py))'

clean:
	rm -rf $(VENV) .aws-sam .pytest_cache .ruff_cache
