"""Staging the site from the executed notebooks, the status page, and what the "Run this chapter" box says.

``python -m booktools.site stage SITE [--student]`` (``PYTHONPATH=tools``, as the Makefile runs it)
lays out a folder that ``jupyter-book build`` turns into the site WITHOUT executing anything:
``_config.yml`` (execution off; ``--student`` also hides the exercise solutions and leaves out the
instructor-only pages, ``INSTRUCTOR_ONLY``: the exam bank), ``_toc.yml``,
``book/`` with the generated status page (``status_page``: each chapter's execution time from
nbmake's JUnit XML), and the executed chapter notebooks from ``_nbtest/chapters``. Each staged
notebook gets a hidden first cell (tag ``remove-cell``: not on the page, but in the ``.ipynb`` the
page offers for download) that installs the course when the notebook runs on Colab, so "download,
then upload to Colab" works. It installs the package with its ``course`` extra (pyproject.toml):
what the chapters import, none of the site's build tools.

``python -m booktools.site tree [FOLDER]`` (``make site``) lays out the published tree from the builds:
the English site at its root, ``zh/``, ``student/``, ``student-zh/`` and ``slides/`` (``TREE``), each
edition staged for its place in it and for the site's address (``site_url``, from the repository's
address, ``repository``: ``_config.yml``, or the deploy workflow's environment).

``run_box_info(...)`` collects what ``booktools/run_box.py`` prints at the top of every chapter:
launch links, local commands, the measured CPU time of this build (``_build/nbmake.xml``) and, for
the experiments a chapter declares, their paper-scale commands and estimated GPU time.

A chapter declares the experiments it trains in its Jupytext header (notebook metadata)::

    # ---
    # jupyter:
    #   jupytext: ...
    #   kernelspec: ...
    #   resnet_book:
    #     experiments: [fig6, table6]
    # ---

Experiments a chapter runs with ``run_experiment("name")`` are found in its code as well.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse

from resnet_book.tables import markdown_table

ROOT = Path(__file__).resolve().parents[2]
SETUP_TAG = "resnet-book-setup"

COLAB_SETUP = '''\
# Setting up: on Colab (or any Jupyter without the course installed) this fetches the course and
# installs its package; where `resnet_book` is already importable it does nothing.
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("resnet_book") is None:
    if not os.path.isdir("resnet-book"):
        subprocess.run(["git", "clone", "--depth", "1", "--branch", "{branch}", "{repo}", "resnet-book"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "resnet-book[course]"], check=True)
    sys.path.insert(0, os.path.abspath("resnet-book/src"))
'''


def repository(config: dict, env: dict | None = None) -> tuple[str, str]:
    """(url, branch) of the repository: ``_config.yml``'s ``repository`` -- the one place the address is
    written -- unless ``RESNET_BOOK_REPOSITORY`` (a URL, or ``owner/name`` on GitHub) and
    ``RESNET_BOOK_BRANCH`` say otherwise (the deploy workflow sets them to the repository it runs in,
    so that a fork's site links to the fork). Binder, Colab, the theme's buttons and the clone
    command of the pages all come from here."""
    env = os.environ if env is None else env
    repo = config.get("repository", {}) or {}
    url = env.get("RESNET_BOOK_REPOSITORY") or str(repo.get("url", ""))
    if url and "://" not in url:
        url = f"https://github.com/{url}"
    return url.rstrip("/"), env.get("RESNET_BOOK_BRANCH") or str(repo.get("branch", "main"))


def site_url(repo_url: str, env: dict | None = None) -> str:
    """Where the published tree lives, ending in ``/``: ``RESNET_BOOK_SITE_URL`` (the deploy workflow
    sets it to the Pages URL, which may be a custom domain), else GitHub Pages' address of the
    repository (``https://owner.github.io/name/``; ``https://owner.github.io/`` for a repository named
    ``owner.github.io``); "" when neither says."""
    env = os.environ if env is None else env
    url = env.get("RESNET_BOOK_SITE_URL", "")
    if not url:
        m = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?$", repo_url)
        if not m:
            return ""
        owner, name = m.group(1).lower(), m.group(2)
        url = f"https://{owner}.github.io/" + ("" if name.lower() == f"{owner}.github.io" else name)
    return url.rstrip("/") + "/"


def _run_experiment_calls(source: str) -> list[tuple[str, list[str] | None]]:
    """(experiment, runs or None) of each ``run_experiment("name", runs=[...])`` call in a code cell."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython syntax (magics): the plain pattern, without the runs
        return [(n, None) for n in re.findall(r"run_experiment\(\s*[\"'](\w+)[\"']", source)]
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "run_experiment" \
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            runs = None
            for kw in node.keywords:
                if kw.arg == "runs":
                    try:
                        runs = [str(r) for r in ast.literal_eval(kw.value)]
                    except ValueError:
                        runs = None
            calls.append((node.args[0].value, runs))
    return calls


def declared_experiments(nb: dict) -> list[dict]:
    """Experiments a chapter uses, ``[{"name": "fig6", "runs": ["plain20"] or None (all)}]``: its
    ``resnet_book: {experiments: [...]}`` metadata (whole experiments), then its ``run_experiment`` calls."""
    meta = (nb.get("metadata", {}).get("resnet_book") or {}).get("experiments") or []
    found: dict[str, list[str] | None] = {str(m): None for m in ([meta] if isinstance(meta, str) else meta)}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for name, runs in _run_experiment_calls(src):
                if name not in found:
                    found[name] = runs
                elif found[name] is not None:  # union of the runs used; None (all) wins
                    found[name] = None if runs is None else sorted(set(found[name]) | set(runs))
    return [{"name": n, "runs": r} for n, r in found.items()]


def fmt_seconds(t: float) -> str:
    t = round(t)
    if t < 60:
        return f"{t} s"
    m, s = divmod(t, 60)
    return f"{m} min {s:02d} s" if m < 60 else f"{m // 60} h {m % 60:02d} min"


@functools.lru_cache(maxsize=None)
def gpu_estimate(name: str) -> tuple[float, str] | None:
    """``report.estimate_gpu_hours(name)``, or None where it is unavailable or fails."""
    try:
        from resnet_book.experiments import report
    except Exception:  # noqa: BLE001 - the box then says "no estimate"
        return None
    fn = getattr(report, "estimate_gpu_hours", None)
    if fn is None:
        return None
    try:
        hours, basis = fn(name)
        return float(hours), str(basis)
    except Exception:  # noqa: BLE001 - an unknown experiment name: no estimate rather than no site
        return None


def quick_training(experiments: list[dict | str], root: Path | None = None) -> dict | None:
    """What training the quick-scale runs of ``experiments`` from scratch cost, from their records.

    ``experiments``: names, or ``{"name", "runs"}`` (only those runs). The newest record of each
    run (model, seed, label) in ``results/<experiment>/`` at the quick scale, each run counted once:
    ``{"seconds": total wall time, "runs": n, "devices": [...]}``, or None without records.
    """
    from resnet_book.experiments.records import load_records

    newest: dict = {}
    for exp in experiments:
        name, runs = (exp, None) if isinstance(exp, str) else (exp["name"], exp.get("runs"))
        try:
            records = load_records(name, root, scale="quick")
        except Exception:  # noqa: BLE001 - unreadable records: no figure rather than no site
            continue
        for r in records:
            if runs is not None and r.get("label") not in runs:
                continue
            key = (r["model"], json.dumps(r.get("model_kwargs") or {}, sort_keys=True), r["seed"], r.get("label"))
            if key not in newest or r["provenance"].get("created", "") > newest[key]["provenance"].get("created", ""):
                newest[key] = r
    runs = {r["run_id"]: r for r in newest.values() if r.get("final", {}).get("wall_time")}
    if not runs:
        return None
    return {"seconds": sum(r["final"]["wall_time"] for r in runs.values()), "runs": len(runs),
            "devices": sorted({r["provenance"]["device"] for r in runs.values()})}


def run_box_info(chapter: str, nb: dict, repo_url: str, branch: str, times: dict | None,
                 results_root: Path | None = None) -> dict:
    """Everything the "Run this chapter" box shows for chapter ``chapter`` (e.g. ``01_background``)."""
    m = re.match(r"https://github\.com/([^/]+)/([^/]+)", repo_url)
    binder = (f"https://mybinder.org/v2/gh/{m.group(1)}/{m.group(2)}/{branch}?urlpath=lab/tree/chapters/{chapter}.py"
              if m else None)
    t = (times or {}).get(chapter)
    exps = []
    declared = declared_experiments(nb)
    for x in declared:
        name, runs = x["name"], x["runs"]
        est = gpu_estimate(name)
        only = f" --runs {','.join(runs)}" if runs else ""
        exps.append({"name": name, "runs": runs,
                     "command": f"python -m resnet_book run {name}{only} --scale paper --device cuda",
                     "quick": f"python -m resnet_book run {name}{only}",
                     "gpu_hours": est[0] if est else None, "basis": est[1] if est else None,
                     "whole_experiment_estimate": bool(runs)})
    return {"chapter": chapter, "binder": binder, "source": f"chapters/{chapter}.py",
            "cpu_seconds": t[0] if t else None, "failed": bool(t and t[1]), "experiments": exps,
            "training": quick_training(declared, results_root) if declared else None}


def strip_solutions(markdown: str) -> str:
    """Markdown without its ``{solution}`` directives (and ``{solution-start}``...``{solution-end}`` ranges)."""
    lines, out, i = markdown.splitlines(keepends=True), [], 0
    skipping_range = False
    while i < len(lines):
        m = re.match(r"^\s*(`{3,}|~{3,}|:{3,})\s*\{(solution(?:-start|-end)?)\}", lines[i])
        if m:
            fence, name = m.group(1), m.group(2)
            end = i + 1
            while end < len(lines) and not re.match(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[end]):
                end += 1
            if name == "solution-start":
                skipping_range = True
            elif name == "solution-end":
                skipping_range = False
            i = end + 1
            continue
        if not skipping_range:
            out.append(lines[i])
        i += 1
    return "".join(out)


CHAPTER_BUDGET_S = 240  # each chapter executes in <= 4 minutes on the 2-core CPU at the quick scale
BOOK_BUDGET_S = 900  # the whole book in <= 15 minutes
MEMORY_LIMIT = 2 * 1024**3  # Binder's memory (mybinder.org: "2G"); booktools.nbmem fails a chapter above it


def chapter_times(junit_xml: str | Path) -> dict[str, tuple[float, bool]]:
    """(execution time, failed) of each chapter notebook from nbmake's JUnit XML (``pytest --junitxml``)."""
    return {name: (m["time"], m["failed"]) for name, m in chapter_measures(junit_xml).items()}


def chapter_measures(junit_xml: str | Path) -> dict[str, dict]:
    """Per chapter notebook, from nbmake's JUnit XML: ``{"time": s, "failed": bool, "peak_rss": bytes
    or None, "cpu_seconds": s or None, "threads": str or None}`` (the last three recorded by ``booktools.nbmem``)."""
    import xml.etree.ElementTree as ET

    out = {}
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        name = case.get("name", "").removesuffix(".ipynb")  # nbmake names a test after its notebook
        failed = case.find("failure") is not None or case.find("error") is not None
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        peak, cpu = props.get("peak_rss_bytes"), props.get("cpu_seconds")
        out[name] = {"time": float(case.get("time", 0.0)), "failed": failed,
                     "peak_rss": int(peak) if peak not in (None, "") else None,
                     "cpu_seconds": float(cpu) if cpu not in (None, "") else None, "threads": props.get("threads")}
    return out


def fmt_memory(n: int | None) -> str:
    return "—" if n is None else f"{n / 1024**3:.2f} GiB"


def status_page(junit_xml: str | Path, lang: str = "en") -> str:
    """Markdown for ``book/status.md``: each chapter's execution time and peak memory at the quick scale
    (generated per build, so written here in the edition's language rather than translated by the catalogs)."""
    import platform
    from datetime import datetime, timezone

    import torch

    t_ = TEXT[lang]
    measures = chapter_measures(junit_xml)
    total = sum(m["time"] for m in measures.values())
    threads = sorted({m["threads"] for m in measures.values() if m["threads"]})
    if threads == ["1"]:
        how = t_["one thread"]
    elif threads and all(t.isdigit() for t in threads):
        how = t_["n threads"].format(n=", ".join(threads))
    else:
        how = t_["all threads"].format(cores=os.cpu_count())
    peaks = [m["peak_rss"] for m in measures.values() if m["peak_rss"] is not None]
    cpus = [m["cpu_seconds"] for m in measures.values() if m["cpu_seconds"] is not None]

    def cpu(t):
        return "—" if t is None else f"{t:.0f} s"

    def within(m):
        if m["failed"]:
            return t_["failed"]
        over = m["time"] > CHAPTER_BUDGET_S or (m["peak_rss"] or 0) > MEMORY_LIMIT
        return f"**{t_['no']}**" if over else t_["yes"]

    lines = [f"# {t_['status']}", "",
             t_["status_intro"].format(machine=platform.machine(), how=how, torch=torch.__version__,
                                       when=f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M}",
                                       chapter=CHAPTER_BUDGET_S // 60, book=BOOK_BUDGET_S // 60,
                                       memory=fmt_memory(MEMORY_LIMIT)), "",
             t_["status_memory"], "",
             markdown_table([t_["chapter"], t_["execution time"], t_["cpu time"], t_["peak memory"], t_["within budget"]],
                            [[f"`{name}`", f"{m['time']:.0f} s", cpu(m["cpu_seconds"]), fmt_memory(m["peak_rss"]), within(m)]
                             for name, m in sorted(measures.items())]
                            + [[f"**{t_['all chapters']}**", f"**{total:.0f} s**",
                                f"**{cpu(sum(cpus))}**" if cpus else "—",
                                f"**{fmt_memory(max(peaks))}** ({t_['largest']})" if peaks else "—",
                                t_["yes"] if total <= BOOK_BUDGET_S else f"**{t_['no']}**"]],
                            align="lrrrl"), "",
             t_["status_reuse"]]
    return "\n".join(lines) + "\n"


