# Two commands set up a fresh machine: `make run` (build the graph from seeds/)
# and `make test`. Everything they need is installed from this file.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test lint bench install install-test browser clean test-stores virtuoso

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
# and raptor's rapper, an independent parser the export tests read every RDF syntax back with
browser:
	@{ command -v chromium >/dev/null 2>&1 && command -v rapper >/dev/null 2>&1; } || { \
	  echo "installing Debian's chromium and raptor2-utils for the browser and export tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium raptor2-utils; }

# Debian's Virtuoso for `make test-stores`: the dba password preseeded, so no prompt.
# The packaged daemon is not needed: the tests start their own on free loopback ports.
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  echo "installing Debian's virtuoso-opensource for the push tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  printf '%s\n' \
	    'virtuoso-opensource-7 virtuoso-opensource-7/dba-password password dba' \
	    'virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password dba' \
	    | $$SUDO debconf-set-selections; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q virtuoso-opensource; }

# The push tests against a real Virtuoso as well as Oxigraph (plain `make test` skips Virtuoso).
test-stores: $(TSTAMP) virtuoso
	KG_TEST_VIRTUOSO=1 $(BIN)/pytest -q tests/test_push.py

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
