"""The slide rules (booktools.slides) on hand-made doctrees, and a real two-builder Sphinx build.

The decks of the book themselves are tested in a browser by ``tests/browser/test_builds.py``
(every slide of every deck fits 1280×800, quizzes answer, decks load offline).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from sphinx_revealjs.nodes import revealjs_break

from booktools import slides

QUIZ_JS = nodes.raw("", "function show_questions(){}", format="html")


def _doc(*sections):
    """A page whose chapter has a {slide} block: its sections are the ones a lecturer did not give one."""
    doc = new_document("t", get_default_settings(Parser))
    doc += nodes.section("", nodes.title("", "Chapter"), slides.slide_block("", lines=["the point"], show=[]), *sections,
                         ids=["chapter"])
    return doc


def _section(title, *children):
    return nodes.section("", nodes.title("", title), *children, ids=[title.lower().replace(" ", "-")])


def _para(chars=80):
    return nodes.paragraph("", "word " * (chars // 5))


def _cell(source_lines=2, *outputs, hide=None):
    cell = nodes.container(nb_element="cell_code", classes=["cell"])
    cell += nodes.container("", nodes.literal_block("", "\n".join(f"x{i} = {i}" for i in range(source_lines))),
                            nb_element="cell_code_source")
    cell += nodes.container("", *outputs, nb_element="cell_code_output")
    if hide:
        cell["hide_mode"] = hide
    return cell


def _figure():
    return nodes.figure("", nodes.image(uri="x.png"), nodes.caption("", "A curve."))


def _kinds(section):
    return ["break" if isinstance(c, revealjs_break) else type(c).__name__ for c in section.children]


def test_figures_and_quizzes_get_their_own_slide_unless_the_slide_holds_only_a_heading():
    sec = _section("Section", _cell(3, _figure()), _para(600), _cell(2, QUIZ_JS.deepcopy()), _para(), _para())
    slides.apply_rules(_doc(sec))
    # the figure right under the heading stays; prose after it, the quiz and the text after it move on
    assert _kinds(sec) == ["title", "container", "break", "paragraph", "break", "container", "break",
                           "paragraph", "paragraph"]
    cells = [c for c in sec.children if isinstance(c, nodes.container)]
    assert all(not any(x.get("nb_element") == "cell_code_source" for x in c.children) for c in cells)  # no code


def test_long_prose_goes_on_over_more_slides_and_code_rules():
    sec = _section("Long", *[_para(700) for _ in range(8)],
                   _cell(slides.MAX_CODE_LINES + 5, nodes.literal_block("", "done")),  # long: output only
                   _cell(3, nodes.literal_block("", "(2, 3)")),  # short: shown
                   _cell(3, nodes.literal_block("", "ok"), hide="input"))  # hidden on the site: output only
    slides.apply_rules(_doc(sec))
    kinds = _kinds(sec)
    assert 2 <= kinds.count("break") <= 5, kinds
    assert kinds.index("break") > 2  # a slide holds a few paragraphs
    sources = [len([x for x in c.children if x.get("nb_element") == "cell_code_source"])
               for c in sec.children if isinstance(c, nodes.container)]
    assert sources == [0, 1, 0]
    assert all("hide_mode" not in c for c in sec.findall(nodes.container))


def test_a_list_too_tall_for_a_slide_is_cut_between_items():
    items = [nodes.list_item("", _para(300)) for _ in range(14)]
    sec = _section("List", nodes.bullet_list("", *items))
    slides.apply_rules(_doc(sec))
    lists = [c for c in sec.children if isinstance(c, nodes.bullet_list)]
    assert len(lists) >= 2 and sum(len(lst.children) for lst in lists) == 14
    assert all(slides.height(lst) <= slides.SLIDE_H - slides.TITLE_H for lst in lists)
    assert "break" in _kinds(sec)


def _table(rows, cols=4):
    def row(text):
        return nodes.row("", *[nodes.entry("", nodes.paragraph("", text)) for _ in range(cols)])
    group = nodes.tgroup("", *[nodes.colspec(colwidth=1) for _ in range(cols)], cols=cols)
    group += nodes.thead("", row("head"))
    group += nodes.tbody("", *[row(f"row {i} " + "word " * 8) for i in range(rows)])
    return nodes.table("", group)


def test_a_table_too_tall_for_a_slide_is_cut_between_rows_with_its_header():
    cell = _cell(2, _para(), _table(30), _para())  # a Markdown output: text, table, text
    sec = _section("Table", cell)
    slides.apply_rules(_doc(sec))
    tables = list(sec.findall(nodes.table))
    assert len(tables) >= 2 and "break" in _kinds(sec)
    assert all(slides.height(t) <= slides.SLIDE_H - slides.TITLE_H for t in tables)
    assert all(t.findall(nodes.thead) for t in tables)
    body = [r.astext().split()[1] for t in tables for r in t.findall(nodes.row) if r.parent.tagname == "tbody"]
    assert body == [str(i) for i in range(30)]  # every row once, in order
    outputs = [c for c in sec.findall(lambda n: slides._is(n, "cell_code_output"))]
    assert [len(list(o.findall(nodes.paragraph))) - 4 * len(list(o.findall(nodes.row))) for o in outputs] == \
        [1] + [0] * (len(outputs) - 2) + [1]  # the text before with the first part, after with the last


def test_exercises_solutions_and_links_to_other_pages_are_left_out():
    from sphinx_exercise.nodes import exercise_enumerable_node, solution_node

    ex = exercise_enumerable_node("", _para(), label="ex-1")
    sol = solution_node("", _para(), label="sol-1")
    link = nodes.paragraph("", "", nodes.reference("", "Fig. 2.1", internal=True, refuri="../b.html#x"),
                           nodes.Text(" and "), nodes.reference("", "the paper", refuri="https://arxiv.org/abs/1512.03385"))
    intro = _section("Intro", link, ex, sol)
    homework = _section("Exercises", _para(), ex.deepcopy())
    card = _section("Knowledge card", nodes.admonition("", nodes.title("", "Card"), _para()))
    doc = _doc(intro, homework, card)
    slides.apply_rules(doc)
    assert [s[0].astext() for s in doc.findall(nodes.section)] == ["Chapter", "Intro", "Knowledge card"]
    assert not list(doc.findall(exercise_enumerable_node)) and not list(doc.findall(solution_node))
    refs = list(doc.findall(nodes.reference))
    assert [r["refuri"] for r in refs] == ["https://arxiv.org/abs/1512.03385"]  # the outside link stays
    assert "Fig. 2.1 and the paper" in link.astext()


def test_long_included_code_becomes_a_pointer_to_its_file():
    code = nodes.literal_block("", "\n".join(f"line {i}" for i in range(3 * slides.MAX_CODE_LINES)),
                               source=str(Path(slides.__file__).resolve().parents[2] / "src/resnet_book/models/blocks.py"))
    short = nodes.literal_block("", "a = 1", source="x.py")
    sec = _section("Code", code, short)
    slides.apply_rules(_doc(sec))
    assert sec.children[1].astext() == "Code on the site: src/resnet_book/models/blocks.py"
    assert sec.children[2] is short


def test_the_site_and_the_decks_come_from_one_read(tmp_path):
    """html, then revealjs on the same doctrees: the second build reads nothing, and the deck follows the rules."""
    src = tmp_path / "src"
    (src / "chapters").mkdir(parents=True)
    tools = Path(slides.__file__).resolve().parents[1]
    (src / "conf.py").write_text(textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(tools)!r})
        extensions = ["myst_nb", "sphinx_exercise", "booktools.slides"]
        numfig = True
        nb_execution_mode = "off"
        exclude_patterns = ["_build"]
        """))
    (src / "index.md").write_text("# Book\n\n```{toctree}\nchapters/01_a\n```\n")
    nb = {"nbformat": 4, "nbformat_minor": 4, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Chapter A\n\nSee {numref}`fig-a`.\n\n## Figure"},
        {"cell_type": "code", "metadata": {"mystnb": {"figure": {"caption": "A dot.", "name": "fig-a"}}},
         "execution_count": 1, "source": "plot()", "outputs": [{"output_type": "display_data", "metadata": {}, "data": {
             "image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
             "text/plain": "<Figure>"}}]},
        {"cell_type": "markdown", "metadata": {}, "source": "## Projected\n\n```{slide}\n- **only** this line\n```\n\n"
                                                             "The page's long explanation of it."},
        {"cell_type": "markdown", "metadata": {}, "source": "## Exercises\n\n```{exercise}\n:label: ex-a\nDo it.\n```\n\n"
                                                             "```{solution} ex-a\nThe secret answer.\n```"}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                       "language_info": {"name": "python"}}}
    (src / "chapters" / "01_a.ipynb").write_text(json.dumps(nb))
    build = tmp_path / "_build"

    def sphinx(builder):
        r = subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-W", "-d", str(build / ".doctrees"),
                            str(src), str(build / builder)], capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
        return r.stdout

    assert re.search(r"reading sources\.\.\. \[ *\d+%\] chapters/01_a", sphinx("html"))
    out = sphinx("revealjs")
    assert "updating environment: 0 added, 0 changed, 0 removed" in out, out  # the site's environment served the decks
    deck = (build / "revealjs" / "chapters" / "01_a.html").read_text()
    assert "Fig. 1" in deck and "<img" in deck and "A dot." in deck  # numbered by Sphinx, figure and caption
    assert "The secret answer" not in deck and "Do it." not in deck
    assert deck.count("plot()") == 1 and '<aside class="notes"><pre>plot()</pre></aside>' in deck  # code: notes only
    assert len(re.findall(r"<section", deck)) >= 3
    assert 'rel="prev"' not in deck  # its neighbour is the book's index page, not a deck
    # the deck's own scripts only: the quizzes' keyboard fixes, not the site's (booktools.a11y)
    assert re.findall(r'<script src="\.\./_static/([^"?]+)', deck)[:1] == ["a11y/a11y.js"], deck[:3000]
    assert "doctools.js" not in deck and "a11y/a11y.css" in deck
    assert 'href="chapters/01_a.html"' in (build / "revealjs" / "index.html").read_text()
    assert not (build / "revealjs" / "index.md").exists() and not list((build / "revealjs").glob("_sources"))
    # the {slide} block: its line on the slide, the section's prose in the notes
    assert "<strong>only</strong> this line" in deck
    assert re.search(r'<aside class="notes">\s*<p>The page.s long explanation of it.</p>', deck)
    site = (build / "html" / "chapters" / "01_a.html").read_text()
    assert "The secret answer" in site and "revealjs" not in site.lower()  # the site is not touched
    assert "only this line" not in site and "long explanation of it." in site


