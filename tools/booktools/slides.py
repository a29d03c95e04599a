"""Reveal.js decks from the site's own Sphinx build: the course's slide rules for ``sphinx-revealjs``.

``make slides`` runs ``jupyter-book build _build/site --builder custom --custom-builder revealjs`` on
the folder that ``make html`` staged and built. This extension is loaded in every build, so the
environment Sphinx saved for the site matches and is reused: nothing is read or executed again, and
citations, figure and equation numbers, glue, roles and included code come out as on the site.
Only the revealjs builder's output changes, by these rules:

- a section with a ``{slide}`` block (its chapter source says what to project: 1-4 short lines and
  the equations to show) becomes the lecturer's slide: its title, those lines and equations; each
  of its figures (the caption in the notes) and quiz questions follows on a slide of its own; the
  rest of the section -- the page's prose, code and tables -- goes into the speaker notes (``S``);
- in a section without one, the rules below cut the page into slides:
- ``#`` and ``##`` headings start a slide, ``###`` a sub-slide (sphinx-revealjs's sections);
- a section taller than a slide goes on over more slides under the same title (heights estimated
  by ``height``; ``tests/browser/test_builds.py`` measures every slide at 1280×800); a list or box
  that alone is too tall is cut between its items, a table between its rows (header repeated);
- every figure and every quiz question (still clickable) gets a slide of its own, unless the slide
  so far holds only a heading and a line or two; figures are scaled to the slide (``static/slides.css``);
- code: inputs the site hides, code longer than ``MAX_CODE_LINES`` lines and the code that draws a
  figure or shows a quiz move to the speaker notes (``S``), their output stays; included code
  longer than twice that becomes a pointer to its file;
- exercises and solutions are left out (homework; the site has them), as are the "Exercises" section and
  the recap's formula sheet (a handout of every equation: the site has it);
- links to other pages become text: a deck is one page, projected.

The decks load reveal.js from sphinx-revealjs's wheel and MathJax 3 from npm's package (fetched once,
``booktools.npm``), both copied beside them, so they work offline; without npm MathJax comes from
its CDN, as on the site. Other pages of the book are not made into decks; ``index.html`` lists the decks.
"""

from __future__ import annotations

import html
import json
import math
import posixpath
import re
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective
from sphinx_revealjs.nodes import revealjs_break

MAX_CODE_LINES = 12  # longer code cells keep only their output on slides
MAX_SLIDE_LINES = 4  # bullet lines of a {slide} block
SLIDE_H, TITLE_H = 800, 90  # the slide (reveal.js config below) and its heading, in slide pixels
LINE_H, LINE_CHARS, CODE_LINE_H = 34, 88, 21  # prose: a line's height and length at 26 px; code at 0.6 em
FIGURE_H, QUIZ_H = 600, 520  # a figure (CSS caps its image at 520 px, caption below); a quiz with feedback
NEARLY_EMPTY = 120  # a figure or quiz shares a slide only with this much above it (a heading, a line)
MATHJAX = ("mathjax", "3.2.2")
MATHJAX_FILES = ("es5/tex-mml-chtml.js", "es5/output/chtml/fonts/woff-v2", "es5/input/tex/extensions", "LICENSE")
STATIC = Path(__file__).resolve().parent / "static"
ROOT = STATIC.parents[2]  # the checkout
SKIPPED_SECTIONS = re.compile(r"^(exercises?|homework|solutions?|the formula sheet)\b", re.IGNORECASE)  # sheet: a handout
REVEAL = {"width": 1280, "height": SLIDE_H, "margin": 0.04, "center": False, "hash": True,
          "slideNumber": "c/t", "transition": "none"}


def _is(node, nb_element: str) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == nb_element


def _homework(node) -> bool:
    return type(node).__module__.startswith("sphinx_exercise") or (
        isinstance(node, nodes.section) and bool(SKIPPED_SECTIONS.match(node[0].astext() if node.children else "")))


def is_quiz(node) -> bool:
    return any("show_questions" in r.astext() for r in node.findall(nodes.raw))


