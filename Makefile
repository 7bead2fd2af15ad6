# Hartslag: every command a new machine needs. `make test` and `make demo` set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test check lint format demo docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# PyTorch first, pinned to the CPU build: an unpinned torch (asked for by sentence-transformers) pulls a CUDA build of GBs.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

setup: $(STAMP)
	@bash .ci/system-deps

test: setup
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q

# The hub with a year of generated demo signals (never downloaded); HARTSLAG_DATA and HARTSLAG_PORT override the
# folder (emptied at each start, only when the demo made it) and the port. Keeps serving until Ctrl-C.
demo: setup
	HF_HUB_OFFLINE=1 $(BIN)/hartslag demo --data "$${HARTSLAG_DATA:-.demo}" --port "$${HARTSLAG_PORT:-8000}"

check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: setup
	$(BIN)/hartslag schema docs --out docs/standard

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
