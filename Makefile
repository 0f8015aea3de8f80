# kpi-workbook: `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  /'

## setup: create .venv and install the package (editable) with its dev/test dependencies
setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

## browser: install Debian's headless Chromium when absent (needs root; otherwise browser tests skip)
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		echo "chromium: present"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "chromium: installing with apt-get"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; \
	else \
		echo "chromium: absent and not root; browser tests will be skipped"; \
	fi

## test: set everything up and run the whole test suite
test: setup browser
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## test-fast: run the suite without the slow tests
test-fast: setup
	$(PY) -m pytest -n 2 --dist loadgroup -m "not slow" $(PYTEST_ARGS)

## report: set everything up and run every job of reports.yml on the sample data
report: setup
	$(VENV)/bin/kpi-report run --all
	@echo "Reports: $(CURDIR)/reports/index.html"

## lint: ruff check and format check
lint: setup
	$(VENV)/bin/ruff check kpi_helpers tests benchmarks
	$(VENV)/bin/ruff format --check kpi_helpers tests benchmarks

## format: format the code with ruff
format: setup
	$(VENV)/bin/ruff format kpi_helpers tests benchmarks
	$(VENV)/bin/ruff check --fix kpi_helpers tests benchmarks

## benchmark: compute() vs hand-written DuckDB SQL on 10M rows (cached Parquet)
benchmark: setup
	$(PY) benchmarks/compute.py

## benchmark-reports: HTML report size and run time on 10k and 1M rows (sizes stay bounded)
benchmark-reports: setup
	$(PY) benchmarks/report_size.py

## benchmark-load: load_interactions of a messy 100k/1M-row CSV export vs pandas/duckdb read_csv (time, peak RSS)
benchmark-load: setup
	$(PY) benchmarks/load.py

## benchmark-import: start-up time of `import kpi_helpers` and `kpi-report --help` (median of 5, vs bare python)
benchmark-import: setup
	$(PY) benchmarks/import_time.py

## sample: regenerate the committed sample data in data/sample/
sample: setup
	$(PY) -m kpi_helpers.sample --write

## strip: strip outputs from the notebooks (keeps golden cells)
strip: setup
	$(PY) -m kpi_helpers.notebook_tools strip notebooks/*.ipynb

## golden: re-run the notebooks and store their new golden (nbval-checked) outputs
golden: setup
	$(PY) -m kpi_helpers.notebook_tools refresh notebooks/*.ipynb

## clean: remove the virtual environment, caches and generated reports
clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .hypothesis benchmarks/.cache

.PHONY: help setup browser test test-fast report lint format benchmark benchmark-reports benchmark-load benchmark-import sample strip golden clean
