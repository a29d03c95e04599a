"""The assignments (assignments/, `make assignments`): built and graded with otter-grader.

A grader that cannot fail is a defect, so every assignment is graded three times here: the
instructor solution must get full marks, the blank student notebook none, and a deliberately wrong
solution exactly the points of the tests it should still pass (partial credit). Grading executes
the notebooks (a few minutes of CPU in all); assignment B is graded against the committed record
of the instructor's run (assignments/fixtures/degradation_record.json), so nothing trains here.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "assignments"))

import build  # noqa: E402  (assignments/build.py)
import grade  # noqa: E402  (assignments/grade.py)

NAMES = build.ASSIGNMENTS
POINTS = {"a_option_a_block": (17, 0), "b_degradation": (13, 0), "c_fig7": (9, 4)}  # (autograded, by hand)


# --- the sources -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_sources_have_points_public_and_hidden_tests(name):
    m = build.manifest(build.read_source(name))
    assert (m["auto_points"], m["manual_points"]) == POINTS[name]
    for q in m["questions"]:
        if q["manual"]:
            assert not q["tests"] and "Rubric" in q["rubric"] and "Model answer" in q["rubric"], q["name"]
            continue
        assert q["points"] == sum(t["points"] for t in q["tests"]), f"{q['name']}: points do not add up"
        assert any(t["hidden"] for t in q["tests"]), f"{q['name']} has no hidden test"
        assert any(not t["hidden"] for t in q["tests"]), f"{q['name']} has no public test for the check cell"


def _blockquotes(text: str) -> list[str]:
    quotes, cur = [], []
    for line in text.splitlines():
        if line.startswith("# >"):
            cur.append(line[3:].strip())
        elif cur:
            quotes.append(" ".join(cur))
            cur = []
    return quotes + ([" ".join(cur)] if cur else [])


def _norm(s: str) -> str:
    return " ".join(s.replace("“", '"').replace("”", '"').split())


def test_quotes_are_the_papers_as_the_course_quotes_it():
    """Every quotation in an assignment is one the course already quotes (chapters, or the package's
    docstrings): no quote is made up or paraphrased inside quote marks."""
    corpus = []
    for f in sorted((ROOT / "chapters").glob("*.py")) + sorted((ROOT / "src" / "resnet_book").rglob("*.py")):
        corpus.append(re.sub(r"(?m)^\s*#\s?>?\s?", " ", f.read_text()))
    corpus = _norm(" ".join(corpus))
    n = 0
    for name in NAMES:
        for quote in _blockquotes(build.source(name).read_text()):
            for fragment in re.split(r"…|\.\.\.", quote):
                if len(fragment.strip()) > 3:
                    n += 1
                    assert _norm(fragment.strip()) in corpus, f"{name}: quote not found in the course: {fragment!r}"
    assert n >= 8


@pytest.mark.parametrize("name", NAMES)
def test_student_text_is_about_the_paper_not_our_tooling(name):
    nb = build.read_source(name)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "arXiv:1512.03385" in text and re.search(r"Sec\. \d", text)
    for word in (r"\bCI\b", "pytest", "make test", "continuous integration", "autograder_support", r"tests/"):
        assert not re.search(word, text), f"{name}: student-facing text mentions {word!r}"


def test_otter_beside_the_browser_tests_playwright():
    """otter-grader pulls in nbconvert[webpdf] and so playwright: requirements.txt pins the browser
    tests' version, so that the two installs never swap it back and forth."""
    pin = lambda path: re.search(r"(?m)^playwright==(\S+)", path.read_text()).group(1)  # noqa: E731
    assert pin(ROOT / "requirements.txt") == pin(ROOT / "tests" / "browser" / "requirements.txt")
    assert re.search(r"(?m)^otter-grader==\d", (ROOT / "requirements.txt").read_text())


# --- the build -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("assignments")
    assert build.main(["--out", str(out)]) == 0
    return out


