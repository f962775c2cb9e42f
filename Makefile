# Two commands matter: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
RUN := $(UV) run --frozen --no-sync
export MADOGUCHI_DATA_DIR ?= $(CURDIR)/var

.PHONY: install demo serve worker test lint typecheck test-sqlite test-postgres migrations-check bench messages

install:
	@command -v uv >/dev/null 2>&1 || test -x $(UV) || python3 -m pip install --quiet --user uv
	$(UV) sync --frozen --quiet

demo: install
	$(RUN) madoguchi migrate --no-input -v 0
	$(RUN) madoguchi demo
	MADOGUCHI_MAIL_LISTEN_PORT=$${MADOGUCHI_MAIL_LISTEN_PORT:-2525} $(RUN) madoguchi serve --demo

serve: install
	$(RUN) madoguchi migrate --no-input -v 0
	$(RUN) madoguchi serve

worker: install
	$(RUN) madoguchi worker

lint: install
	$(RUN) ruff check madoguchi tests bench
	$(RUN) ruff format --check madoguchi tests bench

typecheck: install
	$(RUN) mypy madoguchi

migrations-check: install
	MADOGUCHI_DATA_DIR=$$(mktemp -d) $(RUN) madoguchi makemigrations --check --dry-run

messages: install
	$(RUN) madoguchi makemessages --no-obsolete -l ja -l en --ignore=.venv --ignore=tests --ignore=bench
	$(RUN) madoguchi compilemessages --ignore=.venv

# pytest exits 5 when it collects nothing; that is not a failure of the suite.
test-sqlite: install
	$(RUN) pytest -q; rc=$$?; [ $$rc = 5 ] && rc=0; exit $$rc

test-postgres: install
	$(RUN) python tests/pgserver.py $(RUN) pytest -q -m "not browser"; rc=$$?; [ $$rc = 5 ] && rc=0; exit $$rc

test: lint typecheck migrations-check test-sqlite test-postgres

bench: install
	$(RUN) python tests/pgserver.py $(RUN) python bench/run_all.py
