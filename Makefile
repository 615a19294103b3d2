# The two commands the README promises: `make run` and `make test`.
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
# The demo serves a copy of the sample archive, made on the first run: what is uploaded,
# edited or removed in the demo changes the copy, never the tracked archive/ (git status
# stays clean). `rm -rf .demo` starts over from the sample.
DEMO := .demo
DEMO_ARGS := --archive $(DEMO)/archive --index $(DEMO)/archive-index

.PHONY: run test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

run: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	scripts/ensure-tesseract
	@test -d $(DEMO)/archive || { rm -rf $(DEMO)/archive.tmp && mkdir -p $(DEMO) && \
		cp -R archive $(DEMO)/archive.tmp && mv $(DEMO)/archive.tmp $(DEMO)/archive && \
		echo "The demo serves a copy of archive/ in $(DEMO)/archive (rm -rf $(DEMO) starts over)."; }
	$(BIN)/arkiv index $(DEMO_ARGS)
	$(BIN)/arkiv serve $(DEMO_ARGS) --port $(PORT)

test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	scripts/ensure-chromium
	scripts/ensure-tesseract
	$(BIN)/python -m pytest
