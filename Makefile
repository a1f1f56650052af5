# Two commands for a fresh machine (only python3 and make needed):
#   make run    – create .venv, install the suite, register its Jupyter kernel, run the main job
#   make test   – the same install plus test extras, then the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: run test install install-test bench data check clean

run: install
	$(BIN)/regiopol data check
	$(BIN)/regiopol regions
	$(BIN)/regiopol run
	@echo "Berichte: $(CURDIR)/outputs/index.html"

test: install-test
	$(BIN)/python -m pytest

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name regiopol --display-name "Python (regiopol)" > /dev/null
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e '.[test]'
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || echo "warning: chromium not installed; browser tests will be skipped (install Debian package chromium)"
	touch $@

# Rebuild data/ from the official raw files (../shared/data/raw or REGIOPOL_RAW_DIR).
data: install
	$(BIN)/regiopol data build

check: install
	$(BIN)/regiopol data check

bench: install
	$(BIN)/python benchmarks/bench_data_load.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_module1.py
	$(BIN)/python benchmarks/bench_projection.py
	$(BIN)/python benchmarks/bench_backtest.py

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache
