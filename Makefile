# Two commands a newcomer needs: `make demo` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Scripts (jlpm, jupyter) call each other by name: the venv's bin must come first on PATH.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup demo test test-python test-js lint browser bench clean

# The virtual environment with the package (editable), its test extras and the built labextension.
$(STAMP): pyproject.toml localmesh/pyproject.toml labextension/package.json tests/deploy/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The product (with its test tools) and, beside it, the local mesh distribution.
	# A development build leaves install.json in the build folder; the wheel maps the source's
	# copy to the same place, so a second `make setup` would fail on the duplicate.
	rm -f cs3_jupyter/labextension/install.json
	$(BIN)/python -m pip install --quiet -e ".[test]" -e ./localmesh
	$(BIN)/jupyter-builder develop --overwrite .
	cd labextension && ../$(BIN)/jlpm install --immutable
	npm ci --prefix tests/deploy --no-audit --no-fund  # configurable-http-proxy for the hub test
	touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium first: sudo apt-get install chromium" >&2; exit 1; fi; }

# JupyterLab against a local mesh of two EFSS sites, logged in as the first demo user.
demo: setup
	$(BIN)/python -m cs3_localmesh.demo

lint: setup
	$(BIN)/ruff check cs3_jupyter localmesh tests benchmarks examples
	$(BIN)/ruff format --check cs3_jupyter localmesh tests benchmarks examples
	$(BIN)/lint-imports  # the layer rules in pyproject.toml [tool.importlinter]
	$(BIN)/mypy          # both distributions, settings in pyproject.toml [tool.mypy]
	cd labextension && ../$(BIN)/jlpm lint:check

test-js: setup
	cd labextension && ../$(BIN)/jlpm test

test-python: setup browser
	$(BIN)/python -m pytest

# The performance benchmark: ours vs the raw-WebDAV floor, jupyter-fs and local disk,
# at an emulated 20 ms round trip; a few minutes. Results: benchmarks/README.md.
# The peers it compares with (jupyter-fs, webdav4) come from the `bench` extra, installed once.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	rm -f cs3_jupyter/labextension/install.json  # as in setup: the wheel maps its own copy
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/jupyter-builder develop --overwrite .
	$(BIN)/jupyter labextension disable --level=sys_prefix jupyter-fs >/dev/null  # its UI is not ours
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# The one command that runs every check CI runs.
test: lint test-js test-python

clean:
	rm -rf $(VENV) labextension/node_modules tests/deploy/node_modules labextension/lib cs3_jupyter/labextension
