"""The book's page helpers: quizzes, provenance lines under figures, what the experiment pages
share (paper-style curves, record tables), the figures and diagrams the chapters draw, and the
formula sheet. What a chapter author reads; nothing here trains a network.

* :mod:`.quizzes` -- quiz files (``chapters/quizzes/*.yml``) rendered with jupyterquiz;
* :mod:`.captions` -- the provenance line under a figure (:func:`stamp`);
* :mod:`.pages` -- what the experiment pages of chapter 4 share;
* :mod:`.figures` -- diagrams and figures of trained networks;
* :mod:`.formulas` -- the equations of the pages, for the formula sheet;
* :mod:`.words` -- glued words in both editions (:func:`glue_text`; their Chinese in one table).
"""

from .captions import provenance, stamp
from .quizzes import QUIZ_DIR, QuizError, load_quiz, quiz, validate_quiz
from .words import glue_text

__all__ = ["provenance", "stamp", "QUIZ_DIR", "QuizError", "load_quiz", "quiz", "validate_quiz", "glue_text"]
