"""What the experiment pages of Chapter 4 share: paper-style curves, paper-scale records, tables.

Every page shows three kinds of numbers, never mixed up:

* live runs at the **quick** scale (trained, or reused, when the page executes);
* **paper**-scale records committed under ``results/<experiment>/paper-*.json`` (when present);
* the **paper's** published numbers, from :mod:`resnet_book.reference`.

When no paper-scale record exists, :func:`paper_scale_note` says so and gives the command that
creates them, with a rough GPU-time estimate.
"""

from __future__ import annotations

import numpy as np

from . import experiments as ex
from . import report as rp
from . import reference
from .models import display_name
from .results import RecordError, load_records


def paper_records(name: str, out=None) -> list[dict]:
    """The committed paper-scale records of experiment ``name`` ([] when there are none)."""
    try:
        return load_records(name, out, scale="paper")
    except RecordError as e:  # a corrupt record is reported, never silently shown
        print(f"warning: {e}")
        return []


def regenerate_command(name: str, seeds: str = "0") -> str:
    return f"python -m resnet_book run {name} --scale paper --seeds {seeds}"


def paper_scale_note(name: str, records: list[dict] | None = None) -> str:
    """Markdown: the paper-scale table when records exist, else how to make them (and what it costs)."""
    records = paper_records(name) if records is None else records
    if records:
        return ("**Paper-scale runs** (committed records in `results/" + name + "/`):\n\n" + rp.report(name, records))
    hours, basis = rp.estimate_gpu_hours(name)
    exp = ex.get_experiment(name)
    return (f"**No paper-scale records yet** for `{name}` ({exp.source}): this page shows the quick-scale "
            f"runs and the paper's own numbers. To run the exact recipe of Sec. 4.2 on a GPU:\n\n"
            f"```bash\n{regenerate_command(name)}\n```\n\n"
            f"Expected GPU time: about {hours:.1f} h for one seed ({basis}). The records land in "
            f"`results/{name}/`; commit them and this page shows them, with their provenance.")


def label(name: str) -> str:
    """``plain56`` -> ``plain-56``, ``resnet110-warmup`` -> ``ResNet-110-warmup`` (the models' display names)."""
    return display_name(name)


def plot_curves(ax, rec: dict, color, name: str | None = None, test: bool = True, train: bool = True) -> None:
    """The paper's Fig. 6 style: dashed = training error, solid = test error (in %)."""
    h = rec["history"]
    name = name or label(rec["label"])
    if train:
        ax.plot(h["iters"], 100 * np.array(h["train_error"]), "--", color=color, lw=1, label=f"{name} train")
    if test:
        ax.plot(h["eval_iters"], 100 * np.array(h["eval_error"]), "-o", color=color, lw=2, ms=3,
                label=f"{name} test")


def table6(quick: list[dict], paper_scale: list[dict]) -> str:
    """Markdown: Table 6 of the paper, akamaster's reproduction and this book's runs, per depth."""
    q = {r["model"]: r for r in rp.summarize(quick)}
    p = {r["model"]: r for r in rp.summarize(paper_scale)}
    lines = ["| network | params (code) | paper, Table 6 | akamaster | this book: paper scale | "
             "this book: quick scale (train / test) |",
             "|---|---:|---:|---:|---:|---:|"]
    for depth, row in reference.TABLE6["resnet"].items():
        model = f"resnet{depth}"
        paper = f"{row['error']:.2f}" + (f" (mean {row['mean']:.2f} ± {row['std']:.2f})" if "mean" in row else "")
        aka = reference.AKAMASTER_CIFAR10["error"].get(depth)
        ps = p.get(model)
        qs = q.get(model)
        params = (qs or ps or {}).get("params") or reference.CIFAR_PARAMS_OPTION_A[depth]
        lines.append(
            f"| {label(model)} | {params:,} | {paper} | {aka:.2f} | "
            + (f"{ps['eval_error']:.2f} ({ps['eval_name']}, seeds {','.join(map(str, ps['seeds']))})" if ps else "not run yet")
            + " | "
            + (f"{qs['train_error']:.1f} / {qs['eval_error']:.1f}" if qs else "paper scale only")
            + " |")
    return "\n".join(lines)
