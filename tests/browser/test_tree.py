"""The published tree (``make site``) as one site: every link between its parts resolves, every page
has its language switch and language alternates, the sitemaps and page previews point into the tree,
and a missing address gets the 404 page, whose links work from any address.

The tree is read on disk for what holds on every page (fast), and driven in Chromium, served as
GitHub Pages serves it, for what a reader clicks.
"""

from __future__ import annotations

import posixpath
import re
import struct
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

from booktools.site import SITEMAPS, SLIDES, TREE as LAYOUT
from sitecheck import TREE, site_address

EDITIONS = sorted(set(LAYOUT.values()))  # "", "student-zh/", "student/", "zh/"
TWIN = {e: LAYOUT["zh_CN" if lang == "en" else "en", student] for (lang, student), e in LAYOUT.items()}
LANG = {e: lang for (lang, _), e in LAYOUT.items()}


class _Page(HTMLParser):
    """The links of a page (a, link, script, img, iframe, source) and its head's meta and alternates."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.alternates: dict[str, str] = {}
        self.canonical = None
        self.meta: dict[str, str] = {}
        self.switch: list[str] = []
        self._in_switch = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "p" and "rb-lang-switch" in (a.get("class") or ""):
            self._in_switch = True
        if tag == "link" and a.get("rel") == "alternate" and a.get("hreflang"):
            self.alternates[a["hreflang"]] = a["href"]
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]
        elif tag == "meta" and (a.get("property") or a.get("name")):
            self.meta[a.get("property") or a.get("name")] = a.get("content", "")
        url = a.get("href") if tag in ("a", "link") else a.get("src") if tag in ("script", "img", "iframe", "source") else None
        if url:
            self.links.append(url)
            if tag == "a" and self._in_switch:
                self.switch.append(url)

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_switch = False


def _parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8", errors="replace"))
    return p


GENERATED = ("search.html", "genindex.html")  # Sphinx's own pages: no article, no switch, not in the sitemap


def _pages(folder: str = "") -> list[Path]:
    """The pages of one edition of the tree (not the other editions nested in the root, nor the
    redirect that stands for the root's index.html)."""
    root = TREE / folder
    others = [TREE / e for e in [*EDITIONS, SLIDES] if e and e != folder]
    return sorted(p for p in root.rglob("*.html")
                  if not any(p.is_relative_to(o) for o in others) and "_static" not in p.parts
                  and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8", errors="replace")[:2000])


def _target(page: Path, url: str, site: str) -> Path | None:
    """The file of the tree a link on ``page`` leads to, or None for an address outside the site."""
    url = url.split("#", 1)[0].split("?", 1)[0]
    if url.startswith(site):
        rel = url[len(site):]
    elif re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) or url.startswith("//"):
        return None  # https://... elsewhere, mailto:, data:, javascript:
    elif url.startswith("/"):
        prefix = urlparse(site).path
        rel = url[len(prefix):] if url.startswith(prefix) else "../" * 99  # outside the site: unresolvable
    else:
        rel = posixpath.normpath(posixpath.join(page.parent.relative_to(TREE).as_posix(), url)) if url else \
            page.relative_to(TREE).as_posix()
    rel = posixpath.normpath(rel) if rel else "."
    if rel.startswith(".."):
        return TREE / "__outside_the_tree__" / rel
    target = TREE / rel
    return target / "index.html" if target.is_dir() else target


@pytest.fixture(scope="session")
def tree(site) -> Path:
    return TREE


def test_the_tree_holds_every_edition_and_the_decks(tree):
    for folder in [*EDITIONS, SLIDES]:
        assert (tree / folder / "index.html").exists(), folder
    for e in EDITIONS:
        assert (tree / e / "chapters").is_dir() and (tree / e / "404.html").exists(), e
    robots = (tree / "robots.txt").read_text(encoding="utf-8")
    assert [f"Sitemap: {site_address()}{e}sitemap.xml" in robots for e in SITEMAPS] == [True] * len(SITEMAPS)


def test_every_link_in_the_tree_resolves(tree):
    """Every link, stylesheet, script and image of every page -- the editions, the decks, the 404 pages
    -- leads to a file of the tree (or outside the site). Links between editions included."""
    site, broken, checked = site_address(), [], 0
    for page in sorted(tree.rglob("*.html")):
        if "_static" in page.parts:
            continue
        for url in set(_parse(page).links):
            target = _target(page, url, site)
            if target is None:
                continue
            checked += 1
            if not target.is_file():
                broken.append(f"{page.relative_to(tree)}: {url}")
    assert checked > 1000, checked
    assert not broken, f"{len(broken)} links lead nowhere:\n" + "\n".join(sorted(broken)[:40])


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.strip("/") or "en")
def test_every_page_has_its_switch_to_the_same_page_and_its_language_alternates(tree, edition):
    site, twin, problems = site_address(), TWIN[edition], []
    pages = [p for p in _pages(edition) if p.name not in GENERATED]
    assert len(pages) >= 15, [p.name for p in pages]
    for page in pages:
        rel = page.relative_to(tree / edition).as_posix()
        p = _parse(page)
        if len(p.switch) != 1:
            problems.append(f"{edition}{rel}: {len(p.switch)} language switches")
            continue
        want = (tree / twin / rel) if rel != "404.html" else tree / twin / "404.html"
        if _target(page, p.switch[0], site) != want or not want.is_file():
            problems.append(f"{edition}{rel}: the switch leads to {p.switch[0]}, not {twin}{rel}")
        if rel == "404.html":
            if p.alternates:
                problems.append(f"{edition}404.html: language alternates on the 404 page")
            continue
        en, zh = (edition, twin) if LANG[edition] == "en" else (twin, edition)
        expect = {"en": f"{site}{en}{rel}", "zh-CN": f"{site}{zh}{rel}", "x-default": f"{site}{en}{rel}"}
        if p.alternates != expect:
            problems.append(f"{edition}{rel}: alternates {p.alternates}")
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("edition", SITEMAPS, ids=lambda e: e.strip("/") or "en")
def test_each_edition_has_a_sitemap_of_its_pages(tree, edition):
    site = site_address()
    xml = (tree / edition / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert locs and all(loc.startswith(site + edition) for loc in locs), locs[:3]
    listed = {loc[len(site):] for loc in locs}
    pages = {p.relative_to(tree).as_posix() for p in _pages(edition) if p.name not in (*GENERATED, "404.html")}
    assert listed == pages, (sorted(listed - pages)[:5], sorted(pages - listed)[:5])


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.strip("/") or "en")
def test_every_page_has_a_preview_for_shared_links(tree, edition):
    site, problems = site_address(), []
    for page in _pages(edition):
        rel = page.relative_to(tree).as_posix()
        if page.name in (*GENERATED, "404.html"):
            continue
        p = _parse(page)
        m = p.meta
        if not (m.get("og:title") and m.get("og:description") and m.get("twitter:card") == "summary_large_image"):
            problems.append(f"{rel}: title/description/card missing: {sorted(m)}")
        if m.get("og:url") != p.canonical or p.canonical != site + rel:
            problems.append(f"{rel}: og:url {m.get('og:url')}, canonical {p.canonical}")
        image = _target(page, m.get("og:image", ""), site)
        if image is None or not image.is_file():
            problems.append(f"{rel}: og:image {m.get('og:image')} is not in the tree")
        elif not m.get("og:image:alt"):
            problems.append(f"{rel}: no og:image:alt")
    assert not problems, "\n".join(problems[:20])
    image = tree / edition / "_static" / "preview.png"
    data = image.read_bytes()
    assert struct.unpack(">II", data[16:24]) == (1200, 630) and len(data) < 200_000


