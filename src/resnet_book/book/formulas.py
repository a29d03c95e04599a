"""The course's formula sheet, read from the chapters themselves.

Every display equation of a chapter (```` ```{math} ```` with ``:label: eq-NN-...``, or
``$$ ... $$ (eq-NN-...)``, or an unlabelled ``$$ ... $$``) is collected with the chapter and section
where it is taught, in the order of ``_toc.yml``. The recap page shows them with a link to each
(``{eq}`` for a labelled equation), so the sheet can neither miss an equation nor drift from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..files import REPO_ROOT

ROOT = REPO_ROOT or Path.cwd()

_FENCE_MATH = re.compile(r"^(?P<fence>`{3,}|:{3,})\{math\}[^\n]*\n(?P<body>.*?)^(?P=fence)\s*$", re.MULTILINE | re.DOTALL)
_DOLLARS = re.compile(r"^\$\$\s*\n(?P<body>.*?)^\$\$[ \t]*(?:\((?P<label>[\w-]+)\))?[ \t]*$", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Equation:
    page: str       # e.g. "chapters/02_residual_math"
    chapter: str    # the page's title (its first level-1 heading)
    section: str    # the level-2/3 heading above the equation ("" before the first one)
    label: str | None
    latex: str


def chapter_pages(root: Path = ROOT) -> list[str]:
    """The chapter pages (``chapters/...``) in the order of the table of contents."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))

    def walk(entries):
        for e in entries:
            yield e["file"]
            yield from walk(e.get("sections", []))

    return [f for part in toc["parts"] for f in walk(part["chapters"]) if f.startswith("chapters/")]


def _strip_md(title: str) -> str:
    """A heading as plain text: roles (``{term}`x```) and emphasis marks dropped, math kept."""
    title = re.sub(r"\{[\w:-]+\}`([^`]*)`", r"\1", title)
    return re.sub(r"[*`]", "", title).strip()


def page_equations(page: str, root: Path = ROOT) -> list[Equation]:
    """The display equations of one chapter page, in page order."""
    import jupytext

    nb = jupytext.read(root / f"{page}.py")
    title, section, found = "", "", []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        src = cell.source
        events = [(m.start(), "h", m) for m in _HEADING.finditer(src)]
        events += [(m.start(), "math", m) for m in _FENCE_MATH.finditer(src)]
        events += [(m.start(), "dollars", m) for m in _DOLLARS.finditer(src)]
        for _, kind, m in sorted(events, key=lambda t: t[0]):
            if kind == "h":
                level, text = len(m.group(1)), _strip_md(m.group(2))
                if level == 1 and not title:
                    title = text
                elif level >= 2:
                    section = text
                continue
            body = m.group("body")
            if kind == "math":
                label = re.search(r"^:label:\s*(\S+)\s*$", body, re.MULTILINE)
                latex = "\n".join(line for line in body.splitlines() if not re.match(r"^:\w+:", line)).strip()
                found.append((section, label.group(1) if label else None, latex))
            else:
                found.append((section, m.group("label"), body.strip()))
    return [Equation(page, title, s, label, latex) for s, label, latex in found]


def equations(root: Path = ROOT, exclude: tuple[str, ...] = ()) -> list[Equation]:
    """Every display equation of the course, in the order of the table of contents."""
    return [eq for page in chapter_pages(root) if page not in exclude for eq in page_equations(page, root)]


def formula_sheet(eqs: list[Equation], here: str = "chapters") -> str:
    """MyST Markdown for the formula sheet: each chapter's equations with a link to where they are taught.

    Render it as MyST (a code cell with ``mystnb={"markdown_format": "myst"}``), so that the
    ``{eq}`` and ``{doc}`` links resolve. ``here`` is the folder of the page that shows it.
    """
    out: list[str] = []
    page = None
    for eq in eqs:
        doc = eq.page[len(here) + 1:] if eq.page.startswith(here + "/") else f"/{eq.page}"
        if eq.page != page:
            page = eq.page
            out += [f"**{{doc}}`{eq.chapter} <{doc}>`**", ""]
        where = f"{{eq}}`{eq.label}`" if eq.label else f"{{doc}}`{doc}`"
        out += ["$$", eq.latex, "$$", "",
                f"taught in {where}" + (f", section *{eq.section}*" if eq.section else "") + ".", ""]
    return "\n".join(out)