TIMES_MARKER = "<!-- resnet_book: chapter-times -->"


def times_table(notebooks: dict[str, dict], times: dict | None, results_root: Path | None = None,
                lang: str = "en") -> str:
    """Markdown table: per chapter, this build's execution time, its quick runs' recorded training
    time, and the estimated GPU time of its experiments at the paper scale."""
    t_ = TEXT[lang]
    rows = []
    for name, nb in sorted(notebooks.items()):
        t = (times or {}).get(name)
        exps = declared_experiments(nb)
        tr = quick_training(exps, results_root) if exps else None
        hours = [h for h in (gpu_estimate(x["name"]) for x in exps) if h]
        rows.append([f"{{doc}}`{name} <../chapters/{name}>`",
                     (fmt_seconds(t[0]) + (f" ({t_['failed']})" if t[1] else "")) if t else t_["not run"],
                     t_["runs"].format(time=fmt_seconds(tr["seconds"]), n=tr["runs"]) if tr else "—",
                     (t_["gpu hours"].format(h=sum(h for h, _ in hours)) if hours else "—")
                     + (f" ({t_['whole experiments']})" if hours and any(x["runs"] for x in exps) else "")])
    return markdown_table([t_["chapter"], t_["executed in this build"], t_["its quick runs"], t_["paper scale"]],
                          rows, align="lrrr") + "\n"


