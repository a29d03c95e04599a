"""Sphinx extension: a "Run this chapter" box at the top of every chapter, and launch links that work.

Generated, not typed in the chapters: for each page under ``chapters/`` it inserts, right under the
title, a box with

- Binder (the chapter's Jupytext source ``chapters/NN_topic.py``, which JupyterLab opens as a
  notebook because the Binder image has jupytext), Colab (upload the downloadable ``.ipynb``, whose
  hidden first cell installs the course) and the local commands;
- the chapter's CPU execution time MEASURED for this build (nbmake's JUnit XML, ``_build/nbmake.xml``);
- the experiments the chapter trains, with their paper-scale command and estimated GPU time
  (``resnet_book.report.estimate_gpu_hours``).

It also rewrites the theme's Binder launch button: the site is built from executed ``.ipynb`` copies,
so the theme would point at ``chapters/NN_topic.ipynb``, a file the repository does not have.
The logic (what the box says) lives in ``booktools.site``; this file only renders it, for the
site's html builders (the slides leave the box out).
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path


def _repo_root(app) -> Path:
    """The checkout: the staged site links ``src`` to it; a build from the checkout itself is in it."""
    src = Path(app.srcdir) / "src"
    return src.resolve().parent if src.is_symlink() else Path(app.srcdir)


def _times(app) -> dict:
    from booktools.site import chapter_times

    xml = app.config.run_box_nbmake_xml or str(_repo_root(app) / "_build" / "nbmake.xml")
    try:
        return chapter_times(xml) if Path(xml).exists() else {}
    except Exception:  # noqa: BLE001 - a broken report only loses the timing line
        return {}


def _notebook(path: Path) -> dict:
    if path.suffix == ".ipynb":
        return json.loads(path.read_text(encoding="utf-8"))
    import jupytext

    return jupytext.read(path)


def _box_html(info: dict, pathto, pagename: str) -> str:
    """One summary line (launch links, times) and the details (commands) in a closed <details>."""
    from booktools.site import fmt_seconds

    e = html.escape
    ch, source = info["chapter"], info["source"]
    download = e(pathto(f"_sources/{pagename}.ipynb", 1))
    status = e(pathto("book/status"))
    summary = []
    if info["binder"]:
        summary.append(f'<a class="rb-binder reference external" href="{e(info["binder"])}">Binder</a>')
    summary.append('<a class="rb-colab reference external" href="https://colab.research.google.com/">Colab</a> '
                   f'(<a class="rb-download reference" href="{download}" download="{e(ch)}.ipynb">this notebook</a>)')
    if info["cpu_seconds"] is not None:
        failed = ", <strong>failed</strong>" if info["failed"] else ""
        summary.append(f'quick scale: <span class="rb-cpu-time">{e(fmt_seconds(info["cpu_seconds"]))}</span> '
                       f'on a {os.cpu_count()}-core CPU (<a href="{status}">measured</a>{failed})')
    else:
        summary.append(f'quick scale: not measured in this build (<a href="{status}">status page</a>)')
    tr = info.get("training")
    if tr:
        summary.append(f'training its {tr["runs"]} quick run{"s" if tr["runs"] > 1 else ""} from scratch: '
                       f'<span class="rb-train-time">{e(fmt_seconds(tr["seconds"]))}</span>')
    hours = [x["gpu_hours"] for x in info["experiments"] if x["gpu_hours"] is not None]
    if info["experiments"]:
        subset = any(x.get("whole_experiment_estimate") for x in info["experiments"])
        total = (f"{'at most ' if subset else ''}about {sum(hours):.1f} GPU-hours" if hours else "no estimate")
        summary.append(f'paper scale: <span class="rb-gpu-total">{e(total)}</span>')
    else:
        summary.append("paper scale: nothing to train")

    details = [
        f"<li><strong>Binder</strong> starts JupyterLab on the course repository and opens this chapter's "
        f"source <code>{e(source)}</code> as a notebook (Jupytext); the first start after a change builds the "
        "image, which takes minutes.</li>",
        f'<li><strong>Colab</strong> opens notebooks, not <code>.py</code> files: <a href="{download}" '
        f'download="{e(ch)}.ipynb">download this chapter as <code>{e(ch)}.ipynb</code></a> (it holds this '
        "build's outputs), then in Colab <em>File → Upload notebook</em>. Its first cell clones the course and "
        "installs the package. Keep the default CPU runtime: on a GPU the default scale is <code>paper</code>, "
        "hours of training.</li>",
        "<li><strong>On your machine</strong>, in a clone: <code>make book</code> executes every chapter and "
        f"builds this site; for this chapter alone, <code>make notebooks</code> and open "
        f"<code>_nbtest/chapters/{e(ch)}.ipynb</code> in Jupyter, or <code>jupytext --to ipynb {e(source)}</code>.</li>",
    ]
    if info["experiments"]:
        rows = []
        for x in info["experiments"]:
            est = f"about {x['gpu_hours']:.1f} GPU-hours" if x["gpu_hours"] is not None else "no estimate"
            if x.get("whole_experiment_estimate") and x["gpu_hours"] is not None:
                est += f" for all of {x['name']}"
            basis = f" ({e(x['basis'])})" if x.get("basis") else ""
            rows.append(f'<li><code>{e(x["quick"])}</code> trains the quick-scale runs on a CPU; '
                        f'<code>{e(x["command"])}</code>: <span class="rb-gpu">{e(est)}</span>{basis}</li>')
        details.append("<li><strong>The experiments of this chapter</strong> (the chapter reuses finished "
                       f"runs):<ul>{''.join(rows)}</ul></li>")
    if tr:
        details.append(f"<li><strong>Times.</strong> The chapter's execution time above is this build's, with the "
                       "runs other chapters had already trained reused. Training its quick-scale runs from scratch "
                       f"took {e(fmt_seconds(tr['seconds']))} in all, the wall times recorded by those runs "
                       f"({e('; '.join(tr['devices']))}); a finished run is never trained twice.</li>")
    return ('<div class="admonition note run-this-chapter" id="run-this-chapter">\n'
            '<p class="admonition-title">Run this chapter</p>\n'
            f'<p class="rb-summary">{" · ".join(summary)}</p>\n'
            f'<details class="rb-details"><summary>How, and what it costs</summary><ul>{"".join(details)}</ul>'
            "</details>\n</div>\n")


def _fix_launch_urls(buttons, pagename: str, source_suffix: str) -> None:
    """Point launch links at the file the repository has (``.py``) instead of the staged ``.ipynb``."""
    for b in buttons or []:
        if isinstance(b, dict):
            url = b.get("url")
            # only the launch links (external); the download button keeps its (existing) _sources/*.ipynb
            if isinstance(url, str) and url.startswith(("http://", "https://")) and f"{pagename}.ipynb" in url:
                b["url"] = url.replace(f"{pagename}.ipynb", f"{pagename}{source_suffix}")
            _fix_launch_urls(b.get("buttons"), pagename, source_suffix)


def _on_page(app, pagename, templatename, context, doctree):
    if not pagename.startswith("chapters/") or doctree is None or app.builder.name not in ("html", "dirhtml"):
        return
    from booktools.site import repository, run_box_info

    root = _repo_root(app)
    source = next((s for s in (".py", ".ipynb", ".md") if (root / f"{pagename}{s}").exists()), None)
    if source:
        _fix_launch_urls(context.get("header_buttons"), pagename, source)
    config = {"repository": {"url": app.config.html_theme_options.get("repository_url", ""),
                             "branch": app.config.html_theme_options.get("repository_branch", "main")}}
    repo_url, branch = repository(config)
    nb = _notebook(Path(app.env.doc2path(pagename)))
    if not hasattr(app, "_run_box_times"):
        app._run_box_times = _times(app)
    info = run_box_info(Path(pagename).name, nb, repo_url, branch, app._run_box_times)  # records: results/
    box = _box_html(info, context["pathto"], pagename)
    body = context.get("body", "")
    m = re.search(r"</h1>", body)
    context["body"] = body[:m.end()] + "\n" + box + body[m.end():] if m else box + body


def setup(app):
    app.add_config_value("run_box_nbmake_xml", "", "html")
    app.connect("html-page-context", _on_page, priority=600)  # after the theme built its launch buttons (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
