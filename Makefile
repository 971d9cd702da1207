# lrsearch — `make run` builds the index of the shipped corpus and serves it; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INDEX  ?= data/index

.DEFAULT_GOAL := help
.PHONY: help install test lint run bench bench-scale index stress clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 10

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

CHROMIUM := /usr/bin/chromium

# The browser tests drive Debian's Chromium through Playwright (never a downloaded browser); a small CJK font
# makes the screenshots readable. Installing needs root, as on CI.
$(CHROMIUM):
	apt-get update -q && apt-get install -y -q chromium fonts-wqy-microhei

AXE := node_modules/axe-core/axe.min.js

# axe-core, the accessibility checker the end-to-end tests run on every page, from the npm registry (pinned).
$(AXE):
	npm install --no-save --no-audit --no-fund --prefix . axe-core@4.10.2

WRK := /usr/bin/wrk

# The load figures (the bench, and R18 in the slow tier) come from Debian's wrk, a real load generator.
$(WRK):
	apt-get update -q && apt-get install -y -q wrk

install: $(STAMP)  ## create .venv and install the project with its test tools

test: $(STAMP) $(CHROMIUM) $(AXE)  ## run the test suite (unit, search, web, and end-to-end in headless Chromium)
	$(BIN)/pytest -q -m 'not slow'

stress: $(STAMP) $(WRK)  ## run the slow reliability tests
	$(BIN)/pytest -q -m slow

lint: $(STAMP)  ## ruff over the code, and the import contracts between the parts (ARCHITECTURE.md)
	$(BIN)/ruff check indexer search_app tests
	$(BIN)/lint-imports --no-cache

index: $(STAMP)  ## build the index of the shipped corpus into $(INDEX)
	$(BIN)/lrsearch ingest corpus --index $(INDEX)

run: $(STAMP)  ## index corpus/ (unchanged files skipped; an index of an older version rebuilt), then serve on http://127.0.0.1:5000
	$(BIN)/lrsearch ingest corpus --index $(INDEX)
	$(BIN)/lrsearch serve --index $(INDEX)

bench: $(STAMP) $(WRK)  ## build synthetic corpora of 15k and 150k passages, beside the textbook baseline
	$(BIN)/python -m tests.tools.bench

bench-scale: $(STAMP) $(WRK)  ## build 1.5 million passages (no baseline): build, memory, size, queries, one report added
	$(BIN)/python -m tests.tools.bench --sizes 1500000 --no-baseline

clean:  ## remove the venv, built data and caches
	rm -rf $(VENV) data node_modules .pytest_cache .hypothesis
