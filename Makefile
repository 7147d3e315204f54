# One virtualenv for everything; targets install what they need into it.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-dev

.PHONY: venv lint typecheck test run bench bench-orchestration docs clean gen check-gen buf-lint

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP) buf-lint check-gen
	$(BIN)/ruff check scanrules_server scanrules_client tests bench scripts
	$(BIN)/ruff format --check scanrules_server scanrules_client tests bench scripts
	$(BIN)/mypy

test: $(STAMP) node_modules/.bin/buf
	$(BIN)/pytest -q

# The service on its embedded default (SQLite file ./scanrules.db, migrated and seeded on first start).
run: $(STAMP)
	$(BIN)/scanrules serve

bench-orchestration: $(STAMP)
	$(BIN)/python bench/orchestration.py

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/connectors.py
	$(BIN)/python bench/orchestration.py

docs: $(STAMP)
	$(BIN)/python scripts/gen_classifications_doc.py

# Protobuf contract: protos/scanrules/v1 -> generated/ (committed); buf comes from npm.
NODE_BIN := node_modules/.bin

$(NODE_BIN)/buf:
	npm ci --no-audit --no-fund

gen: $(STAMP)
	$(BIN)/python scripts/gen_protos.py

check-gen: $(STAMP)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN)/python scripts/gen_protos.py --out "$$tmp" && \
	if ! diff -r -x __pycache__ "$$tmp" generated; then \
		echo "generated/ is out of date with protos/: run 'make gen' and commit the result" >&2; \
		exit 1; \
	fi

buf-lint: $(NODE_BIN)/buf
	npx --no-install buf lint
	npx --no-install buf build -o /dev/null

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
