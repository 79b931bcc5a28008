# The two commands of the README: `make demo` and `make test`.
UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")

.PHONY: setup test-deps demo test lint bench

setup:
	@command -v uv >/dev/null 2>&1 || test -x "$(UV)" || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv
	$(UV) sync --frozen

# PostgreSQL, LibreOffice, CJK fonts and poppler, installed when missing (scripts/install-test-deps).
test-deps:
	scripts/install-test-deps

demo: setup
	$(UV) run shujian demo demo-workspace

test: setup test-deps
	$(UV) run ruff check src tests bench
	$(UV) run mypy src
	$(UV) run pytest -q -n 2

lint: setup
	$(UV) run ruff check src tests bench
	$(UV) run ruff format --check src tests bench
	$(UV) run mypy src

bench: setup
	$(UV) run python bench/run.py