def own_slide(node) -> bool:
    """Figures and quizzes get a slide of their own."""
    return bool(list(node.findall(nodes.image))) or is_quiz(node)


def height(node) -> int:
    """Rough height of ``node`` on a slide, in slide pixels (the CSS of ``static/slides.css``)."""
    if own_slide(node):
        return QUIZ_H if is_quiz(node) else FIGURE_H
    if isinstance(node, (nodes.literal_block, nodes.doctest_block)):
        return min(len(node.astext().splitlines()), 20) * CODE_LINE_H + 24
    if isinstance(node, nodes.math_block):  # display maths: about 2.5 lines of prose per row of the formula
        return 85 * (1 + node.astext().count("\\\\")) + 40
    if isinstance(node, nodes.raw):  # an HTML table (speaker notes take no room)
        return 32 * node.astext().count("<tr") + 20 if "<tr" in node.astext() and "notes" not in node.astext() else 0
    if isinstance(node, nodes.table):  # rows of wrapped cells at 0.7 em, columns sharing the slide's width
        return sum(_row_h(r, _cols(node)) for r in node.findall(nodes.row)) + 30
    if isinstance(node, (nodes.target, nodes.comment, nodes.system_message)) or _is(node, "cell_code_output") and \
            not node.children:
        return 0
    if isinstance(node, nodes.TextElement):  # paragraphs, rubrics, captions: wrapped lines
        return math.ceil(len(node.astext()) / LINE_CHARS) * LINE_H + 14
    pad = 40 if isinstance(node, (nodes.Admonition, nodes.block_quote)) else 8  # a box: its title, padding
    return sum(height(c) for c in node.children) + pad


def _cols(table) -> int:
    return max([len(r.children) for r in table.findall(nodes.row)] + [1])


def _row_h(row, cols: int) -> int:
    return 24 * max([math.ceil(len(c.astext()) / (120 / cols)) for c in row.children] + [1]) + 8


def _split_table(child, room: int) -> None:
    """A table taller than a slide, cut between its body rows (the header repeated on each part): ``child``
    becomes one copy per part; the text around the table goes with the first part (before) and the last (after)."""
    table = next((t for t in child.findall(nodes.table) if height(t) > room), None)
    body = table and next(iter(table.findall(nodes.tbody)), None)
    if body is None:
        return
    where, cols = list(child.findall(nodes.table)).index(table), _cols(table)
    fixed = height(table) - sum(_row_h(r, cols) for r in body.children)  # header and margins
    chunks, used = [[]], fixed
    for row in body.children:
        if chunks[-1] and used + _row_h(row, cols) > room:
            chunks, used = chunks + [[]], fixed
        chunks[-1].append(row)
        used += _row_h(row, cols)
    copies = []
    for k, chunk in enumerate(chunks):
        copy = child.deepcopy()
        part = list(copy.findall(nodes.table))[where]
        rows = next(iter(part.findall(nodes.tbody)))
        rows.children = []
        rows.extend(r.deepcopy() for r in chunk)
        if part is not copy:
            at, last = part.parent.index(part), len(chunks) - 1
            part.parent.children = [c for i, c in enumerate(part.parent.children)
                                    if i == at or (i < at and k == 0) or (i > at and k == last)]
        copies.append(copy)
    child.replace_self(copies)


def _split(node, room: int) -> list:
    """A list or box too tall for one slide, cut between its items: parts that each fit in ``room``."""
    parts, current, used, done = [], node.copy(), 0, 0
    title = [c for c in node.children if isinstance(c, nodes.title)]
    current.extend(t.deepcopy() for t in title)
    for item in [c for c in node.children if not isinstance(c, nodes.title)]:
        h = height(item)
        if used and used + h > room:
            parts.append(current)
            current, used = node.copy(), 0
            current.extend(t.deepcopy() for t in title)
            if isinstance(node, nodes.enumerated_list):  # numbering goes on
                current["start"] = node.get("start", 1) + done
        current.append(item)
        used, done = used + h, done + 1
    return parts + [current]


def _english_quiz_only(cell) -> None:
    """The decks are English: a quiz cell keeps its English quiz; the Chinese twin (for the zh
    edition, ``resnet_book.book.quiz``) and its script go."""
    for raw in [r for r in cell.findall(nodes.raw) if "show_questions" in r.astext()][1:]:
        raw.parent.remove(raw)
    for raw in [r for r in cell.findall(nodes.raw) if "rb-quiz-zh" in r.astext()]:
        text = re.sub(r'<div class="rb-quiz rb-quiz-zh".*', "", raw.astext(), flags=re.S)
        raw.replace_self(nodes.raw("", text, format="html"))


def _one_question_each(cell) -> None:
    """A quiz of several questions becomes one quiz per question (a slide each): jupyterquiz's
    ``var questions<ID>=[...]`` is cut into single questions, each under an ID of its own."""
    js = next((r for r in cell.findall(nodes.raw) if "show_questions" in r.astext()), None)
    m = js and re.search(r"var questions(\w+)=", js.astext())
    questions, end = json.JSONDecoder().raw_decode(js.astext(), m.end()) if m else ([], 0)
    copies = []
    for k, question in enumerate(questions if len(questions) > 1 else []):
        copy = cell.deepcopy()
        for raw in list(copy.findall(nodes.raw)):
            text = raw.astext()
            if text == js.astext():
                text = text[:m.end()] + json.dumps([question]) + text[end:]
            raw.replace_self(nodes.raw("", text.replace(m.group(1), f"{m.group(1)}{k}"), format="html"))
        copies.append(copy)
    if copies:
        cell.replace_self(copies)


def paginate(section) -> None:
    """Insert slide breaks into ``section`` where its content would run past the bottom of the slide."""
    room, used = SLIDE_H - TITLE_H, 0
    for child in list(section.children):  # first, tables, lists and boxes too tall for any slide are cut
        if not isinstance(child, (nodes.title, nodes.section)):
            _split_table(child, room)
    for child in list(section.children):
        if isinstance(child, (nodes.bullet_list, nodes.enumerated_list, nodes.Admonition)) and height(child) > room:
            child.replace_self(_split(child, room))
    for child in list(section.children):
        if isinstance(child, (nodes.title, nodes.section, nodes.target)):
            continue
        h = height(child)
        if used and (used + h > room or (own_slide(child) and used > NEARLY_EMPTY)):
            section.insert(section.index(child), revealjs_break())
            used = 0
        used += room if own_slide(child) else h  # nothing joins a figure or quiz on its slide


def _trim_code(cell) -> None:
    """Hidden inputs, long code and the code of figures and quizzes go to the speaker notes; the output stays."""
    hidden = cell.attributes.pop("hide_mode", None) in ("input", "input+output", "all")  # not folded on slides
    for s in [c for c in cell.children if _is(c, "cell_code_source")]:
        if hidden or len(s.astext().strip().splitlines()) > MAX_CODE_LINES or own_slide(cell):
            cell.replace(s, nodes.raw("", f'<aside class="notes"><pre>{html.escape(s.astext())}</pre></aside>',
                                      format="html"))


# --- a section with a {slide} block: the slide the lecturer projects, the prose in the notes ---------
class slide_notes(nodes.Element):
    """Speaker notes (reveal.js ``<aside class="notes">``, the ``S`` key): whatever it holds."""


def _visit_notes(self, node):
    self.body.append('<aside class="notes">\n')


def _depart_notes(self, node):
    self.body.append("</aside>\n")


_INLINE = re.compile(r"(\*\*.+?\*\*|\*.+?\*|`.+?`|\$.+?\$)")


def _inline(text: str) -> list:
    """A slide line's Markdown: **strong**, *emphasis*, `code`, $maths$; the rest is text."""
    out = []
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("**"):
            out.append(nodes.strong("", part[2:-2]))
        elif part.startswith("*"):
            out.append(nodes.emphasis("", part[1:-1]))
        elif part.startswith("`"):
            out.append(nodes.literal("", part[1:-1]))
        elif part.startswith("$"):
            out.append(nodes.math("", part[1:-1]))
        else:
            out.append(nodes.Text(part))
    return out