# What the generated pages (status page, lecture-time table) and the preview image's description say, per edition.
TEXT = {
    "en": {
        "status": "Build status", "chapter": "chapter", "execution time": "execution time",
        "within budget": "within budget", "failed": "failed", "yes": "yes", "no": "no",
        "all chapters": "all chapters", "not run": "not run",
        "status_intro": "Every chapter was executed for this build (quick scale, {machine} CPU, {how}, torch {torch}, {when} UTC). "
                        "Budget: {chapter} minutes per chapter, {book} for the whole book on a 2-core CPU, and at most "
                        "{memory} of memory per chapter, what Binder gives a reader.",
        "status_memory": "Peak memory: the most resident memory the chapter's processes held at once (the "
                         "notebook's kernel, every process it started and the process that ran it), sampled "
                         "ten times a second. CPU time: the processor time those processes used; with one thread, "
                         "about how long the chapter takes on a core that does nothing else.",
        "cpu time": "CPU time",
        "one thread": "one thread per chapter", "n threads": "{n} threads per chapter",
        "all threads": "all {cores} cores' threads", "peak memory": "peak memory", "largest": "largest",
        "status_reuse": "Runs are identified by their configuration and trained once: a page that needs a run "
                        "another page already trained reuses it, so the order of the chapters matters for these times.",
        "executed in this build": "executed in this build", "its quick runs": "its quick runs, trained from scratch",
        "paper scale": "paper scale (estimate)", "runs": "{time} ({n} runs)", "gpu hours": "about {h:.1f} GPU-hours",
        "whole experiments": "whole experiments",
        "preview": "Deep Residual Learning, executable: the paper's residual block, x through two weight layers, "
                   "plus x by the identity shortcut",
    },
    "zh_CN": {
        "status": "构建状态", "chapter": "章节", "execution time": "执行时间", "within budget": "是否在预算内",
        "failed": "失败", "yes": "是", "no": "否", "all chapters": "全部章节", "not run": "未运行",
        "status_intro": "本次构建执行了每一章（quick 规模，{machine} CPU，{how}，torch {torch}，{when} UTC）。预算：在 2 核 CPU 上"
                        "每章 {chapter} 分钟，全书 {book} 分钟；每章内存至多 {memory}，即 Binder 给读者的内存。",
        "status_memory": "内存峰值：本章各进程同时占用的最大常驻内存（笔记本的内核、它启动的所有进程以及运行它的进程），"
                         "每秒采样十次。CPU 时间：这些进程使用的处理器时间；单线程时，约等于本章在一个空闲的核上所需的时间。",
        "cpu time": "CPU 时间",
        "one thread": "每章一个线程", "n threads": "每章 {n} 个线程", "all threads": "使用全部 {cores} 个核的线程",
        "peak memory": "内存峰值", "largest": "最大",
        "status_reuse": "每次训练由其配置唯一确定，只训练一次：某页需要的训练若已由前面的页面完成，就直接复用，"
                        "因此章节的顺序会影响这些时间。",
        "executed in this build": "本次构建的执行时间", "its quick runs": "其 quick 训练从头训练所需",
        "paper scale": "paper 规模（估计）", "runs": "{time}（{n} 次训练）", "gpu hours": "约 {h:.1f} GPU 小时",
        "whole experiments": "整个实验",
        "preview": "Deep Residual Learning, executable（深度残差学习，可执行版）：论文的残差块，x 经过两个权重层，"
                   "再经恒等快捷连接加上 x",
    },
}


