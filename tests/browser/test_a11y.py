"""Accessibility, in headless Chromium: what a reader with a screen reader, a keyboard only, low vision
or a phone meets on the published site (``_build/site-tree``, served as GitHub Pages serves it; each
edition at its address there: the English site at the root, ``zh/``, ``student/``, ``student-zh/``,
``slides/``).

- axe-core (axe-playwright-python's copy, every rule including the experimental ones) finds no
  serious or critical violation on any page of the site, of its Chinese edition, of both student
  editions, or in any deck (every slide of it: reveal.js's print view lays them all out at once;
  in its scroll view axe would see only the slides on screen).
  Each edition's counts per page and rule, all impacts, go to ``_build/a11y/axe-<edition>.json``.
- a quiz answers with the keyboard alone: Tab reaches an option, Enter or Space answers it, the
  arrows move to the next, the feedback is announced;
- figures carry alt text from their captions, in each edition's language;
- at a phone's width (390 px) no page scrolls sideways, and every image is legible: shown at its
  own size, or a link to its full-size file; a multi-panel (wide) figure also keeps a legible
  width in a box of its own that scrolls sideways.
"""

from __future__ import annotations

import functools
import html
import json
import os
import queue
import re
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from booktools.site import BUILT
from sitecheck import BUILD, CHROMIUM_ARGS, TREE, chapters, chromium_path, missing

# Each edition, by the name of its build (_build/<name>, and _build/a11y/axe-<name>.json), and its
# folder in the published tree: "html" (the English site) at the root, "zh" in zh/, "slides" in slides/...
FOLDER = {built: folder for folder, built in BUILT.items()}
EDITIONS = list(FOLDER)  # html, zh, student, student-zh, slides
BLOCKING = ("serious", "critical")
PHONE = (390, 844)
LEGIBLE_PX = 300  # an image shown narrower than its file (and than this) must open full size
WIDE = 2.0  # width/height of a multi-panel figure (booktools.a11y.WIDE)
WIDE_PX = 600  # ... which keeps at least this width on a phone, scrolling in its own box


def _edition(name: str) -> Path:
    """The folder of the edition ``name`` in the published tree."""
    root = TREE / FOLDER[name]
    if not (root / "chapters").is_dir():
        missing(f"no {name} edition in _build/site-tree/{FOLDER[name]} (make html book-zh book-student slides site)")
    return root


def address(server: str, name: str, path: str) -> str:
    """Where the page ``path`` of the edition ``name`` is served (``server``: the tree's address)."""
    return f"{server}/{FOLDER[name]}{path}"


def edition_pages(root: Path) -> list[str]:
    """Every page a reader can open in the edition at ``root``: each .html file but the theme's and
    Sphinx's assets, the redirects (index.html leads to the first page) and, in the English site at
    the tree's root, the other editions nested in it."""
    others = [TREE / f for f in FOLDER.values() if f and TREE / f != root]
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                  if not p.relative_to(root).parts[0].startswith("_")
                  and not any(p.is_relative_to(o) for o in others)
                  and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8", errors="replace")[:2000])


# axe-core runs in this many browsers at once (one per core, at most 4)
AXE_WORKERS = int(os.environ.get("RESNET_BOOK_AXE_WORKERS") or min(4, os.cpu_count() or 1))


@functools.lru_cache(maxsize=None)
def _axe_script() -> str:
    """axe-playwright-python's axe-core, or the axe.min.js that $RESNET_BOOK_AXE_JS names (another version)."""
    if os.environ.get("RESNET_BOOK_AXE_JS"):
        return Path(os.environ["RESNET_BOOK_AXE_JS"]).read_text(encoding="utf-8")
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def _axe_version() -> str:
    try:
        m = re.match(r"/\*! axe v([\d.]+)", _axe_script())
        return m.group(1) if m else "?"
    except ImportError:
        return "?"


AXE_VERSION = _axe_version()


AXE_RUN = """async () => {
    const rules = {};
    for (const r of axe.getRules(['experimental'])) rules[r.ruleId] = {enabled: true};
    const res = await axe.run(document, {rules, resultTypes: ['violations']});
    return res.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                  why: (n.any.concat(n.all, n.none)[0] || {}).message || ''}))}));
}"""


def axe_violations(page) -> list[dict]:
    page.evaluate(_axe_script())
    return page.evaluate(AXE_RUN)


