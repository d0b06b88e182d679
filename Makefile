# Every workflow of the project is a target here, so a laptop and CI run the
# same commands. Each area's targets live in its folder's .mk file, included below.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Production runs CPython 3.13 (Lambda's python3.13, Amazon Linux 2023's python3.13),
# and so do the venvs: PYTHON=... names one; else python3.13 on PATH, else pyenv's.
PY_VERSION := 3.13
IS_PY_VERSION = -c 'import sys; assert sys.version.startswith("$(PY_VERSION).")' 2>/dev/null
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach py,python$(PY_VERSION) $(wildcard $(HOME)/.pyenv/versions/$(PY_VERSION).*/bin/python),\
  $(if $(shell $(py) $(IS_PY_VERSION) && echo y),$(py))))
endif
PYTHON_CHECK = @$(or $(PYTHON),python$(PY_VERSION)) $(IS_PY_VERSION) || { echo "CPython $(PY_VERSION) is \
  needed (production runs python$(PY_VERSION)); none was found as python$(PY_VERSION) or under \
  ~/.pyenv/versions/$(PY_VERSION).*: install it (pyenv install $(PY_VERSION), or your system's \
  python$(PY_VERSION) package) or name it: make install PYTHON=/path/to/python$(PY_VERSION)" >&2; exit 1; }
VENV   ?= .venv
BIN    := $(VENV)/bin

# Local stack ports (all bound to 127.0.0.1).
export MOTO_PORT ?= 5055
export API_PORT  ?= 8000
export WEB_PORT  ?= 5173

# Areas extend these from their .mk files:
#   TEST_PREREQS  - set-up that tests need (node modules, a built frontend, ...)
#   CHECK_TARGETS - non-pytest checks run before the pytest suite
CHECK_TARGETS := lint
TEST_PREREQS  :=
PYTEST_ARGS   ?=

.PHONY: help install lock dev user test test-fast lint fmt pytest bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-22s %s\n", $$1, $$2}'

# uv, pinned and installed from PyPI into a venv of its own, makes every Python
# environment from pyproject.toml and uv.lock (docs/dependencies.md), with the
# interpreter PYTHON names: it never downloads a Python.
UV_VERSION := 0.13.9
UV_VENV    := .venv-uv
export UV  := $(CURDIR)/$(UV_VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON = $(PYTHON)
UV_SYNC     = $(UV) sync --locked --quiet
# A venv's stamp names the Python version: a venv of another version is made anew.
INSTALLED  := .installed-$(PY_VERSION)

$(UV):
	$(PYTHON_CHECK)
	$(PYTHON) -m venv --clear $(UV_VENV)
	$(UV_VENV)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/$(INSTALLED): pyproject.toml uv.lock | $(UV)
	$(PYTHON_CHECK)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV_SYNC)
	@# The Chalice project (api/) and the EC2 runtime (serverful/) import as top-level
	@# modules (app, chalicelib, wsgi), as they do where they are deployed.
	@printf '%s\n' $(CURDIR)/api $(CURDIR)/serverful > $(VENV)/lib/python$(PY_VERSION)/site-packages/todo-api.pth
	@touch $@

install: $(VENV)/$(INSTALLED) ## Create .venv and install all Python dependencies (uv sync of pyproject.toml's dev group)

# After changing a dependency in pyproject.toml: re-lock, and regenerate the hash-locked
# files the deployments install from (a test fails while they are stale).
lock: | $(UV) ## Update uv.lock from pyproject.toml and regenerate requirements-server.lock.txt and requirements-lambda.txt
	$(UV) lock
	$(PYTHON) -m tools.locks

dev: install ## Start the local AWS (moto), the API and the web app; Ctrl-C stops them
	$(BIN)/python -m tools.dev

user: install ## Create a confirmed local user: make user EMAIL=a@b.c PASSWORD=...
	@test -n "$(EMAIL)" -a -n "$(PASSWORD)" || { echo "usage: make user EMAIL=you@example.com PASSWORD='Correct-Horse-9'" >&2; exit 2; }
	@$(BIN)/python -m tools.dev user --email "$(EMAIL)" --password "$(PASSWORD)"

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install ## Format the Python code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The edit-test loop: the domain, the service over the in-memory repository, and
# the repository contract on that twin; no servers, no AWS stand-in, no lint.
FAST_TESTS := tests/unit/test_domain.py tests/unit/test_service.py \
	tests/unit/test_config.py tests/unit/test_repository.py

test-fast: install ## Unit tests in a few seconds (no servers): the edit-test loop
	$(BIN)/pytest -q -p no:cacheprovider -k "not dynamo" $(FAST_TESTS)

pytest: install ## Run the pytest suite only
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install package-serverless-offline lambda-runtime ## DynamoDB requests and our CPU per API operation, app import time, the Lambda package's cold start
	$(BIN)/python -m bench.api_requests
	$(BIN)/python -m bench.api_cpu
	$(BIN)/python -m bench.lambda_cold_start

# checkov pins boto3/networkx versions that clash with ours, so it lives in a venv of
# its own (pyproject.toml's checkov group), shared by every area's template checks.
CHECKOV_VENV := .venv-checkov
CHECKOV      := $(CHECKOV_VENV)/bin/checkov

$(CHECKOV_VENV)/$(INSTALLED): pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(CHECKOV_VENV) $(UV_SYNC) --only-group checkov
	@touch $@

.PHONY: checkov-install
checkov-install: $(CHECKOV_VENV)/$(INSTALLED) ## Install checkov (own venv) for the IaC checks

# One file an area, beside what it builds (README: Layout).
include infra/ci/ci.mk tools/ops.mk tools/rehearse.mk infra/serverful/serverful.mk \
	infra/serverless/serverless.mk web/web.mk serverful/serverful.mk

test: install $(TEST_PREREQS) ## Everything CI runs: installs, lints, checks, then the whole pytest suite
	@set -e; for target in $(CHECK_TARGETS); do echo "==> make $$target"; $(MAKE) --no-print-directory $$target; done
	@echo "==> pytest"
	$(BIN)/pytest $(PYTEST_ARGS)

clean: ## Remove generated files (keeps the venvs)
	rm -rf .dev build dist .pytest_cache .mypy_cache .ruff_cache
