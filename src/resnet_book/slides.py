"""Reveal.js slides from the executed chapters: ``python -m resnet_book.slides``.

One deck per chapter, built from the notebooks that nbmake executed (``_nbtest/chapters/*.ipynb``),
so the slides show the very figures, tables and quizzes of the site. The chapters carry no slide
metadata: the slide structure is derived here, on a copy of each notebook.

- ``#`` and ``##`` headings start a slide, ``###`` a sub-slide (a long stretch of prose is cut into
  sub-slides at paragraph boundaries; a slide that still overflows scrolls);
- figures (cells with an image output) are shown without their code, on a sub-slide of their own
  with their caption; quizzes (jupyterquiz outputs) too, and they stay interactive;
- code: cells tagged ``remove-cell`` are dropped, ``remove-input``/``hide-input`` show only their
  output, ``remove-output`` only their input; code longer than ``MAX_CODE_LINES`` lines is hidden;
  glue records and stderr are dropped;
- the learning goals, the knowledge card and every other admonition are kept (as boxes); the
  exercises and their solutions are left out (they are homework, see the site);
- MyST that a plain Markdown renderer does not know becomes text: ``{cite:p}`` an author-year
  citation from ``book/references.bib``, ``{glue:text}`` the glued value of this execution,
  ``{numref}``/``{eq}`` the numbers the site gives, ``{term}`` its text;
- a cell that carries explicit ``slideshow`` metadata keeps it.

The decks load reveal.js, MathJax, jQuery and RequireJS from ``--assets`` (a folder next to the
decks, copied from npm packages by ``make slides``) so that they work offline; without it they
use nbconvert's CDN defaults.
"""

from __future__ import annotations

import argparse
import ast
import base64
import copy
import html
import json
import mimetypes
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_CODE_LINES = 12  # longer code cells are hidden on slides (their output stays)
SLIDE_CHARS = 1100  # about a screenful of prose at the slides' font size; longer text is split
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
GLUE_PREFIX = "application/papermill.record/"
DROPPED_DIRECTIVES = {"exercise", "solution", "exercise-start", "exercise-end", "solution-start", "solution-end",
                      "glossary", "bibliography", "toctree", "tableofcontents", "raw", "only"}
SKIPPED_SECTIONS = re.compile(r"^(exercises?|homework|solutions?)\b", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Citations

def load_bibliography(path: Path | None = None) -> dict[str, tuple[str, str]]:
    """key -> (authors as cited, year) from a BibTeX file (``book/references.bib``)."""
    path = path or ROOT / "book" / "references.bib"
    if not path.exists():
        return {}
    from pybtex.database import parse_file

    out = {}
    for key, entry in parse_file(str(path)).entries.items():
        people = entry.persons.get("author", [])
        last = [" ".join(p.last_names).replace("{", "").replace("}", "") for p in people]
        if len(last) > 2:
            who = f"{last[0]} et al."
        elif len(last) == 2:
            who = f"{last[0]} and {last[1]}"
        else:
            who = last[0] if last else key
        out[key] = (_latex_to_text(who), entry.fields.get("year", ""))
    return out


def _latex_to_text(s: str) -> str:
    accents = {'\\"u': "ü", '\\"o': "ö", '\\"a': "ä", "\\'e": "é", "\\`e": "è", "\\'a": "á"}
    for k, v in accents.items():
        s = s.replace(k, v)
    return s.replace("\\", "")


# --------------------------------------------------------------------------------------------
# MyST -> plain Markdown

EQUATION_LABEL = re.compile(r"^\s*\$\$\s*\(([\w:.-]+)\)\s*$"
                            r"|^\s*(?:`{3,}|:{3,})\{math\}[^\n]*\n(?:\s*:(?!label:)[\w-]+:.*\n)*\s*:label:\s*(\S+)",
                            re.MULTILINE)


class Context:
    """What the MyST conversion needs to know about one executed notebook."""

    def __init__(self, nb, chapter: int | None = None, bib: dict | None = None, source_dir: Path | None = None):
        self.glue = glued_values(nb)
        self.bib = load_bibliography() if bib is None else bib
        self.chapter = chapter
        self.source_dir = source_dir or ROOT / "chapters"
        self.figures, self.equations = {}, {}
        for cell in nb.cells:  # number figures and labelled equations in order, as the site does
            fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
            if cell.cell_type == "code" and fig.get("name"):
                self.figures[fig["name"]] = len(self.figures) + 1
            if cell.cell_type == "markdown":  # `$$ ... $$ (label)` and ```{math} with :label:, in page order
                for m in EQUATION_LABEL.finditer(cell.source):
                    self.equations[m.group(1) or m.group(2)] = len(self.equations) + 1
                for m in re.finditer(r"^(`{3,}|:{3,})\{(?:figure|glue:figure)\}.*?\n((?::\w+:.*\n)*)", cell.source, re.MULTILINE):
                    name = re.search(r":name:\s*(\S+)", m.group(2))
                    if name:
                        self.figures[name.group(1)] = len(self.figures) + 1

    def number(self, k: int) -> str:
        return f"{self.chapter}.{k}" if self.chapter else str(k)


def glued_values(nb) -> dict[str, dict]:
    """name -> {mime: value} of everything the notebook glued (myst-nb's ``glue``)."""
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                out[name] = {k.removeprefix(GLUE_PREFIX): v for k, v in o.get("data", {}).items()}
    return out


def _glue_text(ctx: Context, arg: str, role: str) -> str:
    from myst_nb.core.variables import format_plain_text

    name, _, fmt = arg.partition(":")
    data = ctx.glue.get(name.strip())
    if data is None:
        return f"[{name}]"
    if role == "glue:md" and "text/markdown" in data:
        return str(data["text/markdown"])
    text = data.get("text/plain", "")
    try:
        return format_plain_text(text, fmt)
    except (ValueError, TypeError):
        return str(text)


def _split_target(text: str) -> tuple[str, str]:
    """`text <target>` -> (text, target); `target` -> ("", target)."""
    m = re.match(r"^(.*?)\s*<([^<>]+)>$", text, re.DOTALL)
    return (m.group(1).strip(), m.group(2).strip()) if m else ("", text.strip())


def convert_role(ctx: Context, role: str, content: str) -> str:
    if role in ("cite:p", "cite:ps", "cite", "cite:t", "cite:ts", "cite:alp", "cite:year", "cite:author"):
        keys = [k.strip() for k in content.split(",") if k.strip()]
        found = [ctx.bib.get(k, (k, "")) for k in keys]
        if role.startswith("cite:t"):
            return "; ".join(f"{who} ({year})" for who, year in found)
        if role == "cite:year":
            return ", ".join(year for _, year in found)
        if role == "cite:author":
            return ", ".join(who for who, _ in found)
        inner = "; ".join(f"{who}, {year}" if year else who for who, year in found)
        return inner if role == "cite:alp" else f"[{inner}]"  # as the site shows it (author_year style)
    if role.startswith("glue"):
        return _glue_text(ctx, content, role)
    text, target = _split_target(content)
    if role == "numref":
        n = ctx.figures.get(target) or ctx.equations.get(target)
        num = ctx.number(n) if n else "?"
        if text:
            return text.replace("%s", num).replace("{number}", num)
        return f"Fig. {num}" if target in ctx.figures else f"Eq. ({num})" if target in ctx.equations else target
    if role == "eq":
        n = ctx.equations.get(target)
        return f"({ctx.number(n)})" if n else f"({target})"
    if role == "math":
        return f"${content}$"
    if role in ("sub", "sup"):
        return f"<{role}>{html.escape(content)}</{role}>"
    if role == "ref" and not text:
        return target.replace("-", " ")
    if role == "doc" and not text:
        return _doc_title(ctx.source_dir, target) or Path(target).name
    return text or target  # term, ref, doc, download, abbr, prf:ref, ...


def _doc_title(folder: Path, target: str) -> str | None:
    """The title (first level-1 heading) of page ``target`` (a .py chapter or a .md page) next to ``folder``."""
    for suffix, pattern in ((".py", r"^#\s*#\s+(.+)$"), (".md", r"^#\s+(.+)$")):
        path = (folder / f"{target}{suffix}").resolve()
        if path.is_file():
            m = re.search(pattern, path.read_text(encoding="utf-8"), re.MULTILINE)
            if m:
                return re.sub(r"[*_`]", "", m.group(1)).strip()
    return None


ROLE = re.compile(r"\{([\w:+-]+)\}`([^`]*)`")


def convert_inline(ctx: Context, text: str) -> str:
    return ROLE.sub(lambda m: convert_role(ctx, m.group(1), m.group(2)), text)


FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})\s*(\{[\w:-]+\})?\s*(.*)$")


