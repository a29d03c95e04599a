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
#   resnet_book:
#     experiments: [fig1, fig6, table6, fig7, shortcuts, warmup110, resnet1202]
# ---

# %% [markdown]
# # Experiments: re-running the paper's CIFAR-10 evidence
#
# ```{admonition} Learning goals
# :class: tip
#
# After this chapter you can
#
# 1. state the paper's CIFAR-10 recipe (data, augmentation, schedule, warm-up) and find each piece
#    of it in the course's code;
# 2. run any CIFAR experiment of the paper with one command, at a CPU-sized *quick* scale, at the
#    longer *cpu* scale (the paper's recipe on all 50k images, shortened) or at the exact *paper*
#    scale on a GPU, and tell which numbers on a page come from which;
# 3. read each of the paper's CIFAR figures and tables (Fig. 6, Table 6, Fig. 7, the shortcut
#    options, the ResNet-110 warm-up, ResNet-1202) against a re-run, and say honestly what a short
#    re-run can and cannot show.
# ```
#
# This chapter is the heart of the course: it re-runs the paper's CIFAR-10 experiments. Each
# experiment has its own page; this first page is the recipe they all share
# {cite:p}`he2016deep` (Sec. 4.2):
#
# > We start with a learning rate of 0.1, divide it by 10 at 32k and 48k iterations, and terminate
# > training at 64k iterations, which is determined on a 45k/5k train/val split. We follow the simple
# > data augmentation in [24] for training: 4 pixels are padded on each side, and a 32×32 crop is
# > randomly sampled from the padded image or its horizontal flip.

# %% tags=["remove-input"]
import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import experiments as ex
from resnet_book.experiments import report as rp
from resnet_book import reference
from resnet_book.book import quiz, stamp
from resnet_book.engine.data import DeviceData, load_cifar10, make_split, random_crop_flip
from resnet_book.tables import markdown_table
from resnet_book.engine.train import LRSchedule, TrainConfig

# %% [markdown]
# ## The recipe is one dataclass
#
# Every run of the course is configured by one `TrainConfig`, and a *scale* says how long it trains.
# First, a prediction:

# %% tags=["remove-input"]
quiz("04_experiments", ["q11"])

# %% [markdown]
# Did you predict "sizes only"? The defaults of `TrainConfig` *are* the paper's Sec. 4.2 (the
# comments say where):
#
# ```{literalinclude} ../src/resnet_book/engine/train.py
# :pyobject: TrainConfig
# :end-before: def __post_init__
# ```
#
# An experiment never changes code paths; it picks a **scale**, which changes sizes only. The
# table below is generated from the three scales of the engine (`experiments.PAPER_SCALE`,
# `experiments.CPU_SCALE` and `experiments.quick_scale`): optimiser, initialisation, augmentation
# and the shape of the schedule are the same in every column.

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
    ["", "paper scale (Sec. 4.2)", "cpu scale (committed records)", "quick scale (live, CPU)"],
    [[name] + [fmt(getattr(c, f), f) for c in (paper_cfg, cpu_cfg, quick_cfg)] for f, name in FIELDS.items()],
    align="lrrr")))
N_TRAIN = 50_000  # CIFAR-10's training images (the paper trains on all of them, Sec. 4.2)
glue("c4_quick_iters", quick_cfg.max_iters, display=False)
glue("c4_paper_iters", paper_cfg.max_iters, display=False)
glue("c4_cpu_iters", cpu_cfg.max_iters, display=False)
glue("c4_cpu_epochs", cpu_cfg.max_iters * cpu_cfg.batch_size / N_TRAIN, display=False)
glue("c4_paper_epochs", paper_cfg.max_iters * paper_cfg.batch_size / N_TRAIN, display=False)
glue("c4_quick_batch", quick_cfg.batch_size, display=False)
glue("c4_quick_lr", quick_cfg.lr, display=False)
glue("c4_images_ratio", paper_cfg.max_iters * paper_cfg.batch_size / (quick_cfg.max_iters * quick_cfg.batch_size), display=False)