def test_a_quiz_of_several_questions_becomes_one_slide_per_question():
    questions = [{"question": f"Q{i}?", "type": "multiple_choice", "answers": []} for i in range(3)]
    div = nodes.raw("", '<div id="AbCdEfGhIjKl" data-numquestions="1000000"></div><style>#AbCdEfGhIjKl {}</style>',
                    format="html")
    js = nodes.raw("", f"<script>var questionsAbCdEfGhIjKl={json.dumps(questions)}function show_questions(){{}}\n"
                       'show_questions(questionsAbCdEfGhIjKl, document.getElementById("AbCdEfGhIjKl"));</script>',
                   format="html")
    sec = _section("Quiz", _para(600), _cell(1, div, js))
    slides.apply_rules(_doc(sec))
    quizzes = [c for c in sec.children if isinstance(c, nodes.container)]
    assert len(quizzes) == 3 and _kinds(sec).count("break") == 3  # after the text, then one slide each
    for k, quiz in enumerate(quizzes):
        text = "".join(r.astext() for r in quiz.findall(nodes.raw))
        assert f"var questionsAbCdEfGhIjKl{k}=" in text and f'id="AbCdEfGhIjKl{k}"' in text
        assert f"Q{k}?" in text and all(f"Q{j}?" not in text for j in range(3) if j != k)


