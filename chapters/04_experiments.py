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
# 1. state the paper's CIFAR-10 recipe: data, augmentation, optimiser, schedule, ResNet-110's
#    warm-up and the test view;
# 2. read each of the paper's CIFAR-10 figures and tables against a re-run, and say what a run
#    shorter than the paper's can and cannot test.
# ```
#
# This chapter re-runs the CIFAR-10 experiments of the paper's Sec. 4.2 {cite:p}`he2016deep`, one
# page each:
#
# - {doc}`04a_fig6`: plain vs residual nets of 20–56 layers (Fig. 6);
# - {doc}`04b_table6`: ResNet-20 to ResNet-1202 (Table 6), and when depth pays;
# - {doc}`04c_fig7`: the standard deviation of layer responses (Fig. 7);
# - {doc}`04d_shortcuts`: shortcut options A, B, C on a CIFAR ResNet;
# - {doc}`04e_warmup110`: ResNet-110's learning-rate warm-up;
# - {doc}`04f_resnet1202`: what happens at 1202 layers.
#
# This page is the recipe they share. The runs on these pages are this book's, shorter than the
# paper's; Appendix A ({doc}`08_scales`) says how they are made.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import reference
from resnet_book.book import quiz, stamp
from resnet_book.engine.data import CLASSES, DeviceData, load_cifar10, make_split, random_crop_flip
from resnet_book.engine.train import LRSchedule, TrainConfig
from resnet_book.tables import markdown_table

# %% [markdown]
# ## The schedule
#
# ```{slide}
# - the paper counts iterations: one mini-batch of 128 images each
# - lr 0.1, ÷10 at 32k and 48k, stop at 64k
# - 64k was chosen on a 45k/5k train/val split
# ```
#
# The paper counts its schedule in iterations, one mini-batch of 128 images each. How long is that
# in passes over the data?

# %% tags=["remove-input"]
quiz("04_experiments", ["q20"])

# %% [markdown]
# The schedule, in the paper's words (Sec. 4.2):
#
# > We start with a learning rate of 0.1, divide it by 10 at 32k and 48k iterations, and terminate
# > training at 64k iterations, which is determined on a 45k/5k train/val split.
#
# The paper chose 64k iterations on a 45k/5k split; whether its final models then trained on 45k
# or all 50k images it does not say. This book, like most reproductions, trains on all 50k. The
# whole recipe, as the defaults of this book's `TrainConfig`:

# %% tags=["remove-input"]
cfg = TrainConfig()
R = reference.CIFAR_RECIPE
assert (cfg.batch_size, cfg.lr, cfg.momentum, cfg.weight_decay, cfg.max_iters, cfg.milestones) == (
    R["batch_size"], R["lr"], R["momentum"], R["weight_decay"], R["max_iters"], R["lr_milestones"])
