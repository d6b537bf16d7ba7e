# Email Engine: `make run` starts everything with demo data; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench check clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m emailengine.launcher run

test: install
	$(BIN)/python -m emailengine.launcher test $(ARGS)

screenshots: install
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m emailengine.launcher test tests/browser/test_campaign_and_screenshots.py

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

check: install
	DEBUG=false SECRET_KEY=check-only-$$(date +%s)-$$RANDOM-long-enough-for-django-check-deploy \
	  $(BIN)/python manage.py check --deploy

clean:
	rm -rf $(VENV) staticfiles
