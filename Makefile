# Two entry points (see README): `make demo` builds the shipped data into the embedded store and
# shows what it holds; `make test` installs what the tests need and runs the whole suite.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test setup lint bench screenshots

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
	bash .ci/system-deps chromium virtuoso-opensource libapache-jena-java default-jre-headless
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
