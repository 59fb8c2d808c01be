# Two commands set everything up: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# The first Python 3.12+ on PATH (pyenv's shims honour .python-version).
PYTHON ?= $(shell for p in python3.13 python3.12 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	echo $$p; break; fi; done)
# Tests run as production does (DEBUG off), so they need a key; never use it elsewhere.
TEST_ENV := SECRET_KEY=test-only-secret-key-not-for-production DEBUG=0
# make run PORT=8300 serves on another port.
PORT ?= 8000

.PHONY: run test check-python setup lint suite chromium messages bench reliability two-servers

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "error: Python 3.12 or newer is needed and none was found on PATH." >&2; \
		echo "       Install one (for example 'pyenv install 3.13.0') and run make again." >&2; \
		exit 1; fi

$(VENV)/.installed: requirements.txt | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_curriculum

run: setup
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup chromium lint suite

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# The whole pytest suite, browser tests included; DATABASE_URL picks the database;
# PYTEST_ARGS passes more options to pytest. PYTEST_WORKERS processes share the tests
# (pytest-xdist, each with its own test database); PYTEST_WORKERS=0 runs them in this one.
PYTEST_WORKERS ?= 2
suite: $(VENV)/.installed
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(TEST_ENV) $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Debian packages the tests need: Chromium and CJK fonts (browser tests), gettext (the
# catalogue test runs makemessages), zbar-tools (the scenario QR codes are scanned).
chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ] || ! command -v xgettext >/dev/null || ! command -v zbarimg >/dev/null; then \
		echo "Installing Debian's Chromium, CJK fonts, gettext and zbar-tools for the tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk gettext zbar-tools; \
	fi

# Rebuild the translation catalogues (needs gettext); the compiled .mo files are committed.
messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages --locale zh_Hans --no-obsolete --ignore .venv
	DEBUG=1 $(PY) manage.py compilemessages --locale zh_Hans --ignore .venv

# Load benchmark on 127.0.0.1: bare Django, the app on SQLite and on PostgreSQL + Redis,
# each behind gunicorn; prints the table and saves bench/results/*.json. See bench/README.md.
# Flags: make bench BENCH_FLAGS=--quick (or --rounds 5 --duration 20 --users 8 ...).
# Then the progress and mastery pages at 10 and 500 finished quizzes (bench/history.py).
bench: $(VENV)/.installed
	$(PY) -m bench.run $(BENCH_FLAGS)
	$(PY) -m bench.history

# Reliability on 127.0.0.1 (README.md, "Reliability checks"): 60 s of mixed load on gunicorn
# and PostgreSQL, then no 5xx and no lost or duplicated answers. Flags, e.g.
# make reliability RELIABILITY_FLAGS="--duration 30 --users 8" (or --restart-db).
reliability: $(VENV)/.installed
	$(PY) -m bench.reliability $(RELIABILITY_FLAGS)

# Two gunicorn instances on one database and one Redis; a learner alternates between them.
two-servers: $(VENV)/.installed
	$(PY) -m bench.two_servers
