# crossroads: two commands do everything on a fresh machine.
#   make run   -> create .venv, install with every extra (web, dask), compile the numba kernels
#                 ahead, run the main analysis on the built-in scenario
#   make test  -> the same install plus the test and docs tools, the whole suite, the docs site
#   make docs  -> regenerate docs/ (cog) and build the site to site/
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint format bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[all]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[all,test]"
	touch $(VENV)/.installed $@

# `crossroads compile` fills numba's on-disk cache of every kernel not cached yet (about 35 s
# after a fresh install or a kernel change, instant otherwise), so the first analysis does not stall
run: $(VENV)/.installed
	$(BIN)/crossroads compile
	$(BIN)/crossroads run

test: $(VENV)/.installed-test
	bash scripts/test-prereqs.sh
	$(BIN)/crossroads compile
	$(BIN)/python -m pytest -q
	PYTHONPATH=src $(BIN)/mkdocs build --strict

# regenerate the generated parts of docs/ (field and CLI references, command output), then build
docs: $(VENV)/.installed-test
	PYTHONPATH=src $(BIN)/python -m cogapp -r -I scripts $$(grep -rl '\[\[\[cog' docs README.md)
	PYTHONPATH=src $(BIN)/mkdocs build --strict

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(VENV)/.installed-test
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(VENV)/.installed
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist site src/*.egg-info .pytest_cache