def _directive_body(lines: list[str]) -> tuple[dict, list[str]]:
    """Split the leading ``:key: value`` options (and a YAML ``---`` block) from a directive body."""
    opts, i = {}, 0
    if lines and lines[0].strip() == "---":
        end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), None)
        if end is not None:
            try:
                import yaml

                opts = yaml.safe_load("\n".join(lines[1:end])) or {}
            except Exception:  # noqa: BLE001 - a malformed block is only dropped from the slide
                opts = {}
            i = end + 1
    while i < len(lines) and re.match(r"^\s*:[\w-]+:", lines[i]):
        k, _, v = lines[i].strip()[1:].partition(":")
        opts[k] = v.strip()
        i += 1
    return opts, lines[i:]


def _pyobject_source(path: Path, name: str) -> str | None:
    """The source of class/function ``name`` (dotted: ``Class.method``) in a Python file, dedented."""
    import textwrap

    text = path.read_text(encoding="utf-8")
    body, node = ast.parse(text).body, None
    for part in name.split("."):
        node = next((n for n in body if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                     and n.name == part), None)
        if node is None:
            return None
        body = node.body
    start = min([d.lineno for d in node.decorator_list] + [node.lineno])
    return textwrap.dedent("\n".join(text.splitlines()[start - 1:node.end_lineno]))


def _data_uri(path: Path) -> str | None:
    if not path.is_file():
        return None
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _box(kind: str, title: str, body: str) -> str:
    cls = re.sub(r"[^\w-]", "", kind) or "note"
    head = f"**{title.strip()}**\n\n" if title.strip() else ""
    # blank lines around the markdown so that it is parsed inside the HTML block (CommonMark)
    return f'<div class="rb-box rb-{cls}">\n\n{head}{body.strip()}\n\n</div>'


def convert_directive(ctx: Context, name: str, arg: str, lines: list[str]) -> str | None:
    opts, body_lines = _directive_body(lines)
    body = "\n".join(body_lines)
    if name in DROPPED_DIRECTIVES:
        return None
    if name == "math":
        n = ctx.equations.get(str(opts.get("label", "")))
        tag = f" \\tag{{{ctx.number(n)}}}" if n else ""
        return f"$$\n{body.strip()}{tag}\n$$"
    if name in ("code", "code-block", "code-cell", "sourcecode"):
        return f"```{arg.strip()}\n{body}\n```"
    if name in ("figure", "image"):
        uri = _data_uri((ctx.source_dir / arg.strip()).resolve())
        caption = convert_markdown(ctx, body).strip()
        number = ctx.figures.get(str(opts.get("name", "")))
        if number and caption:
            caption = f"Fig. {ctx.number(number)}: {caption}"
        return (f"![{opts.get('alt', '')}]({uri})" if uri else "") + (f"\n\n*{caption}*" if caption else "")
    if name == "literalinclude":
        path = (ctx.source_dir / arg.strip()).resolve()
        code = None
        if path.is_file() and opts.get("pyobject"):
            code = _pyobject_source(path, opts["pyobject"])
        elif path.is_file():
            code = path.read_text(encoding="utf-8")
        where = f"`{arg.strip().lstrip('./')}`" + (f", `{opts['pyobject']}`" if opts.get("pyobject") else "")
        if code is None or len(code.splitlines()) > 2 * MAX_CODE_LINES:
            return f"*Code on the site: {where}.*"
        return f"```{opts.get('language', 'python')}\n{code}\n```"
    if name in ("glue:figure", "glue:any", "glue", "glue:md", "glue:text", "glue:math"):
        data = ctx.glue.get(arg.strip(), {})
        for mime in IMAGE_MIMES[:2]:
            if mime in data:
                return f"![](data:{mime};base64,{data[mime]})"
        if "text/markdown" in data:
            return str(data["text/markdown"])
        return str(data.get("text/plain", ""))
    title = arg.strip()
    if name == "admonition":
        kind = str(opts.get("class", "note")).split()[0] if opts.get("class") else "note"
    else:
        kind = name.split(":")[-1]
        title = title if name in ("dropdown", "topic", "sidebar", "card", "tab-item") else (title or kind.capitalize())
    return _box(kind, title, convert_markdown(ctx, body))


def convert_markdown(ctx: Context, text: str) -> str:
    """MyST Markdown -> Markdown that nbconvert renders (directives expanded, roles resolved)."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if m:
            indent, fence, directive, arg = m.groups()
            char, n = fence[0], len(fence)
            end = i + 1
            while end < len(lines):
                close = re.match(rf"^\s*{re.escape(char)}{{{n},}}\s*$", lines[end])
                if close:
                    break
                end += 1
            body = [ln[len(indent):] if ln.startswith(indent) else ln for ln in lines[i + 1:end]]
            if directive:
                rendered = convert_directive(ctx, directive[1:-1], arg, body)
                if rendered is not None:
                    out.extend(rendered.splitlines())
            elif char == ":":  # a colon fence without a directive: keep the text
                out.extend(convert_markdown(ctx, "\n".join(body)).splitlines())
            else:  # a plain code block: copied verbatim
                out.extend(lines[i:end + 1])
            i = end + 1
            continue
        if re.match(r"^\s*\([\w:.-]+\)=\s*$", line) or re.match(r"^%", line) or line.strip() == "+++":
            i += 1  # targets, comments and block breaks
            continue
        m = re.match(r"^(\s*)\$\$\s*\(([\w:.-]+)\)\s*$", line)  # $$ (label) -> \tag{n} $$
        if m:
            n = ctx.equations.get(m.group(2))
            line = m.group(1) + (f"\\tag{{{ctx.number(n)}}} $$" if n else "$$")
        out.append(convert_inline(ctx, line))
        i += 1
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Slide structure

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def split_at_headings(text: str) -> list[tuple[int, str, str]]:
    """Markdown -> [(heading level or 0, heading text, segment)], cut before every ATX heading."""
    segments: list[list] = [[0, "", []]]
    fence = None
    for line in text.splitlines():
        f = re.match(r"^\s*(`{3,}|~{3,})", line)
        if f:
            fence = None if fence and f.group(1)[0] == fence[0] and len(f.group(1)) >= len(fence) else (fence or f.group(1))
        h = HEADING.match(line) if fence is None else None
        if h:
            segments.append([len(h.group(1)), h.group(2), []])
        segments[-1][2].append(line)
    return [(lvl, title, "\n".join(body).strip()) for lvl, title, body in segments if "\n".join(body).strip()]


def split_blocks(text: str) -> list[str]:
    """Top-level blocks (paragraphs, lists, boxes, code, math) separated by blank lines."""
    blocks, cur, depth, fence, math = [], [], 0, None, False
    for line in text.splitlines():
        s = line.strip()
        f = re.match(r"^(`{3,}|~{3,})", s)
        if f:
            fence = None if fence and f.group(1)[0] == fence[0] else (fence or f.group(1))
        if fence is None and not f:
            if s == "$$" or (s.startswith("$$") and not s.endswith("$$")) or (s.endswith("$$") and not s.startswith("$$")):
                math = not math
            depth += s.count("<div") - s.count("</div>")
        if not s and fence is None and depth <= 0 and not math and cur:
            blocks.append("\n".join(cur))
            cur = []
            continue
        cur.append(line)
    if cur:
        blocks.append("\n".join(cur))
    return [b for b in blocks if b.strip()]


def _weight(text: str) -> int:
    """Rough screen space of Markdown text, in characters of prose."""
    lines = text.splitlines()
    return sum(max(len(ln), 60) for ln in lines if ln.strip())


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _is_quiz(cell) -> bool:
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        if "show_questions" in str(data.get("application/javascript", "")) or \
                "data-shufflequestions" in str(data.get("text/html", "")):
            return True
    return False


def _has_image(cell) -> bool:
    return any(m in o.get("data", {}) for o in cell.get("outputs", []) for m in IMAGE_MIMES)


def _keep_output(o) -> bool:
    if o.get("output_type") == "stream":
        return o.get("name") == "stdout" and bool(str(o.get("text", "")).strip())
    if o.get("output_type") == "error":
        return True
    data = o.get("data", {})
    return any(not k.startswith(GLUE_PREFIX) for k in data)


def _md_cell(source: str, slide_type: str):
    import nbformat

    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    return cell


def slide_notebook(nb, ctx: Context | None = None):
    """A copy of executed notebook ``nb`` with slideshow metadata derived from its structure."""
    nb = copy.deepcopy(nb)
    ctx = ctx or Context(nb)
    cells = []
    state = {"weight": 0, "title": "", "skip_level": None}

    def emit(cell, slide_type: str, weight: int):
        if slide_type in ("slide", "subslide"):
            state["weight"] = 0
        cell.metadata["slideshow"] = {"slide_type": slide_type}
        state["weight"] += weight
        cells.append(cell)

    def open_box() -> str:
        """A figure or quiz gets its own sub-slide unless the current slide is nearly empty (a heading)."""
        return "subslide" if state["weight"] > 300 else "-"

    for cell in nb.cells:
        tags = _tags(cell)
        explicit = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        if "remove-cell" in tags or cell.cell_type == "raw" or explicit == "skip":
            continue
        if cell.cell_type == "markdown":
            text = convert_markdown(ctx, cell.source)
            for k, (level, title, seg) in enumerate(split_at_headings(text)):
                if level and state["skip_level"] is not None and level <= state["skip_level"]:
                    state["skip_level"] = None
                if level and level <= 2 and SKIPPED_SECTIONS.match(title):
                    state["skip_level"] = level
                if state["skip_level"] is not None:
                    continue
                if level:
                    state["title"] = re.sub(r"[*_`]", "", title)
                if k == 0 and explicit:
                    slide_type = explicit
                elif level in (1, 2):
                    slide_type = "slide"
                elif level == 3:
                    slide_type = "subslide"
                else:
                    slide_type = "-"
                if slide_type in ("slide", "subslide"):
                    state["weight"] = 0
                # cut long prose into sub-slides at block boundaries
                chunk: list[str] = []
                for block in split_blocks(seg):
                    w = _weight(block)
                    only_heading = all(HEADING.match(b) for b in chunk)
                    if chunk and state["weight"] + w > SLIDE_CHARS and not only_heading \
                            and not chunk[-1].rstrip().endswith(":"):
                        emit(_md_cell("\n\n".join(chunk), slide_type), slide_type, 0)
                        slide_type, chunk = "subslide", [f"#### {state['title']} (continued)"] if state["title"] else []
                        state["weight"] = 0
                    chunk.append(block)
                    state["weight"] += w
                if chunk:
                    w = state["weight"]
                    emit(_md_cell("\n\n".join(chunk), slide_type), slide_type, 0)
                    state["weight"] = w
            continue
        if state["skip_level"] is not None:
            continue
        # code cells
        outputs = [] if "remove-output" in tags else [o for o in cell.get("outputs", []) if _keep_output(o)]
        cell.outputs = outputs
        quiz, image = _is_quiz(cell), _has_image(cell)
        long_code = len(cell.source.strip().splitlines()) > MAX_CODE_LINES
        hide = bool(tags & {"remove-input", "hide-input"}) or quiz or image or long_code or not cell.source.strip()
        if hide and not outputs:
            continue
        if hide:
            cell.metadata.setdefault("transient", {})["remove_source"] = True
        weight = 2500 if image else 2000 if quiz else _weight(cell.source) * (not hide) + 300 * len(outputs)
        slide_type = explicit or (open_box() if image or quiz else "-")
        emit(cell, slide_type, weight)
        caption = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("caption")
        name = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
        if image and caption:
            num = ctx.figures.get(name)
            label = f"Fig. {ctx.number(num)}: " if num else ""
            emit(_md_cell(f'<div class="rb-caption">\n\n{label}{convert_inline(ctx, caption)}\n\n</div>', "-"), "-", 0)
    if cells and cells[0].metadata["slideshow"]["slide_type"] != "slide":
        cells[0].metadata["slideshow"]["slide_type"] = "slide"
    nb.cells = cells
    return nb


# --------------------------------------------------------------------------------------------
# Export

CSS = """
<link rel="icon" href="data:,">
<style>
/* resnet_book slides: smaller type than reveal's default so that a figure and its caption fit */
.reveal { font-size: 26px; }
.reveal .slides { text-align: left; }
.reveal h1 { font-size: 1.9em; } .reveal h2 { font-size: 1.5em; } .reveal h3, .reveal h4 { font-size: 1.2em; }
.reveal .jp-OutputArea-output img { max-height: 480px; width: auto; margin: 0 auto; display: block; }
.reveal blockquote { width: 90%; font-size: 0.9em; }
.reveal table { font-size: 0.7em; }
.reveal .jp-Cell { padding: 0; }
.reveal pre, .reveal code { font-size: 0.85em; }
.rb-box { border-left: 6px solid #2a7ab0; background: #f1f6fb; padding: 0.2em 0.8em; margin: 0.4em 0; font-size: 0.9em; }
.rb-box.rb-tip { border-color: #2e8540; background: #eef7f0; }
.rb-box.rb-warning, .rb-box.rb-caution, .rb-box.rb-important { border-color: #c77700; background: #fdf5e8; }
.rb-caption { font-size: 0.7em; color: #444; text-align: center; }
.reveal .Quiz { max-width: 860px; font-size: 0.8em; }
</style>
"""

TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}""" + CSS + r"""{%- endblock html_head_css -%}
"""

# npm packages whose files the offline decks use (versions: what nbconvert's templates expect)
ASSET_PACKAGES = {"reveal.js": "4.0.2", "mathjax": "2.7.7", "jquery": "2.2.4", "requirejs": "2.1.10"}
ASSETS_DIR = "_static"  # beside the decks: _build/slides/_static/{reveal.js,mathjax,jquery,requirejs}
MATHJAX_KEEP = ("MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions", "jax/input/TeX", "jax/element",
                "jax/output/CommonHTML", "jax/output/PreviewHTML", "fonts/HTML-CSS/TeX/woff", "localization/en",
                "LICENSE")


def exporter(assets: str | None = None):
    """nbconvert's SlidesExporter with the course's template and, with ``assets``, local libraries."""
    from jinja2 import DictLoader
    from nbconvert.exporters import SlidesExporter

    kw = {}
    if assets:
        a = assets.rstrip("/")
        kw = dict(reveal_url_prefix=f"{a}/reveal.js", jquery_url=f"{a}/jquery/dist/jquery.min.js",
                  require_js_url=f"{a}/requirejs/require.js",
                  mathjax_url=f"{a}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe")
    return SlidesExporter(extra_loaders=[DictLoader({"rb_slides.html.j2": TEMPLATE})], template_file="rb_slides.html.j2",
                          exclude_input_prompt=True, exclude_output_prompt=True, reveal_scroll=True,
                          reveal_number="c/t", reveal_transition="none", reveal_theme="white", **kw)


def count_slides(deck_html: str) -> int:
    """Number of slides and sub-slides in an nbconvert reveal deck."""
    return len(re.findall(r"<section\b", deck_html)) - len(re.findall(r"<section\b[^>]*>\s*<section\b", deck_html))


def build_deck(ipynb: Path, out_dir: Path, assets: str | None = None) -> tuple[Path, str]:
    """Write ``out_dir/<chapter>.slides.html``; return its path and the chapter's title."""
    import nbformat

    nb = nbformat.read(str(ipynb), as_version=4)
    m = re.match(r"^(\d+)_", ipynb.stem)
    ctx = Context(nb, chapter=int(m.group(1)) if m else None)
    deck = slide_notebook(nb, ctx)
    body, _ = exporter(assets).from_notebook_node(deck, resources={"metadata": {"name": _title(nb) or ipynb.stem}})
    out = out_dir / deck_name(ipynb)
    out.write_text(body, encoding="utf-8")
    return out, _title(nb) or ipynb.stem


def deck_name(ipynb: Path) -> str:
    return f"{Path(ipynb).stem}.slides.html"


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
            if m:
                return re.sub(r"[*_`]", "", m.group(1)).strip()
    return ""


def npm_package(name: str, version: str, cache: Path) -> Path | None:
    """npm package ``name@version`` unpacked in ``cache/<name>@<version>/`` (``npm pack`` once; later calls reuse it).

    Returns the folder, or None where npm is missing or fails (no network to the registry).
    """
    import shutil
    import subprocess
    import tarfile

    dest = Path(cache) / f"{name}@{version}"
    if (dest / ".complete").exists():
        return dest
    npm = shutil.which("npm")
    if npm is None:
        print(f"npm not found: cannot fetch {name}@{version}", file=sys.stderr)
        return None
    tgz = Path(cache) / "tgz"
    tgz.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([npm, "pack", "--silent", f"{name}@{version}", "--pack-destination", str(tgz)],
                       capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.strip():
        print(f"npm pack {name}@{version} failed: {r.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    archive = tgz / r.stdout.strip().splitlines()[-1]
    shutil.rmtree(dest, ignore_errors=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():  # npm tarballs hold everything under package/
            if member.name.startswith("package/") and (member.isfile() or member.isdir()):
                member.name = member.name[len("package/"):]
                if member.name and ".." not in Path(member.name).parts:
                    tar.extract(member, dest)
    archive.unlink()
    (dest / ".complete").touch()
    return dest


def fetch_assets(cache: Path) -> dict[str, Path] | None:
    """The npm packages of ``ASSET_PACKAGES`` (name -> unpacked folder), or None where one can't be had."""
    found = {name: npm_package(name, version, cache) for name, version in ASSET_PACKAGES.items()}
    if any(v is None for v in found.values()):
        print("the decks load reveal.js and MathJax from a CDN instead", file=sys.stderr)
        return None
    return found


def install_assets(packages: dict[str, Path], dest: Path) -> None:
    """Copy the files the decks load from the unpacked npm packages into ``dest/<name>/``."""
    import shutil

    shutil.rmtree(dest, ignore_errors=True)
    for name, src in packages.items():
        keep = {"mathjax": MATHJAX_KEEP, "reveal.js": ("dist", "plugin/notes", "LICENSE"),
                "jquery": ("dist/jquery.min.js", "LICENSE.txt"), "requirejs": ("require.js", "package.json")}[name]
        for part in keep:
            p = src / part
            (dest / name / part).parent.mkdir(parents=True, exist_ok=True)
            if p.is_dir():
                shutil.copytree(p, dest / name / part)
            elif p.exists():
                shutil.copy2(p, dest / name / part)


def index_page(decks: list[Path], titles: dict[str, str]) -> str:
    items = "\n".join(f'<li><a href="{d.name}">{html.escape(titles.get(d.name, d.stem))}</a></li>' for d in decks)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Slides</title></head><body>"
            "<h1>Slides, one deck per chapter</h1>\n<p>Built from the executed chapters; arrows move between "
            "slides, <kbd>Esc</kbd> shows the overview, <kbd>S</kbd> the speaker notes.</p>\n"
            f"<ul>\n{items}\n</ul></body></html>\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m resnet_book.slides", description=__doc__.split("\n\n")[0])
    p.add_argument("notebooks", nargs="?", default="_nbtest/chapters", help="folder of EXECUTED chapter notebooks")
    p.add_argument("--out", default="_build/slides", help="where the decks go")
    p.add_argument("--offline", metavar="NPM_CACHE", default=None,
                   help="copy reveal.js, MathJax, jQuery and RequireJS (npm packages, fetched once into "
                        "NPM_CACHE) next to the decks so that they work offline; default: nbconvert's CDN")
    a = p.parse_args(argv)
    src, out = Path(a.notebooks), Path(a.out)
    notebooks = sorted(src.glob("[0-9]*.ipynb"))
    if not notebooks:
        print(f"no executed chapter notebooks in {src} (run `make execute` first)", file=sys.stderr)
        return 2
    for nbp in notebooks:
        outputs = sum(len(c.get("outputs", [])) for c in json.loads(nbp.read_text(encoding="utf-8"))["cells"]
                      if c["cell_type"] == "code")
        if outputs == 0:
            print(f"{nbp} has no outputs: slides are built from EXECUTED notebooks (run `make execute`)",
                  file=sys.stderr)
            return 2
    out.mkdir(parents=True, exist_ok=True)
    assets = None
    packages = fetch_assets(Path(a.offline)) if a.offline else None
    if packages:
        assets = ASSETS_DIR
        install_assets(packages, out / assets)
    decks, titles = [], {}
    for nbp in notebooks:
        deck, titles[deck_name(nbp)] = build_deck(nbp, out, assets)
        n = count_slides(deck.read_text(encoding="utf-8"))
        decks.append(deck)
        print(f"{deck}: {n} slides")
    (out / "index.html").write_text(index_page(decks, titles), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