def _solution_lines(name: str) -> list[str]:
    """Lines of the instructor's solutions (inside # BEGIN/END SOLUTION comments or ending in # SOLUTION)
    that the notebook does not also give students elsewhere (``with torch.no_grad():``...)."""
    lines, given, inside = [], set(), False
    for cell in build.read_source(name).cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            s = line.strip()
            if s == "# BEGIN SOLUTION":
                inside = True
            elif s == "# END SOLUTION":
                inside = False
            elif (inside or s.endswith("# SOLUTION")) and len(s) > 12:
                lines.append(s.removesuffix("# SOLUTION").strip())
            else:
                given.add(s)
    return [line for line in lines if line not in given]


@pytest.mark.parametrize("name", NAMES)
def test_student_version_holds_no_solution_and_no_hidden_test(built, name):
    d = built / name
    student = nbformat.read(d / "student" / f"{name}.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    solutions = _solution_lines(name)
    assert len(solutions) >= 5
    for line in solutions:
        assert line not in text, f"{name}: the student version shows the solution line {line!r}"
    assert "SOLUTION" not in text and "Rubric" not in text and "Model answer" not in text
    tests = student.metadata["otter"]["tests"]
    assert tests and all("hidden=True" not in src for src in tests.values()), "hidden tests in the student version"
    instructor = nbformat.read(d / "autograder" / f"{name}.ipynb", as_version=4)
    assert any("hidden=True" in src for src in instructor.metadata["otter"]["tests"].values())
    assert all(line in "\n".join(c.source for c in instructor.cells) for line in solutions)


@pytest.mark.parametrize("name", NAMES)
def test_zips_for_grading_and_for_an_lms(built, name):
    d = built / name
    with zipfile.ZipFile(d / f"{name}-autograder.zip") as zf:
        names = zf.namelist()
        assert "files/autograder_support.py" in names and "otter_config.json" in names
        tests = [zf.read(n).decode() for n in names if n.startswith("tests/")]
        assert tests and any("hidden=True" in t for t in tests)
    with zipfile.ZipFile(d / f"{name}-student.zip") as zf:
        assert zf.namelist() == [f"{name}.ipynb"]
    manifest = json.loads((d / "manifest.json").read_text())
    assert (manifest["auto_points"], manifest["manual_points"]) == POINTS[name]


# --- grading: full marks, nothing, and partial credit ---------------------------------------------
def _replace_in_cell(nb, old: str, new: str) -> None:
    hits = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
    assert len(hits) == 1, f"expected one cell with {old!r}"
    hits[0].source = hits[0].source.replace(old, new)


def _wrong_a(nb):
    # option A with the zero channels on both sides: right shapes and parameter counts, other outputs
    _replace_in_cell(nb, "x = torch.cat([x, x.new_zeros(x.shape[0], extra, x.shape[2], x.shape[3])], dim=1)",
                     "x = F.pad(x, (0, 0, 0, 0, extra // 2, extra - extra // 2))")


def _wrong_b(nb):
    # the two training errors swapped: wrong numbers, conclusions consistent with the wrong numbers
    _replace_in_cell(nb, 'train_error_20 = final_train_error(by_label["plain20"])',
                     'train_error_20 = final_train_error(by_label["plain56"])')
    _replace_in_cell(nb, 'train_error_56 = final_train_error(by_label["plain56"])',
                     'train_error_56 = final_train_error(by_label["plain20"])')


def _wrong_c(nb):
    # measures in whatever mode the model is in (a freshly built model is in training mode)
    _replace_in_cell(nb, "    model.eval()\n", "")


WRONG = {"a_option_a_block": _wrong_a, "b_degradation": _wrong_b, "c_fig7": _wrong_c}
# Points of the wrong solutions, per question (None: not pinned down, only below full marks).
WRONG_POINTS = {
    # q1 keeps shape (1) + identity (0.5); q2 loses the equality with the package (1.5); q3 the same (2)
    "a_option_a_block": {"q1": 1.5, "q2": 2.5, "q3": 4, "q4": 2, "q5": None},
    # q3 loses the training errors (1); q4 the agreement with the run (0.75); q5 follows their numbers
    "b_degradation": {"q1": 4, "q2": 2, "q3": 2, "q4": 1.25, "q5": 2},
    # q2 loses the eval-mode tests (2 + 1); the released models are already in eval mode: q3 passes
    "c_fig7": {"q1": 2, "q2": 1, "q3": 3},
}


def _submission(folder: Path, stem: str, nb, extra: list[Path]) -> Path:
    nb_path = folder / f"{stem}.ipynb"
    nbformat.write(nb, nb_path)
    if not extra:
        return nb_path
    zpath = folder / f"{stem}.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(nb_path, nb_path.name)
        for f in extra:
            zf.write(f, f.name)
    nb_path.unlink()
    return zpath


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_grading_full_marks_nothing_and_partial_credit(built, name, tmp_path):
    d = built / name
    manifest = json.loads((d / "manifest.json").read_text())
    extra = [d / "autograder" / f for f in manifest["student_files"]]  # B: the instructor's run record
    subs = tmp_path / "submissions"
    subs.mkdir()
    solution = nbformat.read(d / "autograder" / f"{name}.ipynb", as_version=4)
    _submission(subs, "instructor", solution, extra)
    _submission(subs, "blank", nbformat.read(d / "student" / f"{name}.ipynb", as_version=4), [])
    wrong = nbformat.read(d / "autograder" / f"{name}.ipynb", as_version=4)
    WRONG[name](wrong)
    _submission(subs, "wrong", wrong, extra)

    out = tmp_path / "grades"
    assert grade.main([name, str(subs), "--built", str(built), "--out", str(out)]) == 0
    rows = {Path(r["file"]).stem: r for r in csv.DictReader(open(out / "grades.csv"))}
    auto, manual = POINTS[name]
    assert set(rows) == {"instructor", "blank", "wrong"}
    assert float(rows["instructor"]["autograded"]) == auto, rows["instructor"]
    assert float(rows["blank"]["autograded"]) == 0, rows["blank"]
    assert 0 < float(rows["wrong"]["autograded"]) < auto
    for q, pts in WRONG_POINTS[name].items():
        if pts is not None:
            assert float(rows["wrong"][q]) == pts, (q, rows["wrong"])
    assert all(float(rows["wrong"][q]) < next(x["points"] for x in manifest["questions"] if x["name"] == q)
               for q, pts in WRONG_POINTS[name].items() if pts is None)
    assert float(rows["instructor"]["possible"]) == auto + manual
    summary = (out / "summary.md").read_text()
    assert "| instructor" in summary and "(hidden)" in summary
    if manual:  # C: the written answer waits for a hand mark, with the rubric beside each answer
        assert rows["instructor"]["total"] == "" and "Rubric" in (out / "manual.md").read_text()
        marks = tmp_path / "marks.csv"
        marks.write_text("file,question,points\n" + "".join(f"{r['file']},q4,3\n" for r in rows.values()))
        assert grade.main([name, "--built", str(built), "--out", str(out), "--marks", str(marks)]) == 0
        marked = {Path(r["file"]).stem: r for r in csv.DictReader(open(out / "grades.csv"))}
        assert float(marked["instructor"]["total"]) == auto + 3 and float(marked["blank"]["total"]) == 3


def test_readme_carries_the_rubric():
    """The instructors' README repeats C's rubric word for word (the source is the notebook's)."""
    readme = _norm((ROOT / "assignments" / "README.md").read_text())
    rubric = next(q["rubric"] for q in build.manifest(build.read_source("c_fig7"))["questions"] if q["manual"])
    items = rubric[rubric.index("**Rubric"):].split("\n- ")[1:]
    assert len(items) == 4
    for item in items:
        assert _norm(item) in readme, item[:60]
