# Two commands do everything on a fresh machine:  make book   and   make test
# (each creates .venv and installs what it needs the first time; later runs reuse it).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jupyter-book
# The site's build tooling (tools/booktools/) is not installed with the course package.
TOOLS  := PYTHONPATH=tools $(PY) -m booktools
# rebuilt only when requirements.txt or pyproject.toml change:
STAMP  := $(VENV)/.installed

# CIFAR-10: use the shared copy beside the checkout when there is one (tests, CI, developers);
# otherwise the loader downloads it once into the user cache (see README).
SHARED_DATA := $(abspath ../shared/data/cifar10)
ifneq ($(wildcard $(SHARED_DATA)/cifar10_test.npz),)
export RESNET_BOOK_DATA ?= $(SHARED_DATA)
endif
# Released pretrained CIFAR ResNets (resnet_book.weights): the shared copies when they are there,
# otherwise the loader downloads them once into the user cache (verified by SHA-256).
SHARED_WEIGHTS := $(abspath ../shared/weights)
ifneq ($(wildcard $(SHARED_WEIGHTS)/akamaster),)
export RESNET_BOOK_WEIGHTS ?= $(SHARED_WEIGHTS)
endif
export PYTHONUNBUFFERED := 1
# pytest's workers (pytest-xdist): two, the cores of the course's reference machine; the slowest test
# module (test_phenomenon, ~6 min of training) runs beside the rest instead of after it
TEST_WORKERS ?= 2

SHELL := /bin/bash
.PHONY: setup book notebooks execute executed html book-zh locales slides book-student site assignments browser test unit bench clean help
help:
	@echo "make book   - set up .venv and build the executed site into _build/html"
	@echo "make test   - set up .venv and run every test (unit, slow, book build, slides, student site, browser)"
	@echo "make notebooks - export every chapter to _nbtest/chapters/*.ipynb (Colab, download)"
	@echo "make slides - one reveal.js deck per chapter into _build/slides (from the site's build, nothing executed again)"
	@echo "make book-zh - the Chinese edition (中文版) into _build/zh, from the same executed notebooks"
	@echo "make locales - re-extract the pages' messages into book/locales/zh_CN/ after an English change"
	@echo "make book-student - the site without the exercise solutions into _build/student (and _build/student-zh)"
	@echo "make site   - the published tree in _build/site-tree: the site, zh/, student/, student-zh/, slides/"
	@echo "make assignments - the graded assignments (otter-grader): student and instructor notebooks, autograder zips, into _build/assignments"
	@echo "make browser - test the built site in headless Chromium (screenshots in _build/screenshots)"
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
# booktools.nbmem records each chapter's peak resident memory (the runner, the kernel and what it
# starts) beside nbmake's time in _build/nbmake.xml, and fails a chapter above Binder's 2 GiB.
# THREADS=1: one CPU thread per notebook (OMP_NUM_THREADS), about what a Binder reader has; slower,
# so NBMAKE_TIMEOUT=1800 may be needed. The status page says which was measured.
# RESNET_BOOK_LIVE=1: the site shows this build's optional live runs (resnet_book.book.pages.live_runs).
NBMAKE_TIMEOUT ?= 600
THREADS ?=
execute: notebooks
	mkdir -p _build
	$(if $(THREADS),OMP_NUM_THREADS=$(THREADS) MKL_NUM_THREADS=$(THREADS) )RESNET_BOOK_LIVE=1 PYTHONPATH=tools \
	  $(PY) -m pytest -p booktools.nbmem --nbmake --nbmake-timeout=$(NBMAKE_TIMEOUT) --overwrite -q \
	  --junitxml=_build/nbmake.xml $(NB)

# Are the executed notebooks current? (one per chapter, newer than its source, older than nbmake's
# report). slides and book-student reuse them, so that `make test` executes every chapter ONCE.
executed: setup
	@stale=; [ -f _build/nbmake.xml ] || stale=1; \
	for f in chapters/[0-9]*.py; do n=$(NB)/chapters/$$(basename $$f .py).ipynb; \
	  { [ -f $$n ] && [ $$n -nt $$f ] && ! [ $$n -nt _build/nbmake.xml ]; } || stale=1; done; \
	if [ -n "$$stale" ]; then $(MAKE) --no-print-directory execute; fi

