"""What `make slides` and `make book-student` produced, checked on disk and in the browser."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitecheck import ROOT, TREE, chapters, missing

EXECUTED = sorted((ROOT / "_nbtest" / "chapters").glob("[0-9]*.ipynb"))
MAX_SLIDES = 150
SCREEN = (1280, 800)  # what a lecturer projects: every slide must fit it


def _sections(cells) -> int:
    """Level-1/2 headings of a notebook, the exercises' section left out (it is not on the slides)."""
    src = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return len([h for h in re.findall(r"^#{1,2} +(.+)$", src, re.MULTILINE) if not re.match(r"exercise", h, re.I)])


def count_slides(deck_html: str) -> int:
    """Slides and sub-slides of a reveal.js deck: <section>s, less the stacks that hold sub-slides."""
    return len(re.findall(r"<section\b", deck_html)) - len(re.findall(r"<section\b[^>]*>\s*<section\b", deck_html))


def _deck(slides_dir: Path, chapter: str) -> Path:
    return slides_dir / "chapters" / f"{chapter}.html"


def _offline(slides_dir: Path):
    if not (slides_dir / "_static" / "mathjax" / "es5" / "tex-mml-chtml.js").exists():
        missing("the decks load MathJax from its CDN (npm was unavailable to `make slides`): no offline test")


def _open_deck(new_page, server, deck: Path):
    page, log = new_page(viewport=SCREEN)
    page.goto(f"{server}/slides/chapters/{deck.name}", wait_until="load")
    page.locator(".reveal.ready").wait_for(timeout=15000)  # reveal.js initialised
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")  # formulas typeset
    return page, log


# ---------------------------------------------------------------------------------------------
# Slides

@pytest.mark.parametrize("nb", EXECUTED or [None], ids=lambda p: p.stem if p else "none")
def test_each_chapter_has_a_deck_from_its_executed_notebook(slides_dir, site, nb):
    if nb is None:
        pytest.fail("no executed notebooks in _nbtest/chapters")
    deck = _deck(slides_dir, nb.stem)
    assert deck.exists(), f"no deck {deck.name}"
    html = deck.read_text(encoding="utf-8")
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    n = count_slides(html)
    # at least one slide per section (and a title slide), and not a wall of a hundred slides
    assert max(3, _sections(cells)) <= n <= MAX_SLIDES, f"{deck.name}: {n} slides for {_sections(cells)} sections"
    # came from the EXECUTED notebook: its outputs, every figure of it, its quizzes
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert outputs, f"{nb.name} has no outputs: not executed"
    assert "cell_output" in html, f"{deck.name}: no cell output on the slides"
    images = re.findall(r'<img[^>]+src="([^"]+)"', html)
    shown = [c for c in cells if c["cell_type"] == "code"
             and not {"remove-cell", "remove-output"} & set(c.get("metadata", {}).get("tags", []))]
    figures = sum("image/png" in o.get("data", {}) for c in shown for o in c.get("outputs", []))
    assert len(images) >= figures, f"{deck.name}: {figures} figures in the notebook, {len(images)} on the slides"
    for src in images:
        assert (deck.parent / src).resolve().is_file(), f"{deck.name}: {src} is missing"
    if any("show_questions" in json.dumps(c.get("outputs", [])) for c in cells):
        assert "show_questions" in html, f"{deck.name}: the quizzes are missing"
    # Sphinx resolved the MyST: no raw roles or directives left on the slides
    leftovers = re.findall(r"\{(?:cite|numref|glue|term|eq|ref|doc)(?::\w+)?\}`|```\{", html)
    assert not leftovers, f"{deck.name}: raw MyST on the slides: {leftovers[:5]}"
    # no exercises, no solutions on the slides (the site's solution sentences are nowhere in the deck)
    assert 'class="solution' not in html and "Solution to" not in html and 'class="exercise' not in html
    text = re.sub(r"\s+", " ", html)
    for sol in _blocks(site / "chapters" / f"{nb.stem}.html", "solution"):
        for sentence in _sentences(sol.split(" ", 4)[-1]):
            assert sentence not in text, f"{deck.name}: solution text on a slide: {sentence!r}"
    assert 'id="run-this-chapter"' not in html  # the site's box is not on the slides


