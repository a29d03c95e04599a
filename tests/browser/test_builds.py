"""What `make slides` and `make book-student` produced, checked on disk and in the browser."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitecheck import BUILD, ROOT, chapters, missing
from resnet_book.slides import count_slides, deck_name

EXECUTED = sorted((ROOT / "_nbtest" / "chapters").glob("[0-9]*.ipynb"))
MAX_SLIDES = 150


def _sections(cells) -> int:
    """Level-1/2 headings of a notebook, the exercises' section left out (it is not on the slides)."""
    src = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return len([h for h in re.findall(r"^#{1,2} +(.+)$", src, re.MULTILINE) if not re.match(r"exercise", h, re.I)])


# ---------------------------------------------------------------------------------------------
# Slides

@pytest.mark.parametrize("nb", EXECUTED or [None], ids=lambda p: p.stem if p else "none")
def test_each_chapter_has_a_deck_from_its_executed_notebook(slides_dir, nb):
    if nb is None:
        pytest.fail("no executed notebooks in _nbtest/chapters")
    deck = slides_dir / deck_name(nb)
    assert deck.exists(), f"no deck {deck.name}"
    html = deck.read_text(encoding="utf-8")
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    n = count_slides(html)
    # at least one slide per section (and a title slide), and not a wall of a hundred slides
    assert max(3, _sections(cells)) <= n <= MAX_SLIDES, f"{deck.name}: {n} slides for {_sections(cells)} sections"
    # came from the EXECUTED notebook: its outputs, every figure of it, its quizzes
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert outputs, f"{nb.name} has no outputs: not executed"
    assert "jp-OutputArea-output" in html, f"{deck.name}: no cell output on the slides"
    images = sum("image/png" in o.get("data", {}) for o in outputs)
    assert html.count("data:image/png;base64") >= images, f"{deck.name}: figures missing"
    if any("show_questions" in json.dumps(c.get("outputs", [])) for c in cells):
        assert "show_questions" in html, f"{deck.name}: the quizzes are missing"
    # the MyST was turned into text: no raw roles or directives left on the slides
    leftovers = re.findall(r"\{(?:cite|numref|glue|term|eq|ref|doc)(?::\w+)?\}`|```\{", html)
    assert not leftovers, f"{deck.name}: raw MyST on the slides: {leftovers[:5]}"
    # no solutions on the slides
    assert "{solution}" not in html and "Solution to" not in html


def test_decks_are_linked_from_the_index_and_load_offline(slides_dir, server, new_page, screenshots):
    index = (slides_dir / "index.html").read_text(encoding="utf-8")
    decks = sorted(slides_dir.glob("*.slides.html"))
    assert decks
    for deck in decks:
        assert f'href="{deck.name}"' in index
    if not (slides_dir / "_static" / "reveal.js" / "dist" / "reveal.js").exists():
        missing("the decks link reveal.js on a CDN (npm was unavailable to `make slides`): no offline test")
    for deck in decks:
        page, log = new_page(viewport=(1280, 800))
        page.goto(f"{server}/slides/{deck.name}", wait_until="load")
        page.locator(".reveal.ready").wait_for(timeout=15000)  # reveal.js initialised
        page.wait_for_timeout(500)
        page.screenshot(path=str(screenshots / f"slides-{deck.stem.removesuffix('.slides')}.png"))
        assert not log.external, log.external  # the local copies: no request leaves this machine
        assert not log.problems(), "\n".join(log.problems())
        total = page.evaluate("() => document.querySelectorAll('.slides section').length")
        assert total >= 3
        page.keyboard.press("End")  # reveal.js keyboard navigation: the last slide
        page.wait_for_timeout(300)
        assert page.evaluate("() => location.hash") not in ("", "#/")


