# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Appendix A. Scales, runs and provenance
#
# ```{admonition} Learning goals
# :class: tip
#
# After this appendix you can
#
# 1. say what each of this book's three scales changes in the paper's recipe, and why;
# 2. re-run any experiment of the book with one command, and find the record behind a number;
# 3. say why a run is never trained twice, and why a resumed run is the uninterrupted one.
# ```
#
# The chapters show three kinds of numbers side by side: the paper's {cite:p}`he2016deep`, this
# book's committed runs, and runs made while a page executes. This appendix says how those runs are
# defined, named, recorded and reproduced.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import experiments as ex
from resnet_book import reference
from resnet_book.book import pages, quiz, stamp
from resnet_book.engine.data import DeviceData, load_cifar10, make_split
from resnet_book.engine.train import LRSchedule, TrainConfig
from resnet_book.experiments import report as rp
from resnet_book.tables import markdown_table

# %% [markdown]
# ## Three scales
#
# Every run of the book is configured by one `TrainConfig`, whose defaults are the paper's recipe.
# A prediction first:

# %% tags=["remove-input"]
quiz("08_scales", ["q1"])

# %% [markdown]
# The defaults of `TrainConfig` *are* the paper's Sec. 4.2 (the comments say where):
#
# ```{literalinclude} ../src/resnet_book/engine/train.py
# :pyobject: TrainConfig
# :end-before: def __post_init__
# ```
#
# An experiment never changes code paths; it picks a **scale**, which changes sizes only. The table
# is generated from the engine's three scales: optimiser, initialisation, augmentation and the
# shape of the schedule are the same in every column.

# %% tags=["remove-input"]
paper_cfg = TrainConfig().replace(**ex.PAPER_SCALE)
cpu_cfg = TrainConfig().replace(**ex.CPU_SCALE)
quick_cfg = TrainConfig().replace(**ex.quick_scale(300))
FIELDS = {
    "max_iters": "iterations", "milestones": "lr ÷ 10 at", "batch_size": "batch size", "lr": "learning rate",
    "train_subset": "training images", "eval_subset": "test images", "eval_every": "evaluate every",
}


def fmt(v, field):
    if v is None:
        return "all"
    return ", ".join(f"{m:,}" for m in v) if field == "milestones" else f"{v:,}"


display(Markdown(markdown_table(
    ["", "paper scale (Sec. 4.2)", "cpu scale (committed records)", "quick scale (CPU minutes)"],
    [[name] + [fmt(getattr(c, f), f) for c in (paper_cfg, cpu_cfg, quick_cfg)] for f, name in FIELDS.items()],
    align="lrrr")))
N_TRAIN = 50_000  # CIFAR-10's training images
glue("a_cpu_iters", cpu_cfg.max_iters, display=False)
glue("a_cpu_epochs", cpu_cfg.max_iters * cpu_cfg.batch_size / N_TRAIN, display=False)
glue("a_paper_epochs", paper_cfg.max_iters * paper_cfg.batch_size / N_TRAIN, display=False)
glue("a_quick_iters", quick_cfg.max_iters, display=False)
glue("a_quick_batch", quick_cfg.batch_size, display=False)
glue("a_images_ratio", paper_cfg.max_iters * paper_cfg.batch_size / (quick_cfg.max_iters * quick_cfg.batch_size), display=False)