# %% [markdown]
# The quick scale keeps the *shape* of the schedule (lr divided by 10 at 50% and 75% of the run, as
# 32k and 48k are of 64k) and the augmentation, initialisation and optimiser, but trains for
# {glue:text}`c4_quick_iters:,` iterations of {glue:text}`c4_quick_batch` images on a 10k
# subset: the paper sees {glue:text}`c4_images_ratio:,.0f` times as many images. The smaller batch
# buys more updates per CPU-minute, and the learning rate follows it by the linear scaling rule
# {cite:p}`goyal2017accurate` ({glue:text}`c4_quick_lr` at batch {glue:text}`c4_quick_batch`).
# So a quick run shows *trends*: which net trains faster, which one is stuck. It does not reach the
# paper's accuracy, and each page says where that matters.
#
# In between, the **cpu scale** is the paper's recipe unchanged (batch 128, lr 0.1, all 50k training
# images, all 10k test images), only shorter: {glue:text}`c4_cpu_iters:,` iterations, about
# {glue:text}`c4_cpu_epochs:.0f` epochs against the paper's {glue:text}`c4_paper_epochs:.0f`. Such
# runs take hours each on a laptop CPU, so they are not trained when a page executes: they are
# trained once, their records are committed, and the experiment pages show them beside the paper
# and the live quick runs (a page says which of them are not trained yet).

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The learning-rate schedules, computed by the engine's `LRSchedule`: the paper's (top), the cpu scale's (middle) and the quick scale's (bottom) have the same shape, on very different time axes. The dotted line is ResNet-110's warm-up lr (0.1 of the base lr), shown here for a warm-up that ends after 400 iterations at the paper scale and after a proportional share of the shorter runs; the real end is decided during training, when the training error drops below 80%.", "name": "fig-04-schedule"}}
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
stamp(fig, text="Computed by resnet_book.engine.train.LRSchedule from TrainConfig; recipe of He et al. 2015, Sec. 4.2.")
plt.show()

# %% [markdown]
# ## The data pipeline
#
# The paper's augmentation is two lines of its Sec. 4.2. Before you see it applied, a prediction:

# %% tags=["remove-input"]
quiz("04_experiments", ["q12"])

# %% [markdown]
# The training images live on the device as one `uint8` tensor; each mini-batch is padded,
# randomly cropped and flipped with batched tensor operations (no `DataLoader`), then the
# per-pixel mean is subtracted, the paper's normalisation ("with the per-pixel mean subtracted",
# Sec. 4.2):
#
# ```{literalinclude} ../src/resnet_book/engine/data.py
# :pyobject: random_crop_flip
# ```

# %%
data = load_cifar10()
data

# %% tags=["remove-input"]
glue("c4_data_kind", Markdown("the developer copy of CIFAR-10 whose pixels went through JPEG" if data.jpeg_copy
                              else "the original CIFAR-10 pixels (downloaded with torchvision)"), display=False)
glue("c4_data_kind_zh", Markdown("像素经过 JPEG 处理的 CIFAR-10 开发者副本" if data.jpeg_copy
                                 else "原始的 CIFAR-10 像素（用 torchvision 下载）"), display=False)

# %% [markdown]
# **This build used {glue:md}`c4_data_kind`.** The runs that this book commits (the cpu scale) were
# trained on the JPEG-derived developer copy: its labels and split are exact, its pixels are not,
# which is fine for trends and for comparing runs with each other, not for accuracy claims against
# the paper. Every record says which data it used (its fingerprint).
#
# Did you predict shifted copies with black bands? Eight training images (one per row, the first of
# each of eight classes) and six augmented versions of each, produced by the same function the
# training loop calls:

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Paper-style augmentation as the engine applies it: the original image (left column), then six random 4-pixel-padded 32×32 crops with random horizontal flips. The black borders are the zero padding showing through.", "name": "fig-04-augment"}}
classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
picks = [int(np.flatnonzero(data.y_train == c)[0]) for c in range(8)]
x = torch.from_numpy(data.x_train[picks]).permute(0, 3, 1, 2).contiguous()
g = torch.Generator().manual_seed(0)
views = [x] + [random_crop_flip(x, g) for _ in range(6)]
fig, axes = plt.subplots(len(picks), len(views), figsize=(6.2, 7.2))
for i in range(len(picks)):
    for j, v in enumerate(views):
        axes[i, j].imshow(v[i].permute(1, 2, 0).numpy())
        axes[i, j].set_xticks([]), axes[i, j].set_yticks([])
    axes[i, 0].set_ylabel(classes[int(data.y_train[picks[i]])], fontsize=8)
