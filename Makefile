# `make tour` and `make test` each bootstrap .venv (idempotently) and then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?= -n 2
ARGS ?=

.PHONY: tour tour-screenshot test lint bench clean-venv

# Re-install only when the project metadata changed (or the venv is new).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# make tour ARGS=--quick (about a third of the time); ARGS="--out runs/my-tour" names the folder
tour: $(STAMP)
	$(BIN)/paradigms tour $(ARGS)

# the newest tour report rendered by headless Chromium (apt install chromium): report.png
tour-screenshot: $(STAMP)
	$(BIN)/python -m paradigms.report.screenshot "$$(ls -td runs/tour-*/ | head -1)report.html"

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check paradigms tests tutorials benchmarks

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python benchmarks/supervised.py
	$(BIN)/python benchmarks/unsupervised.py
	$(BIN)/python benchmarks/anomaly.py
	$(BIN)/python benchmarks/transfer.py
	$(BIN)/python benchmarks/pretrained.py
	$(BIN)/python benchmarks/pretrained_rl.py
	$(BIN)/python benchmarks/reinforcement.py
	$(BIN)/python benchmarks/atari.py
	$(BIN)/python benchmarks/frozen_rl.py
	$(BIN)/python benchmarks/unseen_envs.py
	$(BIN)/python benchmarks/interpretation.py
	$(BIN)/python benchmarks/scaling.py
	$(BIN)/python benchmarks/onnx_export.py
	$(BIN)/python benchmarks/tuning.py
	$(BIN)/python benchmarks/sb3_files.py

clean-venv:
	rm -rf $(VENV)
