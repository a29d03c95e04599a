"""What the experiment pages of Chapter 4 share: paper-style curves, paper-scale records, tables.

Every page shows its kinds of numbers side by side, never mixed up:

* the **paper's** published numbers, from :mod:`resnet_book.reference`;
* **cpu**-scale records committed under ``results/<experiment>/cpu-*.json``: the paper's recipe on
  all 50k images with a compressed schedule, trained on this project's 2-core CPU
  (:func:`cpu_scale_note` says which runs exist, how long they took, and the one command that
  reproduces them on a laptop);
* live runs at the **quick** scale (trained, or reused, when the page executes);
* **paper**-scale records committed under ``results/<experiment>/paper-*.json`` (when present);
  when none exists, :func:`paper_scale_note` gives the command that creates them, with a rough
  GPU-time estimate.
"""

from __future__ import annotations

import os

import numpy as np

from .. import experiments as ex
from .. import reference
from ..errors import RecordError
from ..experiments import report as rp
from ..experiments.records import load_records
from ..models import display_name
from ..tables import duration, markdown_table


LIVE_ENV = "RESNET_BOOK_LIVE"


def live_runs() -> bool:
    """Does this page train its optional quick-scale runs now? Yes in the site's build (``make
    execute`` sets ``RESNET_BOOK_LIVE=1``), so the site shows this build's runs; no when a reader
    opens the chapter in Binder, Colab or Jupyter, where the page shows the committed records and a
    cell trains the runs only when the reader asks (set it to True there, or the variable to 1)."""
    return os.environ.get(LIVE_ENV, "") == "1"


def committed_records(name: str, scale: str, out=None) -> list[dict]:
    """The committed records of experiment ``name`` at ``scale`` ([] when there are none)."""
    try:
        return load_records(name, out, scale=scale)
    except RecordError as e:  # a corrupt record is reported, never silently shown
        print(f"warning: {e}")
        return []


def paper_records(name: str, out=None) -> list[dict]:
    """The committed paper-scale records of experiment ``name`` ([] when there are none)."""
    return committed_records(name, "paper", out)


def cpu_records(name: str, out=None) -> list[dict]:
    """The committed cpu-scale records of experiment ``name`` ([] when there are none)."""
    return committed_records(name, "cpu", out)


def cpu_scale_note(name: str, records: list[dict] | None = None) -> str:
    """Markdown: which cpu-scale runs of ``name`` are committed (and which are not yet), what they
    took on this project's CPU, and the command that reproduces them."""
    records = cpu_records(name) if records is None else records
    exp = ex.get_experiment(name)
    planned = [r.name for r in exp.runs_at("cpu")]
    have = {r["label"] for r in records}
    missing = [lab for lab in planned if lab not in have]
    command = f"python -m resnet_book run {name} --scale cpu --jobs 2"
    if not records:
        return (f"**CPU scale: no records yet** for `{name}`. The command `{command}` trains them (the paper's "
                f"recipe on all 50k images, {ex.CPU_SCALE['max_iters']:,} iterations; hours on a laptop CPU).")
    wall = sum(r["final"]["wall_time"] for r in records)
    cpu_h = sum(r["final"].get("cpu_time", 0.0) for r in records)
    prov = records[0]["provenance"]
    lines = [f"**CPU scale** ({len(records)} of {len(planned)} runs committed in `results/{name}/`"
             + (f"; not trained yet: {', '.join(label(m) for m in missing)}" if missing else "") + "). "
             f"Reproduce them on your own machine with one command, `{command}`; here they took "
             f"{duration(wall)} of training in all ({duration(cpu_h)} of CPU time; "
             f"{prov['device']}, {prov['dtype']}, {prov.get('concurrent_runs', 1)} run(s) at a time)."]
    return "\n".join(lines)


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


def errors(records: list[dict]) -> dict[str, tuple[float, float]]:
    """label -> (training error %, test error %), mean over seeds."""
    return {r["label"]: (r["train_error"], r["eval_error"]) for r in rp.summarize(records)}


def compare_table(labels: list[str], paper: dict[str, str], cpu: list[dict], quick: list[dict]) -> str:
    """Markdown: one row per run -- the paper | this book at the cpu scale | this build at the quick scale
    (training / test error in %; "not trained yet" where a cpu-scale record is missing)."""
    c, q = errors(cpu), errors(quick)
    fmt = lambda e: f"{e[0]:.1f} / {e[1]:.1f}" if e else "not trained yet"  # noqa: E731
    rows = [[label(lab), paper.get(lab, "-"), fmt(c.get(lab)), fmt(q.get(lab)) if q.get(lab) else "-"]
            for lab in labels]
    return markdown_table(["network", "paper: test error %", "this book, cpu scale: train / test %",
                           "this build, quick scale: train / test %"], rows, align="lrrr")


