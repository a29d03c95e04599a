"""Sphinx extension: the site for readers with a screen reader, a keyboard only, low vision or a phone.

What the theme and the extensions write is fixed where it is made, for every html edition (English,
Chinese, student) and, where it applies, the decks:

- **Figures say what they show**: each image of a figure gets alt text from its caption (the caption
  as translated, in the Chinese edition) where it has none -- the first sentence of the caption,
  which the ``<figcaption>`` beneath gives in full.
- **Figures open full size**: every image of a page (figures and cell outputs) is a link to the image
  file, so that a reader on a phone can open a four-panel figure at full size and zoom; at phone
  width, a figure much wider than tall (multi-panel) keeps a legible size and scrolls sideways in
  its own box (``a11y.css``), never the page.
- **Names that match what is shown**: myst-nb's "Show code cell source" summaries carry a fixed
  English ``aria-label`` ("Toggle hidden content") that hides their visible text from speech input;
  it is dropped, so the visible text names them. The theme's header buttons are fixed in
  ``static/a11y.js`` (they are drawn by the theme's templates).
- **Tables and lists**: a table of the course's code whose header row starts with an empty cell has
  its row labels in the first column: they become row headers; the bibliography's entries are
  list items (docutils gives them DPUB-ARIA's deprecated ``doc-biblioentry`` role).
- **Contrast** of links in admonitions, inline code, captions, glued numbers and the quizzes'
  colours: ``static/a11y.css``.
- **Quizzes with the keyboard alone**: ``static/a11y.js`` (jupyterquiz draws its options with a
  script, so they are fixed when they appear): Tab reaches every option, Enter or Space answers,
  the feedback is announced.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes

STATIC = Path(__file__).resolve().parent / "static"
HTML_BUILDERS = ("html", "dirhtml")
WIDE = 2.0  # width / height above which an image is "wide" (multi-panel): it scrolls in its box on a phone
ALT_MAX = 250

# A sentence ends at . ! ? followed by a space and a capital, not after "Fig." "e.g." and the like;
# or at a Chinese full stop.
_ABBREV = r"(?<!\bFig)(?<!\bFigs)(?<!\bEq)(?<!\bSec)(?<!\bTab)(?<!\be\.g)(?<!\bi\.e)(?<!\bcf)(?<!\bvs)(?<!\bet al)(?<!\bapprox)"
_SENTENCE_END = re.compile(_ABBREV + r"[.!?](?=\s+[A-Z(\"'])|[。！？]")


def alt_from_caption(caption: str, limit: int = ALT_MAX) -> str:
    """The first sentence of ``caption`` (whitespace collapsed), at most ``limit`` characters."""
    text = " ".join(caption.split())
    m = _SENTENCE_END.search(text)
    first = text[:m.end()] if m else text
    if len(first) > limit:
        cut = first[:limit].rsplit(" ", 1)[0] if " " in first[:limit] else first[:limit]
        first = cut.rstrip(",;:") + "…"
    return first.strip()


def _figure_alt(app, doctree, docname) -> None:
    """Images of a figure without alt text get it from the figure's caption."""
    for figure in doctree.findall(nodes.figure):
        caption = next(iter(figure.findall(nodes.caption)), None)
        if caption is None:
            continue
        alt = alt_from_caption(caption.astext())
        if not alt:
            continue
        for image in figure.findall(nodes.image):
            if not image.get("alt", "").strip():
                image["alt"] = alt


def _row_headers(app, doctree, docname) -> None:
    """A table whose header row starts with an empty cell has row labels in its first column (the
    tables the course's code prints): those become row headers (``<th class="stub">``), so that every
    data cell has a header a screen reader can announce."""
    for tgroup in doctree.findall(nodes.tgroup):
        colspecs = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
        thead = next((c for c in tgroup.children if isinstance(c, nodes.thead)), None)
        if thead is None or len(colspecs) < 2 or not thead.children or not thead.children[0].children:
            continue
        if not thead.children[0].children[0].astext().strip():
            colspecs[0]["stub"] = 1


_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\bsrc="([^"]+)"')


def _image_size(app, src: str) -> tuple[int, int] | None:
    """(width, height) of a page's image from its source file (the builder knows where it came from)."""
    from sphinx.util.images import get_image_size

    name = src.rsplit("/", 1)[-1]
    builder = app.builder
    for olduri, newname in getattr(builder, "images", {}).items():
        if newname == name:
            path = Path(olduri) if Path(olduri).is_absolute() else Path(app.srcdir) / olduri
            try:
                return get_image_size(str(path))
            except Exception:  # noqa: BLE001 - no size: the image is not treated as wide
                return None
    return None


def link_images(body: str, size=lambda src: None) -> str:
    """Wrap each ``<img>`` of the page's body that is not already inside a link in a link to its own file;
    ``size(src)`` -> (width, height) or None marks the wide ones (class ``rb-wide``)."""
    out, pos, depth = [], 0, 0
    # the <a> elements that are open at each point: an image inside one is left alone
    tokens = re.compile(r"<a\b[^>]*>|</a>|<img\b[^>]*>")
    for m in tokens.finditer(body):
        tag = m.group(0)
        if tag.startswith("<a"):
            depth += 1
            continue
        if tag == "</a>":
            depth = max(0, depth - 1)
            continue
        src = _SRC.search(tag)
        if depth or not src or src.group(1).startswith("data:"):
            continue
        wh = size(src.group(1))
        classes = "reference internal image-reference rb-zoom" + (" rb-wide" if wh and wh[1] and wh[0] / wh[1] >= WIDE else "")
        out.append(body[pos:m.start()])
        out.append(f'<a class="{classes}" href="{src.group(1)}">{tag}</a>')
        pos = m.end()
    out.append(body[pos:])
    return "".join(out)


def _on_page(app, pagename, templatename, context, doctree):
    if app.builder.name not in HTML_BUILDERS or "body" not in context:
        return
    body = context["body"]
    # myst-nb's hidden-cell summaries: the visible "Show code cell source" names them, not a fixed label
    body = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")
    # docutils' bibliography: a list whose items carry DPUB-ARIA's deprecated doc-biblioentry role
    if 'class="citation-list"' in body:
        body = body.replace(' role="doc-biblioentry"', ' role="listitem"')
    context["body"] = link_images(body, lambda src: _image_size(app, src))


def _add_static(app, config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC / "a11y")]


def _assets(app) -> None:
    if app.builder.name in HTML_BUILDERS:
        app.add_css_file("a11y.css", priority=900)  # after the theme's and jupyterquiz's own
        app.add_js_file("a11y.js", priority=900)


def setup(app):
    app.connect("config-inited", _add_static)
    app.connect("builder-inited", _assets)
    app.connect("doctree-resolved", _figure_alt)
    app.connect("doctree-resolved", _row_headers)
    app.connect("html-page-context", _on_page, priority=800)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
