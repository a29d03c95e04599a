# Two commands do everything on a fresh machine:  make book   and   make test
# (each creates .venv and installs what it needs the first time; later runs reuse it).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# rebuilt only when requirements.txt or pyproject.toml change:
STAMP  := $(VENV)/.installed

# CIFAR-10: use the shared copy beside the checkout when there is one (tests, CI, developers);
# otherwise the loader downloads it once into the user cache (see README).
SHARED_DATA := $(abspath ../shared/data/cifar10)
ifneq ($(wildcard $(SHARED_DATA)/cifar10_test.npz),)
export RESNET_BOOK_DATA ?= $(SHARED_DATA)
endif
export PYTHONUNBUFFERED := 1

SHELL := /bin/bash
.PHONY: setup book notebooks execute html test unit bench clean help
help:
	@echo "make book   - set up .venv and build the executed site into _build/html"
	@echo "make test   - set up .venv and run every test (unit, slow, book build)"
	@echo "make notebooks - export every chapter to _nbtest/chapters/*.ipynb (Colab, download)"
	@echo "make bench  - training throughput: this engine vs a torchvision DataLoader pipeline"
	@echo "make clean  - remove _build (keeps .venv and results/)"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

book: setup html

# Chapters -> notebooks (outside _build/: nbmake skips any path containing _build).
NB := _nbtest
notebooks: setup
	rm -rf $(NB) && mkdir -p $(NB)/chapters
	for f in chapters/[0-9]*.py; do \
	  $(VENV)/bin/jupytext --quiet --to ipynb -o $(NB)/chapters/$$(basename $$f .py).ipynb $$f || exit 1; done

# Execute every chapter ONCE (a raising cell fails here), keeping the outputs for the site.
execute: notebooks
	mkdir -p _build
	$(PY) -m pytest --nbmake --nbmake-timeout=600 --overwrite -q \
	  --junitxml=_build/nbmake.xml $(NB)

# The site is built from the executed notebooks (execution off): chapters run once per build.
SITE := _build/site
html: execute
	rm -rf $(SITE) && mkdir -p $(SITE)/chapters
	cp -r _config.yml _toc.yml book $(SITE)/
	cp $(NB)/chapters/*.ipynb $(SITE)/chapters/
	ln -s "$(CURDIR)/src" $(SITE)/src
	sed -i 's/execute_notebooks: force/execute_notebooks: "off"/' $(SITE)/_config.yml
	$(PY) -m resnet_book.book status _build/nbmake.xml $(SITE)/book/status.md
	$(VENV)/bin/jupyter-book build $(SITE) -W -n --keep-going
	rm -rf _build/html && mv $(SITE)/_build/html _build/html
	@echo "site: _build/html/index.html"

unit: setup
	$(PY) -m pytest -q -m "not slow"

test: setup
	$(PY) -m pytest -q -rs --durations=15
	$(MAKE) --no-print-directory html

bench: setup
	$(PY) benchmarks/throughput.py

clean:
	rm -rf _build
