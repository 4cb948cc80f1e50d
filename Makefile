# Two entry points (see README): `make demo` builds the shipped data into the embedded store and
# shows what it holds; `make test` installs what the tests need and runs the whole test suite.
# `make test-floors` (not run by CI) runs the suite with every dependency at its declared floor.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
FLOORS_VENV ?= .venv-floors
SYSTEM_DEPS = chromium virtuoso-opensource libapache-jena-java default-jre-headless

.PHONY: demo test setup lint bench screenshots test-floors

$(BIN)/repnet: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/repnet

setup: $(BIN)/repnet

demo: setup
	$(BIN)/repnet build
	$(BIN)/repnet stats

# ruff and mypy (rules in pyproject.toml). mypy reads the package as installed: `repnet` is the
# repository root, so it is given a folder holding a `repnet` link to the checkout.
lint: setup
	$(BIN)/ruff check .
	mkdir -p $(VENV)/mypy-path && ln -sfn "$(CURDIR)" $(VENV)/mypy-path/repnet
	MYPYPATH=$(VENV)/mypy-path $(BIN)/mypy

test: setup lint
	bash .ci/system-deps $(SYSTEM_DEPS)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The README's pictures (graph/viz/screenshots/*.png): the Belarus data built into a temporary store,
# the explorer page screenshotted in headless Chromium, the overview from `repnet viz --overview`.
screenshots: setup
	bash .ci/system-deps chromium
	$(BIN)/python graph/viz/screenshots/make.py

# The benchmark suite (tests/benchmarks, outside the runtime package): ratios against plain rdflib
# and raw Oxigraph on the same data in one run. BENCH_ARGS e.g. "--sizes belarus,10000 --repeat 3".
bench: setup
	$(BIN)/python -m tests.benchmarks.suite $(BENCH_ARGS)

# A fresh venv with the floors of pyproject.toml pinned (.ci/floors.py writes the constraints).
# Old rdflib and matplotlib call pyparsing names that pyparsing 3.3 deprecates: those warnings
# (not failures of repnet's) are ignored here; the suite's other warnings stay errors.
test-floors:
	rm -rf $(FLOORS_VENV)
	$(PY) -m venv $(FLOORS_VENV)
	$(FLOORS_VENV)/bin/pip install -q --upgrade pip
	$(PY) .ci/floors.py > $(FLOORS_VENV)/floors.txt
	$(FLOORS_VENV)/bin/pip install -q -c $(FLOORS_VENV)/floors.txt -e '.[test]'
	bash .ci/system-deps $(SYSTEM_DEPS)
	$(FLOORS_VENV)/bin/python -m pytest -W ignore::pyparsing.warnings.PyparsingDeprecationWarning $(PYTEST_ARGS)
