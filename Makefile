# proCure backend. `make run` serves on 127.0.0.1:$PORT (8000 unless .env or the
# environment says otherwise), `make test` runs the test suite;
# both create .venv and install what they need on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

# Local-only defaults so that `make run` works with no environment set. A real
# deployment sets SECRET_KEY (and DEBUG stays off); see .env.example.
run: export DEBUG ?= true
run: export SECRET_KEY ?= local-development-only-not-secret

.PHONY: run manage test lint typecheck check format bench fuzz venv clean oidc-provider

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -r requirements-dev.txt
	touch $(VENV)/.runtime $@

venv: $(VENV)/.dev

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	# The email worker runs beside gunicorn and stops with it.
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn -c gunicorn.conf.py procure_site.wsgi

# Any management command with the same local defaults as `make run`, e.g.
# `make manage CMD=seed_demo` or `make manage CMD="usage_report --org acme.io"`.
# Not echoed, so that its output can be redirected to a file as it is.
manage: export DEBUG ?= true
manage: export SECRET_KEY ?= local-development-only-not-secret
manage: $(VENV)/.runtime
	@$(BIN)/python manage.py $(CMD)

# The suite runs in one process per core (pytest-xdist); an idle process
# takes tests from a busy one's queue (worksteal), as the slow tests (a real
# gunicorn, the browser) are few and uneven. `make test TEST_WORKERS=0` runs
# it in this process alone.
TEST_WORKERS ?= auto
test: $(VENV)/.dev oidc-provider
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The real OpenID provider the sign-in tests run against (panva's
# oidc-provider, from the npm registry, pinned by its package-lock.json).
# Without Node.js those tests skip, saying so; CI requires them.
OIDC_PROVIDER := scripts/oidc_provider
oidc-provider: $(OIDC_PROVIDER)/node_modules/.installed
$(OIDC_PROVIDER)/node_modules/.installed: $(OIDC_PROVIDER)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(OIDC_PROVIDER) --no-audit --no-fund --loglevel=error \
		&& touch $@; \
	else echo "npm not found: the OpenID sign-in tests will skip."; fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The settings module, which the type checker's Django plugin imports, needs
# a SECRET_KEY; nothing is served.
typecheck: export SECRET_KEY ?= local-development-only-not-secret
typecheck: $(VENV)/.dev
	$(BIN)/mypy

# What CI checks first, in about a minute, before a push: lint, types, and
# the tests on SQLite (CI also runs them on PostgreSQL, and the fuzzer and the
# benchmark).
check: export SECRET_KEY ?= local-development-only-not-secret
check: $(VENV)/.dev oidc-provider
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	env -u DATABASE_URL $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles

$(VENV)/.bench: requirements.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install -r requirements-bench.txt
	touch $(VENV)/.runtime $@

# Ingestion and analytics under load on PostgreSQL; see
# docs/performance.md. `make bench BENCH_ARGS=--quick` is the small run.
bench: $(VENV)/.bench
	$(BIN)/python -m bench $(BENCH_ARGS)

$(VENV)/.fuzz: requirements.txt requirements-fuzz.txt | $(BIN)/python
	$(BIN)/pip install -r requirements-fuzz.txt
	touch $(VENV)/.runtime $@

# schemathesis against a live gunicorn on loopback, as a member and an admin;
# fails on any 5xx or response outside the schema. FUZZ_ARGS="--seed N" replays.
fuzz: $(VENV)/.fuzz
	$(BIN)/python scripts/fuzz_api.py $(FUZZ_ARGS)
