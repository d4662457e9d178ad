# crossroads: two commands do everything on a fresh machine.
#   make run   -> create .venv, install with every extra (web, dask), compile the numba kernels
#                 ahead, run the main analysis on the built-in scenario
#   make test  -> the same install plus the test tools, then the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint format bench clean

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

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(VENV)/.installed-test
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(VENV)/.installed
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
