# ictdb: set up, run the demo node, test, lint and benchmark.
#   make run    create the virtual environment, load the demo node into the embedded database, serve it
#   make test   install the test tools and run the whole suite
# Override PYTHON or UV on the command line if they are not the ones on PATH.

PYTHON ?= python3
UV ?= $(shell command -v uv 2>/dev/null)
ifeq ($(strip $(UV)),)
UV := $(PYTHON) -m uv
endif

VENV := .venv
BIN := $(VENV)/bin
ICTDB := $(BIN)/ictdb
STAMP := $(VENV)/.installed
# An agency of the demo node: when the database lists it, the demo is loaded already.
DEMO_AGENCY := IQ-CTS
DEMO_DIR := data
# The real UN list is loaded beside the demo records when the shared reference data is there.
UN_LIST := ../shared/data/sanctions/un/consolidated.xml
HOST ?= 127.0.0.1
PORT ?= 8000
BENCHMARKS := ingest screening import api alerts resolution

.DEFAULT_GOAL := help
.PHONY: help venv install run test lint clean distclean $(addprefix bench-,$(BENCHMARKS))

help:
	@echo "make run        install, load the demo node into the default database and serve it"
	@echo "make test       install and run the whole test suite"
	@echo "make lint       ruff, ruff format --check, mypy and the import contract"
	@echo "make bench-NAME one of: $(BENCHMARKS) (runs benchmarks/NAME.py)"
	@echo "make clean      remove caches and benchmark output; distclean also removes $(VENV)"

venv install: $(STAMP)

# Re-sync only when the dependencies change; uv keeps the environment exactly as the lock file says.
$(STAMP): pyproject.toml uv.lock setup.py src/ictdb/matching/_align.c
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv \
		|| $(PYTHON) -m pip install --quiet --user --break-system-packages uv
	$(UV) sync --locked --all-groups --compile-bytecode
	@# Cached bytecode for our own modules too: where PYTHONDONTWRITEBYTECODE is set, Python would otherwise
	@# compile every module on every start of the ictdb command.
	$(BIN)/python -m compileall -q src
	@touch $@

run: install
	@mkdir -p $(DEMO_DIR)
	@if $(ICTDB) --json agency list 2>/dev/null | grep -q '"$(DEMO_AGENCY)"'; then \
		echo "The demo node is already loaded. Users and passwords:"; \
		$(BIN)/python -c 'import sys; from ictdb.services.demo_data import build_demo; demo = build_demo(); \
			open(sys.argv[1], "w").write(demo.manifest_csv); [print(f"  {u:24} {p}") for u, p in demo.passwords.items()]' \
			$(DEMO_DIR)/demo-manifest.csv; \
		echo "flight manifest to screen: $(DEMO_DIR)/demo-manifest.csv"; \
	else \
		$(ICTDB) demo $(if $(wildcard $(UN_LIST)),--un-list $(UN_LIST)) --manifest $(DEMO_DIR)/demo-manifest.csv; \
	fi
	@if $(ICTDB) serve --help >/dev/null 2>&1; then \
		exec $(ICTDB) serve --host $(HOST) --port $(PORT); \
	else \
		echo "Explore it with: $(ICTDB) --as $(DEMO_AGENCY) record list"; \
	fi

test: install
	$(BIN)/pytest -q -n auto

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/lint-imports

$(addprefix bench-,$(BENCHMARKS)): bench-%: install
	$(BIN)/python benchmarks/$*.py

clean:
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis benchmarks/out build dist
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
