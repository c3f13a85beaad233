# flchain: `make demo` and `make test` install everything they need first (idempotent:
# a second run installs nothing when package.json, package-lock.json and pyproject.toml
# are unchanged).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Hardhat 3 needs Node >= 22.13: the npm package `node` puts one in node_modules/.bin.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
# Several torch processes share 2 cores in tests and the demo: one thread each.
export OMP_NUM_THREADS ?= 1
SLITHER := $(VENV)/bin/slither . --hardhat-ignore-compile \
	--filter-paths "node_modules|contracts/test" --exclude-informational --exclude-low

.PHONY: setup build test test-solidity test-python slither demo lint bench clean

setup: $(VENV)/.installed node_modules/.installed .ipfs-cid-installed .chromium-installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch first, pinned, so the package's torch range installs nothing more.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	# Flower 1.42: a test-only reference for the aggregation rules. Installed without its
	# dependency pins (they would downgrade typer/rich/click), plus what its import needs.
	$(PY) -m pip install -q --no-deps flwr==1.42.0 iterators==0.0.2
	$(PY) -m pip install -q "protobuf>=5,<7" "grpcio>=1.70" cryptography
	touch $@

# Debian's ipfs_cid: an independent CID implementation the storage tests compare against.
.ipfs-cid-installed:
	command -v ipfs_cid >/dev/null || { apt-get update -qq && apt-get install -y -qq ipfs-cid; }
	touch $@

# Debian's Chromium: the browser the dashboard's end-to-end tests drive (Playwright cannot
# download its own here).
.chromium-installed:
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
	touch $@

build: setup
	hardhat build --quiet

test: build
	$(MAKE) --no-print-directory test-solidity slither test-python

test-solidity:
	hardhat test solidity

# Slither reads every build-info: drop those of earlier builds so no stale one is analysed.
slither: build
	$(PY) scripts/prune_build_info.py
	$(SLITHER)

test-python:
	$(PY) -m pytest -q

demo: build
	$(VENV)/bin/flchain demo

lint: build
	$(VENV)/bin/ruff check python tests bench migrations scripts
	$(VENV)/bin/ruff format --check python tests bench migrations scripts
	$(VENV)/bin/mypy
	$(MAKE) --no-print-directory slither

bench: build
	$(PY) bench/gas.py

clean:
	rm -rf artifacts cache .flchain out
