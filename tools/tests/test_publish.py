"""Publishing: one address for the repository, the published tree's layout and addresses, the preview
image, the 404 page, the links between editions (the deploy workflow: ``test_workflow.py``).

The assembled tree itself is tested in a browser by ``tests/browser/test_tree.py`` after ``make site``.
"""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml

from booktools import site
from booktools.preview import SIZE, draw_preview

ROOT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
NO_ENV: dict = {}


# ---------------------------------------------------------------------------------------------
# One place for the repository's address

def test_the_repository_address_is_written_once():
    """_config.yml's repository.url is the only place the address is written: every other file derives
    it (the Binder and Colab links, the clone commands, the site's address)."""
    url, _ = site.repository(CONFIG, NO_ENV)
    owner_name = re.match(r"https://github\.com/(.+)$", url).group(1)
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    holders = []
    for f in files:
        path = ROOT / f
        if path.suffix in {".png", ".npz", ".pt", ".ipynb"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if owner_name in text or f"{owner_name.split('/')[0]}.github.io" in text:
            holders.append(f)
    assert holders == ["_config.yml"], holders


def test_the_address_comes_from_the_environment_where_the_workflow_sets_it():
    assert site.repository(CONFIG, NO_ENV) == (CONFIG["repository"]["url"], CONFIG["repository"]["branch"])
    env = {"RESNET_BOOK_REPOSITORY": "https://github.com/someone/fork", "RESNET_BOOK_BRANCH": "trunk"}
    assert site.repository(CONFIG, env) == ("https://github.com/someone/fork", "trunk")
    assert site.repository(CONFIG, {"RESNET_BOOK_REPOSITORY": "someone/fork"})[0] == "https://github.com/someone/fork"


@pytest.mark.parametrize("repo, env, url", [
    ("https://github.com/Someone/fork", {}, "https://someone.github.io/fork/"),  # a project site
    ("https://github.com/someone/someone.github.io", {}, "https://someone.github.io/"),  # a user site
    ("https://github.com/someone/fork", {"RESNET_BOOK_SITE_URL": "https://book.example.org"}, "https://book.example.org/"),
    ("https://gitlab.com/someone/fork", {}, ""),
])
def test_the_site_address_derives_from_the_repository(repo, env, url):
    assert site.site_url(repo, env) == url


def _staged(tmp_path, monkeypatch, env=None, **kw):
    for k in ("RESNET_BOOK_REPOSITORY", "RESNET_BOOK_BRANCH", "RESNET_BOOK_SITE_URL"):
        monkeypatch.delenv(k, raising=False)
    for k, v in (env or {}).items():
        monkeypatch.setenv(k, v)
    nbs = tmp_path / "nb"
    nbs.mkdir(exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T")]), str(nbs / "01_x.ipynb"))
    out = tmp_path / f"site-{kw.get('lang', 'en')}-{kw.get('student', False)}"
    staged = site.stage(out, nbs, **kw)
    return out, yaml.safe_load((out / "_config.yml").read_text(encoding="utf-8")), staged


def test_staging_writes_the_address_everywhere_it_is_used(tmp_path, monkeypatch):
    env = {"RESNET_BOOK_REPOSITORY": "https://github.com/someone/fork", "RESNET_BOOK_BRANCH": "trunk"}
    out, cfg, staged = _staged(tmp_path, monkeypatch, env)
    assert cfg["repository"] == {"url": "https://github.com/someone/fork", "branch": "trunk"}  # the theme's buttons, Binder
    cell = "".join(nbformat.read(str(staged[0]), 4).cells[0].source)  # the Colab notebook's clone
    assert '"--branch", "trunk", "https://github.com/someone/fork.git"' in cell
    how = (out / "book" / "how_to_run.md").read_text(encoding="utf-8")  # the page's clone command
    assert "git clone https://github.com/someone/fork resnet-book" in how and site.REPOSITORY_MARKER not in how
    assert site.REPOSITORY_MARKER in (ROOT / "book" / "how_to_run.md").read_text(encoding="utf-8")
    info = site.run_box_info("01_x", {"cells": []}, cfg["repository"]["url"], cfg["repository"]["branch"], None)
    assert info["binder"] == "https://mybinder.org/v2/gh/someone/fork/trunk?urlpath=lab/tree/chapters/01_x.py"
    assert cfg["sphinx"]["config"]["html_baseurl"] == "https://someone.github.io/fork/"


# ---------------------------------------------------------------------------------------------
# The published tree: each edition knows its place and its address

@pytest.mark.parametrize("lang, student, edition, twin", [
    ("en", False, "", "zh/"), ("zh_CN", False, "zh/", ""),
    ("en", True, "student/", "student-zh/"), ("zh_CN", True, "student-zh/", "student/")])
def test_each_edition_is_staged_for_its_place_in_the_tree(tmp_path, monkeypatch, lang, student, edition, twin):
    env = {"RESNET_BOOK_REPOSITORY": "https://github.com/someone/fork",
           "RESNET_BOOK_SITE_URL": "https://someone.github.io/fork"}
    out, cfg, _ = _staged(tmp_path, monkeypatch, env, lang=lang, student=student)
    c = cfg["sphinx"]["config"]
    assert (c["lang_switch_edition"], c["lang_switch_twin"], c["lang_switch_lang"]) == (edition, twin, lang)
    assert c["lang_switch_site"] == "https://someone.github.io/fork/"
    assert c["html_baseurl"] == c["ogp_site_url"] == f"https://someone.github.io/fork/{edition}"
    assert c["notfound_urls_prefix"] == f"/fork/{edition}"
    assert re.search(r"[\u4e00-\u9fff]", c["ogp_image_alt"]) if lang == "zh_CN" else "residual block" in c["ogp_image_alt"]
    assert cfg["only_build_toc_files"] is False  # the toc's pages and the 404 page
    assert (out / "404.md").exists() and not (out / "book" / "404.md").exists()
    assert (out / "_static" / "preview.png").exists() and c["ogp_image"] == "_static/preview.png"
    assert c["ogp_site_name"] == cfg["title"]
    # the staged folder holds no page but the toc's and the 404 page (nothing else may be built)
    toc = yaml.safe_load((out / "_toc.yml").read_text(encoding="utf-8"))
    listed = {toc["root"]} | {ch["file"] for p in toc["parts"] for ch in p["chapters"]} \
        | {s["file"] for p in toc["parts"] for ch in p["chapters"] for s in ch.get("sections", [])}
    assert {f"book/{p.stem}" for p in (out / "book").glob("*.md")} <= listed
    assert {p.name for p in out.iterdir() if p.suffix in (".md", ".ipynb", ".py", ".rst")} == {"404.md"}


def test_the_tree_layout_is_one_table():
    assert set(site.BUILT) == set(site.TREE.values()) | {site.SLIDES}
    assert site.TREE["en", False] == "" and site.SLIDES == "slides/"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for built in site.BUILT.values():  # where the Makefile moves each build
        assert f"_build/{built}" in makefile, built


def _fake_build(build: Path, url: str):
    for folder, built in site.BUILT.items():
        (build / built).mkdir(parents=True)
        (build / built / "index.html").write_text(f"<p>{built}</p>")
        if folder != site.SLIDES:
            (build / built / "sitemap.xml").write_text(f"<urlset><url><loc>{url}{folder}book/intro.html</loc></url></urlset>")


def test_make_site_lays_out_the_tree(tmp_path):
    url = "https://someone.github.io/fork/"
    _fake_build(tmp_path / "_build", url)
    tree = tmp_path / "tree"
    assert site.assemble(tree, tmp_path / "_build", url) == []
    assert (tree / "index.html").read_text() == "<p>html</p>"
    for folder, built in site.BUILT.items():
        assert (tree / folder / "index.html").read_text() == f"<p>{built}</p>"
    robots = (tree / "robots.txt").read_text()
    assert f"Sitemap: {url}sitemap.xml" in robots and f"Sitemap: {url}zh/sitemap.xml" in robots
    assert (tree / ".nojekyll").exists()
    # an edition built for another address, or missing, is refused with the make target to run
    assert site.assemble(tmp_path / "t2", tmp_path / "_build", "https://other.github.io/x/") == [
        f"_build/{b} was not built for https://other.github.io/x/{f} (make {site.MAKE_TARGET[b]} again)"
        for f, b in site.BUILT.items() if f != site.SLIDES]
    (tmp_path / "_build" / "slides" / "index.html").unlink()
    assert site.assemble(tmp_path / "t3", tmp_path / "_build", url) == ["_build/slides is missing (make slides)"]
    assert not (tmp_path / "t3").exists()


# ---------------------------------------------------------------------------------------------
# The page previews' image and the 404 page

def test_the_preview_image_is_a_small_1200x630_png(tmp_path):
    path = draw_preview(tmp_path / "p.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == SIZE == (1200, 630)
    assert len(data) < 200_000
    assert draw_preview(tmp_path / "q.png").read_bytes() == data  # the same bytes at every build


def test_the_404_page_links_back_and_has_its_translation():
    text = (ROOT / "book" / f"{site.NOT_FOUND}.md").read_text(encoding="utf-8")
    assert text.startswith("# ") and "{doc}`" in text and "{edition}`" in text
    assert (ROOT / "book" / "locales" / "zh_CN" / "LC_MESSAGES" / f"{site.NOT_FOUND}.po").exists()
    assert "404.html" in CONFIG["sphinx"]["config"]["sitemap_excludes"]


# ---------------------------------------------------------------------------------------------
# A small Sphinx build with the site's extensions: sitemap, previews, alternates, links, 404 page

def _sphinx_build(tmp_path: Path, lang: str, edition: str, twin: str, builder: str = "html") -> Path:
    import sys
    import textwrap

    src = tmp_path / f"src-{builder}-{edition.strip('/') or 'en'}"
    (src / "book").mkdir(parents=True)
    tools = ROOT / "tools"
    url = "https://someone.github.io/fork/"
    (src / "conf.py").write_text(textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(tools)!r})
        project = "Book"
        extensions = ["myst_parser", "sphinx_sitemap", "sphinxext.opengraph", "notfound.extension", "booktools.lang_switch"]
        exclude_patterns = ["_build"]
        html_baseurl = ogp_site_url = {url + edition!r}
        notfound_urls_prefix = "/fork/{edition}"
        lang_switch_site, lang_switch_edition, lang_switch_twin, lang_switch_lang = {url!r}, {edition!r}, {twin!r}, {lang!r}
        sitemap_url_scheme, sitemap_locales = "{{link}}", [None]
        sitemap_excludes = ["search.html", "genindex.html", "404.html"]
        ogp_image, ogp_social_cards = "_static/preview.png", {{"enable": False}}
        """))
    (src / "index.md").write_text("# Book\n\n```{toctree}\nbook/intro\n```\n")
    (src / "book" / "intro.md").write_text("# Intro\n\nThe {edition}`slides <slides>`, the {edition}`student edition <student>`.\n")
    (src / "404.md").write_text((ROOT / "book" / "404.md").read_text(encoding="utf-8"))
    out = tmp_path / f"out-{builder}-{edition.strip('/') or 'en'}"
    r = subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-W", "-q", str(src), str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    return out


def test_an_edition_links_its_page_to_the_rest_of_the_tree(tmp_path):
    out = _sphinx_build(tmp_path, "en", "", "zh/")
    intro = (out / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'href="../slides/index.html"' in intro and 'href="../student/index.html"' in intro  # {edition}
    assert 'class="rb-lang-switch"' in intro and 'href="../zh/book/intro.html"' in intro
    assert '<link rel="alternate" hreflang="zh-CN" href="https://someone.github.io/fork/zh/book/intro.html" />' in intro
    assert '<link rel="canonical" href="https://someone.github.io/fork/book/intro.html" />' in intro
    assert '<meta property="og:url" content="https://someone.github.io/fork/book/intro.html" />' in intro
    assert '<meta property="og:image" content="https://someone.github.io/fork/_static/preview.png" />' in intro
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://someone.github.io/fork/book/intro.html</loc>" in sitemap
    assert "404" not in sitemap and "search.html" not in sitemap and "zh_CN" not in sitemap
    # the 404 page: every link an absolute path (it is served at any address)
    page = (out / "404.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'(?:href|src)="([^"#]+)', page)
    assert 'href="/fork/book/intro.html"' in page and 'href="/fork/slides/index.html"' in page
    assert 'href="/fork/zh/404.html"' in page and "alternate" not in page
    assert hrefs and all(h.startswith(("/fork/", "http")) for h in hrefs), [h for h in hrefs if not h.startswith(("/fork/", "http"))]


def test_the_chinese_edition_links_to_the_chinese_student_edition(tmp_path):
    out = _sphinx_build(tmp_path, "zh_CN", "zh/", "")
    intro = (out / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'href="../../slides/index.html"' in intro and 'href="../../student-zh/index.html"' in intro
    assert 'href="../../book/intro.html"' in intro  # the switch, to the English page at the root
    assert "<loc>https://someone.github.io/fork/zh/book/intro.html</loc>" in (out / "sitemap.xml").read_text()
    assert 'href="/fork/student-zh/index.html"' in (out / "404.html").read_text(encoding="utf-8")


def test_no_sitemap_from_other_builders(tmp_path):
    """The decks are written by another html-like builder (revealjs): they get no sitemap of their own."""
    out = _sphinx_build(tmp_path, "en", "", "zh/", builder="singlehtml")
    assert not (out / "sitemap.xml").exists()
