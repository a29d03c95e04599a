"""The reading guide, the ImageNet chapter and the recap: their data (reference Tables 7-8), their
helpers (``resnet_book.figures``, ``resnet_book.formulas``) and their structure (questions first)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from resnet_book import reference  # noqa: E402
from resnet_book.book import figures
from resnet_book.book import formulas
from resnet_book.book import load_quiz  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NEW_PAGES = ["chapters/00_reading_guide", "chapters/05_imagenet", "chapters/07_recap"]


# --- reference.py: Tables 7-8 and the ImageNet tables agree with the paper's own text ---------------------

def test_detection_tables_have_sources_and_match_the_text_of_sec_4_3():
    t7, t8 = reference.TABLE7, reference.TABLE8
    assert "Table 7" in t7["source"] and "Table 8" in t8["source"] and reference.HE2015 in t7["source"]
    for test, (train, maps) in ((k, v) for k, v in t7.items() if k != "source"):
        assert train in ("07+12", "07++12") and maps["ResNet-101"] > maps["VGG-16"], test
    coco = t8["mAP@[.5, .95]"]
    gain = coco["ResNet-101"] - coco["VGG-16"]
    # Sec. 4.3: "a 6.0% increase in COCO's standard metric (mAP@[.5, .95]), which is a 28% relative improvement"
    assert round(gain, 1) == 6.0 and round(100 * gain / coco["VGG-16"]) == 28
    assert t8["mAP@.5"]["ResNet-101"] > t8["mAP@[.5, .95]"]["ResNet-101"]  # a looser overlap threshold scores higher


def test_imagenet_tables_agree_with_each_other_and_with_the_text_of_sec_4_1():
    t2, t3, t4 = reference.TABLE2, reference.TABLE3, reference.TABLE4
    assert t3["plain34"][0] == t2["plain34"] and t3["resnet34_A"][0] == t2["resnet34"]  # Table 2 = option A
    # "the 34-layer ResNet is better than the 18-layer ResNet (by 2.8%)"; "reduces the top-1 error by 3.5%"
    assert round(t2["resnet18"] - t2["resnet34"], 1) == 2.8 and round(t2["plain34"] - t2["resnet34"], 1) == 3.5
    assert t2["plain34"] > t2["plain18"]  # degradation
    for k in (k for k in t4 if k != "source"):  # multi-scale testing (Table 4) beats 10-crop (Table 3)
        assert t4[k][0] < t3[k][0] and t4[k][1] < t3[k][1], k
    assert t4["resnet152"][1] == 4.49 and reference.TABLE5["ensemble_top5"] < t4["resnet152"][1]


# --- figures: layout and drawing from data ----------------------------------------------------------------

NODES = [{"id": "p", "label": "problem", "layer": 0, "group": "a"},
         {"id": "x", "label": "x", "layer": 1, "group": "b"}, {"id": "y", "label": "y", "layer": 1, "group": "b"},
         {"id": "z", "label": "z", "layer": 2}]
EDGES = [{"from": "p", "to": "y", "label": "leads to"}, {"from": "y", "to": "z"}, {"from": "x", "to": "y", "style": "dashed"}]


def test_layered_layout_puts_rows_by_layer_and_children_under_their_parents():
    pos = figures.layered_layout(NODES, EDGES)
    assert {n: pos[n][1] for n in pos} == {"p": 0.0, "x": -1.0, "y": -1.0, "z": -2.0}
    assert len({pos[n] for n in pos}) == len(NODES)
    assert pos["z"][0] == pos["y"][0]  # z's only parent is y: it sits right under it
    # a child is ordered by its parents: reverse which node of row 1 has the parent in row 0
    swapped = figures.layered_layout([NODES[0], NODES[2], NODES[1], NODES[3]], EDGES)
    assert swapped["y"][0] == pos["y"][0] or swapped["y"][0] < swapped["x"][0]


@pytest.mark.parametrize("nodes, edges, message", [
    (NODES, EDGES + [{"from": "p", "to": "nope"}], "unknown node 'nope'"),
    (NODES + [{"id": "p", "label": "again", "layer": 3}], EDGES, "duplicate node id 'p'"),
    ([{"id": "q", "label": "no layer"}], [], "lacks layer"),
])
def test_layered_layout_rejects_inconsistent_data(nodes, edges, message):
    with pytest.raises(figures.DiagramError, match=message):
        figures.layered_layout(nodes, edges)


def test_concept_map_draws_a_box_per_node_and_an_arrow_per_edge():
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    fig, ax = plt.subplots()
    boxes = figures.concept_map(ax, NODES, EDGES)
    assert set(boxes) == {n["id"] for n in NODES}
    assert sum(isinstance(p, FancyBboxPatch) for p in ax.patches) == len(NODES)
    assert sum(isinstance(p, FancyArrowPatch) for p in ax.patches) == len(EDGES)
    assert "leads to" in [t.get_text() for t in ax.texts]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]  # groups in order of appearance
    plt.close(fig)


def test_box_border_point_lies_on_the_box():
    b = figures.Box(0.0, 0.0, 1.0, 0.5)
    assert b.border_towards(4.0, 0.0) == (1.0, 0.0)
    assert b.border_towards(0.0, -3.0) == (0.0, -0.5)
    x, y = b.border_towards(2.0, 2.0)  # leaves through the top edge
    assert y == pytest.approx(0.5) and x == pytest.approx(0.5)


def test_paper_map_rejects_unknown_sections_and_draws_every_element():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    els = [{"name": "Fig. 1", "section": "1", "pass": 1, "role": "problem"},
           {"name": "Table 2", "section": "4.1", "pass": 2, "role": "evidence"}]
    boxes = figures.paper_map(ax, els, ["1", "4.1"], {1: "pass 1", 2: "pass 2"}, {"problem": "red", "evidence": "orange"})
    assert set(boxes) == {"Fig. 1", "Table 2"} and boxes["Fig. 1"].x < boxes["Table 2"].x and boxes["Fig. 1"].y > boxes["Table 2"].y
    with pytest.raises(figures.DiagramError, match="unknown section"):
        figures.paper_map(ax, [dict(els[0], section="9")], ["1"], {1: "p"}, {"problem": "red"})
    plt.close(fig)


# --- formulas: the formula sheet misses no equation of the course --------------------------------------

def _labels_in_sources() -> list[str]:
    out = []
    for page in formulas.chapter_pages():
        src = (ROOT / f"{page}.py").read_text(encoding="utf-8")
        out += re.findall(r"^# :label: (eq-[\w-]+)|^# \$\$ \((eq-[\w-]+)\)", src, re.MULTILINE)
    return [a or b for a, b in out]


def test_every_labelled_equation_of_the_course_is_on_the_sheet_in_toc_order():
    eqs = formulas.equations()
    assert [e.label for e in eqs if e.label] == _labels_in_sources()
    assert all(e.latex and "$$" not in e.latex and ":label:" not in e.latex for e in eqs)
    assert all(e.chapter and not e.chapter.startswith("#") for e in eqs)
    sheet = formulas.formula_sheet(eqs)
    for e in eqs:
        assert (f"{{eq}}`{e.label}`" if e.label else f"{{doc}}`{e.page.split('/')[1]}`") in sheet
    assert sheet.count("$$") == 2 * len(eqs)


def test_page_equations_reads_both_syntaxes_and_the_section(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nparts:\n  - chapters:\n      - file: chapters/01_x\n")
    (tmp_path / "chapters" / "01_x.py").write_text(
        "# %% [markdown]\n# # Title *one*\n#\n# ## First {term}`thing · 东西`\n#\n# $$\n# a = b\n# $$ (eq-01-a)\n#\n"
        "# ```{math}\n# :label: eq-01-b\n# c = d\n# ```\n\n# %% [markdown]\n# ## Second\n#\n# $$\n# e = f\n# $$\n")
    eqs = formulas.equations(tmp_path)
    assert [(e.label, e.latex, e.section, e.chapter) for e in eqs] == [
        ("eq-01-a", "a = b", "First thing · 东西", "Title one"), ("eq-01-b", "c = d", "First thing · 东西", "Title one"),
        (None, "e = f", "Second", "Title one")]


def test_the_recap_renders_the_sheet_as_myst_so_its_links_resolve():
    src = (ROOT / "chapters" / "07_recap.py").read_text(encoding="utf-8")
    cell = re.search(r'^# %%.*mystnb=\{"markdown_format": "myst"\}\n(.*?)^# %%', src, re.MULTILINE | re.DOTALL)
    assert cell and "formulas.formula_sheet(" in cell.group(1)


# --- the new pages: a question before each explanation; nothing typed from the paper's tables ----------

def _sections(page: str) -> list[tuple[str, str]]:
    src = (ROOT / f"{page}.py").read_text(encoding="utf-8")
    parts = re.split(r"^# ## (.+)$", src, flags=re.MULTILINE)
    return list(zip(parts[1::2], parts[2::2]))


@pytest.mark.parametrize("page", NEW_PAGES)
def test_every_section_opens_with_a_question_before_its_explanation(page):
    name = Path(page).name
    for title, body in _sections(page):
        if re.match(r"(Exercises|Knowledge card)", title):
            continue
        first_code = re.search(r"^# %%(?! \[markdown\]).*\n((?:(?!^# %%).*\n)*)", body, re.MULTILINE)
        assert first_code and f'quiz("{name}", [' in first_code.group(1), f"{page}, {title!r}: no question first"
        prose = "\n".join(line for line in body[:first_code.start()].splitlines() if line.startswith("# "))
        assert len(prose) < 600, f"{page}, {title!r}: {len(prose)} characters of explanation before the question"


def _paper_values() -> set[str]:
    vals: set[str] = set()

    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
        elif isinstance(x, float):
            vals.update({f"{x:.2f}", f"{x:g}"})

    for t in (reference.TABLE2, reference.TABLE3, reference.TABLE4, reference.TABLE5, reference.TABLE6,
              reference.TABLE7, reference.TABLE8, reference.IDENTITY_MAPPINGS, reference.VARIANTS):
        walk(t)
    return {v for v in vals if "." in v}


@pytest.mark.parametrize("page", NEW_PAGES)
def test_new_pages_type_no_number_of_the_papers_tables(page):
    import jupytext

    nb = jupytext.read(ROOT / f"{page}.py")
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    prose = re.sub(r"```python.*?```", "", prose, flags=re.DOTALL)  # code in solutions computes, it does not type
    typed = sorted(v for v in _paper_values() if re.search(rf"(?<![\w.]){re.escape(v)}(?![\w.]|\d)", prose))
    assert not typed, f"{page}: paper numbers typed by hand (glue them from resnet_book.reference): {typed}"
    quiz = "\n".join(str(q) for q in load_quiz(Path(page).name))
    assert not [v for v in _paper_values() if re.search(rf"(?<![\w.]){re.escape(v)}(?![\w.]|\d)", quiz)], page


@pytest.mark.parametrize("page", NEW_PAGES)
def test_new_pages_speak_to_readers_not_to_developers(page):
    text = (ROOT / f"{page}.py").read_text(encoding="utf-8") + str(load_quiz(Path(page).name))
    assert not re.search(r"\bCI\b|test suite|pytest|nbmake", text), page


def test_lecture_plan_names_existing_questions_of_the_new_pages():
    text = (ROOT / "book" / "lectures.md").read_text(encoding="utf-8")
    # "`05_imagenet` q1 before ..., q3 before ...;": the ids after a quiz name, up to the next ; | or **
    refs = [(m.group(1), re.split(r"[;|]|\*\*", text[m.end():], maxsplit=1)[0])
            for m in re.finditer(r"`(\d\d_\w+)`", text) if (ROOT / "chapters" / "quizzes" / f"{m.group(1)}.yml").exists()]
    assert {name for name, _ in refs} >= {Path(p).name for p in NEW_PAGES}
    for name, group in refs:
        ids = {q["id"] for q in load_quiz(name)}
        for qid in re.findall(r"q\d+", group):
            assert qid in ids, f"lecture plan: {name} has no question {qid}"
    for page in NEW_PAGES:
        assert f"{{doc}}`../{page}`" in text
