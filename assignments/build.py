"""Build the assignments: student and instructor notebooks, autograder zips, LMS handouts (`make assignments`).

Each source ``assignments/<name>.py`` is a Jupytext (py:percent) notebook in otter-grader's
assignment format (raw ``# BEGIN QUESTION`` / ``# BEGIN SOLUTION`` / ``# BEGIN TESTS`` cells).
For each one this writes, under ``OUT/<name>/`` (default ``_build/assignments``):

* ``student/<name>.ipynb`` -- the student version: no solutions, public tests only;
* ``autograder/<name>.ipynb`` -- the instructor version: solutions, all tests in its metadata;
* ``<name>-autograder.zip`` -- otter's autograder (hidden tests included; also what Gradescope takes);
* ``<name>-student.zip`` -- the student version as one file to upload to an LMS;
* ``manifest.json`` -- questions, points, tests (hidden or public), manual questions and their rubric.

``--check`` also lets otter run every test against the instructor version (executes it).

    python assignments/build.py [--out DIR] [--check] [NAME ...]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jupytext
import nbformat
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ASSIGNMENTS = ("a_option_a_block", "b_degradation", "c_fig7")
SUPPORT = HERE / "autograder_support.py"  # the hidden tests' helpers (autograder zip only)
# Files an assignment's instructor version comes with (otter's `student_files`: what a student's
# submission holds beside the notebook, here the instructor's own run).
EXTRA_FILES = {"b_degradation": [HERE / "fixtures" / "degradation_record.json"]}

_TEST_CONFIG = re.compile(r'^(?:\w\s*=\s*)?"""\s*#\s*BEGIN\s+TEST\s+CONFIG(.*?)"""\s*#\s*END\s+TEST\s+CONFIG', re.S | re.I)


def source(name: str) -> Path:
    return HERE / f"{name}.py"


def read_source(name: str) -> nbformat.NotebookNode:
    return jupytext.read(source(name), fmt="py:percent")


_BOUNDARY = re.compile(r"#\s+(BEGIN|END)\s+(QUESTION|SOLUTION|TESTS|PROMPT)\b", re.I)


def manifest(nb: nbformat.NotebookNode) -> dict:
    """Questions in order: name, points, manual, tests (function, points, hidden) and, for a manual
    question, its model answer and rubric (the markdown of its solution block)."""
    questions, q, block = [], None, []
    for cell in nb.cells:
        src = cell.source.strip()
        m = _BOUNDARY.match(src) if cell.cell_type == "raw" else None
        if m:
            begin, kind = m.group(1).upper() == "BEGIN", m.group(2).upper()
            if begin:
                block.append(kind)
                if kind == "QUESTION":
                    config = yaml.safe_load(src.split("\n", 1)[1]) if "\n" in src else {}
                    q = {"name": config["name"], "manual": bool(config.get("manual", False)),
                         "points": config.get("points"), "tests": [], "rubric": ""}
                    questions.append(q)
            else:
                block.pop()
                if kind == "QUESTION":
                    q = None
            continue
        if q is None or not block:
            continue
        if block[-1] == "TESTS" and cell.cell_type == "code":
            c = _TEST_CONFIG.match(src)
            config = (yaml.safe_load(c.group(1)) if c else None) or {}
            fn = re.search(r"^def\s+(\w+)\s*\(", src, re.M)
            q["tests"].append({"name": fn.group(1) if fn else f"test {len(q['tests']) + 1}",
                               "points": config.get("points"), "hidden": bool(config.get("hidden", False))})
        elif block[-1] == "SOLUTION" and q["manual"] and cell.cell_type == "markdown":
            q["rubric"] += src + "\n\n"
    for q in questions:
        q["rubric"] = q["rubric"].strip()
    return {"questions": questions,
            "auto_points": sum(q["points"] or 0 for q in questions if not q["manual"]),
            "manual_points": sum(q["points"] or 0 for q in questions if q["manual"])}


def build(name: str, out: Path, check: bool = False, log=print) -> dict:
    """Build one assignment into ``out/<name>``; return its manifest (with the paths written)."""
    t0 = time.perf_counter()
    out = out.resolve()
    stage = out / ".stage" / name
    dest = out / name
    shutil.rmtree(stage, ignore_errors=True)
    shutil.rmtree(dest, ignore_errors=True)
    stage.mkdir(parents=True)
    nb = read_source(name)
    nbformat.write(nb, stage / f"{name}.ipynb")
    shutil.copy(SUPPORT, stage / SUPPORT.name)
    for f in EXTRA_FILES.get(name, []):
        shutil.copy(f, stage / f.name)
    cmd = [sys.executable, "-m", "otter", "assign", "--no-pdfs"] + ([] if check else ["--no-run-tests"])
    proc = subprocess.run(cmd + [f"{name}.ipynb", str(dest)], cwd=stage, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"otter assign failed for {name}:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    zips = sorted((dest / "autograder").glob(f"{name}-autograder_*.zip"))
    if len(zips) != 1:
        raise RuntimeError(f"expected one autograder zip in {dest / 'autograder'}, found {len(zips)}")
    shutil.copy(zips[0], dest / f"{name}-autograder.zip")
    with zipfile.ZipFile(dest / f"{name}-student.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted((dest / "student").rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(dest / "student"))
    info = manifest(nb)
    info.update(name=name, student=f"student/{name}.ipynb", instructor=f"autograder/{name}.ipynb",
                autograder_zip=f"{name}-autograder.zip", student_zip=f"{name}-student.zip",
                student_files=[f.name for f in EXTRA_FILES.get(name, [])])
    (dest / "manifest.json").write_text(json.dumps(info, indent=1) + "\n")
    shutil.rmtree(stage, ignore_errors=True)
    log(f"{name}: {info['auto_points']:g} autograded + {info['manual_points']:g} manual points, "
        f"{sum(t['hidden'] for q in info['questions'] for t in q['tests'])} hidden tests -> "
        f"{dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest} ({time.perf_counter() - t0:.0f} s)")
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", default=list(ASSIGNMENTS), help=f"assignments (default: all of {', '.join(ASSIGNMENTS)})")
    ap.add_argument("--out", default=str(ROOT / "_build" / "assignments"), help="output folder")
    ap.add_argument("--check", action="store_true", help="let otter run all tests on the instructor versions")
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in ASSIGNMENTS]
    if unknown:
        print(f"unknown assignment(s) {', '.join(unknown)}; known: {', '.join(ASSIGNMENTS)}", file=sys.stderr)
        return 2
    out = Path(args.out)
    for name in args.names:
        build(name, out, check=args.check)
    shutil.rmtree(out / ".stage", ignore_errors=True)
    print(f"assignments: {out}/<name>/student (to students), autograder (instructors), *-autograder.zip (grading)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
