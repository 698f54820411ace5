# Two entry points (see README): `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000

.PHONY: run test venv venv-test translations messages screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

# Compiled catalogues (*.mo) are build products, not committed: compile them from the .po files.
translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d registry/translations

# After changing user-facing text: extract it and merge into the catalogue, then translate the new entries.
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--width 76 --project=kommuneprosess-registry -o registry/translations/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching --width 76 -i registry/translations/messages.pot -d registry/translations

run: venv translations
	FLASK_DEBUG=1 $(BIN)/flask --app registry db upgrade
	FLASK_DEBUG=1 $(BIN)/flask --app registry seed-demo --if-empty --port $(PORT)
	FLASK_DEBUG=1 $(BIN)/flask --app registry run --host 127.0.0.1 --port $(PORT)

# The BPMN tools the export tests run (bpmn-moddle, bpmnlint; versions in tests/js/package-lock.json),
# installed again only when the lock file is newer than the install. Without npm the tests skip.
JS_TOOLS := tests/js/node_modules/.package-lock.json
$(JS_TOOLS): tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/js --silent --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: tests/processes/formats/test_bpmn_tools.py will skip"; \
	fi

test: venv-test translations $(JS_TOOLS)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Regenerate docs/screenshots from a fresh demo in headless Chromium (scripts/screenshots.py; SHOTS= picks some).
screenshots: venv-test translations
	$(BIN)/python scripts/screenshots.py $(SHOTS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis
