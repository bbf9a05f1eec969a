# convkit: set-up, run and test over a local virtualenv in .venv.
#   make run    install runtime deps, start the app on http://localhost:8501
#   make test   install Chromium, nginx and Node.js if missing (scripts/system-packages.sh),
#               dev deps, the npm tools (axe-core, Lighthouse), run ruff and all tests
#   make lint   ruff only
#   make bench  benchmarks (python -m bench)

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
PIP    := $(PY) -m pip --disable-pip-version-check --no-input

# Stamps are named after a hash of the requirement files: edits trigger a
# reinstall, repeated runs do not.
REQ_HASH := $(shell cat requirements.txt requirements-dev.txt 2>/dev/null | sha256sum | cut -c1-12)
STAMP_RUN := $(VENV)/.installed-run-$(REQ_HASH)
STAMP_DEV := $(VENV)/.installed-dev-$(REQ_HASH)
NODE_HASH := $(shell cat package-lock.json 2>/dev/null | sha256sum | cut -c1-12)
STAMP_NODE := node_modules/.installed-$(NODE_HASH)

.PHONY: help run test lint bench venv deps dev-deps node-packages system-packages clean

help:
	@echo "make run    - set up .venv and start the app (http://localhost:8501)"
	@echo "make test   - install Chromium + nginx if missing, set up .venv with dev deps,"
	@echo "              run ruff + pytest (unit, app, e2e)"
	@echo "make lint   - ruff check ."
	@echo "make bench  - python -m bench"
	@echo "make clean  - remove test artifacts and caches (keeps .venv)"

$(PY):
	@test -n "$(PYTHON)" || { echo "python3.11 (or python3) not found" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "creating $(VENV) failed: install python3-venv (apt-get install -y python3-venv)" >&2; exit 1; }

venv: $(PY)

$(STAMP_RUN): | $(PY)
	$(PIP) install -r requirements.txt
	@rm -f $(VENV)/.installed-run-*
	@touch $@

$(STAMP_DEV): | $(PY)
	$(PIP) install -r requirements-dev.txt
	@rm -f $(VENV)/.installed-run-* $(VENV)/.installed-dev-*
	@touch $@ $(STAMP_RUN)

deps: $(STAMP_RUN)
dev-deps: $(STAMP_DEV)

# axe-core and Lighthouse, exactly as package-lock.json pins them.
$(STAMP_NODE): package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

node-packages: $(STAMP_NODE)

# Chromium and nginx for the browser and proxy tests: apt-get as root (or sudo -n), else stop
# with the command to run. First, so a missing one stops before minutes of pip installs.
system-packages:
	@bash scripts/system-packages.sh

run: $(STAMP_RUN)
	$(PY) -m streamlit run app.py --server.showEmailPrompt false

# Run ruff and pytest both, fail if either fails.
test: system-packages $(STAMP_DEV) $(STAMP_NODE)
	@status=0; \
	echo "== ruff check ."; $(PY) -m ruff check . || status=1; \
	echo "== pytest: two at a time (pytest-xdist), whole files to a worker"; \
	$(PY) -m pytest -n 2 --dist loadfile -m "not alone" || status=1; \
	echo "== pytest: the tests that measure time and memory, one at a time"; \
	$(PY) -m pytest -m alone || status=1; \
	exit $$status

lint: $(STAMP_DEV)
	$(PY) -m ruff check .

bench: $(STAMP_DEV) $(STAMP_NODE)
	$(PY) -m bench

clean:
	rm -rf test-artifacts .pytest_cache .ruff_cache .hypothesis
