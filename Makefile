# The two commands: `make run` (govwatch run + its feeds and Datasette, on the bundled
# watchlist) and `make test`.
# Both create .venv with Python 3.11 and install govwatch into it first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "govwatch needs Python >= 3.11: set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/govwatch run --config watchlist.toml

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist worksteal  # two workers (the suite waits on servers as much as on CPU); an idle one takes tests from the other

bench: $(STAMP)
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/history_queries.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/page_search.py
	$(BIN)/python bench/diff.py
	$(BIN)/python bench/scrapyd.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
