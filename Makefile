# Centric — the two set-up commands are `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8000
CUSTOMERS ?= 3000
DB     ?= sqlite:///var/demo.db

.PHONY: demo test install services lint check bench clean

$(BIN)/centric: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/centric

install: $(BIN)/centric

## Install, build the demo company in an embedded SQLite database and serve it on localhost.
demo: install
	mkdir -p var
	CENTRIC_DATABASE_URL=$(DB) $(BIN)/centric demo --customers $(CUSTOMERS) --port $(PORT)

## Install, check style, types and layers, and run the whole test suite
## (SQLite, PostgreSQL, Redis, RabbitMQ, Chromium).
test: check
	bash scripts/test-services.sh
	$(BIN)/python -m pytest -q

## Lint (ruff), types (mypy) and the import-layer contract (.importlinter).
check: install
	$(BIN)/ruff check centric tests bench
	$(BIN)/mypy centric
	$(BIN)/lint-imports

lint: check

bench: install
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_dashboard.py

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
