"""The site's build tooling: staging, the status page, the "Run this chapter" box, the Colab cell.

The built site itself (pages in a browser) is tested by ``tests/browser/`` after ``make html``.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import nbformat
import yaml

from booktools import run_box, site

ROOT = Path(__file__).resolve().parents[2]


def _nb(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def test_stage_turns_execution_off_adds_the_colab_cell_and_hides_solutions(tmp_path):
    nbs = tmp_path / "nb"
    nbs.mkdir()
    nb = _nb([nbformat.v4.new_markdown_cell("# T\n\n```{exercise}\n:label: ex-1\nDo it.\n```\n\n"
                                             "````{solution} ex-1\n:class: dropdown\nThe secret.\n```python\nx\n```\n````\n\nAfter."),
              nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(nb, str(nbs / "01_x.ipynb"))
    for student in (False, True):
        out = tmp_path / f"site{student}"
        staged = site.stage(out, nbs, student=student)
        cfg = yaml.safe_load((out / "_config.yml").read_text())
        assert cfg["execute"]["execute_notebooks"] == "off"
        assert cfg["sphinx"]["config"].get("hide_solutions", False) is student
        assert (out / "src").resolve() == (ROOT / "src").resolve() and (out / "book" / "glossary.md").exists()
        assert (out / "tools").resolve() == (ROOT / "tools").resolve()  # the local extensions of _config.yml
        for path in set(cfg["sphinx"]["local_extensions"].values()):
            assert (out / path).is_dir(), path
        lectures = (out / "book" / "lectures.md").read_text()  # the marker became the table of measured times
        assert site.TIMES_MARKER not in lectures and "| `01_x` |" not in lectures and "01_x <../chapters/01_x>" in lectures
        text = "".join(json.loads(staged[0].read_text())["cells"][1]["source"])
        assert "Do it." in text and "After." in text and ("The secret." in text) is not student
        first = json.loads(staged[0].read_text())["cells"][0]
        assert first["metadata"]["tags"] == ["remove-cell", site.SETUP_TAG]
        assert "git" in "".join(first["source"]) and cfg["repository"]["url"] in "".join(first["source"])
        again = site.stage(tmp_path / "again", out / "chapters")  # staging a staged notebook adds no second cell
        assert sum(site.SETUP_TAG in c["metadata"].get("tags", []) for c in json.loads(again[0].read_text())["cells"]) == 1


def test_the_student_editions_leave_out_the_instructor_pages(tmp_path):
    """The exam bank is in the instructor editions (English and Chinese) only: a student staging has
    neither its source, nor its catalog, nor its entry in the table of contents."""
    nbs = tmp_path / "nb"
    nbs.mkdir()
    nbformat.write(_nb([nbformat.v4.new_markdown_cell("# T")]), str(nbs / "01_x.ipynb"))
    assert site.INSTRUCTOR_ONLY == ("book/exam_bank",)
    for lang in ("en", "zh_CN"):
        for student in (False, True):
            out = tmp_path / f"site-{lang}-{student}"
            site.stage(out, nbs, student=student, lang=lang)
            toc = yaml.safe_load((out / "_toc.yml").read_text())
            files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
            for page in site.INSTRUCTOR_ONLY:
                po = out / "book" / "locales" / "zh_CN" / "LC_MESSAGES" / f"{page}.po"
                assert (page in files) is not student and (out / f"{page}.md").exists() is not student
                assert po.exists() is not student, po
            assert "book/lectures" in files and (out / "book" / "lectures.md").exists()  # the rest of the part stays
    # a table of contents without the entry is an error, not a silent no-op
    try:
        site.drop_instructor_pages(tmp_path / "x", "parts: []\n")
    except AssertionError as e:
        assert "book/exam_bank" in str(e)
    else:
        raise AssertionError("drop_instructor_pages accepted a toc without the page")


def test_the_colab_cell_installs_the_course_and_none_of_the_build_tools():
    cell = "".join(site.colab_setup_cell("https://github.com/o/r", "main")["source"])
    installs = re.findall(r'"pip", "install", (.*)\]', cell)
    assert installs == ['"-q", "-e", "resnet-book[course]"'], installs  # the package with its course extra only
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert "course" in extras
    compile(cell, "colab-cell", "exec")


def test_lecture_plan_carries_the_times_marker():
    assert site.TIMES_MARKER in (ROOT / "book" / "lectures.md").read_text(encoding="utf-8")


def test_status_page_from_nbmake_junit(tmp_path):
    xml = tmp_path / "nbmake.xml"
    xml.write_text(
        '<?xml version="1.0"?><testsuites><testsuite name="pytest" tests="2">'
        '<testcase classname="_nbtest.chapters.01_background.ipynb" name="01_background.ipynb" time="71.5"/>'
        '<testcase classname="_nbtest.chapters.02_residual_math.ipynb" name="02_residual_math.ipynb" time="301.0">'
        '<failure message="x"/></testcase></testsuite></testsuites>')
    assert site.chapter_times(xml) == {"01_background": (71.5, False), "02_residual_math": (301.0, True)}
    page = site.status_page(xml)
    assert "| `01_background` | 72 s | — | — | yes |" in page  # a report without booktools.nbmem's measures
    assert "failed" in page and "**all chapters** | **372 s**" in page


def test_status_page_shows_peak_memory_and_threads(tmp_path):
    """booktools.nbmem's properties: the peak memory beside the time; above 2 GiB is out of budget."""
    def case(name, time, peak, threads="1"):
        return (f'<testcase classname="x" name="{name}.ipynb" time="{time}"><properties>'
                f'<property name="peak_rss_bytes" value="{peak}"/><property name="cpu_seconds" value="{time - 2}"/>'
                f'<property name="threads" value="{threads}"/>'
                '</properties></testcase>')
    xml = tmp_path / "nbmake.xml"
    xml.write_text('<?xml version="1.0"?><testsuites><testsuite name="pytest" tests="2">'
                   + case("01_a", 50, 1_200_000_000) + case("02_b", 60, 2_500_000_000) + "</testsuite></testsuites>")
    m = site.chapter_measures(xml)
    assert m["01_a"] == {"time": 50.0, "failed": False, "peak_rss": 1_200_000_000, "cpu_seconds": 48.0, "threads": "1"}
    page = site.status_page(xml)
    assert "| `01_a` | 50 s | 48 s | 1.12 GiB | yes |" in page
    assert "| `02_b` | 60 s | 58 s | 2.33 GiB | **no** |" in page
    assert "one thread per chapter" in page and "**2.33 GiB** (largest)" in page
    assert "一个线程" in site.status_page(xml, "zh_CN") and "内存峰值" in site.status_page(xml, "zh_CN")