def _open(page, url: str, deck: bool):
    """Load ``url`` and wait until what a reader sees is there: formulas typeset, fonts loaded,
    quizzes drawn (not for network idleness: a page's last font requests can keep it waiting)."""
    resp = page.goto(url, wait_until="load", timeout=120_000)  # a long chapter, on a busy machine
    assert resp is not None and resp.ok, f"{url}: HTTP {resp.status if resp else '?'}"
    if deck:
        page.locator(".reveal.ready").wait_for(timeout=30000)
    page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise : null")
    if page.locator(".Quiz").count():  # jupyterquiz draws its questions with a script
        page.locator(".Quiz .MCButton").first.wait_for(state="attached", timeout=30000)
    page.evaluate("() => document.fonts.ready.then(() => null)")
    page.wait_for_timeout(200)


def _axe_pages(server: str, edition: str, pages: list[str], deck: bool, mathjax_dir) -> tuple[dict, list[str]]:
    """{page: axe's violations} of ``pages``, and the pages' JavaScript errors. AXE_WORKERS threads
    share the pages, each with its own Chromium (axe is single-threaded: the pages of an edition are
    checked side by side on the machine's cores)."""
    from playwright.sync_api import sync_playwright

    from conftest import watched_page

    todo: queue.Queue = queue.Queue()
    for path in pages:
        todo.put(path)
    results, errors, lock = {}, [], threading.Lock()

    def work():
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                page, log = watched_page(browser.new_context(viewport={"width": 1280, "height": 800 if deck else 900}),
                                         mathjax_dir)
                while True:
                    try:
                        path = todo.get_nowait()
                    except queue.Empty:
                        break
                    t0 = time.monotonic()
                    _open(page, address(server, edition, path) + ("?print-pdf" if deck else ""), deck)
                    if deck:
                        assert page.evaluate("() => Reveal.isPrintView()"), f"{path}: not in reveal.js's print view"
                    t1 = time.monotonic()
                    violations = axe_violations(page)
                    with lock:
                        results[path] = (violations, (round(t1 - t0, 1), round(time.monotonic() - t1, 1)))
                        errors.extend(f"{path}: {e}" for e in log.page_errors)
                    log.page_errors.clear()
                browser.close()
        except Exception as e:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(f"axe worker: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=work) for _ in range(min(AXE_WORKERS, len(pages)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.parametrize("edition", EDITIONS)
def test_axe_finds_no_serious_or_critical_violation(server, mathjax_dir, edition):
    root = _edition(edition)
    deck = edition == "slides"
    if chromium_path() is None:
        missing("no chromium (Debian: apt-get install chromium; or set RESNET_BOOK_CHROMIUM)")
    pages = edition_pages(root)
    if deck:  # the decks, each with every slide laid out on the page (reveal.js's print view)
        pages = [p for p in pages if p.startswith("chapters/")]
    assert any(p.startswith("chapters/") for p in pages), pages
    # the longest pages first, so that the workers end together
    pages.sort(key=lambda p: -(root / p).stat().st_size)
    started = time.monotonic()
    results, errors = _axe_pages(server, edition, pages, deck, mathjax_dir)
    found, blocking, totals = {}, [], Counter()
    for path in sorted(results):
        violations, _ = results[path]
        found[path] = {f"{v['id']} ({v['impact']})": len(v["nodes"]) for v in violations}
        totals.update(found[path])
        for v in violations:
            if v["impact"] in BLOCKING:
                for n in v["nodes"][:3]:
                    blocking.append(f"{path}: {v['id']} ({v['impact']}, {len(v['nodes'])} nodes) {n['target']}: "
                                    f"{n['why']} -- {n['html'][:120]}")
    out = BUILD / "a11y"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"axe-{edition}.json").write_text(json.dumps(
        {"axe": AXE_VERSION, "pages": len(pages), "workers": AXE_WORKERS, "seconds": round(time.monotonic() - started, 1),
         "totals": dict(sorted(totals.items())), "per_page": found,
         "seconds_load_axe": {p: results[p][1] for p in sorted(results)}}, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8")
    # (only the pages' own errors: axe fetches the stylesheets' @imports itself, relative to the page,
    # and some of those 404; the pages' requests are checked by the other tests)
    assert not errors, "\n".join(errors)
    assert sorted(results) == sorted(pages), "pages left unchecked"
    assert not blocking, f"{sum(v for k, v in totals.items() if k.endswith(BLOCKING))} serious/critical " \
                         f"violations on {len(pages)} pages of {edition}:\n" + "\n".join(blocking[:60])


# ---------------------------------------------------------------------------------------------
# Quizzes with the keyboard alone

def _focused(page, lang: str) -> dict:
    """Which option of which question (of the page's ``lang`` quizzes) has the focus, and its outline."""
    return page.evaluate("""sel => { const e = document.activeElement, opt = e && e.closest('.MCButton');
        const quiz = e && e.closest('.Quiz'); const all = [...document.querySelectorAll(sel)];
        return {option: opt ? [...opt.parentElement.children].indexOf(opt) : -1, quiz: all.indexOf(quiz),
                outline: opt ? getComputedStyle(opt).outlineStyle + ' ' + getComputedStyle(opt).outlineWidth : ''}; }""",
                         f".rb-quiz-{lang} .Quiz")


@pytest.mark.parametrize("edition, lang", [("html", "en"), ("zh", "zh"), ("slides", "en")])
def test_a_quiz_answers_with_the_keyboard_alone(server, new_page, screenshots, edition, lang):
    root = _edition(edition)
    ch = next(c for c in chapters(root) if f"rb-quiz-{lang}" in (root / "chapters" / f"{c}.html").read_text(encoding="utf-8"))
    page, log = new_page(viewport=(1280, 800))
    _open(page, address(server, edition, f"chapters/{ch}.html"), deck=edition == "slides")
    quizzes = page.locator(f".rb-quiz-{lang} .Quiz")
    first = quizzes.first
    if edition == "slides":  # on to the question's slide (reveal.js leaves the keys to a focused option)
        page.evaluate("q => { const i = Reveal.getIndices(q.closest('section')); Reveal.slide(i.h, i.v); }", first.element_handle())
        page.wait_for_timeout(500)
    first.locator(".MCButton").first.wait_for(state="visible")
    index = 0
    # start from a focusable point just before the question, as a reader tabbing down the page would
    page.evaluate("""q => { const a = document.createElement('a'); a.href = '#'; a.id = 'rb-probe'; a.textContent = '.';
        q.parentElement.insertBefore(a, q); a.focus(); }""", first.element_handle())
    feedback = first.locator(".Feedback")
    assert feedback.get_attribute("aria-live") == "polite", "the feedback is not announced"

    page.keyboard.press("Tab")
    f = _focused(page, lang)
    assert f["quiz"] == index and f["option"] == 0, f"Tab did not reach the question's first option: {f}"
    assert not f["outline"].startswith("none") and not f["outline"].endswith(" 0px"), f"no visible focus: {f}"
    page.keyboard.press("Enter")
    page.wait_for_timeout(200)
    options = first.locator(".MCButton")
    assert re.search(r"\b(correct|incorrect)Button\b", options.nth(0).get_attribute("class") or ""), "Enter did not answer"
    text0 = feedback.inner_text().strip()
    assert text0[:1] in "✔✘", text0

    page.keyboard.press("ArrowDown")  # the next option: selected, and answered
    page.wait_for_timeout(200)
    assert _focused(page, lang)["option"] == 1
    assert re.search(r"\b(correct|incorrect)Button\b", options.nth(1).get_attribute("class") or "")
    assert feedback.inner_text().strip() != text0 or options.nth(0).get_attribute("data-correct") == options.nth(1).get_attribute("data-correct")

    right = int(page.evaluate("q => [...q.querySelectorAll('.MCButton')].findIndex(o => o.dataset.correct === 'true')",
                              first.element_handle()))
    for _ in range(right - 1 if right >= 1 else len(options.all()) - 1):  # on to the right option, then Space
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    page.wait_for_timeout(200)
    assert _focused(page, lang)["option"] == right
    assert feedback.inner_text().strip().startswith("✔"), feedback.inner_text()
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", feedback.inner_text())

    page.keyboard.press("Tab")  # one Tab stop per question: on to the next question
    f = _focused(page, lang)
    if quizzes.count() > 1 and edition != "slides":  # (on a slide, the next question is on the next slide)
        assert f["quiz"] == index + 1 and f["option"] >= 0, f
    first.screenshot(path=str(screenshots / f"a11y-{edition}-quiz-keyboard.png"))
    assert not log.problems(), "\n".join(log.problems())


# ---------------------------------------------------------------------------------------------
# Figures: alt text from captions

_FIGURE = re.compile(r"<figure\b.*?</figure>", re.S)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("edition", ["html", "zh"])
def test_figures_have_alt_text_from_their_captions(edition):
    root = _edition(edition)
    figures, bad = 0, []
    for ch in chapters(root):
        for fig in _FIGURE.findall((root / "chapters" / f"{ch}.html").read_text(encoding="utf-8")):
            caption = re.search(r"<figcaption>(.*?)</figcaption>", fig, re.S)
            if not caption:
                continue
            cap = _text(caption.group(1))
            for alt in re.findall(r'<img\b[^>]*\balt="([^"]*)"', fig):
                figures += 1
                alt = " ".join(html.unescape(alt).split())
                # (whitespace aside: the caption's inline code is its own element, spaced apart in its text)
                if not alt or _bare(alt.removesuffix("…")) not in _bare(cap):
                    bad.append(f"{ch}: alt {alt!r} is not from the caption {cap[:80]!r}")
    assert figures >= 20, f"only {figures} figure images in {edition}"
    assert not bad, "\n".join(bad)
    if edition == "zh":  # the Chinese edition's alt text is the translated caption's
        assert any(re.search(r"[\u4e00-\u9fff]", a) for ch in chapters(root)
                   for a in re.findall(r'<figure\b.*?<img\b[^>]*\balt="([^"]*)"', (root / "chapters" / f"{ch}.html").read_text(encoding="utf-8"), re.S))


# ---------------------------------------------------------------------------------------------
# On a phone

IMAGES = """() => [...document.querySelectorAll('article.bd-article img')].filter(i => i.offsetParent !== null).map(img => {
    const a = img.closest('a'), box = a && getComputedStyle(a).overflowX === 'auto' ? a : null;
    return {src: img.currentSrc, shown: img.getBoundingClientRect().width, w: img.naturalWidth, h: img.naturalHeight,
            href: a ? a.href : null, scrolls: box ? box.scrollWidth > box.clientWidth + 1 : false,
            box: box ? box.getBoundingClientRect().width : null, alt: img.alt}; })"""


@pytest.mark.parametrize("chapter", chapters(TREE) or ["(none built)"])
def test_chapter_reads_on_a_phone(site, server, new_page, screenshots, chapter):
    if chapter == "(none built)":
        pytest.fail("the site has no chapter pages")
    page, log = new_page(viewport=PHONE)
    _open(page, address(server, "html", f"chapters/{chapter}.html"), deck=False)
    page.wait_for_timeout(300)
    width = page.evaluate("() => window.innerWidth")
    sideways = page.evaluate("() => document.documentElement.scrollWidth") - width
    if sideways > 0:
        wide = page.evaluate("""w => [...document.querySelectorAll('article *')].filter(e => e.getBoundingClientRect().right > w + 1
            && getComputedStyle(e).position !== 'fixed').slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""", width)
        pytest.fail(f"the page scrolls sideways by {sideways} px at {width} px wide: {wide}")
    problems, checked = [], set()
    for img in page.evaluate(IMAGES):
        name = img["src"].rsplit("/", 1)[-1]
        if img["shown"] + 1 < img["w"]:  # shown smaller than its file: a tap must open it full size
            if img["href"] != img["src"]:
                problems.append(f"{name}: shown {img['shown']:.0f} px wide of {img['w']}, and no link opens it full size")
            elif img["href"] not in checked:
                checked.add(img["href"])
                r = page.request.get(img["href"])
                if not (r.ok and r.headers.get("content-type", "").startswith("image/")):
                    problems.append(f"{name}: its full-size link answers HTTP {r.status}")
            if img["shown"] < LEGIBLE_PX and img["w"] >= LEGIBLE_PX:
                problems.append(f"{name}: shown only {img['shown']:.0f} px wide")
        if img["h"] and img["w"] / img["h"] >= WIDE:  # multi-panel: legible in place, scrolling in its own box
            if img["shown"] + 1 < min(img["w"], WIDE_PX):
                problems.append(f"{name}: a wide figure ({img['w']}x{img['h']}) shown only {img['shown']:.0f} px wide")
            elif img["shown"] > width and (not img["scrolls"] or img["box"] > width):
                problems.append(f"{name}: wider than the screen and not in a box of its own that scrolls")
    if chapter.startswith(("04a", "04b")):
        page.locator("article figure img").first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"phone-{chapter}.png"))
    assert not problems, "\n".join(problems)
    assert not log.problems(), "\n".join(log.problems())


def test_a_figure_opens_full_size_on_a_phone(site, server, new_page):
    """Tapping a four-panel figure opens its image file, at its own size."""
    ch = next(c for c in chapters(site) if c.startswith("04a")) if any(c.startswith("04a") for c in chapters(site)) else chapters(site)[0]
    page, log = new_page(viewport=PHONE)
    _open(page, address(server, "html", f"chapters/{ch}.html"), deck=False)
    img = page.locator("article figure a.rb-zoom img").first
    img.scroll_into_view_if_needed()
    src = img.evaluate("i => i.currentSrc")
    natural = img.evaluate("i => i.naturalWidth")
    with page.expect_navigation():
        img.click()
    assert page.url == src
    assert page.evaluate("() => document.images.length === 1 && document.images[0].naturalWidth") == natural
    assert not log.problems(), "\n".join(log.problems())
