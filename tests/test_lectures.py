"""The lecture plan (book/lectures.md) adds up and names only things that exist.

Each lecture is a heading ``## Lecture N — Title (90 min)`` followed by one table whose rows are
``| part | min | section | polls | live demo |``. The minutes are summed here, never typed as a
total. A quiz question is named by its quiz file in backticks followed by its ids (`04c_fig7` in
backticks, then ``q1, q2 🤔``) in exactly one of three places: the polls column of a part (asked in
class), the ``**Before the lecture**`` paragraph (pre-reading) or the ``**Homework**`` paragraph. Every question
that a page shows (``quiz("NN_x", ["q1", ...])`` in ``chapters/*.py``) is assigned exactly once.

The chapters are read from ``chapters/`` of this checkout; set ``LECTURE_PLAN_CHAPTERS`` to another
folder laid out the same way (``*.py`` and ``quizzes/*.yml``) to check the plan against chapters
being edited elsewhere before they are merged.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "book" / "lectures.md"
CHAPTERS = Path(os.environ.get("LECTURE_PLAN_CHAPTERS") or ROOT / "chapters")

LENGTH = 90  # minutes of every lecture
N_LECTURES = 6
MAX_POLLS = 8
POLL_MINUTES = 2  # a poll costs at least this much of its part
SHORT_PATH = 3  # lectures

LECTURE = re.compile(r"^## Lecture (\d+) — (.+?) \((\d+) min\)\s*$", re.MULTILINE)
ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*(\d+)\s*\|(.*)\|\s*$", re.MULTILINE)
# `04_experiments` q14 🤔, q4  ->  ("04_experiments", "q14 🤔, q4")
REF = re.compile(r"`(\d\d[a-z0-9_]*)`((?:,?[ \t]*q\d+(?:[ \t]*🤔)?)+)")
PARAGRAPHS = {"pre-reading": "**Before the lecture**", "homework": "**Homework**"}


# --- parsing -----------------------------------------------------------------------------------

def _text() -> str:
    return PLAN.read_text(encoding="utf-8")


def _lectures() -> list[dict]:
    text = _text()
    heads = list(LECTURE.finditer(text))
    out = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        nxt = re.search(r"^## ", text[m.end():end], re.MULTILINE)  # the block ends at the next heading
        block = text[m.end():m.end() + nxt.start()] if nxt else text[m.end():end]
        parts = []
        for row in ROW.finditer(block):
            cells = [c.strip() for c in row.group(3).split("|")]
            assert len(cells) == 3, f"Lecture {m.group(1)}, part {row.group(1)}: expected 5 columns, got {row.group(0)!r}"
            section, polls, _demo = cells
            parts.append({"part": int(row.group(1)), "minutes": int(row.group(2)), "section": section,
                          "polls": _refs(polls)})
        out.append({"n": int(m.group(1)), "title": m.group(2), "length": int(m.group(3)), "block": block,
                    "parts": parts, **{k: _refs(_paragraph(block, marker)) for k, marker in PARAGRAPHS.items()}})
    return out


def _refs(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), q) for m in REF.finditer(text) for q in re.findall(r"q\d+", m.group(2))]


def _paragraph(block: str, marker: str) -> str:
    found = [p for p in re.split(r"\n\s*\n", block) if p.lstrip().startswith(marker)]
    return "\n".join(found)


def _where(lec: dict, kind: str, part: dict | None = None) -> str:
    return f"Lecture {lec['n']}, " + (f"part {part['part']} (polls)" if part else kind)


def _assigned() -> list[tuple[tuple[str, str], str]]:
    """Every quiz question the plan names, with where: ((file, id), 'Lecture 3, part 6 (polls)')."""
    out = []
    for lec in _lectures():
        for part in lec["parts"]:
            out += [(ref, _where(lec, "polls", part)) for ref in part["polls"]]
        for kind in PARAGRAPHS:
            out += [(ref, _where(lec, kind)) for ref in lec[kind]]
    return out


def _quiz_ids(name: str) -> list[str] | None:
    path = CHAPTERS / "quizzes" / f"{name}.yml"
    if not path.exists():
        return None
    return [q["id"] for q in yaml.safe_load(path.read_text(encoding="utf-8")) or []]


def _shown() -> dict[tuple[str, str], str]:
    """The questions the pages show: (quiz file, id) -> the page that shows it."""
    out = {}
    for page in sorted(CHAPTERS.glob("[0-9]*.py")):
        for m in re.finditer(r"\bquiz\(\s*[\"'](\w+)[\"']\s*(?:,\s*(?:ids\s*=\s*)?\[([^\]]*)\])?\s*\)",
                             page.read_text(encoding="utf-8")):
            ids = re.findall(r"[\"'](q\d+)[\"']", m.group(2)) if m.group(2) is not None else _quiz_ids(m.group(1)) or []
            for qid in ids:  # quiz("NN_x") without ids shows the whole file
                out[(m.group(1), qid)] = page.stem
    return out


def _headings(page: str) -> list[str]:
    path = CHAPTERS / f"{page}.py"
    return re.findall(r"^# #{1,3} (.+?)\s*$", path.read_text(encoding="utf-8"), re.MULTILINE) if path.exists() else []


# --- the plan adds up ----------------------------------------------------------------------------

def test_six_lectures_of_90_minutes_each_with_a_table():
    lectures = _lectures()
    assert [lec["n"] for lec in lectures] == list(range(1, N_LECTURES + 1)), "lecture headings: ## Lecture N — Title (90 min)"
    for lec in lectures:
        assert lec["length"] == LENGTH, f"Lecture {lec['n']} is announced as {lec['length']} min, not {LENGTH}"
        assert [p["part"] for p in lec["parts"]] == list(range(1, len(lec["parts"]) + 1)), \
            f"Lecture {lec['n']}: parts not numbered 1, 2, ...: {[p['part'] for p in lec['parts']]}"


@pytest.mark.parametrize("n", range(1, N_LECTURES + 1))
def test_the_parts_add_up_to_the_lecture(n):
    lec = _lectures()[n - 1]
    minutes = [p["minutes"] for p in lec["parts"]]
    assert sum(minutes) == lec["length"], (f"Lecture {n}: parts {' + '.join(map(str, minutes))} = {sum(minutes)} min, "
                                           f"the heading says {lec['length']}")


@pytest.mark.parametrize("n", range(1, N_LECTURES + 1))
def test_at_most_eight_polls_and_two_minutes_each(n):
    lec = _lectures()[n - 1]
    polls = [ref for p in lec["parts"] for ref in p["polls"]]
    assert len(polls) <= MAX_POLLS, f"Lecture {n}: {len(polls)} polls (at most {MAX_POLLS}): {polls}"
    for p in lec["parts"]:
        need = POLL_MINUTES * len(p["polls"])
        assert p["minutes"] >= need, (f"Lecture {n}, part {p['part']}: {len(p['polls'])} polls need {need} min, "
                                      f"the part has {p['minutes']}")


def test_the_short_path_keeps_parts_that_add_up():
    text = _text()
    sec = re.search(r"^## The short path.*?(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert sec, "no '## The short path' section"
    rows = re.findall(r"^\|\s*(S\d)[^|]*\|\s*(\d+)\s*\|([^|]*)\|\s*$", sec.group(0), re.MULTILINE)
    assert len(rows) == SHORT_PATH, f"the short path has {len(rows)} lectures, not {SHORT_PATH}"
    parts = {(lec["n"], p["part"]): p for lec in _lectures() for p in lec["parts"]}
    seen = []
    for name, stated, kept in rows:
        keys = [(int(a), int(b)) for a, b in re.findall(r"L(\d+)\.(\d+)", kept)]
        missing = [f"L{a}.{b}" for a, b in keys if (a, b) not in parts]
        assert not missing, f"short path {name}: no such part {missing}"
        minutes = [parts[k]["minutes"] for k in keys]
        assert sum(minutes) == int(stated) == LENGTH, (f"short path {name}: kept parts {' + '.join(map(str, minutes))} = "
                                                       f"{sum(minutes)} min, stated {stated}, a lecture is {LENGTH}")
        polls = [r for k in keys for r in parts[k]["polls"]]
        assert len(polls) <= MAX_POLLS, f"short path {name}: {len(polls)} polls (at most {MAX_POLLS})"
        seen += keys
    twice = [f"L{a}.{b}" for (a, b), c in Counter(seen).items() if c > 1]
    assert not twice, f"the short path keeps a part twice: {twice}"


# --- the plan names things that exist -------------------------------------------------------------

def test_every_quiz_id_the_plan_names_exists_and_is_on_a_page():
    shown = _shown()
    problems = []
    for (name, qid), where in _assigned():
        ids = _quiz_ids(name)
        if ids is None:
            problems.append(f"{where}: no quiz file chapters/quizzes/{name}.yml")
        elif qid not in ids:
            problems.append(f"{where}: {name} has no question {qid} (it has {', '.join(ids)})")
        elif (name, qid) not in shown:
            problems.append(f"{where}: {name} {qid} exists but no page shows it (no quiz(\"{name}\", [..., \"{qid}\"]))")
    assert not problems, "lecture plan:\n" + "\n".join(problems)


def test_every_question_on_the_pages_is_polled_read_or_homework_exactly_once():
    assigned = _assigned()
    count = Counter(ref for ref, _ in assigned)
    missing = [f"{name} {qid} (on {page})" for (name, qid), page in sorted(_shown().items()) if (name, qid) not in count]
    twice = [f"{name} {qid}: " + "; ".join(w for r, w in assigned if r == (name, qid))
             for (name, qid), c in sorted(count.items()) if c > 1]
    assert not missing, "questions the pages show that the plan assigns nowhere (poll, Before the lecture or Homework):\n" \
        + "\n".join(missing)
    assert not twice, "questions assigned more than once:\n" + "\n".join(twice)


def test_quiz_ids_are_named_only_as_polls_pre_reading_or_homework():
    text = _text()
    counted = Counter(ref for ref, _ in _assigned())
    named = Counter(_refs(text))
    stray = sorted(f"{n} {q}" for (n, q), c in named.items() if c > counted.get((n, q), 0))
    assert not stray, f"quiz ids named outside a poll, 'Before the lecture' or 'Homework': {stray}"


def test_exercise_labels_exist():
    labels = set()
    for page in CHAPTERS.glob("[0-9]*.py"):
        src = page.read_text(encoding="utf-8")
        labels |= set(re.findall(r":label: (ex-[\w-]+)", src)) | set(re.findall(r"^# \((ex-[\w-]+)\)=", src, re.MULTILINE))
    targets = set(re.findall(r"^\(([\w-]+)\)=", _text(), re.MULTILINE))
    problems = []
    for m in re.finditer(r"\{ref\}`(?:[^`<]*<)?([\w-]+)>?`", _text()):
        ref = m.group(1)
        if ref.startswith("ex-") and ref not in labels:
            chapter = re.match(r"ex-(\w+?)-", ref)
            problems.append(f"no exercise {ref}" + (f" (chapter {chapter.group(1)}'s: "
                            f"{sorted(x for x in labels if x.startswith(f'ex-{chapter.group(1)}-'))})" if chapter else ""))
        elif not ref.startswith("ex-") and ref not in targets:
            problems.append(f"no label ({ref})= in the plan")
    assert not problems, "lecture plan:\n" + "\n".join(problems)


def test_doc_targets_exist():
    problems = []
    for target in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", _text()):
        if target.startswith("../chapters/"):
            ok = (CHAPTERS / f"{target.split('/')[-1]}.py").exists()
        else:
            ok = (PLAN.parent / f"{target}.md").exists()
        if not ok:
            problems.append(target)
    assert not problems, f"lecture plan: {{doc}} targets that do not exist: {problems}"


@pytest.mark.parametrize("n", range(1, N_LECTURES + 1))
def test_the_sections_a_lecture_names_are_on_its_pages(n):
    """Each *italic* name in the section column starts a heading of one of the lecture's pages."""
    lec = _lectures()[n - 1]
    import difflib

    pages = list(dict.fromkeys(re.findall(r"\{doc\}`\.\./chapters/([^`]+)`", lec["block"])))
    headings = [h for p in pages for h in _headings(p)]
    problems = []
    for p in lec["parts"]:
        for name in re.findall(r"\*([^*]+)\*", p["section"]):
            if not any(h.startswith(name) for h in headings):
                near = difflib.get_close_matches(name, headings, n=2, cutoff=0.4)
                problems.append(f"part {p['part']}: no section *{name}* on {', '.join(pages)}"
                                + (f" (closest: {' / '.join(near)})" if near else ""))
    assert not problems, f"Lecture {n}:\n" + "\n".join(problems)