# The site is built from the executed notebooks (execution off): chapters run once per build.
# $(call site,STAGING DIR,OUTPUT DIR,STAGE OPTIONS): stage (booktools.site), build, move the html out.
define site
	$(TOOLS).site stage $(1) --notebooks $(NB)/chapters --nbmake-xml _build/nbmake.xml $(3)
	$(JB) build $(1) -W -n --keep-going
	rm -rf $(2) && mv $(1)/_build/html $(2)
endef

html: execute
	$(call site,_build/site,_build/html,)
	@echo "site: _build/html/index.html"

# The Chinese edition (中文版): the same executed notebooks (nothing runs again), the prose from the
# message catalogs in book/locales/zh_CN/ (Sphinx i18n), in _build/zh. Each page of either edition
# links to the same page of the other.
book-zh: executed
	$(call site,_build/site-zh,_build/zh,--lang zh_CN)
	@echo "中文版: _build/zh/index.html"

# After changing English text: re-extract the messages into the catalogs (new ones untranslated,
# changed ones fuzzy), then translate them (python -m booktools.i18n check lists what is left).
locales: notebooks
	$(TOOLS).i18n update
	$(TOOLS).i18n check || true

# The student edition: the same executed notebooks, solutions not rendered (sphinx-exercise's
# hide_solutions), in _build/student, and in Chinese in _build/student-zh.
book-student: executed
	$(call site,_build/site-student,_build/student,--student)
	$(call site,_build/site-student-zh,_build/student-zh,--student --lang zh_CN)
	@echo "student site: _build/student/index.html, _build/student-zh/index.html"

# One reveal.js deck per chapter: sphinx-revealjs's builder on the site's staging folder, with the
# course's slide rules (tools/booktools/slides.py). After `make html` it reuses that build's
# environment: nothing is read or executed again. reveal.js comes with sphinx-revealjs; MathJax is
# fetched once with `npm pack` (into .venv/share/slides-npm) and copied beside the decks (offline).
slides: executed
	@[ _build/site/_config.yml -nt _build/nbmake.xml ] || \
	  $(TOOLS).site stage _build/site --notebooks $(NB)/chapters --nbmake-xml _build/nbmake.xml
	$(JB) build _build/site --builder custom --custom-builder revealjs -W -n --keep-going
	rm -rf _build/slides && mv _build/site/_build/revealjs _build/slides
	@echo "slides: _build/slides/index.html"

# The published tree, as the deploy workflow (.github/workflows/publish.yml) publishes it: the English
# site at the root, zh/, student/, student-zh/ and slides/ (booktools.site.TREE), each edition built
# for its place in it (language switch, hreflang, sitemap, page previews, 404 page). Copies the builds
# of html, book-zh, book-student and slides (it says which are missing).
site: setup
	$(TOOLS).site tree _build/site-tree

# The assignments (assignments/, see its README): from each source, otter-grader's student version
# (no solutions), instructor version and autograder zip (hidden tests), and a zip for an LMS, into
# _build/assignments/<name>/. Grading: assignments/grade.py; `make test` grades the solutions,
# blank notebooks and wrong answers (tests/test_assignments.py).
assignments: setup
	$(PY) assignments/build.py --out _build/assignments

# The published tree in a real browser (Debian's chromium, driven by Playwright); needs `make site`
# first. RESNET_BOOK_REQUIRE_BROWSER=1 (set by .ci/run) turns "skipped" into "failed".
BROWSER_STAMP := $(VENV)/.browser-installed
$(BROWSER_STAMP): tests/browser/requirements.txt $(STAMP)
	$(PY) -m pip install --disable-pip-version-check -q -r tests/browser/requirements.txt
	touch $@

browser: setup $(BROWSER_STAMP)
	$(PY) -m pytest -q -rs tests/browser

unit: setup
	$(PY) -m pytest -q -m "not slow" -n $(TEST_WORKERS) --dist worksteal --ignore=tests/browser

test: setup
	$(PY) -m pytest -q -rs --durations=15 -n $(TEST_WORKERS) --dist worksteal --ignore=tests/browser
	$(MAKE) --no-print-directory html
	$(MAKE) --no-print-directory slides book-zh book-student
	$(MAKE) --no-print-directory site
	$(MAKE) --no-print-directory browser

bench: setup
	$(PY) benchmarks/throughput.py

clean:
	rm -rf _build
