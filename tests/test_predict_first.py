"""The tutor's method on the main path (chapters 0-6): each section opens with a question the reader
answers before the explanation ("ask, let the learner commit, then explain").

A section is a ``## `` or ``### `` heading of teaching text (not the exercises, the knowledge card or a
closing quiz round). Its first code cell shows a question (``quiz(...)``) and no later cell shows
another (a question after the explanation is not a prediction); before it come at most two sentences of
context and nothing that could give the answer away: no figure, no table, no code output (the first
code cell IS the question), no display equation. A ``{slide}`` block (the deck's lines) does not count.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
NOT_TEACHING = re.compile(r"(Exercises|Knowledge card|Interview round|Quiz)", re.IGNORECASE)
LEAD_IN_SENTENCES = 2  # sentences of context allowed between the heading and the question
GIVES_AWAY = re.compile(r"^\s*(\|.*\||```\{(figure|image|glue:figure|math|table|list-table)\}|!\[|\$\$|\{glue:figure\})",
                        re.MULTILINE)
SLIDE_BLOCK = re.compile(r"^(`{3,}|:{3,})\{slide\}.*?^\1\s*$", re.MULTILINE | re.DOTALL)


def _pages(entries):
    for e in entries:
        yield e["file"]
        yield from _pages(e.get("sections", []))


PAGES = [f for part in TOC["parts"] for f in _pages(part["chapters"]) if re.match(r"chapters/0[0-6]", f)]


def sections(src: str) -> list[tuple[str, str]]:
    parts = re.split(r"^# ## (.+)$", src, flags=re.MULTILINE)
    return [(t, b) for t, b in zip(parts[1::2], parts[2::2]) if not NOT_TEACHING.match(t)]


def _sentences(text: str) -> int:
    """Sentences of Markdown prose (roles, links and inline maths count as words)."""
    text = re.sub(r"\$[^$]*\$|`[^`]*`|\([^)]*\)", "x", text)
    return len(re.findall(r"[.?!:](\s|$)", text.strip())) + (0 if re.search(r"[.?!:]\s*$", text.strip()) or not text.strip() else 1)


def _check_part(body: str, required: bool) -> str | None:
    first_code = re.search(r"^# %%(?! \[markdown\]).*\n((?:(?!^# %%).*\n)*)", body, re.MULTILINE)
    quizzes = re.findall(r'^quiz\("\w+"', body, re.MULTILINE)
    if not quizzes and not required:
        return None
    if not first_code or not re.search(r'^quiz\("\w+", \[', first_code.group(1), re.MULTILINE):
        return "its first code cell shows no question" if required else "a question comes after explanation"
    if len(quizzes) > 1:
        return f"{len(quizzes) - 1} more question(s) further down, after explanation: a question opens a (### sub)section"
    lead = "\n".join(line[2:] for line in body[:first_code.start()].splitlines() if line.startswith("# "))
    lead = SLIDE_BLOCK.sub("", lead)
    if GIVES_AWAY.search(lead):
        return "a figure, table or display equation comes before the question"
    if _sentences(lead) > LEAD_IN_SENTENCES:
        return f"{_sentences(lead)} sentences of explanation come before the question"
    return None


def opens_with_a_question(body: str) -> str | None:
    """None if ``body`` (a section after its heading) opens with a question, and each ``###``
    subsection that shows a question opens with it; else what is wrong."""
    parts = re.split(r"^# ### (.+)$", body, flags=re.MULTILINE)
    why = _check_part(parts[0], required=True)
    if why:
        return why
    for title, part in zip(parts[1::2], parts[2::2]):
        why = _check_part(part, required=False)
        if why:
            return f"(### {title}) {why}"
    return None


def test_the_rule_tells_a_question_first_from_an_explanation_first():
    good = '#\n# One short lead-in. A second one.\n\n# %%\nquiz("01_background", ["q9"])\n\n# %% [markdown]\n# Explanation.\n'
    assert opens_with_a_question(good) is None
    slide = '# ```{slide}\n# - a line. Another. A third.\n# ```\n# Lead-in.\n\n# %%\nquiz("a", ["q1"])\n'
    assert opens_with_a_question(slide) is None
    assert "no question" in opens_with_a_question('# Text.\n\n# %%\nx = 1\n\n# %%\nquiz("a", ["q1"])\n')
    assert "3 sentences" in opens_with_a_question("# One. Two. Three.\n\n# %%\nquiz(\"a\", [\"q1\"])\n")
    table = "# Short.\n#\n# | a | b |\n# |---|---|\n# | 1 | 2 |\n\n# %%\nquiz(\"a\", [\"q1\"])\n"
    assert "table" in opens_with_a_question(table)
    figure = "# ```{figure} x.png\n# A caption.\n# ```\n\n# %%\nquiz(\"a\", [\"q1\"])\n"
    assert "figure" in opens_with_a_question(figure)
    assert "further down" in opens_with_a_question('# Lead.\n\n# %%\nquiz("a", ["q1"])\n\n# %% [markdown]\n# Why.\n\n# %%\nquiz("a", ["q2"])\n')
    sub = '# Lead.\n\n# %%\nquiz("a", ["q1"])\n\n# %% [markdown]\n# Why.\n# ### Next\n# Lead.\n\n# %%\nquiz("a", ["q2"])\n'
    assert opens_with_a_question(sub) is None
    assert [t for t, _ in sections("# ## A\nx\n# ## Exercises\ny\n# ## Knowledge card\nz\n")] == ["A"]


@pytest.mark.parametrize("page", PAGES)
def test_every_section_opens_with_a_question_before_its_explanation(page):
    src = (ROOT / f"{page}.py").read_text(encoding="utf-8")
    found = sections(src)
    assert found, f"{page} has no teaching section"
    wrong = [f"{title!r}: {why}" for title, body in found if (why := opens_with_a_question(body))]
    assert not wrong, f"{page}:\n" + "\n".join(wrong)
