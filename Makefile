# Two entry points for users: `make book` builds the demo book, `make test` runs the tests.
# Both create the virtual environment in .venv and install the pinned dependencies once.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?= demo
CHAPTER ?=

.PHONY: help install test book chapter env clean-book

help:
	@echo "make book      build the whole book (PROFILE=demo|full, CHAPTER=scale to run one chapter)"
	@echo "make test      run the test suite"
	@echo "make install   only create .venv and install the package (then: .venv/bin/jupyter-book build book/)"
	@echo "make env       regenerate environment.yml from pyproject.toml"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

test: $(VENV)/.installed
	$(PY) -m pytest

book: $(VENV)/.installed
	$(PY) -m humanalign book --profile $(PROFILE) $(if $(CHAPTER),--chapter $(CHAPTER))

env: $(VENV)/.installed
	$(PY) tools/environment.py --write

clean-book:
	rm -rf book/_build book/chapters/*.ipynb book/_generated