def colab_setup_cell(repo_url: str, branch: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": "resnet-book-setup",
            "metadata": {"tags": ["remove-cell", SETUP_TAG]}, "outputs": [],
            "source": COLAB_SETUP.format(repo=repo_url + ".git", branch=branch)}


TOC_CAPTIONS = {"zh_CN": {"Getting started": "入门", "The paper, part by part": "逐部分读论文",
                          "How this book's numbers are made": "本书的数字是怎么得到的",
                          "For teachers": "教师用", "Reference": "参考"}}

# The published tree (``make site``, and what the deploy workflow publishes): the folder of each edition
# in it, by (language, student edition). The language switch, the language alternates and the links
# between editions are made for this layout.
TREE = {("en", False): "", ("zh_CN", False): "zh/", ("en", True): "student/", ("zh_CN", True): "student-zh/"}
SLIDES = "slides/"
# Where the Makefile builds each part of the tree (_build/<folder>).
BUILT = {"": "html", "zh/": "zh", "student/": "student", "student-zh/": "student-zh", SLIDES: "slides"}
# In a page's code blocks (``git clone ...``), replaced at staging by the repository's URL.
REPOSITORY_MARKER = "{{ repository_url }}"
NOT_FOUND = "404"  # book/404.md: the page GitHub Pages serves for a missing address (at the tree's root)