def test_run_box_info_reads_metadata_code_times_and_gpu_estimates():
    nb = {"metadata": {"resnet_book": {"experiments": ["fig6"]}},
          "cells": [{"cell_type": "code", "source": 'records = run_experiment("fig1", progress=False)'},
                    {"cell_type": "code", "source": 'ex.run_experiment("table6", runs=["resnet20"])\n%time x = 1'},
                    {"cell_type": "code", "source": 'run_experiment("fig7", runs=["resnet20"])\nrun_experiment("fig7", runs=["plain20"])'},
                    {"cell_type": "code", "source": 'run_experiment("fig6", runs=["plain20"])'}]}
    info = site.run_box_info("04_x", nb, "https://github.com/org/repo", "main", {"04_x": (125.4, False)})
    assert info["binder"] == "https://mybinder.org/v2/gh/org/repo/main?urlpath=lab/tree/chapters/04_x.py"
    assert info["cpu_seconds"] == 125.4 and not info["failed"]
    assert [(x["name"], x["runs"]) for x in info["experiments"]] == [
        ("fig6", None), ("fig1", None), ("table6", None), ("fig7", ["plain20", "resnet20"])]  # magics: no runs parsed
    fig6 = info["experiments"][0]
    assert fig6["command"] == "python -m resnet_book run fig6 --scale paper --device cuda"
    assert info["experiments"][3]["quick"] == "python -m resnet_book run fig7 --runs plain20,resnet20"
    assert fig6["gpu_hours"] is None or fig6["gpu_hours"] > 0
    assert site.run_box_info("01_y", {"cells": []}, "", "main", None)["cpu_seconds"] is None
    assert site.fmt_seconds(125.4) == "2 min 05 s" and site.fmt_seconds(9.6) == "10 s"


def _record(run_id, model, seed, wall, created, scale="quick"):
    from resnet_book.experiments.records import SCHEMA_VERSION

    return {"schema": SCHEMA_VERSION, "run_id": run_id, "experiment": "fig1", "model": model, "model_kwargs": {},
            "label": model, "scale": scale, "seed": seed, "config": {}, "status": "complete",
            "provenance": {"device": "cpu (x86_64, 2 threads)", "dtype": "fp32", "threads": 2, "torch": "2", "git_commit": "abc",
                           "data_fingerprint": "f", "created": created},
            "history": {k: [] for k in ("iters", "train_loss", "train_error", "lr", "eval_iters", "eval_loss", "eval_error")},
            "final": {"train_error": 0.5, "eval_error": 0.5, "eval_name": "test", "params": 1, "iterations": 300,
                      "wall_time": wall}}


def test_quick_training_time_sums_the_newest_record_of_each_run_once(tmp_path):
    for exp, recs in {"fig1": [_record("q-a-old", "plain20", 0, 100.0, "2026-01-01"),
                               _record("q-a-new", "plain20", 0, 120.0, "2026-02-01"),
                               _record("q-b", "plain56", 0, 300.0, "2026-02-01"),
                               _record("p-b", "plain56", 0, 9999.0, "2026-02-01", scale="paper")],
                      "fig6": [_record("q-a-new", "plain20", 0, 120.0, "2026-02-01")]}.items():
        (tmp_path / exp).mkdir()
        for r in recs:
            (tmp_path / exp / f"{r['run_id']}.json").write_text(json.dumps(r))
    got = site.quick_training(["fig1", "fig6"], tmp_path)
    assert got == {"seconds": 420.0, "runs": 2, "devices": ["cpu (x86_64, 2 threads)"]}
    assert site.quick_training(["table6"], tmp_path) is None
    assert site.quick_training([{"name": "fig1", "runs": ["plain56"]}], tmp_path)["seconds"] == 300.0


def test_binder_launch_links_are_rewritten_to_the_repository_source():
    buttons = [{"type": "group", "buttons": [
        {"url": "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/chapters/01_a.ipynb"}]},
        {"url": "../_sources/chapters/01_a.ipynb"}]
    run_box._fix_launch_urls(buttons, "chapters/01_a", ".py")
    assert buttons[0]["buttons"][0]["url"].endswith("lab/tree/chapters/01_a.py")
    assert buttons[1]["url"] == "../_sources/chapters/01_a.ipynb"  # the download stays the notebook
