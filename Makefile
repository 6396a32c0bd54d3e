# Yagona — the developer's front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export YAGONA_DATABASE__URL ?= sqlite:///var/yagona.db
# Test processes (pytest-xdist): one per core of the 2-core CI machine; work stealing keeps both
# busy to the end (a slow test near the end of one queue no longer idles the other).
TEST_WORKERS ?= 2
LOCALE := src/yagona/locale
LANGUAGES := uz ru en
CATALOGUES := $(foreach lang,$(LANGUAGES),$(LOCALE)/$(lang)/LC_MESSAGES/messages.po)
# The compiled catalogues are built, not committed (docs/portal.md): from each .po when it changes.
COMPILED := $(CATALOGUES:.po=.mo)

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z][a-z0-9-]*:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile --statistics -D messages -l $* -i $< -o $@

setup: $(STAMP) $(COMPILED) ## create .venv, install the pinned dependencies, compile the page catalogues and the bytecode
	@# The bytecode of our own modules, written once: an editable install has none, and a shell that
	@# sets PYTHONDONTWRITEBYTECODE would compile ~300 modules on every command (~0.25 s of `simulate`).
	@$(BIN)/python -m compileall -q src/yagona

i18n: setup ## extract the pages' strings, update the uz/ru/en catalogues, compile them
	$(BIN)/pybabel extract -F babel.cfg -k N_ --add-location=file --sort-by-file --no-wrap \
		--project=Yagona --copyright-holder=Yagona -o $(LOCALE)/messages.pot .
	for lang in $(LANGUAGES); do \
		if [ -f $(LOCALE)/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update --no-wrap --no-fuzzy-matching --ignore-obsolete -D messages -l $$lang \
				-i $(LOCALE)/messages.pot -d $(LOCALE); \
		else \
			$(BIN)/pybabel init --no-wrap -D messages -l $$lang -i $(LOCALE)/messages.pot -d $(LOCALE); \
		fi; \
	done
	$(BIN)/pybabel compile --statistics -D messages -d $(LOCALE)

browser: setup ## the browser tests' Chromium: Debian's package, installed when missing
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	elif [ "$$CI" = true ]; then echo "CI needs /usr/bin/chromium and cannot install it" >&2; exit 1; \
	else echo "no /usr/bin/chromium (apt-get install chromium): the browser tests will be skipped"; fi

migrate: setup ## apply the database migrations
	$(BIN)/yagona db upgrade

demo: migrate ## load the demo data
	$(BIN)/yagona demo load

run: demo ## set up everything; serve Yagona with demo data on http://127.0.0.1:8000 and run its due jobs
	YAGONA_STAFF_API_KEY="$${YAGONA_STAFF_API_KEY:-dev-staff-key}" $(BIN)/yagona serve --with-worker

worker: migrate ## run the due-job and outbox worker
	$(BIN)/yagona worker

LIGHTHOUSE_VERSION := 12.2.3
lighthouse: setup browser ## Lighthouse 12 on the sign-in page and the dashboard, mobile (a benchmark: not in make test)
	@if [ ! -x .lighthouse/node_modules/.bin/lighthouse ]; then \
		mkdir -p .lighthouse && npm install --prefix .lighthouse --no-audit --no-fund -E lighthouse@$(LIGHTHOUSE_VERSION); fi
	CHROME_PATH=/usr/bin/chromium $(BIN)/yagona bench lighthouse

lint: setup ## ruff: lint and format check
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

audit: setup ## pip-audit: the pinned dependencies against the advisory index (passes, saying so, when it is unreachable)
	$(BIN)/python tools/dependency_audit.py

typecheck: setup ## mypy --strict
	$(BIN)/mypy

arch: setup ## import-linter: the DAG, the rooms, the pure rules
	$(BIN)/lint-imports

unit: setup ## the pure unit tests only (fast)
	$(BIN)/pytest tests/unit -q

test: lint typecheck arch browser ## set up everything and run the whole check: lint, types, architecture, dependency audit, every test
	$(BIN)/coverage erase
	@# The dependency audit waits on the advisory index, not the CPU: it runs beside the tests.
	@mkdir -p var; \
	$(BIN)/python tools/dependency_audit.py > var/dependency-audit.txt 2>&1 & audit=$$!; \
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --cov --cov-report=term -q --durations=15; tests=$$?; \
	wait $$audit; audited=$$?; cat var/dependency-audit.txt; \
	exit $$(( tests != 0 ? tests : audited ))

check: test ## what CI runs (same as test)

PEER_SQL ?= ../shared/peers/pgledger
bench: setup ## run the benchmarks (not part of the tests); figures go to docs/benchmarks.md
	$(BIN)/yagona bench ledger
	@if [ -d "$(PEER_SQL)" ]; then $(BIN)/yagona bench ledger --peer pgledger --peer-sql "$(PEER_SQL)"; \
		else echo "side-by-side ledger run skipped: PEER_SQL=$(PEER_SQL) is not pgledger's SQL directory"; fi
	$(BIN)/yagona bench rating
	$(BIN)/yagona bench wallet
	$(BIN)/yagona bench identity
	$(BIN)/yagona bench payments

clean: ## remove the virtual environment, caches and local databases
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov

.PHONY: help setup i18n browser migrate demo run worker lint typecheck arch unit test check bench lighthouse clean
