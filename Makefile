# Two commands for a fresh machine with Python 3.11+:
#   make run   set up, migrate a local SQLite database, load the demo, serve on http://127.0.0.1:8000
#              (with the background task worker beside the server; both stop together)
#   make test  set up, then run the whole test suite (browser tests included)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-dev browser lint demo clean backup restore loadtest bench messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

setup: $(VENV)/.run-installed

setup-dev: $(VENV)/.dev-installed

# Browser tests use $$CHROMIUM_PATH, else the system chromium, else Playwright's own,
# which is downloaded here only when neither exists.
browser: setup-dev
	@if [ -n "$$CHROMIUM_PATH" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		echo "Using the Chromium already on this machine."; \
	else \
		$(BIN)/python -m playwright install chromium; \
	fi

demo: setup
	$(BIN)/python manage.py migrate --noinput
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py load_demo

# The task worker (mail, and other background work) runs in the background of the same shell and is
# stopped when the server stops, however it stops (Ctrl+C reaches both; the trap covers the rest).
run: demo
	@export SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	$(BIN)/python manage.py db_worker --no-reload --queue-name '*' --verbosity 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: browser
	$(BIN)/python manage.py check
	$(BIN)/pytest $(PYTEST_ARGS)

# After changing user-facing text: refresh every catalogue in locale/ from the code (new strings arrive
# untranslated, and tests/test_translations.py fails until each is translated), then compile them: the .mo
# files are committed, so serving needs no gettext. Needs GNU gettext (Debian's gettext package).
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=var --ignore=docs
messages: setup-dev
	$(BIN)/python manage.py makemessages --all --no-obsolete --add-location=file $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages --ignore=.venv

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/bandit -r traceability -q -x '*/migrations/*'
	bash .ci/audit-deps

# Backups of the database DATABASE_URL names (or db.sqlite3): pg_dump/pg_restore on PostgreSQL, SQLite's online
# backup API on SQLite. Files are owner-only (0600).
#   make backup [BACKUP=path]           default: backups/trace-<UTC time>.<pgdump|sqlite3>
#   make restore BACKUP=path [FORCE=1]  refuses a database with tables unless FORCE=1 (then replaces its contents)
backup: setup
	$(BIN)/python manage.py backup_db $(if $(BACKUP),--output '$(BACKUP)')

restore: setup
	@test -n '$(BACKUP)' || { echo 'Usage: make restore BACKUP=path/to/backup [FORCE=1]' >&2; exit 2; }
	$(BIN)/python manage.py restore_db '$(BACKUP)' $(if $(FORCE),--force)

# Load test, on loopback only: gunicorn (2 workers, DEBUG off) on the PostgreSQL database DATABASE_URL names (else
# postgres://postgres@127.0.0.1:5432/trace_loadtest, created and migrated), 200 filings fired at once while the
# organiser decides; checks the rows against the responses; results in loadtest/results.json. It adds a process
# and accounts to that database each run: never point it at production.
#   make loadtest [LOADTEST_ARGS="--filings 500 --workers 4"]   (bench/loadtest.py --help lists the options)
loadtest: setup
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)

# Benchmark, on loopback only: for each tier (submissions; default 10000,100000,1000000), a PostgreSQL database
# trace_bench_<tier> beside BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/trace_bench) filled once
# by generate_load, gunicorn with 2 sync workers and DEBUG off, then every page, the intake vs a bare view, the
# indicators vs a SQL floor and the downloads. Results in bench/results.json; bench/README.md says how to read them.
#   make bench [BENCH_TIERS=2000] [BENCH_ARGS="--repeat 10 --fresh"]
bench: setup
	$(BIN)/python bench/bench.py $(if $(BENCH_TIERS),--tiers '$(BENCH_TIERS)') $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3* test-db.sqlite3* staticfiles .pytest_cache .ruff_cache .hypothesis
