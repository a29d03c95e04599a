"""Grade submissions of one assignment with otter-grader and write a results table.

    python assignments/grade.py NAME SUBMISSION [SUBMISSION ...] [--built DIR] [--out DIR] [--marks FILE]

NAME is an assignment (``a_option_a_block``, ``b_degradation``, ``c_fig7``) built by
``make assignments``. A SUBMISSION is a notebook (``.ipynb``), the zip a student's export cell
writes (notebook plus the files it names), or a folder of them. Each is graded by otter's
non-containerised runner (``otter run``: the notebook is executed in this environment, then every
public and hidden test runs against it). Writes, into ``--out`` (default
``_build/assignments/NAME/grades``):

* ``grades.csv`` -- one row per submission: the points of each question (the columns of
  ``otter grade``'s CSV), the hand-marked questions (empty until marked), the autograded total,
  the total and the points possible;
* ``summary.md`` -- the same table in Markdown, the mean of each question, and the tests each
  submission failed (hidden ones included: this file is for instructors);
* ``manual.md`` -- each submission's answers to the hand-marked questions, after the rubric.

``--marks FILE``: a CSV with columns ``file,question,points`` (your hand marks, ``file`` as in
``grades.csv``), merged into ``grades.csv`` and ``summary.md``. Without SUBMISSIONs it merges them
into the last grading in ``--out`` (its ``results.json``) without running anything again:

    python assignments/grade.py c_fig7 submissions/            # grade; then mark manual.md by hand
    python assignments/grade.py c_fig7 --marks marks.csv       # the table with your marks
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
import zipfile
from contextlib import redirect_stderr
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def submissions(paths: list[str]) -> list[Path]:
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix in (".ipynb", ".zip"))
        elif p.suffix in (".ipynb", ".zip") and p.exists():
            out.append(p)
        else:
            raise FileNotFoundError(f"{p}: not a notebook, a zip or a folder of them")
    return out


def _notebook_of(path: Path) -> nbformat.NotebookNode:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.endswith(".ipynb") and "/." not in n and not n.startswith(".")]
            if len(names) != 1:
                raise ValueError(f"{path}: expected one notebook in the zip, found {names}")
            return nbformat.reads(zf.read(names[0]).decode(), as_version=4)
    return nbformat.read(path, as_version=4)


def manual_answers(path: Path, n_manual: int) -> list[str]:
    """The student's answer cells of the hand-marked questions, in order (otter marks each such
    question with <!-- BEGIN QUESTION --> ... <!-- END QUESTION --> and tags its answer cells)."""
    nb = _notebook_of(path)
    answers, current = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "<!-- BEGIN QUESTION -->" in cell.source:
            current = []
        if current is not None and "otter_answer_cell" in cell.get("metadata", {}).get("tags", []):
            current.append(cell.source.strip())
        if cell.cell_type == "markdown" and "<!-- END QUESTION -->" in cell.source and current is not None:
            answers.append("\n\n".join(current))
            current = None
    return (answers + [""] * n_manual)[:n_manual]


def grade_one(path: Path, ag_zip: Path, manifest: dict) -> dict:
    """Grade one submission: {file, scores: {question: points}, failed: [(question, test, hidden, why)], error}."""
    from otter.api import grade_submission

    t0 = time.perf_counter()
    with redirect_stderr(io.StringIO()):
        results = grade_submission(str(path), str(ag_zip), quiet=True)
    row = {"file": path.name, "scores": {}, "failed": [], "error": None, "seconds": time.perf_counter() - t0}
    if results.catastrophic_error is not None:
        row["error"] = f"{type(results.catastrophic_error).__name__}: {results.catastrophic_error}"
    tests_of = {q["name"]: q["tests"] for q in manifest["questions"]}
    for q in (q for q in manifest["questions"] if not q["manual"]):
        tf = results.results.get(q["name"])
        if tf is None:
            row["scores"][q["name"]] = 0.0
            continue
        row["scores"][q["name"]] = float(tf.score)
        for i, tcr in enumerate(tf.test_case_results):
            if not tcr.passed:
                names = tests_of.get(q["name"], [])
                test = names[i]["name"] if i < len(names) else tcr.test_case.name
                why = (tcr.message or "").strip().splitlines()[-1:] or [""]
                row["failed"].append((q["name"], test, tcr.test_case.hidden, why[0].strip()))
    return row


def _fmt(x) -> str:
    return "" if x is None else f"{x:g}"


def write_results(rows: list[dict], manifest: dict, out: Path, marks: dict | None = None,
                  answers: dict | None = None) -> dict:
    """grades.csv, summary.md and manual.md into ``out``; returns {file: total autograded}."""
    out.mkdir(parents=True, exist_ok=True)
    marks = marks or {}
    auto = [q for q in manifest["questions"] if not q["manual"]]
    manual = [q for q in manifest["questions"] if q["manual"]]
    possible_auto = sum(q["points"] for q in auto)
    possible = possible_auto + sum(q["points"] for q in manual)
    header = ["file"] + [q["name"] for q in auto] + [f"{q['name']} (manual)" for q in manual] + [
        "autograded", "autograded possible", "total", "possible"]
    table, totals = [], {}
    for r in rows:
        auto_total = sum(r["scores"].values())
        hand = [marks.get((r["file"], q["name"])) for q in manual]
        total = auto_total + sum(h for h in hand if h is not None) if all(h is not None for h in hand) else None
        table.append([r["file"]] + [r["scores"].get(q["name"], 0.0) for q in auto] + hand
                     + [auto_total, possible_auto, total, possible])
        totals[r["file"]] = auto_total
    with open(out / "grades.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in table:
            w.writerow([row[0]] + [_fmt(v) for v in row[1:]])
    lines = [f"# Grades: {manifest['name']}", "",
             f"{len(rows)} submission(s); {possible_auto:g} autograded points"
             + (f" + {possible - possible_auto:g} marked by hand ({', '.join(q['name'] for q in manual)}; "
                "empty until marked, see manual.md)" if manual else "") + ".", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join([row[0]] + [_fmt(v) for v in row[1:]]) + " |" for row in table]
    if rows:
        lines += ["", "Mean per question: " + ", ".join(
            f"{q['name']} {sum(r['scores'].get(q['name'], 0) for r in rows) / len(rows):.2f}/{q['points']:g}" for q in auto)]
    lines += ["", "## Failed tests (instructors only: hidden tests included)", ""]
    for r in rows:
        if r["error"]:
            lines.append(f"- **{r['file']}**: grading error: {r['error']}")
        for q, test, hidden, why in r["failed"]:
            lines.append(f"- {r['file']}: {q} `{test}`{' (hidden)' if hidden else ''}: {why}")
        if not r["failed"] and not r["error"]:
            lines.append(f"- {r['file']}: none")
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    if manual:
        ml = [f"# Hand-marked questions: {manifest['name']}", ""]
        for k, q in enumerate(manual):
            ml += [f"## {q['name']} ({q['points']:g} points)", "", "### Rubric and model answer", "", q["rubric"], ""]
            for r in rows:
                ml += [f"### {r['file']}", "", (answers or {}).get(r["file"], [""] * len(manual))[k] or "*(no answer)*", ""]
        (out / "manual.md").write_text("\n".join(ml) + "\n")
    return totals


def read_marks(path: str | None) -> dict:
    if not path:
        return {}
    with open(path, newline="") as f:
        return {(r["file"], r["question"]): float(r["points"]) for r in csv.DictReader(f)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("name")
    ap.add_argument("submissions", nargs="*")
    ap.add_argument("--built", default=str(ROOT / "_build" / "assignments"), help="where make assignments wrote")
    ap.add_argument("--out", default=None, help="results folder (default BUILT/NAME/grades)")
    ap.add_argument("--marks", default=None, help="CSV of hand marks: file,question,points")
    args = ap.parse_args(argv)
    built = Path(args.built) / args.name
    if not (built / "manifest.json").exists():
        print(f"{built} is not built: run `make assignments` first", file=sys.stderr)
        return 2
    manifest = json.loads((built / "manifest.json").read_text())
    out = Path(args.out) if args.out else built / "grades"
    if not args.submissions:  # merge hand marks into the last grading
        if not (out / "results.json").exists():
            print(f"no earlier grading in {out}: name the submissions to grade", file=sys.stderr)
            return 2
        saved = json.loads((out / "results.json").read_text())
        write_results(saved["rows"], manifest, out, read_marks(args.marks), saved["answers"])
        print(f"results: {out / 'grades.csv'}, {out / 'summary.md'}")
        return 0
    ag_zip = built / manifest["autograder_zip"]
    paths = submissions(args.submissions)
    if len({p.name for p in paths}) < len(paths):
        raise SystemExit("two submissions have the same file name; give each its own name")
    rows, answers = [], {}
    n_manual = sum(q["manual"] for q in manifest["questions"])
    for p in paths:
        row = grade_one(p, ag_zip, manifest)
        rows.append(row)
        if n_manual:
            answers[p.name] = manual_answers(p, n_manual)
        print(f"{p.name}: {sum(row['scores'].values()):g}/{manifest['auto_points']:g} autograded"
              + (f", {row['error']}" if row["error"] else "") + f" ({row['seconds']:.0f} s)", flush=True)
    write_results(rows, manifest, out, read_marks(args.marks), answers)
    (out / "results.json").write_text(json.dumps({"rows": rows, "answers": answers}, indent=1) + "\n")
    print(f"results: {out / 'grades.csv'}, {out / 'summary.md'}" + (f", {out / 'manual.md'}" if n_manual else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
