"""Quizzes from data files: load, validate, and show them with jupyterquiz (both languages).

Quizzes live in ``chapters/quizzes/<chapter>.yml`` as data (validated by ``tests/test_book.py``)::

    - id: q1
      section: "Sec. 4.1"                 # where in the paper the answer is settled
      question: "The deeper plain net has higher *training* error. What does that rule out?"
      quote: "...the paper's sentence that settles it..."
      options:
        - text: "Overfitting"
          correct: true
          why: "Overfitting lowers training error while raising test error; here training error rose."
        - ...                             # exactly four options, each with its explanation

``quiz(chapter)`` shows them with ``jupyterquiz``: interactive both in Jupyter and on the static
site (the questions are embedded in the page as HTML and a script). The options are shown in an
order of their own, fixed per question (:func:`option_order`, derived from the chapter and the
question id): the order in the file says nothing about the answer, and the site does not change
from build to build.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ConfigError
from ..files import REPO_ROOT

QUIZ_DIR = (REPO_ROOT or Path.cwd()) / "chapters" / "quizzes"


class QuizError(ConfigError):
    """A quiz file breaks the format described in this module's docstring."""


def load_quiz(chapter: str, folder: Path | None = None) -> list[dict]:
    """Read and validate ``<folder>/<chapter>.yml``."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        """YAML that refuses a key given twice in one mapping (PyYAML would keep the last silently:
        an editor who fixes the first copy of a translation would change nothing)."""

        def construct_mapping(self, node, deep=False):
            keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                raise yaml.constructor.ConstructorError(None, None, f"key(s) {twice} given twice", node.start_mark)
            return super().construct_mapping(node, deep=deep)

    path = (folder or QUIZ_DIR) / f"{chapter}.yml"
    try:
        questions = yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader)  # noqa: S506 (a SafeLoader)
    except FileNotFoundError:
        raise QuizError(f"no quiz file {path}") from None
    except yaml.YAMLError as e:
        raise QuizError(f"{path}: not valid YAML ({e})") from None
    validate_quiz(questions, str(path))
    return questions


def validate_quiz(questions, where: str = "quiz") -> None:
    """Every question: id, section, question, quote; exactly four options; one or two correct; every option explained."""
    if not isinstance(questions, list) or not questions:
        raise QuizError(f"{where}: expected a non-empty list of questions")
    ids = set()
    for i, q in enumerate(questions):
        tag = f"{where}, question {i + 1}"
        for key in ("id", "section", "question", "quote", "options"):
            if not q.get(key):
                raise QuizError(f"{tag}: missing {key!r}")
        if q["id"] in ids:
            raise QuizError(f"{tag}: duplicate id {q['id']!r}")
        ids.add(q["id"])
        opts = q["options"]
        if not isinstance(opts, list) or len(opts) != 4:
            raise QuizError(f"{tag} ({q['id']}): needs exactly 4 options, has {len(opts) if isinstance(opts, list) else opts!r}")
        n_correct = sum(1 for o in opts if o.get("correct") is True)
        if n_correct not in (1, 2):
            raise QuizError(f"{tag} ({q['id']}): needs 1 or 2 correct options, has {n_correct}")
        for j, o in enumerate(opts):
            if not str(o.get("text", "")).strip() or not str(o.get("why", "")).strip():
                raise QuizError(f"{tag} ({q['id']}), option {j + 1}: needs 'text' and 'why'")
            if not isinstance(o.get("correct", False), bool):
                raise QuizError(f"{tag} ({q['id']}), option {j + 1}: 'correct' must be true or false")


ZH_FIELDS = ("question_zh", "quote_zh")  # per question; per option: text_zh, why_zh (the zh edition)


def untranslated(questions: list[dict]) -> list[str]:
    """The Chinese fields a quiz still lacks (``question_zh``, ``quote_zh``: a Chinese rendering shown
    beneath the English quote, and each option's ``text_zh`` and ``why_zh``)."""
    out = []
    for q in questions:
        out += [f"{q['id']}: {k}" for k in ZH_FIELDS if not str(q.get(k, "")).strip()]
        out += [f"{q['id']}, option {j + 1}: {k}" for j, o in enumerate(q["options"])
                for k in ("text_zh", "why_zh") if not str(o.get(k, "")).strip()]
    return out


def _md(text: str) -> str:
    """The little Markdown quiz texts use (`code`, **bold**, *italic*) as HTML, everything else escaped."""
    import html

    out = html.escape(str(text).strip(), quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", out)
    # *italic*: not inside a word of Latin letters (2*3*4), but right beside Chinese characters (这是*重点*)
    return re.sub(r"(?<![A-Za-z0-9_*])\*([^*\s][^*]*)\*(?![A-Za-z0-9_*])", r"<i>\1</i>", out)


def option_order(chapter: str, qid: str, n: int = 4) -> list[int]:
    """The order in which a question's options are shown: a permutation of ``range(n)`` fixed by
    the chapter and question id (a hash, not a random generator: the same on every build and
    machine, and independent of the other questions, so adding one moves no other)."""
    import hashlib

    return sorted(range(n), key=lambda i: hashlib.sha256(f"{chapter}/{qid}/{i}".encode()).digest())


def shown_options(chapter: str, q: dict) -> list[dict]:
    """A question's options in the order the reader sees them."""
    return [q["options"][i] for i in option_order(chapter, q["id"], len(q["options"]))]


QUIZ_TEXT = {
    "en": {"two": " (two options are right)", "paper": " — Paper, {section}: “{quote}”", "other": " — {section}: “{quote}”"},
    "zh": {"two": "（有两个选项正确）", "paper": " —— 论文{section}：“{quote}”（译：{quote_zh}）",
           "other": " —— {section}：“{quote}”（译：{quote_zh}）"},
}
_OTHER_WORK = re.compile(r"et al\.|Identity Mappings|&|\b(19|20)\d\d\b")  # a source that names another paper
_ZH_PLACES = [(re.compile(r"\bSec\. Abstract\b|\bAbstract\b"), "摘要"), (re.compile(r"\bSec\. ([\d.]+)"), r"第 \1 节"),
              (re.compile(r"\bFig\. (\d+)"), r"图 \1"), (re.compile(r"\bTable (\d+)"), r"表 \1"),
              (re.compile(r"\bfootnote\b", re.IGNORECASE), "脚注")]


def source(section: str, lang: str = "en") -> tuple[str, bool]:
    """Where a quote is from, in ``lang``, and whether it is the ResNet paper itself (then the
    feedback says "Paper, Sec. 4.2"; a quote of another work names that work: "Identity Mappings
    (He et al. 2016), Sec. 2")."""
    own = not _OTHER_WORK.search(section)
    if lang == "zh":
        for pattern, zh in _ZH_PLACES:
            section = pattern.sub(zh, section)
    return section, own


def _tr(item: dict, key: str, lang: str) -> str:
    """A quiz field in ``lang`` ("en" or "zh"; a missing translation falls back to the English)."""
    return item.get(f"{key}_zh") or item[key] if lang == "zh" else item[key]


def to_jupyterquiz(q: dict, chapter: str | None = None, lang: str = "en") -> dict:
    """One of our questions in jupyterquiz's format (feedback = explanation + the settling quote);
    with ``chapter``, the options in their shown order (:func:`option_order`); ``lang="zh"``: the
    Chinese fields, with the paper's quote in English and its Chinese rendering."""
    n_correct = sum(o.get("correct", False) for o in q["options"])
    t = QUIZ_TEXT[lang]
    where, own = source(q["section"], lang)
    quote = t["paper" if own else "other"].format(section=_md(where), quote=_md(q["quote"]),
                                                  quote_zh=_md(_tr(q, "quote", lang)))
    options = shown_options(chapter, q) if chapter else q["options"]
    return {
        "question": _md(_tr(q, "question", lang)) + (t["two"] if n_correct == 2 else ""),
        "type": "many_choice" if n_correct > 1 else "multiple_choice",
        "answers": [
            {"answer": _md(_tr(o, "text", lang)), "correct": bool(o.get("correct", False)),
             "feedback": ("✔ " if o.get("correct") else "✘ ") + _md(_tr(o, "why", lang)) + quote}
            for o in options
        ],
    }


# Both languages go into the page; the page's language shows one (the zh edition's <html lang="zh-CN">;
# Jupyter's pages are English). RESNET_BOOK_LANG=zh (or en) renders one language only.
_QUIZ_CSS = ("<style>html:not([lang|='zh']) .rb-quiz-zh, html[lang|='zh'] .rb-quiz-en "
             "{display: none;}</style>")


def _jupyterquiz_outputs(questions: list[dict]) -> tuple[str, str]:
    """jupyterquiz's HTML and script for ``questions``, captured instead of displayed."""
    import jupyterquiz.dynamic.display as jq

    captured = []
    shown = jq.display
    jq.display = captured.append
    try:
        # our own fixed order (option_order), not jupyterquiz's random shuffle, which changes on every load
        jq.display_quiz(questions, shuffle_answers=False)
    finally:
        jq.display = shown
    html_out, script = captured
    return html_out.data, script.data


def quiz(chapter: str, ids: list[str] | None = None) -> None:
    """Display a chapter's questions (or only ``ids``) as an interactive quiz, in English and Chinese."""
    import os

    from IPython.display import HTML, Javascript, display

    questions = [q for q in load_quiz(chapter) if ids is None or q["id"] in ids]
    if ids is not None and len(questions) != len(ids):
        raise QuizError(f"{chapter}: unknown question id(s) {sorted(set(ids) - {q['id'] for q in questions})}")
    wanted = os.environ.get("RESNET_BOOK_LANG", "").lower()[:2]
    langs = [wanted] if wanted in QUIZ_TEXT else list(QUIZ_TEXT)
    parts, scripts = [], []
    for lang in langs:
        html_out, script = _jupyterquiz_outputs([to_jupyterquiz(q, chapter, lang) for q in questions])
        tag = "zh-CN" if lang == "zh" else "en"
        unclosed = html_out.count("<div") - html_out.count("</div>")  # jupyterquiz leaves its container open
        parts.append(f'<div class="rb-quiz rb-quiz-{lang}" lang="{tag}">{html_out}{"</div>" * unclosed}</div>')
        scripts.append(script)
    display(HTML((_QUIZ_CSS if len(langs) > 1 else "") + "".join(parts)))
    for script in scripts:  # one script each: jupyterquiz's scripts declare the same global functions
        display(Javascript(script))
