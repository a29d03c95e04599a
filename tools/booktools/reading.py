"""How long a page takes to read: words of its Markdown prose plus the English text of the quiz
questions it shows (stem and options: what a reader reads before answering), at 200 words a minute.

The count leaves out code, maths, directive options, the decks' ``{slide}`` lines and glue roles'
names (a glued value counts as one word). The site shows each page's minutes under its title
(``booktools.site``); ``python -m booktools.reading`` prints the table and the main path's total.

The main path is what comes before the appendix in ``_toc.yml``: the chapter pages of "Getting
started" (the reading guide) and of "The paper, part by part".
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORDS_PER_MINUTE = 200
MAIN_PATH_CAPTIONS = ("Getting started", "The paper, part by part")
MAIN_PATH_MAX_WORDS = 30_000  # 2.5 hours at 200 words a minute

_FENCE = re.compile(r"^(`{3,}|:{3,})(\S*)")
_NOT_PROSE = re.compile(r"^\{(math|code|code-cell|literalinclude|slide|raw|glue:figure|figure|image)\}|^(python|bash|text|)$")
_QUIZ = re.compile(r'quiz\("(\w+)"(?:,\s*\[([^\]]*)\])?\)')


def _markdown_cells(src: str) -> list[list[str]]:
    cells, cur = [], None
    for line in src.splitlines():
        if line.startswith("# %%"):
            if cur is not None:
                cells.append(cur)
            cur = [] if "[markdown]" in line else None
            continue
        if cur is not None:
            cur.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    if cur is not None:
        cells.append(cur)
    return cells


def count_words(text: str) -> int:
    """Words of a piece of MyST Markdown prose (roles and inline maths count as one word each)."""
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", " x ", text)  # {glue:text}`k:.1f`, {cite:p}`he2016deep`, {doc}`...`
    text = re.sub(r"\$[^$\n]+\$", " x ", text)
    text = re.sub(r"`[^`]*`", " x ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    return len(re.findall(r"[A-Za-z0-9\u00C0-\u024F][\w'’\-.,]*", text))


def prose_words(src: str) -> int:
    """Words of the Markdown cells of a Jupytext percent-format page."""
    total = 0
    for cell in _markdown_cells(src):
        fences, math = [], False
        for line in cell:
            s = line.strip()
            if s == "$$" or (s.startswith("$$") and s.endswith("$$") and len(s) > 2):
                math = not math if s == "$$" else math
                continue
            m = _FENCE.match(s)
            if m and (not fences or m.group(1)[0] == fences[-1][0][0] and not m.group(2) and len(m.group(1)) >= len(fences[-1][0])):
                if fences and not m.group(2) and m.group(1)[0] == fences[-1][0][0]:
                    fences.pop()
                    continue
            if m and m.group(2):
                fences.append((m.group(1), m.group(2)))
                continue
            if math or any(_NOT_PROSE.match(info) for _, info in fences):
                continue
            if re.match(r"^:[\w-]+:", s) and fences:  # a directive's option
                continue
            total += count_words(line)
    return total


def quiz_words(src: str, quiz_dir: Path) -> int:
    """Words of the English stems and options of the quiz questions the page shows."""
    total = 0
    for page, ids in _QUIZ.findall(src):
        path = quiz_dir / f"{page}.yml"
        if not path.exists():
            continue
        wanted = {i.strip().strip("'\"") for i in ids.split(",")} if ids else None
        for q in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if wanted is None or q.get("id") in wanted:
                total += count_words(q.get("question", "")) + sum(count_words(o.get("text", "")) for o in q.get("options", []))
    return total


def page_words(page: Path, root: Path = ROOT) -> tuple[int, int]:
    """(prose words, quiz words) of a chapter page ``chapters/<name>.py`` (or a ``.md`` page)."""
    src = page.read_text(encoding="utf-8")
    if page.suffix == ".md":
        src = "# %% [markdown]\n" + "\n".join("# " + line for line in src.splitlines())
    return prose_words(src), quiz_words(src, root / "chapters" / "quizzes")


def minutes(words: int) -> int:
    return max(1, round(words / WORDS_PER_MINUTE))


def _toc_parts(root: Path = ROOT) -> list[tuple[str, list[str]]]:
    toc = yaml.safe_load((root / "_toc.yml").read_text())

    def files(entries):
        for e in entries:
            yield e["file"]
            yield from files(e.get("sections", []))

    return [(p.get("caption", ""), list(files(p["chapters"]))) for p in toc["parts"]]


def table(root: Path = ROOT) -> tuple[list[tuple[str, str, int, int]], int]:
    """Rows (part, page, prose words, quiz words) for every chapter page, and the main path's total."""
    rows, main = [], 0
    for caption, pages in _toc_parts(root):
        for f in pages:
            path = root / f"{f}.py"
            if not path.exists():
                continue
            prose, quiz = page_words(path, root)
            rows.append((caption, f, prose, quiz))
            if caption in MAIN_PATH_CAPTIONS:
                main += prose + quiz
    return rows, main


def main(argv=None) -> int:
    rows, main_total = table()
    print(f"{'page':32s} {'prose':>7s} {'quiz':>6s} {'min':>4s}")
    for caption, f, prose, quiz in rows:
        print(f"{f:32s} {prose:7,d} {quiz:6,d} {minutes(prose + quiz):4d}   {caption}")
    print(f"\nmain path ({' + '.join(MAIN_PATH_CAPTIONS)}): {main_total:,} words, {main_total / WORDS_PER_MINUTE / 60:.2f} h "
          f"(limit {MAIN_PATH_MAX_WORDS:,} words, 2.5 h)")
    return 0


if __name__ == "__main__":
    sys.exit(main())


# --- Sphinx: the reading time under each chapter's title ------------------------------------------
READING_TEXT = {"en": "{min} min read", "zh_CN": "阅读约 {min} 分钟"}


def _repo(app) -> Path:
    src = Path(app.srcdir) / "src"
    return src.resolve().parent if src.is_symlink() else Path(app.srcdir)


def _add_reading_time(app, doctree) -> None:
    from docutils import nodes

    docname = app.env.docname
    page = _repo(app) / f"{docname}.py"
    if not docname.startswith("chapters/") or not page.exists():
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not section.children or not isinstance(section[0], nodes.title):
        return
    prose, quiz = page_words(page, _repo(app))
    text = READING_TEXT.get(app.config.language or "en", READING_TEXT["en"]).format(min=minutes(prose + quiz))
    section.insert(1, nodes.paragraph("", text, classes=["rb-reading-time"]))


def setup(app):
    app.connect("doctree-read", _add_reading_time)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