def test_a_quiz_on_a_slide_still_answers(slides_dir, server, new_page):
    deck = next((d for d in sorted(slides_dir.glob("*.slides.html")) if "show_questions" in d.read_text(encoding="utf-8")), None)
    if deck is None:
        pytest.skip("no deck has a quiz")
    if not (slides_dir / "_static" / "reveal.js" / "dist" / "reveal.js").exists():
        missing("the decks link reveal.js on a CDN (npm was unavailable to `make slides`)")
    page, log = new_page(viewport=(1280, 800))
    page.goto(f"{server}/slides/{deck.name}", wait_until="load")
    page.locator(".reveal.ready").wait_for(timeout=15000)
    # go to the slide that holds the first quiz, then answer it
    idx = page.evaluate("""() => { const s = document.querySelector('.Quiz').closest('section');
        const top = s.parentElement.closest('section'), hs = [...document.querySelectorAll('.slides > section')];
        return top ? [hs.indexOf(top), [...top.querySelectorAll(':scope > section')].indexOf(s)] : [hs.indexOf(s), 0]; }""")
    page.evaluate(f"() => {{ window.location.hash = '#/{idx[0]}/{idx[1]}'; }}")
    page.wait_for_timeout(500)
    quiz = page.locator(".Quiz").first
    right = quiz.locator('.MCButton[data-correct="true"]').first
    right.click()
    assert quiz.locator(".Feedback").inner_text().strip().startswith("✔")


# ---------------------------------------------------------------------------------------------
# Student edition

class _Blocks(HTMLParser):
    """Text of every <div> whose class list contains ``cls`` (nested divs included)."""

    def __init__(self, cls: str):
        super().__init__()
        self.cls, self.depth, self.stack, self.blocks = cls, 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag != "div":
            return
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += 1
        elif self.cls in classes:
            self.depth = 1
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.blocks[-1] += data


def _blocks(path: Path, cls: str) -> list[str]:
    p = _Blocks(cls)
    p.feed(path.read_text(encoding="utf-8"))
    return [re.sub(r"\s+", " ", b).strip() for b in p.blocks]


def _sentences(text: str) -> list[str]:
    """Long plain sentences of a solution (no maths, which MathJax would re-typeset), to search for."""
    parts = re.split(r"(?<=[.!?])\s+", text)
    return [s for s in parts if len(s) > 40 and "\\" not in s and "$" not in s][:3]


@pytest.mark.parametrize("chapter", chapters(BUILD / "html") or ["(none built)"])
def test_student_edition_has_the_exercises_but_no_solution_text(site, student_site, chapter):
    full, student = site / "chapters" / f"{chapter}.html", student_site / "chapters" / f"{chapter}.html"
    assert student.exists(), f"{chapter} is missing from the student edition"
    solutions = [s for s in _blocks(full, "solution") if s]
    exercises_full = _blocks(full, "exercise")
    html = re.sub(r"\s+", " ", student.read_text(encoding="utf-8"))
    for sol in solutions:
        body = sol.split(" ", 4)[-1]  # drop the title "Solution to Exercise N.M"
        for sentence in _sentences(body):
            assert sentence not in html, f"solution text in the student edition: {sentence!r}"
    assert 'class="solution' not in html
    exercises = _blocks(student, "exercise")
    assert len(exercises) == len(exercises_full), "exercises missing from the student edition"
    assert exercises == exercises_full


def test_no_file_of_the_student_edition_holds_a_solution(site, student_site):
    """Not the pages, nor the downloadable notebooks (_sources/), nor the search index."""
    sentences = {sentence for ch in chapters(site) for sol in _blocks(site / "chapters" / f"{ch}.html", "solution")
                 for sentence in _sentences(sol.split(" ", 4)[-1])}
    assert sentences
    for f in student_site.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".js", ".ipynb", ".txt", ".md", ".json"):
            text = re.sub(r"\s+", " ", f.read_text(encoding="utf-8", errors="replace"))
            if f.suffix == ".ipynb":  # JSON: the cells' text, unescaped
                text = re.sub(r"\s+", " ", " ".join("".join(c["source"]) for c in json.loads(f.read_text())["cells"]))
            leaked = [x for x in sentences if x in text]
            assert not leaked, f"{f.relative_to(student_site)} holds solution text: {leaked[0]!r}"


def test_the_full_site_has_solutions_to_hide(site):
    """Guards the test above against passing vacuously."""
    assert sum(len(_blocks(site / "chapters" / f"{ch}.html", "solution")) for ch in chapters(site)) >= 3


def test_student_edition_pages_load_in_the_browser(student_site, server, new_page, screenshots):
    page, log = new_page()
    ch = chapters(student_site)[0]
    page.goto(f"{server}/student/chapters/{ch}.html", wait_until="load")
    page.locator(".exercise").first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"student-{ch}-exercise.png"))
    assert page.locator(".exercise").count() >= 3
    assert page.locator(".solution").count() == 0
    assert not log.problems(), "\n".join(log.problems())
