"""Reader and lecturer features: knowledge cards, the lecture plan, Binder, what the course installs.

The site's build tooling (staging, the run box, the slide rules) is tested in ``tools/tests/``; the
built artifacts themselves (decks, student edition, pages in a browser) by ``tests/browser/`` after
the builds (``make browser``).
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


# Its quiz ids, exercise labels, {doc} targets, minutes and polls: tests/test_lectures.py.


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


# What a student installs: the course, never the site's build tools
BUILD_TOOLS = {"jupyter-book", "sphinx", "sphinx-exercise", "sphinx-revealjs", "sphinx-book-theme", "nbmake", "nbconvert",
               "pytest", "playwright"}
BUILD_MODULES = {"booktools", "jupyter_book", "sphinx", "sphinx_exercise", "sphinx_revealjs", "nbmake", "nbconvert",
                 "playwright", "pytest", "docutils"}


def test_binder_and_the_course_extra_install_the_course_and_no_build_tool():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    from packaging.requirements import Requirement

    course = {r.name.lower(): r for r in map(Requirement, project["dependencies"] + project["optional-dependencies"]["course"])}
    _, binder = _requirements(BINDER / "requirements.txt")
    for name, req in course.items():  # Binder installs what `pip install .[course]` (Colab) installs
        assert name in binder, f"binder/requirements.txt lacks {name} (pyproject's course extra)"
        if req.specifier and name not in ("torch", "torchvision"):
            assert binder[name].specifier == req.specifier, (name, str(binder[name].specifier), str(req.specifier))
    assert not (set(course) | set(binder)) & BUILD_TOOLS, "a build tool in what a student installs"
    assert "-e .[course]" in (ROOT / "requirements.txt").read_text()  # `make` installs the course the same way


def test_the_library_imports_no_build_tool():
    """``src/resnet_book`` is what a student installs: none of its modules needs the site's build tools."""
    for f in sorted((ROOT / "src" / "resnet_book").rglob("*.py")):
        imports = set(re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", f.read_text(encoding="utf-8"), re.MULTILINE))
        assert not imports & BUILD_MODULES, f"{f.relative_to(ROOT)} imports {sorted(imports & BUILD_MODULES)}"


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