def test_a_section_with_a_slide_block_projects_its_lines_and_keeps_its_prose_in_the_notes():
    eq = nodes.math_block("", "y = F(x) + x", ids=["equation-eq-02-residual"])
    block = slides.slide_block("", lines=["the block learns **F(x) = H(x) - x**", "identity: $F = 0$"],
                               show=["eq-02-residual"])
    sec = _section("Residual learning", block, _para(400), eq, _cell(3, _figure()), _para(300),
                   _cell(2, QUIZ_JS.deepcopy()), _section("Sub", _para()))
    slides.apply_rules(_doc(sec))
    kinds = _kinds(sec)
    assert kinds[:4] == ["title", "bullet_list", "math_block", "slide_notes"], kinds
    notes = sec[3]
    assert [type(c).__name__ for c in notes.children] == ["paragraph", "math_block", "paragraph"]  # nothing lost
    # then the figure, its caption read out from the notes, then the quiz, each on a slide of its own; the subsection stays
    assert kinds[4:] == ["break", "container", "slide_notes", "break", "container", "section"], kinds
    assert sec[6].astext() == "A curve." and not list(sec[5].findall(nodes.caption))
    lines = sec[1]
    assert [type(c).__name__ for c in lines[0][0].children] == ["Text", "strong"] and isinstance(lines[1][0][1], nodes.math)


