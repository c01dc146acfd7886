# Two commands set up a fresh machine: `make run` (build the graph from seeds/)
# and `make test`. Everything they need is installed from this file.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test lint bench install install-test browser clean test-stores

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TSTAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install -q -e '.[test,dask]'
	touch $@

install: $(STAMP)

install-test: $(TSTAMP) browser

# Debian's Chromium for the HTML tests (never `playwright install`: no downloads at run time)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; }

run: $(STAMP)
	$(BIN)/kg build seeds/

test: install-test
	$(BIN)/pytest -q

lint: install-test
	$(BIN)/ruff check kg tests
	$(BIN)/mypy kg

bench: install-test
	$(BIN)/python -m kg.bench

clean:
	rm -rf out/ .pytest_cache