k = lambda n: f"{n // 1000}k"  # noqa: E731
display(Markdown(markdown_table(["", "the paper's CIFAR-10 recipe (Sec. 4.2)"], [
    ["data", "50k training images, 10k test images; the per-pixel mean of the training images subtracted"],
    ["augmentation", f"pad {R['pad']} pixels, random 32×32 crop, random horizontal flip (training only)"],
    ["optimiser", f"SGD, momentum {cfg.momentum}, weight decay {cfg.weight_decay:g}, mini-batch {cfg.batch_size}; "
                  "He initialisation, BN, no dropout"],
    ["schedule", f"lr {cfg.lr}, ÷10 at {' and '.join(k(m) for m in cfg.milestones)}, stop at {k(cfg.max_iters)} iterations"],
    ["ResNet-110 only", f"lr {R['warmup_lr']} until the training error is below {R['warmup_until_train_error']:.0%}, then the schedule above"],
    ["test", "the single original 32×32 view of each test image"],
], align="ll")))
glue("c4_paper_epochs", cfg.max_iters * cfg.batch_size / 50_000, display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The paper's learning-rate schedule, computed by this book's `LRSchedule` from the default `TrainConfig` (solid), and ResNet-110's warm-up (dotted), drawn for a warm-up that ends after 400 iterations; in a run its end is decided during training, when the training error drops below 80%.", "name": "fig-04-schedule"}}
fig, ax = plt.subplots(figsize=(7, 2.4))
its = np.arange(cfg.max_iters)
sched = LRSchedule(cfg)
ax.step(its, [sched.lr_at(i) for i in its], where="post", color="C0", label="lr")
warm = LRSchedule(cfg.replace(warmup_lr=R["warmup_lr"]))
lrs = []
for i in its[:600]:
    lrs.append(warm.lr_at(i))
    warm.observe(i, 0.9 if i < 400 - cfg.warmup_window else 0.5)  # the warm-up ends at iteration 400
ax.plot(its[: len(lrs)], lrs, ":", color="C3", lw=2, label="ResNet-110's warm-up")
ax.set(yscale="log", xlabel="iteration", ylabel="learning rate")
ax.legend(fontsize=7, loc="lower left")
fig.tight_layout()
stamp(fig, text="Computed by resnet_book.engine.train.LRSchedule from TrainConfig; recipe of He et al. 2015, Sec. 4.2.")
plt.show()

# %% [markdown]
# ## The data pipeline
#
# ```{slide}
# - Sec. 4.2: "4 pixels are padded on each side"
# - then a random 32×32 crop, or its horizontal flip
# - inputs: the per-pixel mean subtracted
# ```
#
# The paper describes its augmentation in two lines. Before you see it applied:

# %% tags=["remove-input"]
quiz("04_experiments", ["q12"])

# %% [markdown]
# Did you predict shifted copies with black bands? Eight training images, one per row, and six
# augmented versions of each, made by the function this book's training loop calls:

# %%
data = load_cifar10()
data

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The paper's augmentation: the original image (left column), then six random 4-pixel-padded 32×32 crops with random horizontal flips. The black borders are the zero padding showing through.", "name": "fig-04-augment"}}
picks = [int(np.flatnonzero(data.y_train == c)[0]) for c in range(8)]
x = torch.from_numpy(data.x_train[picks]).permute(0, 3, 1, 2).contiguous()
g = torch.Generator().manual_seed(0)
views = [x] + [random_crop_flip(x, g) for _ in range(6)]
fig, axes = plt.subplots(len(picks), len(views), figsize=(6.2, 7.2))
for i in range(len(picks)):
    for j, v in enumerate(views):
        axes[i, j].imshow(v[i].permute(1, 2, 0).numpy())
        axes[i, j].set_xticks([]), axes[i, j].set_yticks([])
    axes[i, 0].set_ylabel(CLASSES[int(data.y_train[picks[i]])], fontsize=8)
axes[0, 0].set_title("original", fontsize=8)
for j in range(1, len(views)):
    axes[0, j].set_title(f"view {j}", fontsize=8)
fig.tight_layout()
stamp(fig, text=f"CIFAR-10 training images (data {data.fingerprint[:12]}); augmentation of He et al. 2015, Sec. 4.2.")
plt.show()

# %% [markdown]
# Every input, augmented or not, then has the per-pixel mean subtracted, the paper's only
# normalisation: a 32×32×3 image of its own, computed on the training images.

# %%
split = make_split(data, "full", train_subset=10_000, eval_subset=100)
dd = DeviceData(split, "cpu", normalize="pixel")
tuple(dd.mean.shape)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The per-pixel mean of 10,000 training images (left, contrast stretched) and its three colour channels along the middle row (right): on average the centre of a CIFAR-10 image differs a little from its border.", "name": "fig-04-mean"}}
mean = dd.mean[0].permute(1, 2, 0).numpy()
fig, axes = plt.subplots(1, 2, figsize=(6.5, 2.6))
axes[0].imshow((mean - mean.min()) / (mean.max() - mean.min()))
axes[0].set(xticks=[], yticks=[], title="per-pixel mean (contrast stretched)")
for c, col in enumerate("rgb"):
    axes[1].plot(mean[16, :, c], color=col, label="RGB"[c])
axes[1].set(xlabel="column (row 16)", ylabel="mean pixel value", title="middle row")
axes[1].legend(fontsize=7)
fig.tight_layout()
stamp(fig, text=f"Computed from {len(split.y_train):,} CIFAR-10 training images (data {data.fingerprint[:12]}).")
plt.show()

# %% [markdown]
# ### At test time

# %% tags=["remove-input"]
quiz("04_experiments", ["q1"])

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-04-1
#
# How many different training views can the paper's augmentation make of one image? Count the crop
# positions in the padded image, then the flips.
# ```
#
# ```{solution} ex-04-1
# :class: dropdown
#
# A 32×32 window in the 40×40 padded image can start at 9 positions in each direction (offsets 0
# to 8), so $9 \times 9 = 81$ crops, each with or without the flip: 162 views. In the paper's
# {glue:text}`c4_paper_epochs:.0f` epochs a training image is seen about as many times as it has
# views, but the views are drawn at random: about $162\,(1 - (1 - 1/162)^{164}) \approx 103$
# different ones, so roughly a third of the passes repeat a view already seen.
# ```
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
# | **Schedule** | lr 0.1, ÷10 at 32k and 48k, stop at 64k iterations (≈{glue:text}`c4_paper_epochs:.0f` epochs); ResNet-110: lr 0.01 until the training error is below 80%. |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`plain network · 普通网络 / 平原网络` ·
# {term}`residual learning · 残差学习` · {term}`degradation problem · 退化问题`
# ```
