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

.PHONY: run test bench lint format install install-test system-deps system-test-deps clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Installerar python3-venv från Debian"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv && \
		$(PYTHON) -m venv $(VENV); }
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(VENV)/bin/activate
	$(PIP) install --quiet -e ".[dev]"
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e ".[dev,test]"
	touch $@

install: $(VENV)/.installed system-deps

install-test: $(VENV)/.installed-test system-deps system-test-deps

# Installs Debian packages by name when what they provide is missing.
define apt_install_missing
	@if [ -n "$(strip $(1))" ]; then \
		echo "Installerar från Debian: $(strip $(1))"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(1); \
	fi
endef

# The fonts and libraries WeasyPrint draws PDFs with.
system-deps:
	$(call apt_install_missing,$(shell \
		fc-list 2>/dev/null | grep -qi dejavu || echo fonts-dejavu-core; \
		ldconfig -p | grep -q libpango-1.0 || echo libpango-1.0-0; \
		ldconfig -p | grep -q libpangoft2-1.0 || echo libpangoft2-1.0-0; \
		ldconfig -p | grep -q libharfbuzz-subset || echo libharfbuzz-subset0))

# Redis for the broker and Chromium for the browser tests.
system-test-deps:
	$(call apt_install_missing,$(shell \
		command -v redis-server >/dev/null 2>&1 || echo redis-server; \
		[ -x /usr/bin/chromium ] || echo chromium))

run: install
	$(DEV_ENV) $(PY) -m ramtid.devservices run -- sh -c '\
		$(PY) manage.py migrate --no-input && \
		$(PY) manage.py load_demo && \
		$(PY) manage.py runserver 127.0.0.1:8000'

test: install-test
	$(TEST_ENV) $(PY) -m ramtid.devservices run --throwaway-db --redis -- sh -c '\
		$(PY) manage.py collectstatic --no-input -v0 && \
		$(PY) manage.py makemigrations --check --dry-run && \
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
