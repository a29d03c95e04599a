"""The book's sources: quizzes as validated data, chapter structure (the status page: tools/tests/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from resnet_book.book import quizzes as book

ROOT = Path(__file__).resolve().parents[1]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
# A chapter is a toc entry under chapters/ with, optionally, its section pages (Chapter 4 has one
# page per experiment). Quiz file, exercises and template are per chapter, over all its pages.
APPENDIX_CAPTION = "How this book's numbers are made"  # its pages teach the tooling, not the paper: no quiz
ALL_PAGES = {c["file"]: [c["file"]] + [s["file"] for s in c.get("sections", [])]
             for part in TOC["parts"] for c in part["chapters"] if c["file"].startswith("chapters/")}
APPENDIX = [c["file"] for part in TOC["parts"] if part.get("caption") == APPENDIX_CAPTION for c in part["chapters"]]
CHAPTER_PAGES = {c: pages for c, pages in ALL_PAGES.items() if c not in APPENDIX}
CHAPTERS = list(CHAPTER_PAGES)
PAGES = [p for pages in CHAPTER_PAGES.values() for p in pages]
# A section page may have a quiz file of its own, chapters/quizzes/<page>.yml (e.g. 04c_fig7.yml), shown
# with quiz("04c_fig7", [...]) on that page; the chapter's file holds the rest.
PAGE_QUIZZES = [p for p in PAGES if p not in CHAPTER_PAGES and (book.QUIZ_DIR / f"{Path(p).name}.yml").exists()]


def _page_source(page: str) -> str:
    return (ROOT / f"{page}.py").read_text(encoding="utf-8")


def _source(chapter: str) -> str:
    return "\n".join(_page_source(p) for p in CHAPTER_PAGES[chapter])


def test_toc_lists_every_chapter_file_and_nothing_missing():
    on_disk = sorted(f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("[0-9]*.py"))
    assert sorted(PAGES + APPENDIX) == on_disk and APPENDIX
    entries = [c for part in TOC["parts"] for c in part["chapters"]]
    for page in [TOC["root"]] + [e["file"] for c in entries for e in [c] + c.get("sections", [])]:
        assert (ROOT / f"{page}.md").exists() or (ROOT / f"{page}.py").exists(), page


@pytest.mark.parametrize("page", PAGES)
def test_every_page_cites_the_paper_and_states_provenance(page):
    src = _page_source(page)
    assert "{cite:p}`he2016deep`" in src and "kernelspec" in src
    if "run_experiment(" in src.split("## Exercises")[0]:  # a page that trains shows where numbers come from
        assert "stamp(fig, records" in src, f"{page}: a figure of runs needs its provenance line"
        assert "paper_scale_note(" in src or page.endswith(("01_background", "02_residual_math")), page


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_quiz_file_is_valid_and_has_five_questions(chapter):
    questions = book.load_quiz(Path(chapter).name)
    assert len(questions) >= 5
    for q in questions:  # the quote of the paper must be a real sentence, not a placeholder
        assert len(q["quote"].split()) >= 6 and q["section"].startswith(("Sec.", "Fig.", "Table", "Identity"))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_quiz_question_is_shown_in_the_chapter(chapter):
    name = Path(chapter).name
    src = _source(chapter)
    shown_all = re.search(rf'quiz\("{name}"\)', src) is not None
    shown = set(re.findall(rf'quiz\("{name}", \[([^\]]*)\]\)', src))
    ids = {i.strip().strip("'\"") for group in shown for i in group.split(",")}
    for q in book.load_quiz(name):
        assert shown_all or q["id"] in ids, f"question {q['id']} is never shown"


@pytest.mark.parametrize("page", PAGE_QUIZZES)
def test_page_quiz_file_is_valid_and_every_question_is_shown_on_its_page(page):
    name = Path(page).name
    src = _page_source(page)
    shown = set(re.findall(rf'quiz\("{name}", \[([^\]]*)\]\)', src))
    ids = {i.strip().strip("'\"") for group in shown for i in group.split(",")}
    for q in book.load_quiz(name):
        assert len(q["quote"].split()) >= 6 and q["section"].startswith(("Sec.", "Fig.", "Table", "Identity"))
        assert q["id"] in ids or re.search(rf'quiz\("{name}"\)', src), f"{name}: question {q['id']} is never shown"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_the_course_template(chapter):
    src = _source(chapter)
    assert "kernelspec" in src and "name: python3" in src
    assert "{cite:p}`he2016deep`" in src
    exercises = re.findall(r"```\{exercise\}", src)
    solutions = re.findall(r"```\{solution\} (ex-[\w-]+)\n#\s*:class: dropdown", src)
    assert len(exercises) >= 3 and len(solutions) == len(exercises)
    assert re.search(r"knowledge card", src, re.IGNORECASE)
    assert "{term}`" in src  # the card links the bilingual glossary
    assert "torch.set_num_threads" not in src


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_does_not_type_the_papers_numbers(chapter):
    prose = "\n".join(line for line in _source(chapter).splitlines() if line.startswith("# "))
    typed = re.findall(r"\b(8\.75|7\.51|7\.17|6\.97|6\.43|7\.93|25\.03|28\.54|6\.61|27\.94)\b", prose)
    assert not typed, f"paper numbers typed by hand (read them from resnet_book.reference): {typed}"


def _good_question(**changes):
    q = {"id": "q1", "section": "Sec. 1", "question": "Why?", "quote": "a sentence of the paper here",
         "options": [{"text": f"option {i}", "correct": i == 0, "why": "because"} for i in range(4)]}
    q.update(changes)
    return q


def test_validator_accepts_a_good_question_and_converts_it():
    book.validate_quiz([_good_question()])
    jq = book.to_jupyterquiz(_good_question())
    assert jq["type"] == "multiple_choice" and [a["correct"] for a in jq["answers"]] == [True, False, False, False]
    assert all("Paper, Sec. 1" in a["feedback"] for a in jq["answers"])
    two = _good_question(options=[{"text": str(i), "correct": i < 2, "why": "w"} for i in range(4)])
    assert book.to_jupyterquiz(two)["type"] == "many_choice"


@pytest.mark.parametrize("bad, message", [
    (dict(options=[{"text": "a", "correct": True, "why": "w"}] * 3), "exactly 4 options"),
    (dict(options=[{"text": str(i), "correct": False, "why": "w"} for i in range(4)]), "1 or 2 correct"),
    (dict(options=[{"text": str(i), "correct": True, "why": "w"} for i in range(4)]), "1 or 2 correct"),
    (dict(options=[{"text": str(i), "correct": i == 0, "why": "" if i == 2 else "w"} for i in range(4)]), "needs 'text' and 'why'"),
    (dict(quote=""), "missing 'quote'"),
    (dict(section=""), "missing 'section'"),
])
def test_validator_rejects_bad_questions(bad, message):
    with pytest.raises(book.QuizError, match=message):
        book.validate_quiz([_good_question(**bad)])


def test_validator_rejects_duplicate_ids():
    with pytest.raises(book.QuizError, match="duplicate id"):
        book.validate_quiz([_good_question(), _good_question()])


def test_quiz_text_markdown_becomes_safe_html():
    assert book._md("the *training* error < 80% with `x.shape` and **F(x)**") == (
        "the <i>training</i> error &lt; 80% with <code>x.shape</code> and <b>F(x)</b>")
    assert book._md("2*3*4 stays") == "2*3*4 stays"


# --- quiz options: shown in a fixed order of their own, so that position says nothing ---------------------
def _all_questions():
    return [(Path(c).name, q) for c in CHAPTERS + PAGE_QUIZZES for q in book.load_quiz(Path(c).name)]


def test_no_option_position_is_right_in_more_than_40_percent_of_questions():
    qs = _all_questions()
    share = {pos: sum(bool(book.shown_options(ch, q)[pos].get("correct")) for ch, q in qs) / len(qs) for pos in range(4)}
    assert max(share.values()) <= 0.40, f"share of questions whose shown option k is right: {share}"


def test_option_order_is_fixed_per_question_and_a_permutation():
    for ch, q in _all_questions():
        order = book.option_order(ch, q["id"])
        assert sorted(order) == [0, 1, 2, 3] and order == book.option_order(ch, q["id"])
    # the shown order is what the quiz widget gets (jupyterquiz's own shuffle stays off: it changes per load)
    ch, q = _all_questions()[0]
    shown = [a["answer"] for a in book.to_jupyterquiz(q, ch)["answers"]]
    assert shown == [book._md(o["text"]) for o in book.shown_options(ch, q)]


def test_quiz_markdown_in_chinese_sentences():
    # *italics* beside Chinese characters render (CJK letters are word characters to Python's \w)
    from resnet_book.book.quizzes import _md

    assert _md("这是*训练*误差") == "这是<i>训练</i>误差"
    assert _md("the *training* error") == "the <i>training</i> error"
    assert _md("2*3*4") == "2*3*4" and _md("**粗体**文字") == "<b>粗体</b>文字"


@pytest.mark.parametrize("section, en, zh, own", [
    ("Sec. 4.2", "Sec. 4.2", "第 4.2 节", True),
    ("Table 1", "Table 1", "表 1", True),
    ("Identity Mappings (He et al. 2016), Sec. 2", "Identity Mappings (He et al. 2016), Sec. 2",
     "Identity Mappings (He et al. 2016), 第 2 节", False),
    ("Sec. Abstract (Huang et al. 2017, DenseNet)", "Sec. Abstract (Huang et al. 2017, DenseNet)",
     "摘要 (Huang et al. 2017, DenseNet)", False),
])
def test_quiz_feedback_names_the_quoted_work(section, en, zh, own):
    from resnet_book.book.quizzes import source, to_jupyterquiz

    assert source(section, "en") == (en, own) and source(section, "zh") == (zh, own)
    q = {"id": "q1", "section": section, "question": "Q?", "quote": "A sentence.", "quote_zh": "一句话。",
         "options": [{"text": "a", "correct": True, "why": "w"}] + [{"text": t, "why": "w"} for t in "bcd"]}
    fb_en = to_jupyterquiz(q)["answers"][0]["feedback"]
    fb_zh = to_jupyterquiz(q, lang="zh")["answers"][0]["feedback"]
    assert ("Paper, " in fb_en) == own and ("论文" in fb_zh) == own and zh in fb_zh


def test_a_key_given_twice_in_a_quiz_file_is_an_error(tmp_path):
    (tmp_path / "x.yml").write_text("- id: q1\n  question: A?\n  question: B?\n")
    with pytest.raises(book.QuizError, match=r"key\(s\) \['question'\] given twice"):
        book.load_quiz("x", tmp_path)
