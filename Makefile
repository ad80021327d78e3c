# The two set-up commands of the README are `make run` and `make test`; both work on a fresh machine
# with Python >= 3.11: they create .venv, install what they need from this repo's pyproject.toml, then
# run the main job (`polaris serve --demo` on http://127.0.0.1:8000) or the whole test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test lint typecheck bench mutation clean

$(BIN)/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"

$(VENV)/.installed-run: pyproject.toml | $(BIN)/pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/pip
	$(BIN)/pip install --quiet -e . --group dev
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/polaris serve --demo

test: $(VENV)/.installed-dev
	$(BIN)/pytest -n auto $(PYTEST_ARGS)
	$(BIN)/pytest -q -p no:xdist -o addopts="" --doctest-modules src --ignore=src/polaris/store/migrations

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy --strict src

# Small variants of every benchmark (the full ones take minutes each; see docs/benchmarks.md).
bench: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -e . --group bench
	$(BIN)/python benchmarks/semver_bench.py --quick
	$(BIN)/python benchmarks/resolver_bench.py --quick
	$(BIN)/python benchmarks/migrations_bench.py --count 100 --repeat 1
	$(BIN)/python benchmarks/api_diff_bench.py --repeat 1
	$(BIN)/python benchmarks/changelog_bench.py --commits 2000 --repeat 1
	$(BIN)/python benchmarks/governance_bench.py --requests 10

# Mutation testing of the pure rules (slow: tens of minutes; not part of `make test`). Scope and
# test selection: [tool.mutmut] in pyproject.toml; MUTANTS narrows a run, e.g.
# `make mutation MUTANTS='polaris.commits.bump*'`. Results: docs/testing.md.
MUTANTS ?=
mutation: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -e . --group mutation
	env -u PYTHONPATH $(BIN)/mutmut run $(MUTANTS)
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) mutants .pytest_cache .mypy_cache .ruff_cache
