# ossdesk — the two Quick start commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
ARGS ?=

.PHONY: run test lint bench install install-test lock clean-venv

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(PIP) install -r requirements-test.lock
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: install, migrate, seed the tiers and demo data, ensure an admin, serve on :8000 (ARGS=--no-demo)
run: install
	$(VENV)/bin/ossdesk run $(ARGS)

## make test: lint, then the whole suite (SQLite; PostgreSQL and Redis too when configured)
test: install-test lint
	$(PY) scripts/run_tests.py $(ARGS)

lint: install-test
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/ruff format --check src tests benchmarks scripts
	@# the layer order (tests/test_layers.py): plain Python, no Django, no plugins, about a second
	PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 $(PY) -m pytest tests/test_layers.py -q --noconftest -W ignore::pytest.PytestConfigWarning
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=ossdesk.config.settings OSSDESK_DATA_DIR=$$(mktemp -d) $(PY) -m django makemigrations --check --dry-run

bench: install-test
	$(PY) benchmarks/run.py $(ARGS)

## make lock: re-pin requirements*.lock from pyproject.toml
lock: install-test
	$(PIP) install pip-tools
	$(VENV)/bin/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(VENV)/bin/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links --extra test -o requirements-test.lock pyproject.toml

clean-venv:
	rm -rf $(VENV)
