# One virtualenv for everything; targets install what they need into it.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-dev

.PHONY: venv lint typecheck test run bench docs clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check scanrules_server tests bench scripts
	$(BIN)/ruff format --check scanrules_server tests bench scripts
	$(BIN)/mypy

test: $(STAMP)
	$(BIN)/pytest -q

# The service itself lands with the foundation issue; until then `run` scans the bundled example data.
run: $(STAMP)
	$(BIN)/scanrules scan examples/ --format table

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/engine.py

docs: $(STAMP)
	$(BIN)/python scripts/gen_classifications_doc.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