axes[0, 0].set_title("original", fontsize=8)
for j in range(1, len(views)):
    axes[0, j].set_title(f"view {j}", fontsize=8)
fig.tight_layout()
stamp(fig, text=f"CIFAR-10 training images (data {data.fingerprint[:12]}); augmentation of He et al. 2015, Sec. 4.2.")
plt.show()

# %% [markdown]
# And the per-pixel mean that every input has subtracted: a 32×32×3 image of its own, computed on
# the training images (here, the quick scale's 10k subset):

# %%
split = make_split(data, "full", quick_cfg.train_subset, quick_cfg.eval_subset, quick_cfg.subset_seed)
dd = DeviceData(split, "cpu", normalize="pixel")
dd.mean.shape, dd.x_train.dtype, tuple(dd.x_train.shape)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The per-pixel mean of the training subset, the only normalisation of the paper's CIFAR inputs (left), and its per-channel profile along the middle row (right): the centre of CIFAR images is, on average, a little different from the border.", "name": "fig-04-mean"}}
mean = dd.mean[0].permute(1, 2, 0).numpy()
fig, axes = plt.subplots(1, 2, figsize=(6.5, 2.6))
axes[0].imshow((mean - mean.min()) / (mean.max() - mean.min()))
axes[0].set(xticks=[], yticks=[], title="per-pixel mean (contrast stretched)")
for c, col in enumerate("rgb"):
    axes[1].plot(mean[16, :, c], color=col, label="RGB"[c])
axes[1].set(xlabel="column (row 16)", ylabel="mean pixel value", title="middle row")
axes[1].legend(fontsize=7)
fig.tight_layout()
stamp(fig, text=f"Computed from the quick-scale training subset ({len(split.y_train):,} images, data {data.fingerprint[:12]}).")
plt.show()

# %% tags=["remove-input"]
quiz("04_experiments", ["q1", "q2"])

# %% [markdown]
# ## The experiments, and what they cost
#
# Re-running a paper costs runs. Count them first, for the paper's own Table 6:

# %% tags=["remove-input"]
quiz("04_experiments", ["q13"])

# %% [markdown]
# Did you count ten? Every run costs GPU hours at the paper scale, so the course names its runs.
# The engine's registry defines each experiment once, and the same definition runs at every scale:
#
# ```bash
# python -m resnet_book list                          # the experiments and their runs
# python -m resnet_book run fig6                      # quick on a CPU, paper on a CUDA machine
# python -m resnet_book run fig6 --scale cpu --jobs 2  # the cpu scale: hours, two runs at a time
# python -m resnet_book run table6 --scale paper --seeds 0,1,2,3,4
# python -m resnet_book report table6                 # the paper vs this book, with provenance
# ```
#
# A run is identified by everything that determines its result (model, configuration, seed, data);
# a finished run is never trained twice, also when another experiment (or page) contains the same
# run. The pages of this chapter share most of their runs. The table is generated from the
# registry; it counts one seed per run (ResNet-110's five runs are `--seeds 0,1,2,3,4`), and the GPU
# times are *estimates* (the basis is given), not measurements.

# %% tags=["remove-input"]
rows = []
for name, e in ex.EXPERIMENTS.items():
    hours, _ = rp.estimate_gpu_hours(name)
    quick_runs = ", ".join(r.name for r in e.runs_at("quick")) or "– (paper scale only)"
    rows.append([f"`{name}`", e.title, e.source, quick_runs, len(e.runs_at("paper")), f"{hours:.1f} h"])
