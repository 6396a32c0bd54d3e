# Yagona — the developer's front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export YAGONA_DATABASE__URL ?= sqlite:///var/yagona.db

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install the pinned dependencies

migrate: setup ## apply the database migrations
	$(BIN)/yagona db upgrade

demo: migrate ## load the demo data
	$(BIN)/yagona demo load

run: demo ## set up everything; serve Yagona with demo data on http://127.0.0.1:8000 and run its due jobs
	YAGONA_STAFF_API_KEY="$${YAGONA_STAFF_API_KEY:-dev-staff-key}" $(BIN)/yagona serve --with-worker

worker: migrate ## run the due-job and outbox worker
	$(BIN)/yagona worker

lint: setup ## ruff: lint and format check
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: setup ## mypy --strict
	$(BIN)/mypy

arch: setup ## import-linter: the DAG, the rooms, the pure rules
	$(BIN)/lint-imports

unit: setup ## the pure unit tests only (fast)
	$(BIN)/pytest tests/unit -q

test: lint typecheck arch ## set up everything and run the whole check: lint, types, architecture, every test
	$(BIN)/coverage erase
	$(BIN)/pytest --cov --cov-report=term -q

check: test ## what CI runs (same as test)

bench: setup ## run the benchmarks (not part of the tests); figures go to docs/benchmarks.md
	$(BIN)/yagona bench ledger
	$(BIN)/yagona bench rating
	$(BIN)/yagona bench wallet
	$(BIN)/yagona bench identity

clean: ## remove the virtual environment, caches and local databases
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov

.PHONY: help setup migrate demo run worker lint typecheck arch unit test check bench clean