# Pages of the instructor editions only (the English and Chinese sites): the student editions
# (``--student``) leave them out -- the source, its catalog and its entry in the table of contents.
INSTRUCTOR_ONLY = ("book/exam_bank",)


def drop_instructor_pages(site: Path, toc: str, pages: tuple[str, ...] = INSTRUCTOR_ONLY) -> str:
    """The student edition's table of contents (``toc``, the text of ``_toc.yml``) without the
    instructor-only ``pages``; their sources and message catalogs are deleted from ``site``, so that
    nothing of them (page, search index, ``_sources/``) reaches the student builds."""
    for page in pages:
        toc, n = re.subn(rf"(?m)^[ \t]*- file: {re.escape(page)}[ \t]*(?:#.*)?\n", "", toc)
        assert n == 1, f"_toc.yml: expected one entry '- file: {page}' (no sections)"
        for path in [site / f"{page}.md", *(site / "book" / "locales").glob(f"*/LC_MESSAGES/{page}.*")]:
            path.unlink(missing_ok=True)
    assert not any(re.search(rf"\b{re.escape(p)}\b", toc) for p in pages), "instructor page left in _toc.yml"
    return toc


def stage(site: Path, notebooks: Path, student: bool = False, nbmake_xml: Path | None = None,
          root: Path = ROOT, lang: str = "en", results_root: Path | None = None) -> list[Path]:
    """Lay out ``site`` for an execution-free ``jupyter-book build``; return the staged notebooks.

    ``lang="zh_CN"``: the Chinese edition -- the same notebooks, Sphinx's ``language`` set, so the
    catalogs of ``book/locales/`` translate the prose. Every edition links each page to the same page
    of the other language (``booktools.lang_switch``), as they lie in the published tree (``TREE``),
    whose address (``site_url``) gives the sitemap, the page previews and the canonical links theirs.
    The repository's address (``repository``) goes into the staged ``_config.yml`` and replaces
    ``REPOSITORY_MARKER`` in the pages. ``book/404.md`` becomes the edition's ``404.html``.
    ``results_root``: where the lecture-time table reads the quick runs' records (default: the results
    folder of :mod:`resnet_book.experiments.records`)."""
    import yaml

    shutil.rmtree(site, ignore_errors=True)
    (site / "chapters").mkdir(parents=True)
    shutil.copytree(root / "book", site / "book", ignore=shutil.ignore_patterns("__pycache__"))
    toc = (root / "_toc.yml").read_text(encoding="utf-8")
    for en, translated in TOC_CAPTIONS.get(lang, {}).items():  # part captions are not Sphinx messages
        toc = toc.replace(f"caption: {en}\n", f"caption: {translated}\n")
    if student:
        toc = drop_instructor_pages(site, toc)
    (site / "_toc.yml").write_text(toc, encoding="utf-8")
    text = (root / "_config.yml").read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^(\s*execute_notebooks:)\s*\S+", r'\1 "off"', text)
    assert n == 1, "_config.yml: expected one execute_notebooks line"
    if student:
        # sphinx-exercise's switch: solutions are not rendered at all (not merely collapsed)
        text, n = re.subn(r"(?m)^(  config:\n)", "\\1    hide_solutions: true\n", text)
        assert n == 1, "_config.yml: expected a sphinx 'config:' section"
    config = yaml.safe_load(text)
    repo_url, branch = repository(config)
    text, n = re.subn(r"(?m)^(repository:\n  url:)[ \t]*\S+\n(  branch:)[ \t]*\S+",
                      lambda m: f"{m.group(1)} {repo_url}\n{m.group(2)} {branch}", text)
    assert n == 1, "_config.yml: expected 'repository:' with 'url:' and 'branch:'"
    url = site_url(repo_url)
    if not url:
        raise SystemExit(f"no site address for {repo_url!r}: set RESNET_BOOK_SITE_URL")
    # the 404 page is in no table of contents: build the toc's pages and it (the staged folder has no others)
    text, n = re.subn(r"(?m)^only_build_toc_files:.*$", "only_build_toc_files: false", text)
    assert n == 1, "_config.yml: expected one only_build_toc_files line"
    edition, twin = TREE[lang, student], TREE["zh_CN" if lang == "en" else "en", student]
    settings = (f'    html_baseurl: "{url}{edition}"\n    ogp_site_url: "{url}{edition}"\n'
                f'    notfound_urls_prefix: "{urlparse(url).path}{edition}"\n'
                f'    lang_switch_site: "{url}"\n    lang_switch_edition: "{edition}"\n'
                f'    lang_switch_twin: "{twin}"\n    lang_switch_lang: {lang}\n'
                f'    ogp_image_alt: {json.dumps(TEXT[lang]["preview"], ensure_ascii=False)}\n'
                f'    ogp_site_name: {json.dumps(config["title"], ensure_ascii=False)}\n')
    if lang != "en":
        settings += f"    language: {lang}\n"
    text, n = re.subn(r"(?m)^(  config:\n)", lambda m: m.group(1) + settings, text)
    assert n == 1, "_config.yml: expected a sphinx 'config:' section"
    (site / "_config.yml").write_text(text, encoding="utf-8")
    (site / "src").symlink_to(root / "src")  # literalinclude ../src/... from chapters/
    (site / "tools").symlink_to(root / "tools")  # the local Sphinx extensions (_config.yml)
    (site / "book" / f"{NOT_FOUND}.md").rename(site / f"{NOT_FOUND}.md")  # served from the edition's root
    from booktools.preview import draw_preview

    draw_preview(site / "_static" / "preview.png")  # the page previews' image (ogp_image)
    staged = []
    for nbp in sorted(notebooks.glob("[0-9]*.ipynb")):
        nb = json.loads(nbp.read_text(encoding="utf-8"))
        if repo_url and not any(SETUP_TAG in c.get("metadata", {}).get("tags", []) for c in nb["cells"]):
            nb["cells"].insert(0, colab_setup_cell(repo_url, branch))
        if student:  # the downloadable notebook (_sources/) must not carry the solutions either
            for c in nb["cells"]:
                if c["cell_type"] == "markdown":
                    text = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                    c["source"] = strip_solutions(text)
        out = site / "chapters" / nbp.name
        out.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        staged.append(out)
    times = None
    if nbmake_xml and Path(nbmake_xml).exists():
        (site / "book" / "status.md").write_text(status_page(nbmake_xml, lang), encoding="utf-8")
        times = chapter_times(nbmake_xml)
    # pages that show the measured times (the lecture plan) carry a marker that becomes a table; the
    # clone command carries the repository's address
    for page in [*(site / "book").glob("*.md"), site / f"{NOT_FOUND}.md"]:
        text = original = page.read_text(encoding="utf-8")
        if TIMES_MARKER in text:
            nbs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in staged}
            text = text.replace(TIMES_MARKER, times_table(nbs, times, results_root, lang=lang))
        text = text.replace(REPOSITORY_MARKER, repo_url)
        if text != original:
            page.write_text(text, encoding="utf-8")
    return staged


