# Ramtid: `make run` starts a demo on http://127.0.0.1:8000, `make test` runs the whole suite.
# Both set everything up themselves on a fresh Debian machine with Python 3.11.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Development values for the variables that docker-compose.yml sets in production.
DEV_ENV := DJANGO_DEBUG=1 DJANGO_HTTPS=0 CELERY_TASK_ALWAYS_EAGER=1
TEST_ENV := DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_SECRET_KEY=test-only-not-a-secret \
	DJANGO_ALLOWED_HOSTS=testserver,127.0.0.1,localhost
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench lint format check-deploy install install-test system-test-deps clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(VENV)/bin/activate
	$(PIP) install --quiet -e ".[dev]"
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e ".[dev,test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-test-deps

# Redis, Chromium and the fonts and libraries WeasyPrint draws with, from Debian, when missing.
system-test-deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	ldconfig -p | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
		echo "Installerar från Debian:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

run: install
	$(DEV_ENV) $(PY) -m ramtid.devservices run -- sh -c '\
		$(PY) manage.py migrate --no-input && \
		$(PY) manage.py load_demo && \
		$(PY) manage.py runserver 127.0.0.1:8000'

test: install-test
	$(TEST_ENV) $(PY) -m ramtid.devservices run --throwaway-db --redis -- sh -c '\
		$(PY) manage.py collectstatic --no-input -v0 && \
		$(PY) -m pytest --benchmark-disable $(PYTEST_ARGS)'
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install-test
	$(TEST_ENV) $(PY) -m ramtid.devservices run --throwaway-db --redis -- sh -c '\
		$(PY) manage.py collectstatic --no-input -v0 && \
		$(PY) -m pytest tests/bench --benchmark-only --benchmark-columns=min,median,max,rounds $(PYTEST_ARGS)'

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .run staticfiles
