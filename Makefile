# Two commands do everything: `make serve` (set up, build, serve at http://127.0.0.1:8000/) and
# `make test` (set up, build, run every test, browser tests included).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYODIDE_VENV := .venv-pyodide
PORT ?= 8000
export NO_MKDOCS_2_WARNING := 1
export SITE_URL ?= http://127.0.0.1:$(PORT)/

.PHONY: serve test build install site clean

serve: install
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:$(PORT) --livereload

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

build site: install
	$(PY) -m hooks.runtime.wheel
	$(PY) -m mkdocs build --strict

install: $(VENV)/.installed node_modules/.installed $(PYODIDE_VENV)/.installed

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Optional: pyodide-build needs Python >= 3.12; without one the build says what it skipped.
$(PYODIDE_VENV)/.installed: requirements-pyodide.txt
	@py312=$$(scripts/find-python312.sh); \
	if [ -z "$$py312" ]; then \
	  echo "skipped: pyodide-build (no Python >= 3.12 found); the site will load the wheel by URL"; \
	else \
	  $$py312 -m venv $(PYODIDE_VENV) && \
	  $(PYODIDE_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-pyodide.txt && \
	  touch $@ || echo "skipped: pyodide-build could not be installed; the site will load the wheel by URL"; \
	fi

clean:
	rm -rf site build $(VENV) $(PYODIDE_VENV) node_modules
