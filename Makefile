# confbot: a newcomer needs two targets, `make run` and `make test`.
# Everything else here is a convenience for developers.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Every dependency comes from a lock with hashes (see the README's "Lock files"); confbot
# itself is then installed without resolving anything. A stamp is rebuilt when its lock
# changes, so a stale venv is refreshed.
LOCK_RUN   := infra/lock/runtime.txt
LOCK_TEST  := infra/lock/test.txt
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
# pip, not its wrapper: --no-build-isolation builds confbot with the locked setuptools.
INSTALL      := $(BIN)/python -m pip install --quiet --require-hashes --no-deps -r
INSTALL_SELF := $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .

.PHONY: run test lint lock lock-check typecheck layering unit bench clean

run: lock-check $(STAMP_RUN)
	$(BIN)/confbot serve

test: lock-check $(STAMP_TEST) lint
	$(BIN)/pytest -q

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP_RUN): $(LOCK_RUN) pyproject.toml | $(VENV)/bin/python
	$(INSTALL) $(LOCK_RUN)
	$(INSTALL_SELF)
	@touch $@

$(STAMP_TEST): $(LOCK_TEST) pyproject.toml | $(VENV)/bin/python
	$(INSTALL) $(LOCK_TEST)
	$(INSTALL_SELF)
	@touch $@ $(STAMP_RUN)

# Fails, saying to run `make lock`, when pyproject.toml's dependencies changed without a
# relock. Standard library only, so it runs before anything is installed.
lock-check:
	@$(PYTHON) infra/lockfile.py check

# Relock, keeping every version that still fits. `make lock LOCK_ARGS=--upgrade` moves
# everything to its newest release; `LOCK_ARGS='--upgrade-package aiohttp'` just one.
lock: | $(VENV)/bin/python
	$(INSTALL) $(LOCK_TEST)
	$(BIN)/python infra/lockfile.py lock $(LOCK_ARGS)

lint: lock-check $(STAMP_TEST)
	$(BIN)/ruff check bot graph tests
	$(BIN)/ruff format --check bot graph tests
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP_TEST)
	@for b in tests/bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var/*.sqlite3 .mypy_cache .ruff_cache .pytest_cache