MAKE_TARGET = {"html": "html", "zh": "book-zh", "student": "book-student", "student-zh": "book-student", "slides": "slides"}
SITEMAPS = ("", "zh/")  # the editions robots.txt names (the student editions are hand-outs of the same pages)


def assemble(tree: Path, build: Path = ROOT / "_build", url: str | None = None) -> list[str]:
    """Lay out the published tree in ``tree`` from the builds in ``build`` (``BUILT``): the English site
    at the root, then ``zh/``, ``student/``, ``student-zh/`` and ``slides/``, with ``robots.txt`` (naming
    the sitemaps) and ``.nojekyll``. Returns the problems instead (an edition not built, or built for
    another address than ``url``, which defaults to this checkout's ``site_url``); nothing is copied then."""
    import yaml

    if url is None:
        url = site_url(repository(yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")))[0])
    problems = []
    for folder, built in BUILT.items():
        if not (build / built / "index.html").exists():
            problems.append(f"_build/{built} is missing (make {MAKE_TARGET[built]})")
        elif folder != SLIDES:
            first = re.search(r"<loc>([^<]*)</loc>", (build / built / "sitemap.xml").read_text(encoding="utf-8")
                              if (build / built / "sitemap.xml").exists() else "")
            if not (first and first.group(1).startswith(url + folder)):
                problems.append(f"_build/{built} was not built for {url}{folder} (make {MAKE_TARGET[built]} again)")
    if problems:
        return problems
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(build / BUILT[""], tree)
    for folder, built in BUILT.items():
        if folder:
            shutil.copytree(build / built, tree / folder)
    (tree / ".nojekyll").touch()  # served as built (folders such as _static are not Jekyll's to skip)
    (tree / "robots.txt").write_text("User-agent: *\nAllow: /\n\n" + "".join(f"Sitemap: {url}{f}sitemap.xml\n" for f in SITEMAPS),
                                     encoding="utf-8")
    return []


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m booktools.site")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("stage", help="lay out a site folder from the executed notebooks (no execution)")
    s.add_argument("site")
    s.add_argument("--notebooks", default="_nbtest/chapters")
    s.add_argument("--nbmake-xml", default="_build/nbmake.xml")
    s.add_argument("--student", action="store_true", help="hide the exercise solutions, leave out the instructor-only pages")
    s.add_argument("--lang", default="en", choices=["en", "zh_CN"], help="the edition's language")
    t = sub.add_parser("tree", help="lay out the published tree from the built editions and decks")
    t.add_argument("tree", nargs="?", default="_build/site-tree")
    a = p.parse_args(argv)
    if a.cmd == "tree":
        problems = assemble(Path(a.tree))
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 2
        print(f"site: {a.tree}/index.html (English), zh/, student/, student-zh/, slides/")
        return 0
    staged = stage(Path(a.site), Path(a.notebooks), a.student, Path(a.nbmake_xml), lang=a.lang)
    if not staged:
        print(f"no chapter notebooks in {a.notebooks} (run `make execute` first)", file=sys.stderr)
        return 2
    print(f"staged {len(staged)} chapters into {a.site}" + (" (student edition)" if a.student else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
