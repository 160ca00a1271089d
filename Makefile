# TravelGo developer commands. `make run` brings everything up; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DATABASE_URL ?= mysql://root@127.0.0.1:3306/travelgo
export HOST ?= 127.0.0.1
export PORT ?= 8000
export WORKERS ?= 1

.DEFAULT_GOAL := help
.PHONY: help install check-tools db migrate seed seed-if-empty serve run test page-checks lint format check-inventory reconcile cluster cluster-stop test-cluster bench bench-search screenshots clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

install: $(VENV)/.installed ## create .venv and install the pinned dependencies

# Lighthouse and the Nu HTML validator for the e2e page checks, from the npm registry into .ci/node_modules
# (pinned by .ci/package-lock.json; --ignore-scripts: vnu-jar's postinstall would fetch a Java the machine already has).
# Without npm the page checks skip (and fail in CI, TRAVELGO_REQUIRE_BROWSER=1).
.ci/node_modules/.installed: .ci/package.json .ci/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix .ci --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@ \
	    || echo "npm ci failed: the Lighthouse and Nu HTML checks will not run"; \
	else echo "npm not found: the Lighthouse and Nu HTML checks will not run (apt-get install -y npm)"; fi

check-tools: .ci/node_modules/.installed ## install Lighthouse and the Nu HTML validator for the page checks

db: install ## ensure a MySQL/MariaDB server answers at DATABASE_URL (starts a project-local one if needed)
	@$(PY) -m travelgo.dbserver

migrate: db ## create the database if missing and apply sql/migrations in order
	@$(PY) -m travelgo.cli migrate

seed: migrate ## replace the sample data (SEED_SCALE=large for benchmarks)
	@$(PY) -m travelgo.cli seed

seed-if-empty: migrate
	@$(PY) -m travelgo.cli seed --if-empty

serve: install ## run Hypercorn with hypercorn.toml on HOST:PORT with WORKERS (refuses a port that already answers)
	$(PY) -m travelgo.cli serve --config hypercorn.toml --bind $(HOST):$(PORT) --workers $(WORKERS)

run: seed-if-empty ## install + db + migrate + seed-if-empty + serve at http://$(HOST):$(PORT)
	@echo "TravelGo at http://$(HOST):$(PORT)  (admin@travelgo.example / see README for passwords)"
	@$(MAKE) --no-print-directory serve

test: db check-tools ## run the whole test suite against a real MySQL/MariaDB
	$(PY) -m pytest $(PYTEST_ARGS)

cluster: install ## start a project-local 3-node MariaDB Galera cluster (var/cluster, SQL ports 3311-3313) and print its DATABASE_URLs
	@$(PY) -m travelgo.cluster start

cluster-stop: install ## stop the project-local Galera cluster (safe to repeat)
	@$(PY) -m travelgo.cluster stop

test-cluster: cluster ## the cluster suite: three TravelGo servers on three Galera nodes (races, a node killed under load, live updates, tokens)
	TRAVELGO_CLUSTER_TESTS=1 $(PY) -m pytest tests/cluster $(PYTEST_ARGS)

page-checks: db check-tools ## Nu HTML validator and Lighthouse on the main pages of a seeded server; prints the scores
	$(PY) -m pytest tests/e2e/test_page_checks.py -q $(PYTEST_ARGS)

lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check travelgo tests bench
	$(VENV)/bin/ruff format --check travelgo tests bench

format: install ## apply ruff formatting and safe fixes
	$(VENV)/bin/ruff check --fix travelgo tests bench
	$(VENV)/bin/ruff format travelgo tests bench

bench-search: install ## EXPLAIN the searches, then req/s and p50/p99 at 32 clients (SEED_SCALE=large make seed first)
	$(PY) -m bench.explain
	$(PY) -m bench.search --start --url http://$(HOST):$(or $(BENCH_PORT),8100)

check-inventory: migrate ## verify no seat is held twice, no night oversold, counters match bookings
	@$(PY) -m travelgo.cli check-inventory

reconcile: migrate ## compare the payment provider's records with ours: paid but not confirmed, refunds not processed
	@$(PY) -m travelgo.cli reconcile

bench: db ## load SEED_SCALE=large into travelgo_bench, run every benchmark (~10 min), write BENCHMARKS.md
	$(PY) -m bench.run $(BENCH_ARGS)

screenshots: db ## capture desktop and phone screenshots of the main screens into docs/screenshots/
	$(PY) -m tests.e2e.screenshots $(SCREENS)

clean: ## remove the virtualenv and local data (a project-local database and cluster are stopped first)
	-@test -f var/mysql/server.pid && kill $$(cat var/mysql/server.pid)
	-@test -d var/cluster && test -x $(PY) && $(PY) -m travelgo.cluster stop
	rm -rf $(VENV) var
