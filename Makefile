# Groundswell developer commands. Everything lives in ./.venv (created with python3) and ./var;
# nothing is installed globally except Debian's chromium for the browser tests (only as root).
#
#   make demo    build the demo company and serve it on http://127.0.0.1:8000/
#   make test    the whole test-suite (DATABASE_URL=postgres://… runs it on PostgreSQL)
#   make test-tasks  the real task path on one engine: TASKS_ENGINE=db (default) | rabbitmq | redis
#   make lint    ruff check, ruff format --check, the import contracts (lint-imports), mypy
#   make check   Django system checks and a missing-migrations check
#   make bench   every benchmark (the bench-<name> targets of bench/*/Makefile.fragment)
#   make bench-quick  every benchmark in its quick mode (BENCH_QUICK=1, as CI runs them)
#   make clean   remove the virtualenv, ./var and caches

BOOTSTRAP_PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The project's interpreter (bench fragments use it too).
PYTHON := $(BIN)/python
STAMP := $(VENV)/.installed-stamp
# Front-end packages (frontend/package.json, pinned by its package-lock.json), installed with npm ci.
ASSETS := frontend/node_modules/.installed-stamp
DATA_DIR := $(CURDIR)/var
# loadgroup keeps tests that share one expensive server (the local Bluesky network) on one worker.
PYTEST_ARGS ?= -n auto --dist loadgroup
# Extra options for `groundswell demo`, e.g. make demo DEMO_ARGS="--no-serve --employees 500"
DEMO_ARGS ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast test-tasks test-clocks lint format check bench bench-quick chromium ffmpeg clean

help:
	@sed -n 's/^#   \(make .*\)/\1/p' Makefile

$(BIN)/python:
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

# Reinstall only when the project's metadata (dependencies, entry points) changed.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# npm's download cache stays in ~/.npm (outside the repo); --ignore-scripts: no package runs code at install.
$(ASSETS): frontend/package.json frontend/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js 20+ and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(ASSETS)

demo: $(STAMP) $(ASSETS) ffmpeg
	DEBUG=1 GROUNDSWELL_DATA_DIR=$(DATA_DIR) $(BIN)/groundswell demo $(DEMO_ARGS)

# Browser tests launch Debian's chromium (never a Playwright download), the audit PDF test needs the
# DejaVu fonts (fonts-dejavu-core), and videos need Debian's ffmpeg (the worker runs it); install them when we can.
FONT_FILE := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "$$CHROMIUM" ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing chromium for the browser tests…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "chromium is missing and we are not root: browser tests will fail (sudo apt-get install chromium)"; \
	fi
	@if [ -f $(FONT_FILE) ] || [ -n "$$AUDIT_PDF_FONT" ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing fonts-dejavu-core for the audit PDF…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null; \
	else \
		echo "DejaVu fonts are missing and we are not root: the audit PDF font test will fail (sudo apt-get install fonts-dejavu-core)"; \
	fi

# Videos: the worker transcodes with Debian's ffmpeg (the demo's videos and the video tests need it too).
ffmpeg:
	@if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || [ -n "$$FFMPEG" ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing ffmpeg for the video tests and the worker's transcoding…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null; \
	else \
		echo "ffmpeg is missing and we are not root: videos cannot be processed and their tests will fail (sudo apt-get install ffmpeg)"; \
	fi

test: $(STAMP) $(ASSETS) chromium ffmpeg
	$(BIN)/pytest $(PYTEST_ARGS)

# Everything but the browser and process-spawning tests.
test-fast: $(STAMP) $(ASSETS)
	$(BIN)/pytest $(PYTEST_ARGS) -m 'not browser and not slow'

# The task tests (marked tasks_engine) on one engine, with real workers: the database backend, RabbitMQ on
# 127.0.0.1:5672 (guest/guest) or Redis on 127.0.0.1:6379 (TASKS_RABBITMQ_URL / TASKS_REDIS_URL change them).
TASKS_ENGINE ?= db
test-tasks: $(STAMP) $(ASSETS)
	TASKS_ENGINE=$(TASKS_ENGINE) $(BIN)/pytest -n 0 -q -m tasks_engine

# The fast suite at instants where clock bugs hide: early on a Monday in Berlin, New Year's Eve in UTC, the
# night Europe moves to summer time, a month's last evening in Los Angeles.
CLOCKS ?= 2027-01-03T23:58:30+00:00 2026-12-31T23:58:00+00:00 2027-03-28T00:58:00+00:00 2027-07-01T06:58:30+00:00
test-clocks: $(STAMP) $(ASSETS)
	@for t in $(CLOCKS); do echo "== clock at $$t"; \
		GROUNDSWELL_TEST_NOW=$$t $(BIN)/pytest $(PYTEST_ARGS) -q -m 'not browser and not slow' || exit 1; done

lint: $(STAMP) $(ASSETS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP) $(ASSETS)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(STAMP) $(ASSETS)
	DEBUG=1 GROUNDSWELL_DATA_DIR=$(DATA_DIR) $(BIN)/python manage.py check
	DEBUG=1 GROUNDSWELL_DATA_DIR=$(DATA_DIR) $(BIN)/python manage.py makemigrations --check --dry-run

# Each bench/<name>/Makefile.fragment defines a target bench-<name> (more may be added to BENCH_TARGETS).
BENCH_FRAGMENTS := $(wildcard bench/*/Makefile.fragment)
BENCH_TARGETS := $(patsubst bench/%/Makefile.fragment,bench-%,$(BENCH_FRAGMENTS))
-include $(BENCH_FRAGMENTS)
BENCH_TARGETS := $(sort $(BENCH_TARGETS))

ifneq ($(strip $(BENCH_TARGETS)),)
$(BENCH_TARGETS): $(STAMP) $(ASSETS)
endif

bench: $(STAMP) $(ASSETS) $(BENCH_TARGETS)
	@if [ -z "$(strip $(BENCH_TARGETS))" ]; then echo "No benchmarks registered (bench/*/Makefile.fragment)."; fi

# Each benchmark in turn with BENCH_QUICK=1 (seconds each); fails when one fails or does not end with its
# `BENCH <name> …` line. Logs in bench/out/quick/.
bench-quick: $(STAMP) $(ASSETS)
	bash bench/quick.sh $(BENCH_TARGETS)

clean:
	rm -rf $(VENV) frontend/node_modules var build dist .mypy_cache .ruff_cache .pytest_cache bench/out
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name '*.egg-info' -type d -prune -exec rm -rf {} +
