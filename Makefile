# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench faults venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt test-requirements.txt lab/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r test-requirements.txt -e lab
	touch $@

demo: venv
	$(BIN)/python scripts/demo.py

test: venv
	scripts/test.sh

# Not a test: prints what the modules cost on a lab fleet (docs/performance.md).
bench: venv
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# Not a test either: the Targets of issue 10 under faults, minutes long (docs/faults.md).
faults: venv
	$(BIN)/python scripts/fault_soak.py $(FAULTS_ARGS)

clean:
	rm -rf $(VENV) build .pytest_cache
