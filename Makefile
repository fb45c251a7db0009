# Е-кабінет: `make run` serves the portal with demo data; `make test` passes the tests. `make help` lists all.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 is required (python3.12 not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)  ## Create the virtualenv and install everything

run: $(STAMP)  ## Serve the portal with demo data on SQLite at http://127.0.0.1:8000
	mkdir -p var media
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@# One ASGI process serves the pages, the API, the static files and the live attendance stream, so live
	@# events need no Redis; the background worker (text extraction, search indexing) runs beside it and
	@# stops with it. Open event streams are cut after 3 s when the server stops.
	$(BIN)/python manage.py db_worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
		DJANGO_SETTINGS_MODULE=cms.settings.dev $(BIN)/uvicorn cms.asgi:application \
			--host 127.0.0.1 --port 8000 --timeout-graceful-shutdown 3

test: $(STAMP)  ## Run the test suite (SQLite)
	$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages: $(STAMP)  ## Refresh the Ukrainian catalogue (needs GNU gettext) and compile it
	$(BIN)/python manage.py makemessages -l uk --no-obsolete --no-location -i ".venv/*" -i "var/*"
	$(BIN)/python manage.py compilemessages -l uk -i ".venv" -i "var"

ci:  ## What CI runs: checks, lint, tests on SQLite and PostgreSQL, browser tests
	bash .ci/run

.PHONY: help install run test lint messages ci