def _shown(section, labels: list[str]) -> list:
    """Copies of the section's equations (or other labelled nodes) that ``:show:`` names."""
    found = []
    for label in labels:
        ids = {label, f"equation-{label}", label.replace("_", "-")}
        node = next((n for n in section.findall(nodes.Element) if set(n.get("ids", [])) & ids
                     and not isinstance(n, (nodes.section, nodes.target))), None)
        if node is None:  # a MyST label is a target just before its node
            target = next((n for n in section.findall(nodes.target) if set(n.get("ids", []) + n.get("refid", "").split()) & ids), None)
            if target is not None and target.parent is not None:
                i = target.parent.index(target)
                node = target.parent[i + 1] if i + 1 < len(target.parent) else None
        if node is not None:
            found.append(node)
    return found


def _caption_to_notes(block):
    """A figure on its own slide keeps the picture; its caption is read out, so it goes to the notes."""
    notes = slide_notes()
    for cap in list(block.findall(nodes.caption)) + list(block.findall(nodes.legend)):
        notes.append(nodes.paragraph("", "", *[c.deepcopy() for c in cap.children]))
        cap.parent.remove(cap)
    return notes


def lecture_slide(section, default: bool = False) -> bool:
    """Turn a section that has a ``{slide}`` block into its lecture slides: first the questions it opens
    with (predict-first: put to the room before anything that answers them), one per slide; then the
    title, the block's lines and the equations it names; then each later figure and quiz question on a
    slide of its own; every other part of the section (prose, code, tables) in the speaker notes.
    False if it has no block."""
    blocks = [c for c in section.children if isinstance(c, slide_block)] or ([slide_block("", lines=[], show=[])] if default else [])
    if not blocks:
        return False
    block = blocks[0]
    title = [c for c in section.children if isinstance(c, (nodes.title, nodes.target))]
    subsections = [c for c in section.children if isinstance(c, nodes.section)]
    rest = [c for c in section.children if c not in title and c not in subsections and not isinstance(c, slide_block)]
    shown = [n.deepcopy() for n in _shown(section, block["show"])]
    lines = nodes.bullet_list("", *[nodes.list_item("", nodes.paragraph("", "", *_inline(ln))) for ln in block["lines"]],
                              classes=["slide-lines"])
    notes, own, first = slide_notes(), [], []
    for child in rest:
        if own_slide(child) and is_quiz(child) and not own:
            first.append(child)  # a predict-first question: asked before the slide that answers it
        elif own_slide(child):
            own.append(child)
        else:
            notes.append(child)
    section.children = []
    section.extend(title)
    for k, quiz in enumerate(first):
        if k:
            section += revealjs_break()
        section += quiz
    if first:
        section += revealjs_break()
    if block["lines"]:
        section += lines
    section.extend(shown)
    if notes.children:
        section += notes
    for child in own:
        section += revealjs_break()
        section += child
        if not is_quiz(child):
            caption_notes = _caption_to_notes(child)
            if caption_notes.children:
                section += caption_notes
    section.extend(subsections)
    return True


def _card(section) -> bool:
    titles = [c for c in section.children if isinstance(c, nodes.title)]
    return bool(titles) and "knowledge card" in titles[0].astext().lower()


