# flchain: `make demo` and `make test` install everything they need first (idempotent).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Hardhat 3 needs Node >= 22.13: the npm package `node` puts one in node_modules/.bin.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: setup build test test-solidity test-python demo lint bench clean

setup: $(VENV)/.installed node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch first, pinned, so the package's torch range installs nothing more.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

build: setup
	hardhat build --quiet

test: build
	$(MAKE) --no-print-directory test-solidity test-python

test-solidity:
	hardhat test solidity

test-python:
	$(PY) -m pytest -q

demo: build
	$(VENV)/bin/flchain demo

lint: build
	$(VENV)/bin/ruff check python tests bench
	$(VENV)/bin/ruff format --check python tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/slither . --hardhat-ignore-compile --filter-paths "node_modules|contracts/test" --exclude-informational --exclude-low

bench: build
	$(PY) bench/gas.py

clean:
	rm -rf artifacts cache .flchain
