# Image ML Lab — `make run` serves the app, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-fast bench load lint clean chromium

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed  ## serve the app at http://localhost:$(PORT)
	$(PY) -m streamlit run app.py --server.port $(PORT)

chromium:  ## Debian Chromium for the browser tests (never Playwright's own download)
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium missing: run 'sudo apt-get install -y chromium' for the browser tests"; fi; fi

test: $(VENV)/.installed chromium  ## lint, then every test: core, AppTest, browser
	$(PY) -m ruff check .
	$(PY) -m pytest

test-fast: $(VENV)/.installed  ## core and AppTest only
	$(PY) -m pytest tests/core tests/app

bench: $(VENV)/.installed  ## speed / memory / quality table
	$(PY) -m benchmarks

load: $(VENV)/.installed chromium  ## concurrent browser sessions against a local server
	$(PY) -m benchmarks.load

lint: $(VENV)/.installed
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