def apply_rules(document) -> None:
    for node in list(document.findall(_homework)):
        node.parent.remove(node)
    for cell in list(document.findall(lambda n: _is(n, "cell_code"))):
        _trim_code(cell)
        if is_quiz(cell):
            _english_quiz_only(cell)
            _one_question_each(cell)
    sections = list(document.findall(nodes.section))
    has_blocks = any(True for _ in document.findall(slide_block))
    # Without a {slide} block, a deck's opening section (run box, reading time, goals), a knowledge card
    # and every section of a page that has no blocks at all (the appendix) project their title, figures
    # and questions; their text is the speaker notes (a slide is not a page of prose).
    lectured = {id(s) for s in sections
                if lecture_slide(s, default=s is sections[0] or _card(s) or not has_blocks)}
    for block in list(document.findall(nodes.literal_block)):  # included code
        if block.get("source") and len(block.astext().splitlines()) > 2 * MAX_CODE_LINES:
            where = Path(block["source"]).resolve()
            name = where.relative_to(ROOT).as_posix() if where.is_relative_to(ROOT) else where.name
            block.replace_self(nodes.paragraph("", "", nodes.emphasis("", "Code on the site: "), nodes.literal("", name)))
    for ref in list(document.findall(nodes.reference)):
        if ref.get("internal") or ref.get("refid"):
            ref.replace_self(nodes.inline("", "", *ref.children))
    for section in list(document.findall(nodes.section)):
        if id(section) not in lectured:
            paginate(section)


class SlideRules(SphinxPostTransform):
    default_priority = 150  # references and glue resolved (<= 10), myst-nb not yet folding inputs (199)
    builders = ("revealjs",)

    def run(self, **kwargs):
        if self.env.docname.startswith("chapters/"):
            apply_rules(self.document)


def _configure(app, config) -> None:
    """The decks' look, for every build: the site's environment then serves the slides too."""
    from myst_nb.core.render import base_render_priority

    config.revealjs_style_theme = "white"
    config.revealjs_static_path = [str(STATIC)]
    config.revealjs_css_files = ["slides.css", "a11y/a11y.css"]  # the site's contrast and quiz fixes (booktools.a11y)
    config.revealjs_js_files = [*config.revealjs_js_files, "a11y/a11y.js"]  # quizzes by keyboard (booktools.a11y)
    config.revealjs_script_conf = dict(REVEAL)
    config.revealjs_script_plugins = [{"name": "RevealNotes", "src": "revealjs/plugin/notes/notes.js"}]
    config.nb_mime_priority_overrides = [*config.nb_mime_priority_overrides,  # outputs as on the html site
                                         *(("revealjs", m, p) for m, p in base_render_priority()["html"].items())]


def _js_pairs(app, config) -> None:
    """``revealjs_js_files`` as (file, attributes) pairs, the form sphinx-revealjs reads: it converts the
    names it was given when the config is read, before the names added since (ours above,
    booktools.quiz_answers')."""
    config.revealjs_js_files = [(e, {}) if isinstance(e, str) else tuple(e) for e in config.revealjs_js_files]


def _offline(app) -> None:
    if app.builder.name == "revealjs":
        from booktools.npm import npm_package

        app.builder.copysource = False
        app.config.html_theme_options = {}  # the site theme's launch and source buttons: not on slides
        app._rb_mathjax = npm_package(*MATHJAX)
        if app._rb_mathjax:  # loaded before the quizzes' scripts run (they typeset with it after 500 ms)
            app.config.mathjax_path, app.config.mathjax_options = "mathjax/es5/tex-mml-chtml.js", {"defer": None}


def _drop_site_scripts(app, context) -> None:
    """The site's scripts (theme, copy buttons, thebe...) need the site's page; a deck needs its own
    only (those of ``revealjs_js_files``, e.g. booktools.quiz_answers')."""
    own = {e if isinstance(e, str) else e[0] for e in app.config.revealjs_js_files}
    own |= {posixpath.join("_static", f) for f in own if "://" not in f}  # as add_js_file names them
    for files in (app.builder._js_files, app.builder._orig_js_files):
        files[:] = [f for f in files if getattr(f, "filename", None) in own]


def _deck_neighbours(app, pagename, templatename, context, doctree) -> None:
    """A deck's <link rel="prev|next"> only to other decks: the book's other pages are not decks."""
    if app.builder.name != "revealjs":
        return
    for key in ("prev", "next"):
        rel = context.get(key)
        if rel and not posixpath.normpath(posixpath.join(posixpath.dirname(pagename), rel["link"])).startswith("chapters/"):
            context[key] = None