def plot_fig6(axes, by_label: dict[str, dict], depths=(20, 32, 44, 56), families=("plain", "resnet")) -> None:
    """The paper's Fig. 6 layout: one panel per family (plain left, ResNet right), one colour per
    depth, dashed = training error, bold = test error, error (%) against iterations."""
    colors = dict(zip(depths, ("C2", "C0", "C1", "C3", "C4")))
    for ax, family in zip(axes, families):
        for d in depths:
            if f"{family}{d}" in by_label:
                plot_curves(ax, by_label[f"{family}{d}"], colors[d], name=f"{d}")
        ax.set(title={"plain": "plain", "resnet": "ResNet"}.get(family, family) + "-" + "/".join(map(str, depths)),
               xlabel="iteration")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
    axes[0].set_ylabel("error (%)")


def plot_fig1(axes, records: list[dict], chance: bool = True) -> None:
    """The paper's Fig. 1 layout: training error left (dashed), test error right (solid with dots),
    one colour per net (plain-20 blue, plain-56 red, as in Chapter 1), error (%) against iterations."""
    colors = {"plain20": "C0", "plain56": "C3"}
    for rec in records:
        c, name = colors.get(rec["label"], "C7"), label(rec["label"])
        plot_curves(axes[0], rec, c, name=name, test=False)
        plot_curves(axes[1], rec, c, name=name, train=False)
    axes[0].set(title="training error", xlabel="iteration", ylabel="error (%)")
    axes[1].set(title="test error", xlabel="iteration")
    for a in axes:
        if chance:
            a.axhline(90, color="0.7", lw=0.8, ls=":")  # chance level for 10 classes
        if records:
            a.legend(fontsize=8)
        a.grid(alpha=0.3)


def order_words(a: float | None, b: float | None) -> tuple[str, str]:
    """Where ``a`` ends relative to ``b``, in English and Chinese: ('above', '高于'), ('below', '低于'),
    ('level with', '持平于'); ('-', '-') when either is missing (a run not trained yet)."""
    if a is None or b is None:
        return "-", "-"
    return ("above", "高于") if a > b else (("below", "低于") if a < b else ("level with", "持平于"))


def pct_or_dash(errs: dict, name: str) -> str:
    """``errs[name]`` with one decimal (an error in %), or '-' for a run not trained yet."""
    return f"{errs[name]:.1f}" if name in errs else "-"


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


def first_below(rec: dict, level: float) -> int | None:
    """First logged iteration whose window-mean training error is below ``level`` (None if never)."""
    h = rec["history"]
    return next((i for i, e in zip(h["iters"], h["train_error"]) if e < level), None)


def plot_warmup(axes, warm: dict, cold: dict) -> None:
    """ResNet-110 with (blue) and without (red) the warm-up: ``axes[0]`` the learning rate actually
    used (log scale), ``axes[1]`` training error (dashed) and test error (solid, dots); a dotted
    line where the warm-up ended and at the rule's 80%."""
    for rec, c, name in ((warm, "C0", "warm-up"), (cold, "C3", "no warm-up")):
        h = rec["history"]
        axes[0].step(h["iters"], h["lr"], where="pre", color=c, label=name)
        axes[1].plot(h["iters"], 100 * np.array(h["train_error"]), "--", color=c, lw=1, label=f"{name}: training error")
        axes[1].plot(h["eval_iters"], 100 * np.array(h["eval_error"]), "-o", color=c, ms=3, label=f"{name}: test error")
    if warm["history"]["warmup_end"]:
        for ax in axes:
            ax.axvline(warm["history"]["warmup_end"], color="C0", lw=0.8, ls=":")
    axes[0].set(yscale="log", ylabel="learning rate")
    axes[1].axhline(80, color="0.6", lw=0.8, ls=":")
    axes[1].set(xlabel="iteration", ylabel="error (%)")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)


# --- Chapter 3: shapes read off a network with forward hooks ----------------------------------------------

def shapes_through(block, x) -> list[tuple[str, str, tuple]]:
    """(child name, module type, output shape) of each child of ``block``, in the order they run."""
    import torch

    seen = []
    hooks = [m.register_forward_hook(lambda m, i, o, n=name: seen.append((n, type(m).__name__, tuple(o.shape))))
             for name, m in block.named_children()]
    try:
        with torch.no_grad():
            block(x)
    finally:
        for h in hooks:
            h.remove()
    return seen


