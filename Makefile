# Two commands work on a fresh machine with only Python: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES := codemods migrator tests benchmarks scripts noxfile.py

.PHONY: demo test fuzz lint format clean bench bench-real

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/python -m pytest -q

# Benchmarks (minutes, not part of `make test`): see benchmarks/RESULTS.md.
BENCH_ARGS ?= --files 10000 --affected 0.05 --slow-files 200
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# The real backend (netra-systems/zen at bef25c1a) from a local git mirror, e.g.
# `make bench-real MIRROR=/work/.mirror/netra-systems+zen/repo`; minutes, not part of `make test`.
MIRROR ?=
BENCH_REAL_ARGS ?= --reps 3
bench-real: $(STAMP)
	@test -n "$(MIRROR)" || { echo "usage: make bench-real MIRROR=<git mirror of netra-systems/zen>"; exit 2; }
	$(BIN)/python benchmarks/real_backend.py "$(MIRROR)" $(BENCH_REAL_ARGS)

# The long tests: many Hypothesis examples, kills at every write, a 20,000-file repository.
fuzz: $(STAMP)
	MIGRATOR_HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -m "" tests/test_properties.py \
		tests/test_text_checks.py \
		tests/test_fast_analyzers.py \
		tests/test_touched_names.py \
		tests/test_reexport_precheck.py
	$(BIN)/python -m pytest -q -m slow tests/test_roundtrip.py tests/test_interrupts.py tests/test_load.py

lint: $(STAMP)
	$(BIN)/ruff check $(SOURCES)

format: $(STAMP)
	$(BIN)/ruff format $(SOURCES)

clean:
	rm -rf $(VENV) .demo
