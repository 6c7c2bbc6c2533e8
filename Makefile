# Developer shortcuts. `make` lists them; every target runs what CI or a reviewer would.
PYTHON ?= python

.PHONY: help install lint format test fast bench bench-quick profile clean-cache

help:
	@echo "make install      pip install -e '.[dev]'"
	@echo "make lint         ruff check, ruff format --check, mypy (strict), import contracts"
	@echo "make format       ruff format (rewrites files)"
	@echo "make test         the test suite"
	@echo "make fast         the fast loop (no slow tests), one worker per core"
	@echo "make bench        the benchmark: 1, 100 and 1,741 plans (~15-20 min on 2 cores; bench/results.json)"
	@echo "make bench-quick  the benchmark on 1 and 100 plans (~1-2 min)"
	@echo "make profile      cProfile top costs of loading and evaluating 100 plans"
	@echo "make clean-cache  delete kpitool's cache of validated files"

install:
	$(PYTHON) -m pip install -e ".[dev]"

lint:
	ruff check .
	ruff format --check .
	mypy
	lint-imports

format:
	ruff format .

test:
	$(PYTHON) -m pytest

fast:
	$(PYTHON) -m pytest -m "not slow" -n auto

bench:
	$(PYTHON) bench/run.py

bench-quick:
	$(PYTHON) bench/run.py --quick

profile:
	$(PYTHON) bench/hotspots.py

clean-cache:
	$(PYTHON) -c "import shutil; from kpitool.support.cache import cache_directory as d; shutil.rmtree(d(), ignore_errors=True); print('removed', d())"
