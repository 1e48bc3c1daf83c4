# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export CIKLAS_ENVIRONMENT ?= development

.PHONY: install run serve migrate demo test test-sqlite lint openapi openapi-check bench docker-lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python -m api migrate

demo: migrate
	$(BIN)/python -m api demo

run: demo
	$(BIN)/python -m api serve --host 127.0.0.1 --port 8000

# The whole suite on SQLite and PostgreSQL (PostgreSQL is skipped when unreachable, unless
# CIKLAS_TEST_REQUIRE_POSTGRES=1, as .ci/run sets).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-sqlite: install
	$(BIN)/python -m pytest -k "not postgresql" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check api tests bench
	$(BIN)/ruff format --check api tests bench alembic
	$(BIN)/hadolint Dockerfile

openapi: install
	$(BIN)/python -m api openapi

openapi-check: install
	$(BIN)/python -m api openapi --check

bench: install
	$(BIN)/python -m bench.run

docker-lint: install
	$(BIN)/hadolint Dockerfile

clean:
	rm -rf $(VENV) var/*.db var/*.db-wal var/*.db-shm .pytest_cache