_, basis = rp.estimate_gpu_hours("fig6")
display(Markdown(markdown_table(
    ["experiment", "what", "paper", "quick-scale runs", "paper-scale runs", "GPU, one seed (est.)"], rows, align="llllrr")
    + f"\n\nGPU time basis: {basis.replace('9 run(s)', 'N run(s)')}."))

# %% [markdown]
# The pages:
#
# - {doc}`04a_fig6`: plain vs residual nets of 20–56 layers (Fig. 6);
# - {doc}`04b_table6`: ResNet-20 … 1202, the paper vs a known reproduction vs this book (Table 6);
# - {doc}`04c_fig7`: the standard deviation of layer responses (Fig. 7);
# - {doc}`04d_shortcuts`: shortcut options A, B, C on a CIFAR ResNet;
# - {doc}`04e_warmup110`: ResNet-110's learning-rate warm-up;
# - {doc}`04f_resnet1202`: what happens at 1202 layers.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-04-1
#
# The paper counts iterations, not epochs. How many epochs over the 50k training images are 64k
# iterations of 128 images? And over the paper's 45k split? How many epochs over the quick scale's
# 10k subset does a quick run make?
# ```
#
# ```{solution} ex-04-1
# :class: dropdown
#
# $64\,000 \cdot 128 / 50\,000 \approx 164$ epochs; $64\,000 \cdot 128 / 45\,000 \approx 182$. A quick
# run: `cfg.max_iters * cfg.batch_size / cfg.train_subset` with
# `cfg = TrainConfig().replace(**experiments.quick_scale(300))`, a little under one epoch. This is why
# a quick run shows how *fast* nets start to train, not where they end.
# ```
#
# ```{exercise}
# :label: ex-04-2
#
# Make a scale of your own: `experiments.quick_scale(1200)` quadruples the budget. Run
# `run_experiment("fig1", runs=["plain20"], overrides=experiments.quick_scale(1200))` and compare
# its test error with the 300-iteration record. Why does the run get a *new* record instead of
# overwriting the old one?
# ```
#
# ````{solution} ex-04-2
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
# (see `runner.run_id`). Another `max_iters` is another run: both records coexist, and every page
# keeps showing the one it asked for.
# ````
#
# ```{exercise}
# :label: ex-04-3
#
# Check that the augmentation is a pure function of `(seed, iteration)`: ask the `DeviceData` of this
# page for `dd.batch(seed=0, iteration=5, batch_size=8)` twice and compare. Why does that make a
# resumed run bit-for-bit identical to an uninterrupted one?
# ```
#
# ````{solution} ex-04-3
# :class: dropdown
#
# ```python
# a, ya = dd.batch(0, 5, 8)
# b, yb = dd.batch(0, 5, 8)
# torch.equal(a, b), torch.equal(ya, yb)   # (True, True)
# ```
#
# The order (`randperm` per epoch) and the crops/flips are drawn from generators seeded from
# `(seed, stream, counter)`, not from a global random state that a restart would lose. After a
# restart from a checkpoint at iteration $k$, batch $k$ is the same batch.
# ````
#
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: the CIFAR-10 recipe
# :class: tip
#
# | | |
# |---|---|
# | **Data** | 50k train / 10k test, per-pixel mean subtracted; pad 4, random 32×32 crop, horizontal flip; test on the single original view. |
# | **Optimiser** | SGD, momentum 0.9, weight decay 1e-4, batch 128, He initialisation, {term}`batch normalization · 批归一化`, no dropout. |
# | **Schedule** | lr 0.1, ÷10 at 32k and 48k, stop at 64k iterations; ResNet-110: lr 0.01 until the training error is below 80%. |
# | **In this course** | one `TrainConfig`; a *scale* changes sizes only; runs are identified by their configuration and reused by every page. |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`plain network · 普通网络 / 平原网络` ·
# {term}`residual learning · 残差学习` · {term}`degradation problem · 退化问题`
# ```
