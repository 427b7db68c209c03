# confbot: a newcomer needs two targets, `make run` and `make test`.
# Everything else here is a convenience for developers.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The stamp is rebuilt whenever pyproject.toml changes, so a stale venv is refreshed.
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test lint typecheck layering unit bench clean

run: $(STAMP_RUN)
	$(BIN)/confbot serve

test: $(STAMP_TEST) lint
	$(BIN)/pytest -q

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(STAMP_TEST): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(STAMP_RUN)

lint: $(STAMP_TEST)
	$(BIN)/ruff check bot graph tests
	$(BIN)/ruff format --check bot graph tests
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP_TEST)
	@for b in tests/bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var/*.sqlite3 .mypy_cache .ruff_cache .pytest_cache