def _finish(app, exception) -> None:
    if exception or app.builder.name != "revealjs":
        return
    out = Path(app.outdir)
    if getattr(app, "_rb_mathjax", None):
        for part in MATHJAX_FILES:
            src, dest = app._rb_mathjax / part, out / "_static" / "mathjax" / part
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(src, dest, dirs_exist_ok=True) if src.is_dir() else shutil.copy2(src, dest)
    decks = sorted(d for d in app.env.found_docs if d.startswith("chapters/"))
    for page in out.glob("**/*.html"):  # the book's other pages are not decks
        if page.relative_to(out).with_suffix("").as_posix() not in decks and not page.is_relative_to(out / "_static"):
            page.unlink()
    for folder in sorted(out.glob("**/"), reverse=True):
        if folder != out and not any(folder.iterdir()):
            folder.rmdir()
    items = "\n".join(f'<li><a href="{d}.html">{html.escape(app.env.titles[d].astext())}</a></li>' for d in decks)
    from booktools.site import SLIDES, TREE

    book = "../" * SLIDES.count("/") + TREE["en", False] + "index.html"  # the site, beside the decks in the published tree
    (out / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Slides</title><link rel="icon" '
        'href="data:,"></head><body>\n<h1>Slides, one deck per chapter</h1>\n<p>Arrows move between slides, '
        f"<kbd>Esc</kbd> shows the overview, <kbd>S</kbd> the speaker notes.</p>\n<ul>\n{items}\n</ul>\n"
        f'<p><a class="rb-book" href="{book}">The book</a> these decks are made from.</p></body></html>\n',
        encoding="utf-8")


# --- what a section puts on its slide: the ``{slide}`` directive ------------------------------------
class slide_block(nodes.General, nodes.Element):
    """A section's slide, as its chapter source writes it (``{slide}``): ``lines`` (1-4 short Markdown
    bullet lines) and ``show`` (labels of the section's equations or tables to put on the slide).
    It holds no text nodes, so the site and its catalogs never see it; the decks render it."""


class SlideDirective(SphinxDirective):
    """::

        ```{slide}
        :show: eq-02-residual
        - the block learns F(x) = H(x) - x
        - identity is easy: push F to zero
        ```

    On the site nothing; in the decks the section's slide (title, these lines, what ``:show:``
    names; its figures and quiz questions follow on slides of their own) and the rest of the
    section in the speaker notes (``S``)."""

    has_content = True
    option_spec = {"show": directives.unchanged}

    def run(self):
        lines = [ln.strip() for ln in self.content if ln.strip()]
        bad = [ln for ln in lines if not ln.startswith(("- ", "* "))]
        if bad or not 1 <= len(lines) <= MAX_SLIDE_LINES:
            raise self.error(f"a {{slide}} block holds 1-{MAX_SLIDE_LINES} bullet lines ('- ...'), got {lines!r}")
        show = [s.strip() for s in self.options.get("show", "").split(",") if s.strip()]
        return [slide_block("", lines=[ln[2:].strip() for ln in lines], show=show)]


def _skip(self, node):
    raise nodes.SkipNode


def setup(app):
    app.add_node(slide_block, html=(_skip, None), latex=(_skip, None), text=(_skip, None), man=(_skip, None),
                 texinfo=(_skip, None), revealjs=(_skip, None))
    app.add_node(slide_notes, html=(_skip, None), revealjs=(_visit_notes, _depart_notes))
    app.add_directive("slide", SlideDirective)
    app.setup_extension("sphinx_revealjs")
    app.connect("config-inited", _configure)
    app.connect("config-inited", _js_pairs, priority=900)  # after every extension added its files
    app.connect("builder-inited", _offline)
    app.connect("revealjs:ready-for-writing", _drop_site_scripts)
    app.connect("html-page-context", _deck_neighbours)
    app.connect("build-finished", _finish)
    app.add_post_transform(SlideRules)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