def test_a_question_that_opens_its_section_is_asked_before_the_slide_that_answers_it():
    """Predict-first: the lines and the equation of a section answer its opening question, so the
    question comes first, each question on its own slide, and the lecture slide after them."""
    eq = nodes.math_block("", "y = F(x) + x", ids=["equation-eq-02-residual"])
    block = slides.slide_block("", lines=["the answer: **F(x) = H(x) - x**"], show=["eq-02-residual"])
    sec = _section("Residual learning", block, _para(100), _cell(2, QUIZ_JS.deepcopy()), _cell(2, QUIZ_JS.deepcopy()),
                   _para(300), eq, _cell(3, _figure()))
    slides.apply_rules(_doc(sec))
    kinds = _kinds(sec)
    assert kinds == ["title", "container", "break", "container", "break", "bullet_list", "math_block", "slide_notes",
                     "break", "container", "slide_notes"], kinds
    assert all("show_questions" in "".join(r.astext() for r in sec[i].findall(nodes.raw)) for i in (1, 3))


def test_a_page_without_slide_blocks_its_opening_and_its_knowledge_card_keep_their_text_in_the_notes():
    """A deck's opening (run box, goals), a knowledge card, and every section of a page with no {slide}
    block at all (the appendix) project their title, figures and questions; their text is the notes."""
    card = _section("Knowledge card", _para(600))
    top = nodes.section("", nodes.title("", "Appendix A"), _para(400), _section("Three scales", _para(900), _cell(3, _figure())), card,
                        ids=["appendix-a"])
    doc = new_document("t", get_default_settings(Parser))
    doc += top
    slides.apply_rules(doc)
    assert _kinds(top)[:2] == ["title", "slide_notes"], _kinds(top)
    three = top.children[2]
    assert _kinds(three) == ["title", "slide_notes", "break", "container", "slide_notes"], _kinds(three)
    assert _kinds(card) == ["title", "slide_notes"], _kinds(card)


def test_quiz_answers_in_class_is_a_build_option(monkeypatch):
    from types import SimpleNamespace

    from booktools import quiz_answers

    monkeypatch.delenv(quiz_answers.ENV, raising=False)
    cfg = SimpleNamespace(html_static_path=[], revealjs_css_files=["slides.css"], revealjs_js_files=[])
    quiz_answers._configure(None, cfg)
    assert cfg.revealjs_js_files == [] and cfg.html_static_path == []  # default: answers at once
    monkeypatch.setenv(quiz_answers.ENV, "lecturer")
    quiz_answers._configure(None, cfg)
    assert cfg.revealjs_js_files == ["quiz_answers.js"] and "quiz_answers.css" in cfg.revealjs_css_files
    assert all((quiz_answers.STATIC / f).exists() for f in quiz_answers.FILES)
    js = (quiz_answers.STATIC / "quiz_answers.js").read_text()
    assert "rb-revealed" in js and ".Quiz" in js  # jupyterquiz's question container
    monkeypatch.setenv(quiz_answers.ENV, "maybe")
    import pytest

    with pytest.raises(ValueError, match="lecturer"):
        quiz_answers.lecturer_mode()


def test_a_deck_keeps_the_scripts_given_it_after_sphinx_revealjs_read_its_config():
    """booktools.quiz_answers adds its script by name after sphinx-revealjs turned the names into
    (name, attributes) pairs: made pairs too; a deck keeps those scripts and drops the site's."""
    from types import SimpleNamespace

    cfg = SimpleNamespace(revealjs_js_files=[("a11y/a11y.js", {}), "quiz_answers.js"])
    slides._js_pairs(None, cfg)
    assert cfg.revealjs_js_files == [("a11y/a11y.js", {}), ("quiz_answers.js", {})]
    js = [SimpleNamespace(filename=f) for f in ("_static/doctools.js", "_static/a11y/a11y.js", "_static/quiz_answers.js")]
    builder = SimpleNamespace(_js_files=list(js), _orig_js_files=list(js))
    slides._drop_site_scripts(SimpleNamespace(config=cfg, builder=builder), {})
    assert [f.filename for f in builder._js_files] == ["_static/a11y/a11y.js", "_static/quiz_answers.js"]
    assert builder._orig_js_files == builder._js_files
