# Tech Commissioner Portal: `make run` serves it with demo data, `make test` runs every test.
# Both set up what they need first and are safe to run again.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: run test setup setup-dev assets migrate seed lint check bench clean audit

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/build/.built: node_modules/.installed $(wildcard static/src/*)
	npm run build
	touch $@

assets: static/build/.built

setup: $(VENV)/.runtime assets
	mkdir -p var/staticfiles var/broker/queue var/broker/processed var/broker/results

setup-dev: $(VENV)/.dev assets
	mkdir -p var/staticfiles var/broker/queue var/broker/processed var/broker/results

migrate: setup
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Web server, one Celery worker and one beat, together; Ctrl-C stops all three.
run: seed
	$(VENV)/bin/honcho start -f Procfile

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/bandit -q -c pyproject.toml -r . --severity-level medium

# Known vulnerabilities in the pinned dependencies: needs https://pypi.org and https://api.osv.dev.
audit: setup-dev
	$(VENV)/bin/pip-audit -r requirements.txt -r requirements-dev.txt

# One test process per core (at most four), each with its own test database and Redis database;
# a file's tests stay together in one process.
test: setup-dev lint
	$(VENV)/bin/pytest --numprocesses=auto --maxprocesses=4 --dist=loadfile $(PYTEST_ARGS)

# Benchmarks print their figures; they need PostgreSQL (DATABASE_URL) and make a throwaway database.
# bench/web.py and bench/mixed_load.py also need Redis (REDIS_URL) and wrk (apt-get install wrk).
bench: setup-dev
	for script in bench/*.py; do [ "$$script" = bench/harness.py ] || [ "$$script" = bench/serving.py ] || BENCH_WEB_SCALE=large $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules static/build var
