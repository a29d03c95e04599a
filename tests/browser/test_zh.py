"""The Chinese edition (make book-zh, and the student edition's twin) in headless Chromium: every page
loads cleanly and is in Chinese, Chinese glyphs are drawn with a CJK font, a quiz answers in
Chinese, and the language switch leads to the same page in the other language, both ways."""

from __future__ import annotations

import re

import pytest

from sitecheck import TREE, chapters, missing
from test_builds import _blocks
from test_site import _load

ZH = TREE / "zh"
CHAPTERS = chapters(ZH) or ["(none built)"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="session")
def zh_site():
    if not (ZH / "chapters").is_dir():
        missing("no Chinese edition in _build/site-tree/zh (run `make book-zh site` first)")
    return ZH


@pytest.fixture(scope="session")
def student_zh():
    if not (TREE / "student-zh" / "chapters").is_dir():
        missing("no Chinese student edition in _build/site-tree/student-zh (run `make book-student site` first)")
    return TREE / "student-zh"


def _fonts_drawing(page, selector: str) -> dict:
    """{font family: glyph count} that Chromium drew the text of ``selector`` with (a glyph no font
    has is drawn with none)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return {f["familyName"]: f["glyphCount"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}


def _check_zh_page(page, log, url: str):
    _load(page, url)
    if page.locator(".rb-quiz-zh .Quiz").count():
        page.locator(".rb-quiz-zh .Quiz .MCButton").first.wait_for(state="visible")
    page.wait_for_timeout(300)
    assert not log.problems(), f"{url}:\n" + "\n".join(log.problems())
    assert page.evaluate("document.documentElement.lang") == "zh-CN", url
    h1 = page.locator("article h1").first
    assert h1.is_visible(), url
    body = page.locator("article").first.inner_text()
    assert len(CJK.findall(body)) > 100, f"{url}: hardly any Chinese on the page"
    # the CJK glyphs are drawn with a font that has them (without one Chromium draws empty boxes)
    page.evaluate("""() => { const s = document.createElement('span'); s.id = 'cjk-probe';
        s.textContent = '残差学习'; document.querySelector('article').appendChild(s); }""")
    drawn = _fonts_drawing(page, "#cjk-probe")
    assert sum(drawn.values()) == 4 and any(re.search(r"CJK|Han|Hei|Ming|Song|Gothic", f) for f in drawn), drawn


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_zh_chapter_loads_in_chinese(zh_site, server, new_page, screenshots, chapter):
    if chapter == "(none built)":
        pytest.fail("the Chinese edition has no chapter pages")
    page, log = new_page()
    _check_zh_page(page, log, f"{server}/zh/chapters/{chapter}.html")
    page.screenshot(path=str(screenshots / f"zh-{chapter}.png"))
    box = page.locator("#run-this-chapter")
    assert box.count() == 1 and "运行本章" in box.inner_text()
    if page.locator(".rb-quiz-zh").count():  # the page's language picks the quiz's
        assert page.locator(".rb-quiz-zh .Quiz").first.is_visible()
        assert not page.locator(".rb-quiz-en .Quiz").first.is_visible()


def test_zh_other_pages_load_in_chinese(zh_site, server, new_page, screenshots):
    page, log = new_page()
    pages = sorted(str(p.relative_to(zh_site)) for p in (zh_site / "book").glob("*.html"))
    assert len(pages) >= 4, pages
    for path in pages:
        if path.endswith("bibliography.html"):
            continue  # a list of references: no Chinese prose to see
        _check_zh_page(page, log, f"{server}/zh/{path}")
        if path.endswith(("intro.html", "glossary.html", "lectures.html")):
            page.screenshot(path=str(screenshots / ("zh-" + path.replace("/", "-").replace(".html", ".png"))))


def test_a_quiz_answers_in_chinese(zh_site, server, new_page, screenshots):
    ch = next(c for c in CHAPTERS if "rb-quiz-zh" in (zh_site / "chapters" / f"{c}.html").read_text(encoding="utf-8"))
    page, log = new_page()
    _load(page, f"{server}/zh/chapters/{ch}.html")
    quiz = page.locator(".rb-quiz-zh .Quiz").first
    quiz.locator(".MCButton").first.wait_for(state="visible")
    assert CJK.search(quiz.inner_text()), "the question is not in Chinese"
    feedback = quiz.locator(".Feedback")
    quiz.locator('.MCButton[data-correct="false"]').first.click()
    assert feedback.inner_text().strip().startswith("✘") and CJK.search(feedback.inner_text())
    quiz.locator('.MCButton[data-correct="true"]').first.click()
    text = feedback.inner_text().strip()
    assert text.startswith("✔") and "论文" in text, text
    quiz.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"zh-{ch}-quiz.png"))
    assert not log.problems(), "\n".join(log.problems())


@pytest.mark.parametrize("start, other", [("", "zh/"), ("zh/", "")], ids=["en-zh", "zh-en"])
def test_language_switch_leads_to_the_same_page(zh_site, site, server, new_page, start, other):
    page, log = new_page()
    for path in ["book/intro.html", f"chapters/{CHAPTERS[0]}.html", "book/glossary.html"]:
        _load(page, f"{server}/{start}{path}")
        switch = page.locator(".rb-lang-switch a")
        assert switch.count() == 1, f"{start}{path}: no language switch"
        switch.click()
        page.wait_for_load_state("load")
        assert page.url == f"{server}/{other}{path}", page.url
        assert page.evaluate("document.documentElement.lang") == ("zh-CN" if other == "zh/" else "en")
        page.locator(".rb-lang-switch a").click()  # and back
        page.wait_for_load_state("load")
        assert page.url == f"{server}/{start}{path}", page.url
    assert not log.problems(), "\n".join(log.problems())


def test_zh_student_edition_has_the_exercises_but_no_solutions(zh_site, student_zh, server, new_page):
    pieces = set()
    for ch in chapters(zh_site):
        for sol in _blocks(zh_site / "chapters" / f"{ch}.html", "solution"):
            body = sol.split(" ", 1)[-1]
            pieces |= {p for p in re.split(r"[。；？！]", body) if len(CJK.findall(p)) >= 12 and "$" not in p and "\\" not in p}
    assert pieces, "the Chinese edition has no solution text to hide"
    for f in student_zh.rglob("*.html"):
        text = re.sub(r"\s+", " ", f.read_text(encoding="utf-8"))
        leaked = [p for p in pieces if re.sub(r"\s+", " ", p).strip() in text]
        assert not leaked, f"{f.relative_to(student_zh)} holds solution text: {leaked[0]!r}"
    page, log = new_page()
    ch = chapters(student_zh)[0]
    _load(page, f"{server}/student-zh/chapters/{ch}.html")
    assert page.locator(".exercise").count() >= 3 and page.locator(".solution").count() == 0
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert not log.problems(), "\n".join(log.problems())