# %% [markdown]
# The **cpu scale** is the paper's recipe unchanged (batch 128, lr 0.1, all 50k training images,
# all 10k test images), only shorter: {glue:text}`a_cpu_iters:,` iterations, about
# {glue:text}`a_cpu_epochs:.0f` epochs against the paper's {glue:text}`a_paper_epochs:.0f`. The
# length is what fits in one evening on a 2-core laptop CPU for the longest run, ResNet-110. These
# runs are trained once, their records committed, and the pages show them.
#
# The **quick scale** keeps the schedule's shape and trains {glue:text}`a_quick_iters:,`
# iterations of {glue:text}`a_quick_batch` images on a 10k subset: the paper sees
# {glue:text}`a_images_ratio:,.0f` times as many images. A quick run shows which net starts to
# train faster, not where it ends.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The learning-rate schedules of the three scales, computed by the engine's `LRSchedule`: the paper's (top), the cpu scale's (middle) and the quick scale's (bottom) have the same shape on very different time axes. The dotted line is ResNet-110's warm-up lr (a tenth of the base lr), drawn for a warm-up that ends after 400 iterations at the paper scale and after a proportional share of the shorter runs; in a run its end is decided during training, when the training error drops below 80%.", "name": "fig-08-schedules"}}
fig, axes = plt.subplots(3, 1, figsize=(7, 5.4))
for ax, cfg, title in ((axes[0], paper_cfg, "paper scale"), (axes[1], cpu_cfg, "cpu scale"), (axes[2], quick_cfg, "quick scale")):
    its = np.arange(cfg.max_iters)
    sched = LRSchedule(cfg)
    ax.step(its, [sched.lr_at(i) for i in its], where="post", color="C0", label="lr")
    k = cfg.batch_size / reference.CIFAR_RECIPE["batch_size"]
    warm = LRSchedule(cfg.replace(warmup_lr=reference.CIFAR_RECIPE["warmup_lr"] * k))
    end = int(400 * cfg.max_iters / paper_cfg.max_iters)  # 400 at the paper scale, a proportional share otherwise
    lrs = []
    for i in its[: end + 50]:
        lrs.append(warm.lr_at(i))
        warm.observe(i, 0.9 if i < end - cfg.warmup_window else 0.5)  # ends at `end`
    ax.plot(its[: len(lrs)], lrs, ":", color="C3", label="with ResNet-110 warm-up")
    ax.set(yscale="log", title=title, ylabel="learning rate")
    ax.legend(fontsize=7, loc="lower left")
axes[-1].set_xlabel("iteration")
fig.tight_layout()
stamp(fig, text="Computed by resnet_book.engine.train.LRSchedule from TrainConfig and the scales of resnet_book.experiments.")
plt.show()

# %% [markdown]
# ### The quick scale's learning rate

# %% tags=["remove-input"]
quiz("08_scales", ["q5"])

# %% [markdown]
# On two CPU cores a step costs nearly the same per image at batch 32 as at 128, so small batches
# buy four times as many updates in the same minutes; the learning rate follows the batch by the
# linear scaling rule {cite:p}`goyal2017accurate`, which keeps the learning rate per image the
# paper's.
#
# ## One command per experiment
#
# Re-running a paper costs runs. Count them first, for the paper's own Table 6:

# %% tags=["remove-input"]
quiz("08_scales", ["q2"])

# %% [markdown]
# The book names its runs. The registry defines each experiment once, and the same definition runs
# at every scale:
#
# ```bash
# python -m resnet_book list                           # the experiments and their runs
# python -m resnet_book run fig6                       # quick on a CPU, paper on a CUDA machine
# python -m resnet_book run fig6 --scale cpu --jobs 2  # the cpu scale: hours, two runs at a time
# python -m resnet_book run table6 --scale paper --seeds 0,1,2,3,4
# python -m resnet_book report table6                  # the paper vs this book, with provenance
# ```
#
# The table is generated from the registry. It counts one seed per run, and the GPU times are
# *estimates* (the basis is below the table), not measurements.

# %% tags=["remove-input"]
rows = []
for name, e in ex.EXPERIMENTS.items():
    hours, _ = rp.estimate_gpu_hours(name)
    rows.append([f"`{name}`", e.title, e.source, len(e.runs_at("cpu")), len(e.runs_at("paper")), f"{hours:.1f} h"])
_, basis = rp.estimate_gpu_hours("fig6")
display(Markdown(markdown_table(
    ["experiment", "what", "paper", "cpu-scale runs", "paper-scale runs", "GPU, one seed (est.)"], rows, align="lllrrr")
    + f"\n\nGPU time basis: {basis.replace('9 run(s)', 'N run(s)')}."))

# %% [markdown]
# ## A run is never trained twice
#
# The same networks appear in several of the paper's experiments: ResNet-20 is in Fig. 6, Table 6
# and Fig. 7.

# %% tags=["remove-input"]
quiz("08_scales", ["q3"])