def stage_sizes(model, input_size: int = 224) -> dict[str, int]:
    """Output map size of each stage of an ImageNet ResNet, named as in the paper's Table 1
    (``conv1`` = after the 7×7 stem, ``conv2_x`` … ``conv5_x`` = ``layer1`` … ``layer4``)."""
    import torch

    names = {"conv1": model.relu, "conv2_x": model.layer1, "conv3_x": model.layer2, "conv4_x": model.layer3,
             "conv5_x": model.layer4}
    sizes: dict[str, int] = {}
    hooks = [m.register_forward_hook(lambda m, i, o, n=n: sizes.__setitem__(n, o.shape[-1])) for n, m in names.items()]
    try:
        with torch.no_grad():
            model.eval()(torch.zeros(1, 3, input_size, input_size))
    finally:
        for h in hooks:
            h.remove()
    return sizes


# --- Fig. 6's claims and Table 6 at every scale (pages 04a and 04b) ------------------------------------
#: Fig. 6's three claims, as (key, what the row of the claims table says); checked by :func:`fig6_claims`.
FIG6_CLAIMS = (
    ("plain_degrades", "the deeper plain net has the higher training error (plain-20 vs plain-56)"),
    ("resnet_below_plain", "each ResNet has a lower training error than the plain net of its depth"),
    ("resnet_gains", "the deeper ResNet has the lower test error (ResNet-20 vs ResNet-56)"),
)


def fig6_claims(records: list[dict], depths=(20, 32, 44, 56)) -> dict[str, tuple[str, str] | None]:
    """Fig. 6's claims checked on ``records``: key -> (``"yes"``/``"no"``/``"partly"``, the numbers that
    decide it), or None where a run it needs is missing. Errors in %, mean over seeds."""
    e = errors(records)

    def ordered(low: str, high: str, i: int):  # does ``low`` end below ``high`` (i: 0 train, 1 test)?
        if low not in e or high not in e:
            return None
        return ("yes" if e[low][i] < e[high][i] else "no"), f"{label(low)} {e[low][i]:.1f} vs {label(high)} {e[high][i]:.1f}"

    pairs = [d for d in depths if f"plain{d}" in e and f"resnet{d}" in e]
    wins = sum(e[f"resnet{d}"][0] < e[f"plain{d}"][0] for d in pairs)
    verdict = "yes" if wins == len(pairs) else ("no" if wins == 0 else "partly")
    return {"plain_degrades": ordered("plain20", "plain56", 0),
            "resnet_below_plain": (verdict, f"at {wins} of {len(pairs)} depths") if pairs else None,
            "resnet_gains": ordered("resnet56", "resnet20", 1)}


def fig6_claims_table(cpu: list[dict], quick: list[dict]) -> str:
    """Markdown: one row per claim of Fig. 6 -- the paper | this book at the cpu scale | this build at the
    quick scale; each cell "yes"/"no"/"partly" with its numbers (%), or "not trained yet"."""
    checked = [fig6_claims(cpu), fig6_claims(quick)]
    cell = lambda c: f"{c[0]} ({c[1]})" if c else "not trained yet"  # noqa: E731
    rows = [[text, "yes (Fig. 6)"] + [cell(ch[key]) for ch in checked] for key, text in FIG6_CLAIMS]
    return markdown_table(["claim of Fig. 6", "paper", "this book, cpu scale", "this build, quick scale"], rows,
                          align="llll")


def table6_scales(quick: list[dict], cpu: list[dict], paper_scale: list[dict]) -> str:
    """Markdown: Table 6 of the paper beside akamaster's reproduction and this book's runs at the cpu,
    quick and paper scales, per depth ("not trained yet" where a planned run has no record)."""
    q, c, p = ({r["model"]: r for r in rp.summarize(recs)} for recs in (quick, cpu, paper_scale))
    at_cpu = {r.model for r in ex.get_experiment("table6").runs_at("cpu")}
    rows = []
    for depth, row in reference.TABLE6["resnet"].items():
        model = f"resnet{depth}"
        paper = f"{row['error']:.2f}" + (f" (mean {row['mean']:.2f} ± {row['std']:.2f})" if "mean" in row else "")
        aka = reference.AKAMASTER_CIFAR10["error"].get(depth)
        params = (q.get(model) or c.get(model) or p.get(model) or {}).get("params") or reference.CIFAR_PARAMS_OPTION_A[depth]
        cs, qs, ps = c.get(model), q.get(model), p.get(model)
        rows.append([
            label(model), f"{params:,}", paper, "-" if aka is None else f"{aka:.2f}",
            f"{cs['train_error']:.1f} / {cs['eval_error']:.1f}" if cs else ("not trained yet" if model in at_cpu else "paper scale only"),
            f"{qs['train_error']:.1f} / {qs['eval_error']:.1f}" if qs else "paper scale only",
            f"{ps['eval_error']:.2f} (seeds {','.join(map(str, ps['seeds']))})" if ps else "not run yet",
        ])
    return markdown_table(["network", "params (code)", "paper, Table 6", "akamaster", "this book, cpu scale: train / test",
                           "this build, quick scale: train / test", "this book, paper scale: test"], rows, align="lrrrrrr")