def test_a_missing_address_gets_the_404_page_and_its_links_work(site, server, new_page, screenshots):
    page, log = new_page()
    url = f"{server}/chapters/an/old/page.html"
    resp = page.goto(url, wait_until="load")
    assert resp.status == 404
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshots / "404.png"))
    assert page.locator("article h1").first.inner_text().strip().startswith("Page not found")
    # the page's own stylesheets, scripts and images loaded from this depth: only the address itself failed
    assert log.failed == [f"{url} (HTTP 404)"], log.failed
    assert not log.page_errors and not log.external, log.problems()
    assert page.evaluate("() => [...document.styleSheets].filter(s => s.href && s.cssRules.length).length") >= 5  # the theme's CSS
    hrefs = set(page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"))
    internal = sorted({h.split("#")[0] for h in hrefs if h.startswith(server)} - {url})  # not its own anchors
    assert len(internal) >= 10, internal
    for h in set(internal):
        assert page.request.get(h).status == 200, h
    for target in ("book/intro.html", "slides/index.html", "student/index.html"):
        assert f"{server}/{target}" in internal, target
    page.locator(".rb-lang-switch a").click()  # 中文: the Chinese 404 page
    page.wait_for_load_state("load")
    assert page.url == f"{server}/zh/404.html"
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert "找不到页面" in page.locator("article h1").first.inner_text()


def _open(page, url: str):
    resp = page.goto(url, wait_until="load")
    assert resp is not None and resp.ok, f"{url}: HTTP {resp.status if resp else '?'}"


def test_the_lecture_plan_leads_to_the_decks_and_the_student_edition_and_back(site, server, new_page):
    page, log = new_page()
    _open(page, f"{server}/book/lectures.html")
    links = page.locator("a.rb-edition")
    assert links.count() == 2
    links.first.click()
    page.wait_for_load_state("load")
    assert page.url == f"{server}/slides/index.html"
    assert page.locator('a[href^="chapters/"]').count() >= 10  # the decks
    page.locator("a.rb-book").click()  # back to the book: the site's index.html, which leads to its first page
    page.wait_for_url(f"{server}/book/intro.html")
    assert page.locator("article h1").first.is_visible()
    _open(page, f"{server}/zh/book/lectures.html")  # the Chinese lecture plan: the Chinese student edition
    page.locator("a.rb-edition").nth(1).click()
    page.wait_for_url(f"{server}/student-zh/book/intro.html")  # its index.html leads to its first page
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert not log.problems(), "\n".join(log.problems())


def test_the_student_editions_switch_to_each_other(site, server, new_page):
    page, log = new_page()
    _open(page, f"{server}/student/book/intro.html")
    page.locator(".rb-lang-switch a").click()
    page.wait_for_load_state("load")
    assert page.url == f"{server}/student-zh/book/intro.html"
    page.locator(".rb-lang-switch a").click()
    page.wait_for_load_state("load")
    assert page.url == f"{server}/student/book/intro.html"
    assert not log.problems(), "\n".join(log.problems())
