"""The tutor's method on the pages of chapters 1-5: each section opens with a question the reader answers
before the explanation (issue: "ask, let the learner commit, then explain").

A section is a ``## `` heading of teaching text (not the exercises, the knowledge card or a closing quiz
round). Its first code cell shows a question (``quiz(...)``), and at most a short lead-in precedes it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
NOT_TEACHING = re.compile(r"(Exercises|Knowledge card|Interview round|Quiz)", re.IGNORECASE)
LEAD_IN = 600  # characters of Markdown allowed between the heading and the question


def _pages(entries):
    for e in entries:
        yield e["file"]
        yield from _pages(e.get("sections", []))


PAGES = [f for part in TOC["parts"] for f in _pages(part["chapters"]) if re.match(r"chapters/0[1-5]", f)]


def sections(src: str) -> list[tuple[str, str]]:
    parts = re.split(r"^# ## (.+)$", src, flags=re.MULTILINE)
    return [(t, b) for t, b in zip(parts[1::2], parts[2::2]) if not NOT_TEACHING.match(t)]


def opens_with_a_question(body: str) -> str | None:
    """None if ``body`` (a section after its heading) opens with a question; else what is wrong."""
    first_code = re.search(r"^# %%(?! \[markdown\]).*\n((?:(?!^# %%).*\n)*)", body, re.MULTILINE)
    if not first_code or not re.search(r'^quiz\("\w+", \[', first_code.group(1), re.MULTILINE):
        return "its first code cell shows no question"
    prose = "\n".join(line for line in body[:first_code.start()].splitlines() if line.startswith("# "))
    if len(prose) > LEAD_IN:
        return f"{len(prose)} characters of explanation come before the question"
    return None


def test_the_rule_tells_a_question_first_from_an_explanation_first():
    good = '#\n# One short lead-in.\n\n# %%\nquiz("01_background", ["q9"])\n\n# %% [markdown]\n# Explanation.\n'
    assert opens_with_a_question(good) is None
    assert "no question" in opens_with_a_question('# Text.\n\n# %%\nx = 1\n\n# %%\nquiz("a", ["q1"])\n')
    assert "characters" in opens_with_a_question("# " + "word " * 200 + '\n\n# %%\nquiz("a", ["q1"])\n')
    assert [t for t, _ in sections("# ## A\nx\n# ## Exercises\ny\n# ## Knowledge card\nz\n")] == ["A"]


@pytest.mark.parametrize("page", PAGES)
def test_every_section_opens_with_a_question_before_its_explanation(page):
    src = (ROOT / f"{page}.py").read_text(encoding="utf-8")
    found = sections(src)
    assert found, f"{page} has no teaching section"
    wrong = [f"{title!r}: {why}" for title, body in found if (why := opens_with_a_question(body))]
    assert not wrong, f"{page}:\n" + "\n".join(wrong)
