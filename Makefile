# Two commands: `make site` builds the sample organisation's site with feeds into
# site/; `make test` runs the whole suite (lint, format, types, tests, browser tests).
# Both create the virtualenv and install what they need on a fresh machine.
# `make docs` builds Rota's own guide (guide/) into guide/site/.
# CI (.ci/run) also runs `make test-later` (the tests again, the clock a year ahead)
# and `make wheel-check` (the built wheel, installed outside the checkout).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: site test test-later wheel-check lint bench serve clean golden docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-site: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-site

site: $(VENV)/.installed-site
	$(BIN)/rota build
	@echo "To look at it: make serve (or $(BIN)/rota serve); to open site/index.html from disk, build it with $(BIN)/rota build --offline"

test: $(VENV)/.installed-test
	scripts/install-test-deps.sh
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# The tests again with the machine's clock a year ahead (libfaketime): a test that
# reads the clock instead of --now or ROTA_NOW fails here, not some day next year.
test-later: $(VENV)/.installed-test
	scripts/install-test-deps.sh
	faketime -f '+365d' $(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# Build the wheel, install it into a new virtualenv outside the checkout, run every command.
wheel-check:
	PYTHON=$(PYTHON) scripts/wheel-check.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check --fix generator tests bench
	$(BIN)/ruff format generator tests bench

golden: $(VENV)/.installed-test
	$(BIN)/pytest tests/golden tests/integrations --update-golden

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/fairness.py
	$(BIN)/python bench/run.py

docs: $(VENV)/.installed-site
	$(BIN)/mkdocs build --strict -f guide/mkdocs.yml -d $(CURDIR)/guide/site

serve: $(VENV)/.installed-site
	$(BIN)/rota serve

clean:
	rm -rf site guide/site $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules
