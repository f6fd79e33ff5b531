# MotionHub. `make run` starts the product, `make test` runs the whole test suite.
# Both work on a fresh machine: they create .venv and install what they need.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run test lint format bench clean chromium

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: migrate, create the first admin and the sandbox, then serve web + workers on 127.0.0.1:$(PORT)
run: $(VENV)/.installed
	MOTIONHUB_SANDBOX=$${MOTIONHUB_SANDBOX:-1} $(PY) manage.py motionhub_run --port $(PORT)

## chromium: the browser tests drive Debian's chromium (never `playwright install`); install it
## with apt-get when it is missing and apt-get is there (as root, or through passwordless sudo)
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ ! -x "$(CHROMIUM)" ] && command -v apt-get >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "chromium is missing and installing it needs root: the browser tests will fail"; exit 0; fi; \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

## test: install the test tools (and chromium) and run the whole suite
test: $(VENV)/.installed-dev chromium
	$(PY) -m pytest $(PYTEST_ARGS)

## bench: seed 100 000 tasks (BENCH_TASKS) in a database of its own (var/bench/, or
## BENCH_DATABASE_URL) and measure the task history, its CSV export, the polled fragment and the
## home page (see bench/run.py)
bench: $(VENV)/.installed
	$(PY) bench/run.py $(BENCH_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles
