"""Reader and lecturer features: slides structure, site staging, the run box, Binder, knowledge cards.

The built artifacts themselves (decks, student edition, pages in a browser) are tested by
``tests/browser/`` after the builds (``make browser``).
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from resnet_book import site, slides

ROOT = Path(__file__).resolve().parents[1]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())


def _pages(entries):
    for e in entries:
        yield e["file"]
        yield from _pages(e.get("sections", []))


CHAPTERS = [f for part in TOC["parts"] for f in _pages(part["chapters"]) if f.startswith("chapters/")]


# ---------------------------------------------------------------------------------------------
# Knowledge cards link the bilingual glossary

def _knowledge_card(src: str) -> str:
    """The knowledge card: the section under a 'Knowledge card' heading, or an admonition so titled."""
    m = re.search(r"^# #{1,3} .*knowledge card.*$", src, re.IGNORECASE | re.MULTILINE)
    if m:
        rest = src[m.end():]
        end = re.search(r"^# %%(?! \[markdown\])|^# #{1,2} ", rest, re.MULTILINE)  # next code cell or section
        return rest[:end.start()] if end else rest
    m = re.search(r"^# *(`{3,}|:{3,})\{admonition\}.*knowledge card.*$", src, re.IGNORECASE | re.MULTILINE)
    assert m, "no knowledge card (a 'Knowledge card' heading or admonition)"
    fence = m.group(1)
    end = re.search(rf"^# *{re.escape(fence)}\s*$", src[m.end():], re.MULTILINE)
    return src[m.start():m.end() + (end.start() if end else len(src))]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_knowledge_card_links_the_glossary(chapter):
    card = _knowledge_card((ROOT / f"{chapter}.py").read_text(encoding="utf-8"))
    terms = re.findall(r"\{term\}`([^`]+)`", card)
    links = re.findall(r"\]\([^)]*glossary[^)]*\)|\{doc\}`[^`]*glossary`", card)
    assert terms or links, "the knowledge card links no glossary term"
    glossary = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    for t in terms:  # {term}`text <target>` or {term}`target`
        target = re.sub(r"^.*<([^>]+)>$", r"\1", t).strip()
        assert re.search(rf"^{re.escape(target)}\s*$", glossary, re.MULTILINE | re.IGNORECASE), \
            f"{{term}} {target!r} is not a glossary entry"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_directive_is_swallowed_by_a_code_fence(chapter):
    """A ``` code block inside a ``` directive closes the DIRECTIVE at its closing fence (CommonMark):
    what follows (exercises, the knowledge card, even later cells, for Jupytext) becomes a code block.
    Nest with a longer outer fence (````{solution}) or a colon fence (:::{solution})."""
    import jupytext
    from markdown_it import MarkdownIt

    nb = jupytext.read(ROOT / f"{chapter}.py")
    md = MarkdownIt("commonmark")
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        assert not re.search(r"^%% ", cell.source, re.MULTILINE), \
            f"a cell marker inside a Markdown cell (an unclosed fence above it): {cell.source[:80]!r}"
        for tok in md.parse(cell.source):
            if tok.type == "fence" and not tok.info.startswith("{"):
                swallowed = re.search(r"^(`{3,}|:{3,})\{[\w:-]+\}.*$", tok.content, re.MULTILINE)
                assert not swallowed, (f"a directive inside a plain code block (line {tok.map[0] + 1} of the cell): "
                                       f"{swallowed.group(0)!r}; use a longer fence for the outer directive")


# ---------------------------------------------------------------------------------------------
# The lecture plan refers to things that exist

LECTURES = ROOT / "book" / "lectures.md"


def _lectures() -> list[str]:
    return re.split(r"^## Lecture \d+", LECTURES.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]


def test_lecture_plan_is_in_the_toc_and_covers_every_chapter():
    pages = [f for part in TOC["parts"] for f in _pages(part["chapters"])]
    assert "book/lectures" in pages
    text = LECTURES.read_text(encoding="utf-8")
    assert 5 <= len(_lectures()) <= 6
    for chapter in CHAPTERS:
        assert f"{{doc}}`../{chapter}`" in text, f"the lecture plan does not map {chapter}"
    assert site.TIMES_MARKER in text  # the measured-times table is filled in at staging


def test_lecture_plan_quiz_ids_and_exercise_labels_exist():
    labels = {m for f in (ROOT / "chapters").glob("[0-9]*.py")
              for m in re.findall(r":label: (ex-[\w-]+)", f.read_text(encoding="utf-8"))}
    text = LECTURES.read_text(encoding="utf-8")
    for ref in re.findall(r"\{ref\}`(ex-[\w-]+)`", text):
        assert ref in labels, f"lecture plan: no exercise {ref}"
    from resnet_book.book import load_quiz

    for lecture in _lectures():
        # "quiz **01_background q2**" names the quiz file; later "**q1, q6**" in the lecture use it
        files = re.findall(r"\*\*(\d\d\w*) q\d+", lecture)
        assert len(set(files)) <= 1, files
        refs = re.findall(r"\*\*(?:\d\d\w* )?(q\d+(?:, q\d+)*)\*\*", lecture)
        if not refs:
            continue
        assert files, "quiz ids without their chapter"
        ids = {q["id"] for q in load_quiz(files[0])}
        for group in refs:
            for qid in group.split(", "):
                assert qid in ids, f"lecture plan: {files[0]} has no question {qid}"


# ---------------------------------------------------------------------------------------------
# Slides: the structure derived from a notebook

def _nb(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def _code(src, outputs=(), tags=(), **meta):
    c = nbformat.v4.new_code_cell(src)
    c.outputs = [nbformat.from_dict(o) for o in outputs]
    if tags:
        c.metadata["tags"] = list(tags)
    c.metadata.update(meta)
    return c


PNG = {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}, "metadata": {}}
GLUE = {"output_type": "display_data", "metadata": {"scrapbook": {"name": "depth", "mime_prefix": "application/papermill.record/"}},
        "data": {"application/papermill.record/text/plain": "56.123"}}
QUIZ = {"output_type": "display_data", "metadata": {},
        "data": {"application/javascript": "var q=[]; function show_questions(){}", "text/plain": "<Javascript>"}}
STDERR = {"output_type": "stream", "name": "stderr", "text": "a warning\n"}


def _types(nb):
    return [(c.cell_type, c.metadata["slideshow"]["slide_type"], c.metadata.get("transient", {}).get("remove_source", False))
            for c in nb.cells]


def test_slides_headings_figures_quizzes_and_hidden_code():
    nb = _nb([
        nbformat.v4.new_markdown_cell("# Title\n\n```{admonition} Learning goals\n:class: tip\n\n1. one\n```"),
        _code("import x", tags=["remove-input"]),                       # no output: dropped
        _code("glue('depth', 56.123)", [GLUE], tags=["remove-input"]),  # glue record only: dropped
        nbformat.v4.new_markdown_cell("## Section\n\nText with {glue:text}`depth:.1f` layers.\n\n### Sub\n\nMore."),
        _code("plt.plot()\nplt.show()", [PNG, STDERR], mystnb={"figure": {"caption": "A *curve*.", "name": "fig-x"}}),
        _code("x.shape", [{"output_type": "execute_result", "data": {"text/plain": "(2, 3)"}, "metadata": {}, "execution_count": 1}]),
        _code("\n".join(f"line{i}" for i in range(30)), [{"output_type": "stream", "name": "stdout", "text": "done\n"}]),
        _code("quiz('01')", [QUIZ], tags=["remove-input"]),
        _code("secret()", [PNG], tags=["remove-cell"]),
        nbformat.v4.new_markdown_cell("## Exercises\n\n```{exercise}\n:label: ex-1\nDo it.\n```\n\n```{solution} ex-1\n:class: dropdown\nDone.\n```"),
        nbformat.v4.new_markdown_cell("### More exercises"),
        nbformat.v4.new_markdown_cell("## Knowledge card\n\n```{admonition} Card\nSee {term}`residual learning · 残差学习 <residual learning>`.\n```"),
    ])
    deck = slides.slide_notebook(nb, slides.Context(nb, chapter=3, bib={}))
    src = [c.source for c in deck.cells]
    assert _types(deck) == [
        ("markdown", "slide", False),      # # Title + the learning goals box
        ("markdown", "slide", False),      # ## Section
        ("markdown", "subslide", False),   # ### Sub
        ("code", "-", True),               # the figure right after a short sub-slide: same slide, no code
        ("markdown", "-", False),          # its caption
        ("code", "-", False),              # short code: shown
        ("code", "-", True),               # 30 lines: code hidden, output kept
        ("code", "subslide", True),        # the quiz, on its own sub-slide
        ("markdown", "slide", False),      # ## Knowledge card (the exercises section is skipped)
    ]
    assert '<div class="rb-box rb-tip">' in src[0] and "**Learning goals**" in src[0]
    assert "56.1 layers" in src[1]
    assert "Fig. 3.1: A *curve*." in src[4]
    assert [o.get("name") for o in deck.cells[3].outputs] == [None]  # stderr dropped
    assert "residual learning · 残差学习" in src[-1] and "{term}" not in src[-1]
    assert not any("Do it" in s or "Done." in s for s in src)


def test_slides_honour_explicit_slideshow_metadata_and_split_long_prose():
    long = "\n\n".join(f"Paragraph {i}. " + "word " * 60 for i in range(8))
    nb = _nb([
        nbformat.v4.new_markdown_cell("## Long\n\n" + long),
        _code("x = 1", slideshow={"slide_type": "fragment"}),
        nbformat.v4.new_markdown_cell("A note.", metadata={"slideshow": {"slide_type": "skip"}}),
    ])
    deck = slides.slide_notebook(nb, slides.Context(nb, bib={}))
    types = [c.metadata["slideshow"]["slide_type"] for c in deck.cells]
    assert types[0] == "slide" and "subslide" in types and types[-1] == "fragment"
    assert "(continued)" in deck.cells[1].source
    assert not any("A note." in c.source for c in deck.cells)


@pytest.mark.parametrize("myst, text", [
    ("{cite:p}`he2016deep`", "[He et al., 2015]"),
    ("{cite:t}`he2016deep`", "He et al. (2015)"),
    ("{numref}`fig-01-a`", "Fig. 1.2"),
    ("{numref}`Figure %s <fig-01-a>`", "Figure 1.2"),
    ("{eq}`eq-01-gain`", "(1.1)"),
    ("{eq}`eq-01-sum`", "(1.2)"),
    ("{term}`shortcut <shortcut connection>`", "shortcut"),
    ("{glue:text}`n:,d`", "12,345"),
    ("{glue:text}`missing`", "[missing]"),
    ("{math}`x^2`", "$x^2$"),
])
def test_myst_roles_become_text(myst, text):
    nb = _nb([
        _code("", mystnb={"figure": {"name": "fig-01-b"}}),
        _code("", mystnb={"figure": {"name": "fig-01-a"}}),
        _code("", [{"output_type": "display_data", "metadata": {"scrapbook": {"name": "n"}},
                    "data": {"application/papermill.record/text/plain": "12345"}}]),
        nbformat.v4.new_markdown_cell("$$\ny = x\n$$ (eq-01-gain)\n\n```{math}\n:label: eq-01-sum\na + b\n```"),
    ])
    ctx = slides.Context(nb, chapter=1, bib={"he2016deep": ("He et al.", "2015")})
    assert slides.convert_inline(ctx, myst) == text


def test_myst_directives_and_labels():
    nb = _nb([])
    ctx = slides.Context(nb, chapter=2, bib={})
    md = slides.convert_markdown(ctx, "(sec-x)=\n## Head\n\n$$\na\n$$ (eq-x)\n\n````{note}\n```python\nx = 1\n```\n````\n\n"
                                      "```{literalinclude} ../src/resnet_book/models/blocks.py\n:pyobject: BasicBlock.forward\n```")
    assert "(sec-x)=" not in md and "$$ (eq-x)" not in md and "$$" in md
    assert '<div class="rb-box rb-note">' in md and "```python\nx = 1\n```" in md
    assert "def forward(self" in md and md.count("```python") == 2
    md2 = slides.convert_markdown(slides.Context(_nb([nbformat.v4.new_markdown_cell("$$\na\n$$ (eq-1)")]), chapter=4, bib={}),
                                 "$$\na\n$$ (eq-1)")
    assert md2 == "$$\na\n\\tag{4.1} $$"


def test_count_slides_counts_slides_and_subslides():
    deck = "<section><section>a</section><section>b</section></section><section><section>c</section></section>"
    assert slides.count_slides(deck) == 3


def test_slides_refuse_unexecuted_notebooks(tmp_path, capsys):
    nb = _nb([nbformat.v4.new_markdown_cell("# T"), _code("x = 1")])
    nbformat.write(nb, str(tmp_path / "01_x.ipynb"))
    assert slides.main([str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "EXECUTED" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# Site staging and the "Run this chapter" box

def test_stage_turns_execution_off_adds_the_colab_cell_and_hides_solutions(tmp_path):
    nbs = tmp_path / "nb"
    nbs.mkdir()
    nb = _nb([nbformat.v4.new_markdown_cell("# T\n\n```{exercise}\n:label: ex-1\nDo it.\n```\n\n"
                                             "````{solution} ex-1\n:class: dropdown\nThe secret.\n```python\nx\n```\n````\n\nAfter."),
              _code("x = 1")])
    nbformat.write(nb, str(nbs / "01_x.ipynb"))
    for student in (False, True):
        out = tmp_path / f"site{student}"
        staged = site.stage(out, nbs, student=student)
        cfg = yaml.safe_load((out / "_config.yml").read_text())
        assert cfg["execute"]["execute_notebooks"] == "off"
        assert cfg["sphinx"]["config"].get("hide_solutions", False) is student
        assert (out / "src").resolve() == (ROOT / "src").resolve() and (out / "book" / "glossary.md").exists()
        lectures = (out / "book" / "lectures.md").read_text()  # the marker became the table of measured times
        assert site.TIMES_MARKER not in lectures and "| `01_x` |" not in lectures and "01_x <../chapters/01_x>" in lectures
        text = "".join(json.loads(staged[0].read_text())["cells"][1]["source"])
        assert "Do it." in text and "After." in text and ("The secret." in text) is not student
        first = json.loads(staged[0].read_text())["cells"][0]
        assert first["metadata"]["tags"] == ["remove-cell", site.SETUP_TAG]
        assert "git" in "".join(first["source"]) and cfg["repository"]["url"] in "".join(first["source"])
        again = site.stage(tmp_path / "again", out / "chapters")  # staging a staged notebook adds no second cell
        assert sum(site.SETUP_TAG in c["metadata"].get("tags", []) for c in json.loads(again[0].read_text())["cells"]) == 1


def test_run_box_info_reads_metadata_code_times_and_gpu_estimates():
    nb = {"metadata": {"resnet_book": {"experiments": ["fig6"]}},
          "cells": [{"cell_type": "code", "source": 'records = run_experiment("fig1", progress=False)'},
                    {"cell_type": "code", "source": 'ex.run_experiment("table6", runs=["resnet20"])\n%time x = 1'},
                    {"cell_type": "code", "source": 'run_experiment("fig7", runs=["resnet20"])\nrun_experiment("fig7", runs=["plain20"])'},
                    {"cell_type": "code", "source": 'run_experiment("fig6", runs=["plain20"])'}]}
    info = site.run_box_info("04_x", nb, "https://github.com/org/repo", "main", {"04_x": (125.4, False)})
    assert info["binder"] == "https://mybinder.org/v2/gh/org/repo/main?urlpath=lab/tree/chapters/04_x.py"
    assert info["cpu_seconds"] == 125.4 and not info["failed"]
    assert [(x["name"], x["runs"]) for x in info["experiments"]] == [
        ("fig6", None), ("fig1", None), ("table6", None), ("fig7", ["plain20", "resnet20"])]  # magics: no runs parsed
    fig6 = info["experiments"][0]
    assert fig6["command"] == "python -m resnet_book run fig6 --scale paper --device cuda"
    assert info["experiments"][3]["quick"] == "python -m resnet_book run fig7 --runs plain20,resnet20"
    assert fig6["gpu_hours"] is None or fig6["gpu_hours"] > 0
    assert site.run_box_info("01_y", {"cells": []}, "", "main", None)["cpu_seconds"] is None
    assert site.fmt_seconds(125.4) == "2 min 05 s" and site.fmt_seconds(9.6) == "10 s"


def _record(run_id, model, seed, wall, created, scale="quick"):
    from resnet_book.results import SCHEMA_VERSION

    return {"schema": SCHEMA_VERSION, "run_id": run_id, "experiment": "fig1", "model": model, "model_kwargs": {},
            "label": model, "scale": scale, "seed": seed, "config": {}, "status": "complete",
            "provenance": {"device": "cpu (x86_64, 2 threads)", "dtype": "fp32", "threads": 2, "torch": "2", "git_commit": "abc",
                           "data_fingerprint": "f", "created": created},
            "history": {k: [] for k in ("iters", "train_loss", "train_error", "lr", "eval_iters", "eval_loss", "eval_error")},
            "final": {"train_error": 0.5, "eval_error": 0.5, "eval_name": "test", "params": 1, "iterations": 300,
                      "wall_time": wall}}


def test_quick_training_time_sums_the_newest_record_of_each_run_once(tmp_path):
    for exp, recs in {"fig1": [_record("q-a-old", "plain20", 0, 100.0, "2026-01-01"),
                               _record("q-a-new", "plain20", 0, 120.0, "2026-02-01"),
                               _record("q-b", "plain56", 0, 300.0, "2026-02-01"),
                               _record("p-b", "plain56", 0, 9999.0, "2026-02-01", scale="paper")],
                      "fig6": [_record("q-a-new", "plain20", 0, 120.0, "2026-02-01")]}.items():
        (tmp_path / exp).mkdir()
        for r in recs:
            (tmp_path / exp / f"{r['run_id']}.json").write_text(json.dumps(r))
    got = site.quick_training(["fig1", "fig6"], tmp_path)
    assert got == {"seconds": 420.0, "runs": 2, "devices": ["cpu (x86_64, 2 threads)"]}
    assert site.quick_training(["table6"], tmp_path) is None
    assert site.quick_training([{"name": "fig1", "runs": ["plain56"]}], tmp_path)["seconds"] == 300.0


def test_binder_launch_links_are_rewritten_to_the_repository_source():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import run_box
    finally:
        sys.path.pop(0)
    buttons = [{"type": "group", "buttons": [
        {"url": "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/chapters/01_a.ipynb"}]},
        {"url": "../_sources/chapters/01_a.ipynb"}]
    run_box._fix_launch_urls(buttons, "chapters/01_a", ".py")
    assert buttons[0]["buttons"][0]["url"].endswith("lab/tree/chapters/01_a.py")
    assert buttons[1]["url"] == "../_sources/chapters/01_a.ipynb"  # the download stays the notebook


# ---------------------------------------------------------------------------------------------
# Binder (repo2docker)

BINDER = ROOT / "binder"


def _requirements(path: Path) -> tuple[list[str], dict]:
    from packaging.requirements import Requirement

    options, reqs = [], {}
    for line in path.read_text().splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            options.append(line)
            continue
        r = Requirement(line)
        reqs[r.name.lower()] = r
    return options, reqs


def test_binder_configuration_parses_and_matches_the_course():
    assert re.fullmatch(r"python-3\.\d+\n?", (BINDER / "runtime.txt").read_text())
    options, reqs = _requirements(BINDER / "requirements.txt")
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in options
    _, main = _requirements(ROOT / "requirements.txt")
    for pkg in ("torch", "torchvision"):  # the CPU build of the very versions the course pins
        assert str(reqs[pkg].specifier) == f"{main[pkg].specifier}+cpu"
    # every package the chapters import is installed in the image
    imports = set()
    for f in (ROOT / "chapters").glob("[0-9]*.py"):
        imports |= set(re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", f.read_text(encoding="utf-8"), re.MULTILINE))
    dist = {"yaml": "pyyaml", "myst_nb": "myst-nb", "IPython": "ipykernel", "PIL": "matplotlib"}
    for mod in sorted(imports - set(sys.stdlib_module_names) - {"resnet_book", "__future__"}):
        assert dist.get(mod, mod).lower() in reqs, f"chapters import {mod}, binder/requirements.txt lacks it"


def test_binder_postbuild_installs_the_package_and_opens_py_as_notebooks(tmp_path):
    post = BINDER / "postBuild"
    assert post.stat().st_mode & 0o111, "postBuild must be executable"
    text = post.read_text()
    assert text.startswith("#!/bin/bash") and "set -euo pipefail" in text
    subprocess.run(["bash", "-n", str(post)], check=True)
    assert re.search(r"^pip install .*-e \.$", text, re.MULTILINE)
    # the viewer setting it writes (run here with a scratch HOME)
    cmd = next(line for line in text.splitlines() if line.startswith("jupytext-config"))
    bindir = Path(sys.executable).parent
    subprocess.run(cmd.split(), check=True, env={"HOME": str(tmp_path), "PATH": f"{bindir}:/usr/bin:/bin"})
    settings = json.loads((tmp_path / ".jupyter" / "labconfig" / "default_setting_overrides.json").read_text())
    assert settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["python"] == "Jupytext Notebook"


def _reachable(host: str) -> bool:
    try:
        socket.getaddrinfo(host, 443)
        return True
    except OSError:
        return False


@pytest.mark.slow
def test_binder_requirements_resolve(tmp_path):
    """``pip install --dry-run`` of binder/requirements.txt. Where PyTorch's CPU index is unreachable
    (this project's machines reach PyPI only), the same file without it: every other pin resolves."""
    req = BINDER / "requirements.txt"
    note = ""
    if not _reachable("download.pytorch.org"):
        text = re.sub(r"(?m)^--extra-index-url .*$", "", req.read_text()).replace("+cpu", "")
        req = tmp_path / "requirements.txt"
        req.write_text(text)
        note = " (CPU index unreachable: resolved with PyPI's builds of the same versions)"
    report = tmp_path / "report.json"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                        "--disable-pip-version-check", "--report", str(report), "-r", str(req)],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:] + note
    got = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in json.loads(report.read_text())["install"]}
    assert got["torch"].startswith("2.14.1") and got["torchvision"].startswith("0.29.1"), note
    assert "jupytext" in got and "myst-nb" in got
