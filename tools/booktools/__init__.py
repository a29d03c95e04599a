"""booktools: what builds the course's site, slides and student edition. Not part of the course.

The course's own code is the ``resnet_book`` package (``src/``): what a student installs (Colab,
Binder, ``pip install -e .[course]``) and what a chapter imports. This package is only on the path
of the site build (``PYTHONPATH=tools`` in the Makefile; ``_config.yml`` names its Sphinx
extensions) and of its tests (``tools/tests/``); it is not installed with the library.

- ``site``: stages the executed notebooks for an execution-free ``jupyter-book build``, writes
  the status page and the lecture plan's table of measured times, and collects what the
  "Run this chapter" box says;
- ``run_box``: the Sphinx extension that renders that box on every chapter page;
- ``dedupe_scripts``: the Sphinx extension that drops a duplicated ``<script>`` (sphinx-thebe);
- ``slides``: the Sphinx extension that turns the same build into reveal.js decks
  (``sphinx-revealjs``'s builder) with the course's slide rules;
- ``npm``: fetches an npm package once (MathJax for the offline decks and the browser tests).
"""