def test_decks_are_linked_from_the_index_and_load_offline(slides_dir, server, new_page, screenshots):
    index = (slides_dir / "index.html").read_text(encoding="utf-8")
    decks = sorted((slides_dir / "chapters").glob("[0-9]*.html"))
    assert decks and len(decks) == len(EXECUTED)
    for deck in decks:
        assert f'href="chapters/{deck.name}"' in index
    assert not list(slides_dir.glob("book/*.html")), "the book's other pages are not decks"
    _offline(slides_dir)
    for deck in decks:
        page, log = _open_deck(new_page, server, deck)
        page.screenshot(path=str(screenshots / f"slides-{deck.stem}.png"))
        assert not log.external, log.external  # the local copies: no request leaves this machine
        assert not log.problems(), "\n".join(log.problems())
        total = page.evaluate("() => Reveal.getTotalSlides()")
        assert total >= 3
        if 'class="math' in deck.read_text(encoding="utf-8"):
            assert page.locator("mjx-container").count() > 0, f"{deck.name}: MathJax rendered no formula"
        page.keyboard.press("End")  # reveal.js keyboard navigation: the last slide
        page.wait_for_timeout(300)
        assert page.evaluate("() => Reveal.getIndices().h === Reveal.getHorizontalSlides().length - 1 && Reveal.getIndices().h > 0"), \
            f"{deck.name}: End did not move to the last slide"


def test_every_slide_of_every_deck_fits_the_screen(slides_dir, server, new_page, screenshots):
    """What a lecturer projects at 1280×800: no slide's content runs past the bottom of the slide
    (a quiz's slide with the feedback of any answer shown)."""
    _offline(slides_dir)
    too_tall, total = [], 0
    for deck in sorted((slides_dir / "chapters").glob("[0-9]*.html")):
        page, log = _open_deck(new_page, server, deck)
        found = page.evaluate("""() => { const limit = Reveal.getConfig().height, out = [];
            const slides = Reveal.getSlides();
            for (const s of slides) { const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v);
                let height = s.scrollHeight;  // a quiz: also with each answer's feedback shown
                for (const b of s.querySelectorAll('.MCButton')) { b.click(); height = Math.max(height, s.scrollHeight); }
                if (height > limit + 1) out.push({h: i.h, v: i.v, height: height,
                    title: ((s.querySelector('h1, h2, h3') || {}).textContent || '').trim().slice(0, 60)}); }
            return {n: slides.length, over: out}; }""")
        total += found["n"]
        for o in found["over"]:
            page.evaluate(f"() => Reveal.slide({o['h']}, {o['v']})")
            page.screenshot(path=str(screenshots / f"slides-too-tall-{deck.stem}-{o['h']}-{o['v']}.png"))
            too_tall.append(f"{deck.stem} #/{o['h']}/{o['v']} ({o['title']!r}): {o['height']} px > {SCREEN[1]}")
        assert not log.problems(), "\n".join(log.problems())
    assert total >= 3 * len(EXECUTED), total
    assert not too_tall, f"{len(too_tall)} of {total} slides run past the bottom of a 1280×800 screen:\n" + "\n".join(too_tall)


def test_a_quiz_on_a_slide_still_answers(slides_dir, server, new_page):
    deck = next((d for d in sorted((slides_dir / "chapters").glob("[0-9]*.html"))
                 if "show_questions" in d.read_text(encoding="utf-8")), None)
    if deck is None:
        pytest.fail("no deck has a quiz")
    _offline(slides_dir)
    page, log = _open_deck(new_page, server, deck)
    # go to the slide that holds the first quiz, then answer it
    page.evaluate("""() => { const i = Reveal.getIndices(document.querySelector('.Quiz').closest('section'));
        Reveal.slide(i.h, i.v); }""")
    page.wait_for_timeout(300)
    quiz = page.locator(".Quiz").first
    right = quiz.locator('.MCButton[data-correct="true"]').first
    right.click()
    assert quiz.locator(".Feedback").inner_text().strip().startswith("✔")
    assert not log.problems(), "\n".join(log.problems())


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


@pytest.mark.parametrize("chapter", chapters(TREE) or ["(none built)"])
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
