"""The Chinese edition's catalogs and quizzes: complete, current with the English text, one term one
translation; and the staging and language switch that build it (``make book-zh``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from booktools import i18n, lang_switch, site
from resnet_book.book import quizzes as book

ROOT = Path(__file__).resolve().parents[2]
QUIZZES = sorted(p.stem for p in (ROOT / "chapters" / "quizzes").glob("*.yml"))


def _entries():
    import polib

    for path in i18n.catalogs():
        for e in polib.pofile(str(path), wrapwidth=0):
            if not e.obsolete:
                yield path, e


def test_every_page_has_a_catalog():
    pages = {p.stem for p in (ROOT / "chapters").glob("[0-9]*.py")} | {p.stem for p in (ROOT / "book").glob("*.md")}
    have = {p.stem for p in i18n.catalogs()}
    assert pages - i18n_generated() - have == set(), "pages without a catalog (run `make locales`)"


def i18n_generated() -> set[str]:
    return {Path(g).name for g in i18n.GENERATED}


def test_every_message_is_translated_and_keeps_its_markup():
    found = [x for path in i18n.catalogs() for x in i18n.problems(path)]
    assert not found, f"{len(found)} message(s) to fix (python -m booktools.i18n check):\n" + "\n".join(found[:30])


def test_the_catalogs_follow_the_english_text(tmp_path):
    """Re-extract the messages from today's sources: every one of them has its translation (an English
    change makes a message the catalogs do not have: run `make locales` and translate it)."""
    import jupytext
    import polib

    nbs = tmp_path / "nb"
    nbs.mkdir()
    for src in sorted((ROOT / "chapters").glob("[0-9]*.py")):
        jupytext.write(jupytext.read(src), nbs / f"{src.stem}.ipynb")
    pot = i18n.extract(tmp_path / "site", nbs)
    missing = []
    for template in sorted(pot.rglob("*.pot")):
        rel = template.relative_to(pot).with_suffix(".po")
        po = ROOT / "book" / "locales" / i18n.LANG / "LC_MESSAGES" / rel
        have = {e.msgid for e in polib.pofile(str(po), wrapwidth=0) if e.msgstr and "fuzzy" not in e.flags} \
            if po.exists() else set()
        missing += [f"{rel}: {e.msgid[:80]!r}" for e in polib.pofile(str(template)) if e.msgid and e.msgid not in have]
    assert not missing, f"{len(missing)} message(s) of the pages are not in the catalogs (make locales):\n" + \
        "\n".join(missing[:20])


def glossary_terms() -> list[tuple[str, list[str]]]:
    """(English term, its Chinese forms) of each ``{glossary}`` entry of book/glossary.md."""
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    terms = []
    for line in block.splitlines():
        m = re.match(r"^(\S[^·]*?) · (.+)$", line)
        if m:
            en, zh = m.group(1).strip(), [z.strip() for z in m.group(2).split("/")]
            if "/" in en:  # "vanishing / exploding gradients" · "梯度消失 / 梯度爆炸": two terms
                first, second = (x.strip() for x in en.split("/"))
                noun = second.split(" ", 1)[1]
                terms += [(f"{first} {noun}", [zh[0]]), (second, [zh[1]])]
            else:
                terms.append((en, zh))
    return terms


def test_a_glossary_link_in_chinese_shows_the_chinese_term():
    """A Chinese sentence links the glossary through the entry's bilingual key but shows the Chinese
    term (``{term}`普通网络 <plain network · 普通网络>` ``), never the key "plain network · 普通网络"."""
    shown = [(path.name, m.group(0)) for path, e in _entries() if e.msgstr
             for m in re.finditer(r"\{term\}`([^`]*)`", e.msgstr)
             if "<" not in m.group(1) or not re.search(r"[\u4e00-\u9fff]", m.group(1).split("<")[0])]
    assert not shown, f"{len(shown)} glossary link(s) show their key in Chinese text:\n" + "\n".join(map(str, shown[:20]))


def test_glossary_parses():
    terms = dict(glossary_terms())
    assert terms["residual learning"] == ["残差学习"] and terms["plain network"] == ["普通网络", "平原网络"]
    assert terms["vanishing gradients"] == ["梯度消失"] and len(terms) >= 15


@pytest.mark.parametrize("en, zh", glossary_terms(), ids=lambda x: x if isinstance(x, str) else None)
def test_one_term_one_translation(en, zh):
    """Wherever a message names a glossary term in English (outside its {term} role, code, maths and
    the title of the paper "Identity Mappings in ..."), its translation uses the glossary's Chinese
    form (what precedes a parenthesis: 乘加运算量 of "乘加运算量（FLOPs）"). The glossary's own
    entries are where the terms are defined, not used."""
    # an acronym (mAP) is matched as written, a term (bottleneck) in any case, plural included
    rx = re.compile(rf"\b{re.escape(en)}(?:s|es)?\b", 0 if re.search(r"[A-Z]", en) else re.I)
    core = [re.split(r"[（(]", z)[0].strip() or z for z in zh]
    wrong = []
    for path, e in _entries():
        if path.name == "glossary.po" and " · " in e.msgid:
            continue
        plain = re.sub(r"\{term\}`[^`]*`|`[^`]*`|\$[^$]*\$|Identity Mappings", " ", e.msgid)
        if rx.search(plain) and e.msgstr and not any(z in e.msgstr for z in core):
            wrong.append(f"{path.name}: {e.msgid[:60]!r} -> {e.msgstr[:40]!r}")
    assert not wrong, f"'{en}' must read {' / '.join(zh)}:\n" + "\n".join(wrong[:10])


@pytest.mark.parametrize("chapter", QUIZZES)
def test_every_quiz_question_is_in_chinese(chapter):
    missing = book.untranslated(book.load_quiz(chapter))
    assert not missing, f"{chapter}: {len(missing)} Chinese field(s) missing: {missing[:5]}"


def test_a_chinese_quiz_keeps_the_paper_quote_in_english():
    q = book.load_quiz("04d_shortcuts")[0]
    zh = book.to_jupyterquiz(q, "04d_shortcuts", lang="zh")
    en = book.to_jupyterquiz(q, "04d_shortcuts")
    assert zh["question"] != en["question"] and re.search(r"[\u4e00-\u9fff]", zh["question"])
    assert book._md(q["quote"]) in zh["answers"][0]["feedback"]  # the quote itself, then its rendering
    assert [a["correct"] for a in zh["answers"]] == [a["correct"] for a in en["answers"]]  # same order


def test_stage_sets_the_language_and_the_switch(tmp_path):
    nbs = tmp_path / "nb"
    nbs.mkdir()
    (nbs / "01_x.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    site.stage(tmp_path / "zh", nbs, lang="zh_CN")
    cfg = yaml.safe_load((tmp_path / "zh" / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    assert cfg["language"] == "zh_CN" and cfg["lang_switch_edition"] == "zh/" and cfg["lang_switch_twin"] == ""
    assert cfg["locale_dirs"]
    captions = [p["caption"] for p in yaml.safe_load((tmp_path / "zh" / "_toc.yml").read_text(encoding="utf-8"))["parts"]]
    assert captions and all(re.search(r"[\u4e00-\u9fff]", c) for c in captions), captions
    site.stage(tmp_path / "en", nbs, student=True)
    cfg = yaml.safe_load((tmp_path / "en" / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    assert "language" not in cfg and cfg["lang_switch_twin"] == "student-zh/" and cfg["hide_solutions"]


def _app(lang, edition, twin, site="https://o.github.io/r/"):
    class App:
        class config:
            lang_switch_lang, lang_switch_edition, lang_switch_twin, lang_switch_site = lang, edition, twin, site
            notfound_pagename, notfound_urls_prefix = "404", "/r/" + edition

        class builder:
            name, out_suffix = "html", ".html"

    return App


def test_the_switch_links_the_same_page_of_the_other_edition():
    """As the editions lie in the published tree: the English site at its root, zh/, student/, student-zh/."""
    ctx = {"body": "<h1>x</h1>", "metatags": ""}
    lang_switch._on_page(_app("en", "", "zh/"), "chapters/01_background", "page.html", ctx, None)
    assert 'href="../zh/chapters/01_background.html"' in ctx["body"] and "中文" in ctx["body"]
    ctx = {"body": ""}
    lang_switch._on_page(_app("zh_CN", "zh/", ""), "index", "page.html", ctx, None)
    assert 'href="../index.html"' in ctx["body"] and "English" in ctx["body"]
    ctx = {"body": ""}
    lang_switch._on_page(_app("zh_CN", "student-zh/", "student/"), "book/intro", "page.html", ctx, None)
    assert 'href="../../student/book/intro.html"' in ctx["body"]
    ctx = {"body": ""}  # the 404 page is served at any address: an absolute path
    lang_switch._on_page(_app("en", "", "zh/"), "404", "page.html", ctx, None)
    assert 'href="/r/zh/404.html"' in ctx["body"]


def test_every_page_names_its_two_languages_in_its_head():
    ctx = {"body": "", "metatags": "<meta />\n"}
    lang_switch._on_page(_app("zh_CN", "zh/", ""), "chapters/01_background", "page.html", ctx, None)
    links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)" />', ctx["metatags"])
    assert links == [("en", "https://o.github.io/r/chapters/01_background.html"),
                     ("zh-CN", "https://o.github.io/r/zh/chapters/01_background.html"),
                     ("x-default", "https://o.github.io/r/chapters/01_background.html")]
    ctx = {"body": "", "metatags": ""}
    lang_switch._on_page(_app("en", "student/", "student-zh/"), "index", "page.html", ctx, None)
    assert 'hreflang="zh-CN" href="https://o.github.io/r/student-zh/index.html"' in ctx["metatags"]
    assert 'hreflang="x-default" href="https://o.github.io/r/student/index.html"' in ctx["metatags"]
    ctx = {"body": "", "metatags": ""}
    lang_switch._on_page(_app("en", "", "zh/"), "404", "page.html", ctx, None)
    assert "alternate" not in ctx["metatags"]  # no language alternates for the 404 page


def test_a_quiz_shows_both_languages_each_with_its_own_script(monkeypatch):
    """One HTML output holding the English and the Chinese quiz, then one script per language
    (jupyterquiz's scripts declare the same global functions: in one script the last would win and
    draw both quizzes' questions into one container)."""
    import IPython.display as d

    shown = []
    monkeypatch.setattr(d, "display", lambda obj, **k: shown.append(obj))
    monkeypatch.delenv("RESNET_BOOK_LANG", raising=False)
    book.quiz("04d_shortcuts", ["q1"])
    assert [type(o).__name__ for o in shown] == ["HTML", "Javascript", "Javascript"]
    assert 'class="rb-quiz rb-quiz-en"' in shown[0].data and 'class="rb-quiz rb-quiz-zh"' in shown[0].data
    en_id, zh_id = re.findall(r'<div id="(\w+)"', shown[0].data)
    # the two quizzes are siblings: the Chinese one is not inside the English container
    en_part = shown[0].data.split('class="rb-quiz rb-quiz-zh"')[0]
    assert en_part.count("<div") == en_part.count("</div>") + 1  # all closed but the zh wrapper's opening
    assert en_id in shown[1].data and zh_id not in shown[1].data and zh_id in shown[2].data
    shown.clear()
    monkeypatch.setenv("RESNET_BOOK_LANG", "zh")
    book.quiz("04d_shortcuts", ["q1"])
    assert [type(o).__name__ for o in shown] == ["HTML", "Javascript"] and "rb-quiz-en" not in shown[0].data
