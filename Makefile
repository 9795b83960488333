# Ramtid: `make run` starts a demo on http://127.0.0.1:8000, `make test` runs the whole suite.
# Both set everything up themselves on a fresh Debian machine with Python 3.11.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# The lock files (README: "Dependencies and the lock file"): exact versions with hashes, written
# by `make lock` from pyproject.toml. production.txt has no extras (the Dockerfile installs it),
# dev.txt adds the dev extra (make run), test.txt the dev and test extras (make test, CI).
LOCK_PRODUCTION := requirements/production.txt
LOCK_DEV := requirements/dev.txt
LOCK_TEST := requirements/test.txt
# Generated once by `make run` and kept in .run/ (never committed): signs the demo's sessions.
SECRET_KEY_FILE := .run/secret_key
# `make run` runs as production does (debug off, static files collected and served by WhiteNoise
# with the manifest storage, Swedish error pages), with the development values of the variables
# that docker-compose.yml sets: plain HTTP on 127.0.0.1, Celery tasks run in the process, e-mail
# printed on the console, and RAMTID_DEMO=1, without which load_demo refuses to run.
RUN_ENV := DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
	DJANGO_SECRET_KEY="$$(cat $(SECRET_KEY_FILE))" CELERY_TASK_ALWAYS_EAGER=1 \
	DJANGO_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend RAMTID_DEMO=1 \
	RAMTID_SITE_URL=http://127.0.0.1:8000
TEST_ENV := DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_SECRET_KEY=test-only-not-a-secret \
	DJANGO_ALLOWED_HOSTS=testserver,127.0.0.1,localhost
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench lint format lock install install-test system-deps system-test-deps clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Installerar python3-venv från Debian"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv && \
		$(PYTHON) -m venv $(VENV); }
	$(PIP) install --quiet --upgrade pip

# The stamps depend on the lock they installed, so a changed lock is installed again. The project
# itself is not installed: it has no packages to install (pyproject.toml), the code runs from here.
$(VENV)/.installed: $(LOCK_DEV) $(VENV)/bin/activate
	$(PIP) install --quiet --require-hashes -r $(LOCK_DEV)
	touch $@

$(VENV)/.installed-test: $(LOCK_TEST) $(VENV)/bin/activate
	$(PIP) install --quiet --require-hashes -r $(LOCK_TEST)
	touch $@

# Writes the three lock files from pyproject.toml. Keeps the versions already locked where they
# still fit; `make lock PIP_COMPILE_ARGS=--upgrade` takes the newest that pyproject.toml allows,
# `PIP_COMPILE_ARGS="--upgrade-package django"` one package. Commit the three files together.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(PIP_COMPILE_ARGS)
lock: $(VENV)/.installed
	mkdir -p requirements
	$(PIP_COMPILE) --output-file $(LOCK_PRODUCTION) pyproject.toml
	$(PIP_COMPILE) --extra dev --output-file $(LOCK_DEV) pyproject.toml
	$(PIP_COMPILE) --extra dev --extra test --output-file $(LOCK_TEST) pyproject.toml

$(SECRET_KEY_FILE):
	mkdir -p $(@D)
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

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

run: install $(SECRET_KEY_FILE)
	$(RUN_ENV) $(PY) -m ramtid.devservices run -- sh -c '\
		$(PY) manage.py collectstatic --no-input -v0 && \
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

# The benchmarks at 20,000 clients (README "Benchmarks") against a PostgreSQL of their own in
# .run/bench/: the load data, with a month of visits as import files in .run/bench/visits/, is
# generated once and kept, and generated again when the generator's code, the seed or the size
# changes (BENCH_FRESH=1: anyway). First the follow-up's import and monthly check against their
# raw floor (tests/bench/followup.py), then the pages (tests/bench/scale.py), then the quick
# benchmarks of tests/bench/test_bench.py. BENCH_ARGS (the pages), e.g. "--rounds 50 --budget 30".
BENCH_DIR := .run/bench
BENCH_DATA := --stamp $(BENCH_DIR)/loaded.json --visits-dir $(BENCH_DIR)/visits
bench: install-test
	$(TEST_ENV) $(PY) -m ramtid.devservices run --pgdata $(BENCH_DIR)/pgdata --redis -- sh -c '\
		$(PY) manage.py collectstatic --no-input -v0 && \
		$(PY) -m tests.bench.followup $(BENCH_DATA) $(if $(BENCH_FRESH),--fresh) && \
		$(PY) -m tests.bench.scale $(BENCH_DATA) $(BENCH_ARGS) && \
		$(PY) -m pytest tests/bench/test_bench.py --benchmark-only \
			--benchmark-columns=min,median,max,rounds $(PYTEST_ARGS)'

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .run staticfiles
