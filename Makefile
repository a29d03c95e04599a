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
export MPLBACKEND := Agg

SHELL := /bin/bash
.PHONY: setup book html test unit bench clean help
help:
	@echo "make book   - set up .venv and build the executed site into _build/html"
	@echo "make test   - set up .venv and run every test (unit, slow, book build)"
	@echo "make bench  - training throughput: this engine vs a torchvision DataLoader pipeline"
	@echo "make clean  - remove _build (keeps .venv and results/)"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

book: setup html

html:
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
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
