# Two commands set up a fresh clone: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-pgbouncer lint typecheck docs format migrate seed install assets browser pg-db bench fuzz load faults clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

.env:
	cp .env.example .env

install: $(STAMP) .env assets

## The field console's browser assets (htmx, Leaflet, Leaflet-Geoman; axe-core for the browser
## tests) from the npm registry at the versions of package-lock.json, copied into the console's
## static directory (not committed; collectstatic and WhiteNoise serve them from there).
VENDOR := backend/console/static/console/vendor
NPM_STAMP := node_modules/.package-lock.json

$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/.built: $(NPM_STAMP) backend/console/copy_vendor.sh
	sh backend/console/copy_vendor.sh

assets: $(VENDOR)/.built

## Debian's Chromium for the console's browser tests (Playwright drives it; no browser is
## downloaded). Installed when missing and we may (root); otherwise those tests skip, saying why.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "chromium is not installed: the browser tests (tests/console) will skip"

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## Serve the API with demo data on SQLite at http://$(HOST):$(PORT)/api/docs/, with the SMS
## dispatcher (console backend: texts are printed) running beside it.
run: seed
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py dispatch_sms --loop --interval 2 & \
	$(PY) manage.py runserver $(HOST):$(PORT)

## Run the test suite (PostgreSQL when DATABASE_URL is set, SQLite otherwise).
test: install browser
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# PostgreSQL database for the runs below (created when missing).
PG_URL ?= postgres://postgres@127.0.0.1:5432
BENCH_DB ?= fieldbench

## The PostgreSQL tests (`-m postgres`) with the application behind PgBouncer in transaction
## pooling (tests/db/pgbouncer.sh on 127.0.0.1:$(PGBOUNCER_PORT); Debian's pgbouncer, installed
## when missing), the streaming-replica tests included (tests/db/replica.sh, pg_basebackup).
## The test database is created through PgBouncer and kept (--reuse-db), then dropped here.
PGBOUNCER_PORT ?= 6432
PGBOUNCER_DB ?= fieldpgb

test-pgbouncer: install
	@psql "$(PG_URL)/postgres" -qc "DROP DATABASE IF EXISTS test_$(PGBOUNCER_DB) WITH (FORCE)"
	PGBOUNCER_PORT=$(PGBOUNCER_PORT) PGBOUNCER_FOR_TESTS=1 bash tests/db/pgbouncer.sh start
	@status=0; \
	DATABASE_URL=$$(PGBOUNCER_PORT=$(PGBOUNCER_PORT) bash tests/db/pgbouncer.sh url $(PGBOUNCER_DB)) \
		DATABASE_POOLER=pgbouncer REPLICA_TESTS=1 \
		$(PY) -m pytest -m postgres -p no:cacheprovider --reuse-db $(PYTEST_ARGS) || status=$$?; \
	PGBOUNCER_PORT=$(PGBOUNCER_PORT) bash tests/db/pgbouncer.sh stop; \
	psql "$(PG_URL)/postgres" -qc "DROP DATABASE IF EXISTS test_$(PGBOUNCER_DB) WITH (FORCE)"; \
	exit $$status

pg-db:
	@psql "$(PG_URL)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_DB)'" | grep -q 1 \
		|| psql "$(PG_URL)/postgres" -qc "CREATE DATABASE $(BENCH_DB)"

## Longer contract fuzzing: every role, many examples per operation.
fuzz: install pg-db
	DATABASE_URL=$(PG_URL)/$(BENCH_DB) FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} \
		FUZZ_ROLES=anonymous,organizer,field_lead,canvasser \
		$(PY) -m pytest -n 2 -p no:cacheprovider tests/test_contract_fuzz.py

## Every benchmark in bench/, one table in bench/RESULTS.md (QUICK=1 for small sizes).
bench: install pg-db
	DATABASE_URL=$(PG_URL)/$(BENCH_DB) $(PY) bench/run_all.py $(if $(QUICK),--quick,)

## The caucus-night load run (load/run.py, ≤ 15 min of locust) against gunicorn on 127.0.0.1:
## Iowa-scale data (SCALE=0.1 for a smaller set), ramped to the push p99 knee; the figures go to
## bench/RESULTS.md. Exits non-zero if a request fails or the event goes over capacity.
load: install
	$(PY) -m pip install --quiet -e '.[dev,load]'
	PG_URL=$(PG_URL) $(PY) load/run.py $(if $(SCALE),--scale $(SCALE),)

## Bounded fault runs (restarts local PostgreSQL and Redis): exits non-zero on loss or duplicate.
faults: install
	$(PY) -m pip install --quiet -e '.[dev,load]'
	PG_URL=$(PG_URL) $(PY) load/faults.py

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install
	$(PY) -m mypy .

## The documentation site (MkDocs, Material theme) into var/site, with the API reference rendered
## from the live schema (docs/api/openapi.json, generated, not committed).
docs: install
	$(PY) -m pip install --quiet -e '.[dev,docs]'
	DEBUG=1 $(PY) manage.py spectacular --format openapi-json --file docs/api/openapi.json
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache node_modules $(VENDOR)
