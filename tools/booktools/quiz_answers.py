"""Quiz answers in class, as a build option: ``RESNET_BOOK_QUIZ_ANSWERS=lecturer make book-student``
(or ``make slides``) builds pages and decks whose questions give no feedback when a student answers;
the lecturer reveals each answer (a button under the question; on a deck also the key A).
Without the variable the quizzes answer at once, as everywhere else."""

from __future__ import annotations

import os
from pathlib import Path

ENV = "RESNET_BOOK_QUIZ_ANSWERS"
STATIC = Path(__file__).resolve().parent / "static"
FILES = ("quiz_answers.css", "quiz_answers.js")


def lecturer_mode() -> bool:
    value = os.environ.get(ENV, "")
    if value not in ("", "shown", "lecturer"):
        raise ValueError(f"{ENV} must be 'lecturer' or 'shown' (got {value!r})")
    return value == "lecturer"


def _configure(app, config) -> None:
    if not lecturer_mode():
        return
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    config.revealjs_css_files = [*getattr(config, "revealjs_css_files", []), FILES[0]]
    config.revealjs_js_files = [*getattr(config, "revealjs_js_files", []), FILES[1]]


def _add(app) -> None:
    if lecturer_mode() and app.builder.name != "revealjs":
        app.add_css_file(FILES[0])
        app.add_js_file(FILES[1])


def setup(app):
    app.connect("config-inited", _configure, priority=600)  # after booktools.slides sets the decks' files
    app.connect("builder-inited", _add)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
