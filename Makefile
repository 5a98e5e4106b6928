# communard — make run (demo server) and make test (whole suite) on a fresh machine
# with Python 3.11+ and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= sqlite:///communard-demo.db
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test test-fast bench lint docs clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,peers]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/communard --db $(DB) demo
	$(BIN)/communard --db $(DB) serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check communard tests bench
	$(BIN)/ruff format --check communard tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy communard
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser"

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check communard tests bench
	$(BIN)/ruff format --check communard tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy communard

clean:
	rm -rf $(VENV) communard-demo.db* .pytest_cache
