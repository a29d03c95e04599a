"""The exam bank (book/exam_bank.md) is in the instructor editions only: present in _build/html (and in
the Chinese _build/zh), absent from the student editions _build/student and _build/student-zh -- no
page, no entry in the navigation or the search index, no source, no text of it in any file. In the
browser, its model answers are closed dropdowns that open on a click."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitecheck import BUILD, ROOT, missing

PAGE = "book/exam_bank"
SOURCE = (ROOT / f"{PAGE}.md").read_text(encoding="utf-8")
QUESTIONS = re.findall(r"^### ([DCXR]\d+)\. ", SOURCE, re.M)
# Sentences of the model answers (no maths, no markup): none of them may be in a student edition.
_ANSWERS = [re.sub(r"(?m)^\s*(?:-|\d+\.)\s+", "", a.split("**Marking")[0])  # without list markers
            for a in re.findall(r":::\{dropdown\} Model answer and marking scheme\n(.*?)\n:::", SOURCE, re.S)]
SENTENCES = [s.strip() for a in _ANSWERS for s in re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", a))
             # no maths or markup, and no quote marks or apostrophes (Sphinx's smartquotes curls them)
             if len(s.strip()) > 50 and not re.search(r"[$`*{}|\\\[\]_<>&'\"]", s)][:40]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _open(page, url: str):
    """Load ``url`` and wait for MathJax's first typesetting (deterministic, unlike "networkidle",
    which a long page of formulas on a busy machine may not reach within the timeout)."""
    resp = page.goto(url, wait_until="load", timeout=120_000)
    assert resp is not None and resp.ok, f"{url}: HTTP {resp.status if resp else '?'}"
    page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise"
                  " ? MathJax.startup.promise.then(() => true) : null")
    return resp


def _edition(name: str, what: str) -> Path:
    path = BUILD / name
    if not (path / "chapters").is_dir():
        missing(f"no {what} in _build/{name} (run `make {'html' if name == 'html' else 'book-zh' if name == 'zh' else 'book-student'}` first)")
    return path


@pytest.fixture(scope="module")
def instructor():
    return _edition("html", "built site")


@pytest.fixture(scope="module", params=["student", "student-zh"])
def student(request):
    return _edition(request.param, "student edition")


def test_the_source_has_questions_and_answer_sentences_to_look_for():
    """Guards the tests below against passing vacuously."""
    assert len(QUESTIONS) >= 30 and len(SENTENCES) >= 20


def test_the_instructor_site_has_the_bank_and_links_it(instructor):
    html = (instructor / f"{PAGE}.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<details class="[^"]*sd-dropdown', html)) == len(QUESTIONS)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert sum(s in text for s in SENTENCES) >= len(SENTENCES) - 2  # the answers are on the page
    lectures = (instructor / "book" / "lectures.html").read_text(encoding="utf-8")
    assert 'href="exam_bank.html"' in lectures  # in the navigation of the "For teachers" part
    assert "exam_bank" in (instructor / "searchindex.js").read_text(encoding="utf-8")


def test_the_chinese_instructor_site_has_the_bank_in_chinese():
    zh = _edition("zh", "Chinese edition")
    html = (zh / f"{PAGE}.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<details class="[^"]*sd-dropdown', html)) == len(QUESTIONS)
    assert len(CJK.findall(re.sub(r"<[^>]+>", " ", html))) > 5000
    assert "参考答案与评分标准" in html
    # every title and part name is translated (a translation that Sphinx cannot use, e.g. one that would
    # parse as a list inside a table cell, silently falls back to the English)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    titles = re.findall(r"^### [DCXR]\d+\. (.+) \(\d+ points\)$", SOURCE, re.M)
    parts = re.findall(r"^\| (\d\. [A-Z][a-z ]+) \|", SOURCE, re.M)
    assert len(titles) == len(QUESTIONS) and len(parts) == 4
    english = [t for t in titles + parts if len(t) > 12 and t in text]
    assert not english, f"left in English on the Chinese page: {english}"


def test_no_file_of_a_student_edition_holds_the_bank(student):
    assert not (student / f"{PAGE}.html").exists()
    assert not list(student.rglob("exam_bank*")), [str(p.relative_to(student)) for p in student.rglob("exam_bank*")]
    leaked = []
    for f in student.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".js", ".ipynb", ".txt", ".md", ".json"):
            text = f.read_text(encoding="utf-8", errors="replace")
            if "exam_bank" in text:
                leaked.append(f"{f.relative_to(student)}: names exam_bank")
            flat = re.sub(r"\s+", " ", text)
            leaked += [f"{f.relative_to(student)}: {s[:60]!r}" for s in SENTENCES if s in flat][:1]
    assert not leaked, "\n".join(leaked[:10])
    # the rest of the "For teachers" part is still there
    assert (student / "book" / "lectures.html").exists()


def test_the_bank_opens_in_the_browser_with_its_answers_closed(instructor, server, new_page, screenshots):
    page, log = new_page()
    _open(page, f"{server}/{PAGE}.html")
    dropdowns = page.locator("details.sd-dropdown")
    assert dropdowns.count() == len(QUESTIONS)
    assert page.locator("details.sd-dropdown[open]").count() == 0, "a model answer is open: the question cannot be shown alone"
    first = dropdowns.first
    answer = first.locator(".sd-summary-content")
    assert not answer.is_visible(), "the first model answer is visible before a click"
    page.screenshot(path=str(screenshots / "exam_bank.png"))
    first.locator("summary").click()
    answer.wait_for(state="visible")
    assert "Marking (8 points)." in answer.inner_text()
    page.wait_for_timeout(300)
    first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "exam_bank-answer-open.png"))
    if not log.mathjax_blocked:
        assert page.locator("mjx-container").count() > 50, "MathJax rendered too few formulas"
    assert not log.problems(), "\n".join(log.problems())


def test_a_student_edition_has_no_link_to_the_bank(student, server, new_page):
    page, log = new_page()
    _open(page, f"{server}/{student.name}/book/lectures.html")
    assert page.locator('a[href*="exam_bank"]').count() == 0
    resp = page.goto(f"{server}/{student.name}/{PAGE}.html")
    assert resp is not None and resp.status == 404
    # the 404 above is the point: not a problem of the page
    log.failed = [u for u in log.failed if "exam_bank" not in u]
    log.console_errors = [m for m in log.console_errors if "exam_bank" not in m]
    assert not log.problems(), "\n".join(log.problems())
