# ejournal: `make run` serves the demo school, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := chromium poppler-utils fonts-paratype fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.PHONY: run test install system-deps lint load seed bench serve worker beat clean-db backup restore-drill

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Debian packages: Chromium for the browser tests, fonts and Pango for WeasyPrint's PDFs (run as root).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The server starts as soon as this year's demo school is in; last year (kept, closed, promoted), its archive and a
# backup are built in the background meanwhile (seed_demo_past, log in demo-past.log; the archive page shows progress).
run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo --if-empty
	@echo "Прошлый учебный год, архив и резервная копия строятся в фоне (журнал: demo-past.log)."
	DEBUG=true $(BIN)/python manage.py seed_demo_past > demo-past.log 2>&1 &
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

# The suite in parallel processes (pytest-xdist, one per core: `auto`); each has its own test database.
# `make test PYTEST_WORKERS=0` runs it in one process; PYTEST_ARGS adds options (`PYTEST_ARGS="-m browser -x"`).
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# ruff, and the import contracts of pyproject.toml (the apps are layers; docs/architecture.md).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The load test of the real stack (bench/load/run.py): gunicorn -w 2 (ejournal/gunicorn.py) on PostgreSQL, a Celery
# worker on Redis (db 8), each endpoint's CPU alone, then Locust replaying a school morning twice per scenario (the
# capacity without pauses; the latency at an offered rate), every acknowledged write looked up in the database.
# LOAD_ARGS adds options (`make load LOAD_ARGS="--scenario saves --duration 30 --pgbouncer"`).
LOAD_ARGS ?=
load: install
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

seed: install
	DEBUG=true $(BIN)/python manage.py seed_demo

bench: install
	DEBUG=true $(BIN)/python bench/seed_demo.py

# The production path: the web processes (gunicorn with ejournal/gunicorn.py: 2 workers a core, keep-alive, the app
# preloaded and frozen for the garbage collector; docs/operations.md), a Celery worker and one beat (needs REDIS_URL).
serve: install
	$(BIN)/gunicorn -c ejournal/gunicorn.py

worker: install
	$(BIN)/celery -A ejournal worker -l INFO

beat: install
	$(BIN)/celery -A ejournal beat -l INFO

# A backup of the database and the media files into BACKUP_DIR (backups/), rotated 30 daily, 12 monthly, 5 yearly; and
# the drill: the latest backup restored into a scratch database and folder, checked, «OK» or each difference
# (docs/operations.md). The beat runs the backup nightly in production.
backup: install
	DEBUG=true $(BIN)/python manage.py backup

restore-drill: install
	DEBUG=true $(BIN)/python manage.py restore_drill

clean-db:
	rm -f db.sqlite3