# %% [markdown]
# A run is identified by a hash of everything that determines its result: the model, the whole
# configuration, the seed, the arithmetic (dtype, device, CPU threads) and the data's fingerprint.
# Its record, `results/<experiment>/<run-id>.json`, holds its curves, final numbers, measurements
# and provenance, and every page that asks for the same run reads it. Under every figure of runs a
# line (`resnet_book.book.stamp`) names them: scale, seeds, device, dtype, data and the code's
# commit. One record's provenance:

# %%
record = pages.cpu_records("table6")[0]
record["run_id"], record["provenance"]

# %% [markdown]
# ## Reproducible batches
#
# The cpu-scale runs take hours and are checkpointed every few minutes.

# %% tags=["remove-input"]
quiz("08_scales", ["q4"])

# %% [markdown]
# The order of the images (one permutation per epoch) and each crop and flip are drawn from random
# generators seeded by the run's seed, a stream and a counter, never from a global random state that
# a restart would lose. So the batch of iteration $k$ is a pure function of the seed and $k$:

# %%
data = load_cifar10()
dd = DeviceData(make_split(data, "full", train_subset=1_000, eval_subset=100), "cpu")
(a, ya), (b, yb) = dd.batch(0, 5, 8), dd.batch(0, 5, 8)
torch.equal(a, b), torch.equal(ya, yb)

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-08-1
#
# Make a scale of your own: `experiments.quick_scale(1200)` quadruples the budget. Run
# `run_experiment("fig1", runs=["plain20"], overrides=experiments.quick_scale(1200))` and compare
# its test error with the 300-iteration record. Why does the run get a *new* record instead of
# overwriting the old one?
# ```
#
# ````{solution} ex-08-1
# :class: dropdown
#
# ```python
# from resnet_book import experiments as ex
# from resnet_book.experiments import run_experiment
# rec = run_experiment("fig1", runs=["plain20"], overrides=ex.quick_scale(1200), progress=True)[0]
# rec["final"]["eval_error"], rec["run_id"]
# ```
#
# A run's identity is a hash of everything that determines its result, the configuration included
# (`resnet_book.experiments.runs.run_id`). Another `max_iters` is another run: both records
# coexist, and every page keeps showing the one it asked for.
# ````
#
# ```{exercise}
# :label: ex-08-2
#
# Write the command that reproduces the paper's five ResNet-110 runs on a GPU, and estimate its time
# with `report.estimate_gpu_hours`. What would you change to redo the paper's own choice of 64k
# iterations on a validation split?
# ```
#
# ```{solution} ex-08-2
# :class: dropdown
#
# `python -m resnet_book run table6 --scale paper --runs resnet110 --seeds 0,1,2,3,4`. The estimate
# for the whole experiment is `estimate_gpu_hours("table6", seeds=5)`; ResNet-110 alone is about
# 7% of it (the estimate scales with the multiply-adds, and ResNet-1202 has over 80% of them). To redo the model selection, add `--set split=val45k`: the runs then train on 45k
# images and evaluate on the held-out 5k, as the paper did to choose 64k iterations.
# ```
#
# ````{exercise}
# :label: ex-08-3
#
# The Fig. 7 page reads each run's layer responses from its record. Read the function that measures
# them: on which images, and with BN in which mode? Why that mode?
#
# ```{literalinclude} ../src/resnet_book/analysis.py
# :pyobject: layer_response_std
# ```
# ````
#
# ```{solution} ex-08-3
# :class: dropdown
#
# A forward hook on the BN module that ends each 3×3 layer records the standard deviation of its
# output over the batch, the positions and the channels. The runner measures it on 500 test images,
# stratified over the classes, in eval mode: BN normalises with its running statistics, as at test
# time, so a response does not depend on which other images share the batch.
# ```
#
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: how the runs are made
# :class: tip
#
# | | |
# |---|---|
# | **Recipe** | one `TrainConfig`, the paper's Sec. 4.2 by default ({term}`He initialisation · He 初始化`, {term}`batch normalization · 批归一化`, SGD). |
# | **Scales** | sizes only: paper (64k iterations), cpu (the recipe, shortened; committed), quick (minutes on a CPU). |
# | **Runs** | identified by a hash of everything that decides the result; trained once, reused by every page. |
# | **Provenance** | a record per run; a line under every figure names its runs. |
# ```
