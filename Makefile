# The two commands of the README: `make demo` and `make test`.
UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")

.PHONY: setup test-deps demo test lint bench

# Python packages from uv.lock; the web pages' htmx, ECharts and Leaflet from package-lock.json
# (npm), copied into the package's static folder (scripts/build-static).
setup:
	@command -v uv >/dev/null 2>&1 || test -x "$(UV)" || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode
	$(UV) run python -m compileall -q src
	scripts/build-static

# PostgreSQL, LibreOffice, CJK fonts, poppler and Chromium, installed when missing
# (scripts/install-test-deps).
test-deps:
	scripts/install-test-deps

# Builds the demonstration county, then serves it at http://127.0.0.1:8000 (Ctrl-C stops it).
demo: setup
	$(UV) run shujian demo demo-workspace --serve

# The tests run every model on Spark too (tests marked `spark`): pyspark is the `spark` extra,
# installed here only, so `make demo` and an ordinary install stay without it.
test: setup test-deps
	$(UV) sync --frozen --compile-bytecode --extra spark
	$(UV) run ruff check src tests bench
	$(UV) run mypy src
	$(UV) run pytest -q -n 2

lint: setup
	$(UV) run ruff check src tests bench
	$(UV) run ruff format --check src tests bench
	$(UV) run mypy src

bench: setup
	$(UV) run python bench/run.py
