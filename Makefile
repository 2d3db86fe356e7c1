# OrderGuard: two commands do all the set-up.
#   make demo   set up and run the app on its embedded default (SQLite, no servers, the local sandbox)
#   make test   set up and run the whole test suite
#   (make test-fast runs the fast tier only: no live server, worker or browser; about a minute)
# Both are idempotent: the virtual environment is rebuilt only when the requirements change.

PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt .python-version | cksum | cut -d' ' -f1)

.PHONY: install demo test test-fast lint bench

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt .python-version
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "OrderGuard needs Python 3.12 or newer (see .python-version)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

demo: install
	ORDERGUARD_ENV=demo $(PY) manage.py rundemo $(DEMO_ARGS)

# The layering contract (.importlinter) first: a broken layer fails before any test runs.
lint: install
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

test: lint
	ORDERGUARD_ENV=test $(PY) -m pytest $(PYTEST_ARGS)

# The markers are added by tests/conftest.py from what each test uses.
test-fast: lint
	ORDERGUARD_ENV=test $(PY) -m pytest -m "not e2e and not worker and not browser" $(PYTEST_ARGS)
