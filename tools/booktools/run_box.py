"""Sphinx extension: a "Run this chapter" box at the top of every chapter, and launch links that work.

Generated, not typed in the chapters: for each page under ``chapters/`` it inserts, right under the
title, a box with

- Binder (the chapter's Jupytext source ``chapters/NN_topic.py``, which JupyterLab opens as a
  notebook because the Binder image has jupytext), Colab (upload the downloadable ``.ipynb``, whose
  hidden first cell installs the course) and the local commands;
- the chapter's CPU execution time MEASURED for this build (nbmake's JUnit XML, ``_build/nbmake.xml``);
- the experiments the chapter trains, with their paper-scale command and estimated GPU time
  (``resnet_book.experiments.report.estimate_gpu_hours``).

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


# What the box says, per edition (the zh edition sets Sphinx's ``language`` to zh_CN).
TEXT = {
    "en": {
        "this notebook": "this notebook",
        "measured": 'quick scale: <span class="rb-cpu-time">{time}</span> on a {cores}-core CPU (<a href="{status}">measured</a>{failed})',
        "failed": ", <strong>failed</strong>",
        "not measured": 'quick scale: not measured in this build (<a href="{status}">status page</a>)',
        "training": 'training its {n} quick run{s} from scratch: <span class="rb-train-time">{time}</span>',
        "total": "{at_most}about {h:.1f} GPU-hours", "at most": "at most ", "no estimate": "no estimate",
        "paper": 'paper scale: <span class="rb-gpu-total">{total}</span>', "nothing": "paper scale: nothing to train",
        "binder": "<li><strong>Binder</strong> starts JupyterLab on the course repository and opens this chapter's "
                  "source <code>{source}</code> as a notebook (Jupytext); the first start after a change builds the "
                  "image, which takes minutes.</li>",
        "colab": '<li><strong>Colab</strong> opens notebooks, not <code>.py</code> files: <a href="{download}" '
                 'download="{ch}.ipynb">download this chapter as <code>{ch}.ipynb</code></a> (it holds this '
                 "build's outputs), then in Colab <em>File → Upload notebook</em>. Its first cell clones the course and "
                 "installs the package. Keep the default CPU runtime: on a GPU the default scale is <code>paper</code>, "
                 "hours of training.</li>",
        "local": "<li><strong>On your machine</strong>, in a clone: <code>make book</code> executes every chapter and "
                 "builds this site; for this chapter alone, <code>make notebooks</code> and open "
                 "<code>_nbtest/chapters/{ch}.ipynb</code> in Jupyter, or <code>jupytext --to ipynb {source}</code>.</li>",
        "gpu": "about {h:.1f} GPU-hours", "for all of": " for all of {name}",
        "exp": '<li><code>{quick}</code> trains the quick-scale runs on a CPU; <code>{command}</code>: '
               '<span class="rb-gpu">{est}</span>{basis}</li>',
        "exps": "<li><strong>The experiments of this chapter</strong> (the chapter reuses finished runs):<ul>{rows}</ul></li>",
        "times": "<li><strong>Times.</strong> The chapter's execution time above is this build's, with the "
                 "runs other chapters had already trained reused. Training its quick-scale runs from scratch "
                 "took {time} in all, the wall times recorded by those runs ({devices}); a finished run is never "
                 "trained twice.</li>",
        "title": "Run this chapter", "how": "How, and what it costs",
    },
    "zh_CN": {
        "this notebook": "本章笔记本",
        "measured": 'quick 规模：在 {cores} 核 CPU 上 <span class="rb-cpu-time">{time}</span>（<a href="{status}">实测</a>{failed}）',
        "failed": "，<strong>失败</strong>",
        "not measured": 'quick 规模：本次构建未测量（<a href="{status}">状态页</a>）',
        "training": '从头训练本章的 {n} 个 quick 训练：<span class="rb-train-time">{time}</span>',
        "total": "{at_most}约 {h:.1f} GPU 小时", "at most": "至多", "no estimate": "无估计",
        "paper": 'paper 规模：<span class="rb-gpu-total">{total}</span>', "nothing": "paper 规模：无需训练",
        "binder": "<li><strong>Binder</strong> 在课程仓库上启动 JupyterLab，并把本章的源文件 <code>{source}</code> "
                  "作为笔记本打开（Jupytext）；仓库改动后的第一次启动需要构建镜像，要花几分钟。</li>",
        "colab": '<li><strong>Colab</strong> 只能打开笔记本，不能打开 <code>.py</code> 文件：先<a href="{download}" '
                 'download="{ch}.ipynb">把本章下载为 <code>{ch}.ipynb</code></a>（含本次构建的输出），再在 Colab 中选择'
                 "<em>文件 → 上传笔记本</em>。它的第一个单元会克隆课程并安装软件包。请保留默认的 CPU 运行时：在 GPU 上"
                 "默认规模是 <code>paper</code>，要训练好几个小时。</li>",
        "local": "<li><strong>在你自己的电脑上</strong>，在克隆的仓库中：<code>make book</code> 会执行每一章并构建本站点；"
                 "只运行本章：<code>make notebooks</code>，然后在 Jupyter 中打开 <code>_nbtest/chapters/{ch}.ipynb</code>，"
                 "或运行 <code>jupytext --to ipynb {source}</code>。</li>",
        "gpu": "约 {h:.1f} GPU 小时", "for all of": "（{name} 全部）",
        "exp": '<li><code>{quick}</code> 在 CPU 上训练 quick 规模；<code>{command}</code>：'
               '<span class="rb-gpu">{est}</span>{basis}</li>',
        "exps": "<li><strong>本章的实验</strong>（已完成的训练会被复用）：<ul>{rows}</ul></li>",
        "times": "<li><strong>时间。</strong>上面的执行时间是本次构建的，其中复用了其他章节已训练好的结果。"
                 "从头训练本章全部 quick 训练共用 {time}，即这些训练各自记录的实际用时（{devices}）；"
                 "完成的训练不会重复训练。</li>",
        "title": "运行本章", "how": "怎么运行，要花多少时间",
    },
}


def _box_html(info: dict, pathto, pagename: str, lang: str = "en") -> str:
    """One summary line (launch links, times) and the details (commands) in a closed <details>."""
    from booktools.site import fmt_seconds

    t = TEXT.get(lang, TEXT["en"])
    e = html.escape
    ch, source = info["chapter"], info["source"]
    download = e(pathto(f"_sources/{pagename}.ipynb", 1))
    status = e(pathto("book/status"))
    summary = []
    if info["binder"]:
        summary.append(f'<a class="rb-binder reference external" href="{e(info["binder"])}">Binder</a>')
    summary.append('<a class="rb-colab reference external" href="https://colab.research.google.com/">Colab</a> '
                   f'(<a class="rb-download reference" href="{download}" download="{e(ch)}.ipynb">{t["this notebook"]}</a>)')
    if info["cpu_seconds"] is not None:
        summary.append(t["measured"].format(time=e(fmt_seconds(info["cpu_seconds"])), cores=os.cpu_count(),
                                            status=status, failed=t["failed"] if info["failed"] else ""))
    else:
        summary.append(t["not measured"].format(status=status))
    tr = info.get("training")
    if tr:
        summary.append(t["training"].format(n=tr["runs"], s="s" if tr["runs"] > 1 else "", time=e(fmt_seconds(tr["seconds"]))))
    hours = [x["gpu_hours"] for x in info["experiments"] if x["gpu_hours"] is not None]
    if info["experiments"]:
        subset = any(x.get("whole_experiment_estimate") for x in info["experiments"])
        total = t["total"].format(at_most=t["at most"] if subset else "", h=sum(hours)) if hours else t["no estimate"]
        summary.append(t["paper"].format(total=e(total)))
    else:
        summary.append(t["nothing"])

    details = [t["binder"].format(source=e(source)), t["colab"].format(download=download, ch=e(ch)),
               t["local"].format(ch=e(ch), source=e(source))]
    if info["experiments"]:
        rows = []
        for x in info["experiments"]:
            est = t["gpu"].format(h=x["gpu_hours"]) if x["gpu_hours"] is not None else t["no estimate"]
            if x.get("whole_experiment_estimate") and x["gpu_hours"] is not None:
                est += t["for all of"].format(name=x["name"])
            basis = f" ({e(x['basis'])})" if x.get("basis") else ""
            rows.append(t["exp"].format(quick=e(x["quick"]), command=e(x["command"]), est=e(est), basis=basis))
        details.append(t["exps"].format(rows="".join(rows)))
    if tr:
        details.append(t["times"].format(time=e(fmt_seconds(tr["seconds"])), devices=e("; ".join(tr["devices"]))))
    return ('<div class="admonition note run-this-chapter" id="run-this-chapter">\n'
            f'<p class="admonition-title">{t["title"]}</p>\n'
            f'<p class="rb-summary">{" · ".join(summary)}</p>\n'
            f'<details class="rb-details"><summary>{t["how"]}</summary><ul>{"".join(details)}</ul>'
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
    box = _box_html(info, context["pathto"], pagename, app.config.language or "en")
    body = context.get("body", "")
    m = re.search(r"</h1>", body)
    context["body"] = body[:m.end()] + "\n" + box + body[m.end():] if m else box + body


def setup(app):
    app.add_config_value("run_box_nbmake_xml", "", "html")
    app.connect("html-page-context", _on_page, priority=600)  # after the theme built its launch buttons (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
