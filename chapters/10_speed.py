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
#     experiments: [variants]
# ---

# %% [markdown]
# # Appendix C. Speed on a CPU
#
# The paper measures the cost of a network in multiply-adds ({cite:p}`he2016deep`, Sec. 3.3;
# {eq}`eq-05-macs`). A training step on a real machine costs time, and the two are not the same
# thing. This appendix times the ImageNet networks of Chapter 5 and the CIFAR variants of
# Chapter 6 on the CPU that builds this book, and says what a short race between networks can
# and cannot show.
#
# ```{admonition} Learning goals
# :class: note
#
# After this appendix you can
#
# 1. time one training step honestly: warm-up, the same batch, interleaved rounds, the best of them;
# 2. explain why measured time and counted multiply-adds disagree;
# 3. say what an equal-budget race of a few hundred iterations can and cannot tell;
# 4. estimate what the paper's ImageNet training would cost on your machine.
# ```

# %% tags=["remove-input"]
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import reference
from resnet_book.analysis import count_flops
from resnet_book.book import pages, stamp
from resnet_book.experiments import run_experiment
from resnet_book.experiments.report import summarize
from resnet_book.models import get_model
from resnet_book.tables import markdown_table

# %% [markdown]
# ## Timing honestly
#
# ```{slide}
# - warm up once, then time; same batch for every network
# - interleave the networks, keep the best of a few rounds
# - say the threads, the batch and the number format
# ```
#
# A step's wall time depends on the machine and on whatever else runs on it. Five rules make two
# networks' times comparable:
#
# * run one untimed step first: the first step allocates memory and chooses kernels;
# * give every network the same mini-batch (random pixels cost what real ones cost);
# * interleave the networks, A, B, C, A, B, C, …, so that a change of load hits all of them;
# * keep the best of a few rounds: other work can only add time, never remove it;
# * state the threads, the batch and the number format; the line under each figure does.
#
# A sixth follows from them: do not compare wall times recorded at different moments. A record
# keeps the wall time of its run, measured under the load of that day. The function below applies
# the rules; it times one SGD step (forward, loss, backward, update).

# %%
def step_seconds(names, size=32, classes=10, batch=32, rounds=3):
    """Best-of-`rounds` wall time (s) of one SGD step per model, interleaved; round 0 warms up."""
    torch.manual_seed(0)
    xb = torch.randn(batch, 3, size, size).to(memory_format=torch.channels_last)
    yb = torch.randint(0, classes, (batch,))
    nets = {n: get_model(n).to(memory_format=torch.channels_last).train() for n in names}
    opts = {n: torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9) for n, m in nets.items()}
    best = {n: math.inf for n in names}
    for r in range(rounds + 1):
        for n, m in nets.items():
            t0 = time.perf_counter()
            opts[n].zero_grad(set_to_none=True)
            F.cross_entropy(m(xb), yb).backward()
            opts[n].step()
            if r:
                best[n] = min(best[n], time.perf_counter() - t0)
    return best


def macs(name, size=32):
    """Multiply-adds of the forward pass for one image (the paper's "FLOPs")."""
    with torch.device("meta"):
        return count_flops(get_model(name), (3, size, size))


THREADS = torch.get_num_threads()
print(f"timing with {THREADS} thread(s), fp32, torch {torch.__version__}")

# %% [markdown]
# ## ImageNet networks: ResNet-18, 34 and 50
#
# ```{slide}
# - ResNet-50 ≈ ResNet-34 in multiply-adds
# - not in time: BN, ReLU and additions move wide maps; backward ≈ 2× forward
# ```
#
# ResNet-50 and ResNet-34 are nearly equal by the paper's count. One step of each, at 224×224 and a
# batch of 2 (the ratios between the networks are the point):

# %%
IMAGENET = ["resnet18", "resnet34", "resnet50"]
BATCH = 2
step = step_seconds(IMAGENET, size=224, classes=1000, batch=BATCH, rounds=2)
mac = {n: macs(n, 224) for n in IMAGENET}
for n in IMAGENET:
    print(f"{n}: {step[n]:.2f} s per step of {BATCH} images, {mac[n] / 1e9:.2f} G multiply-adds per image")

# %% tags=["remove-input"]
glue("c10_batch", BATCH, display=False)
glue("c10_ratio_time", step["resnet50"] / step["resnet34"], display=False)
glue("c10_ratio_macs", mac["resnet50"] / mac["resnet34"], display=False)
R = reference.IMAGENET_RECIPE
images_seen = R["max_iters"] * R["batch_size"]
glue("c10_paper_iters", R["max_iters"], display=False)
glue("c10_paper_batch", R["batch_size"], display=False)
glue("c10_images_seen_m", images_seen / 1e6, display=False)
glue("c10_years50", images_seen * step["resnet50"] / BATCH / (365 * 24 * 3600), display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "One training step measured on this build's CPU (left) against the multiply-adds of the forward pass counted from the models (right), both relative to ResNet-18. The times depend on the machine and its load; the ratios between the networks are the informative part.", "name": "fig-10-step-time"}}
labels = {"resnet18": "ResNet-18", "resnet34": "ResNet-34", "resnet50": "ResNet-50"}
fig, axes = plt.subplots(1, 2, figsize=(7, 2.6), sharey=True)
panels = (("measured step time", [step[n] / step["resnet18"] for n in IMAGENET]),
          ("counted multiply-adds", [mac[n] / mac["resnet18"] for n in IMAGENET]))
for ax, (title, values) in zip(axes, panels):
    bars = ax.bar([labels[n] for n in IMAGENET], values, color=["C2", "C0", "C4"])
    ax.bar_label(bars, fmt="%.2f×", fontsize=8)
    ax.set(title=title, ylim=(0, 1.2 * max(max(v) for _, v in panels)))
    ax.grid(axis="y", alpha=0.3)
axes[0].set_ylabel("relative to ResNet-18")
fig.tight_layout()
stamp(fig, text=f"Measured in this build: batch {BATCH}, 224×224, fp32, {THREADS} thread(s), best of 2 "
                f"interleaved rounds after one warm-up; torch {torch.__version__}.")
plt.show()

# %% [markdown]
# Here ResNet-50's step took {glue:text}`c10_ratio_time:.2f`× ResNet-34's, for
# {glue:text}`c10_ratio_macs:.2f`× the multiply-adds ({numref}`fig-10-step-time`). The count covers
# the convolutions and the FC layer of the *forward* pass. The backward pass does about twice that
# arithmetic on top. And every BN, ReLU and addition reads and writes a whole feature map: little
# arithmetic, much memory traffic. A bottleneck network has many such maps, four times wider after
# each block's last 1×1 convolution.
#
# The paper trains for {glue:text}`c10_paper_iters:,` iterations of {glue:text}`c10_paper_batch`
# images, {glue:text}`c10_images_seen_m:.1f` million images. At the speed just measured, ResNet-50
# would need about {glue:text}`c10_years50:.1f` years on this CPU. The same code trains on GPUs;
# the project's `benchmarks/README.md` records what bf16 arithmetic, two runs at one thread each
# and `torch.compile` change on this CPU.

# %% [markdown]
# ## CIFAR variants: a stopwatch
#
# ```{slide}
# - five networks at most ResNet-56's multiply-adds
# - time ÷ multiply-adds differs by architecture
# ```
#
# Chapter 6 counts the variants; here five small ones, each at most ResNet-56's multiply-adds, are
# timed on the same batch of 32 images:

# %%
LIVE = ["resnet56", "preact_resnet56", "wrn16_2", "resnext29_8x4d_narrow", "densenet_bc28_12"]
NAMES = {"resnet56": "ResNet-56", "preact_resnet56": "pre-act ResNet-56", "wrn16_2": "WRN-16-2",
         "resnext29_8x4d_narrow": "ResNeXt-29 8×4d narrow", "densenet_bc28_12": "DenseNet-BC-28"}
speed = step_seconds(LIVE, batch=32)
cifar_macs = {n: macs(n) for n in LIVE}
rows = []
for n in LIVE:
    m_pct, t_pct = 100 * cifar_macs[n] / cifar_macs["resnet56"], 100 * speed[n] / speed["resnet56"]
    rows.append([NAMES[n], f"{1000 * speed[n]:.0f}", f"{cifar_macs[n] / 1e6:.1f}", f"{m_pct:.0f}", f"{t_pct:.0f}",
                 f"{t_pct / m_pct:.2f}"])
display(Markdown(markdown_table(["network", "ms per step", "multiply-adds (M)", "MACs, % of ResNet-56",
                                 "time, % of ResNet-56", "time share ÷ MACs share"], rows, align="lrrrrr")))

# %% [markdown]
# Measured when this page ran: batch 32, 32×32, fp32, best of 3 interleaved rounds. The last column
# is 1 where a network's time is what its multiply-adds predict. The usual reasons for other values:
# grouped convolutions run below the speed of ordinary ones; wide maps make the memory-bound BN and
# ReLU costlier; concatenation copies tensors; a few large convolutions keep the arithmetic units
# busy. On a GPU the proportions change again: measure on the hardware you will use.

# %% [markdown]
# ## A race: what 300 iterations can show
#
# ```{slide}
# - same recipe, data, order and seed; only the architecture differs
# - can show: every net trains, how fast it leaves chance level
# - cannot show: the papers' rankings after long schedules
# ```
#
# The same five networks can be trained with one recipe: the paper's Sec. 4.2 at the quick scale
# (300 iterations of 32 images on a 10k subset), the same data in the same order, one seed. What
# such a race **can** show: whether every network trains from the same start without diverging,
# and how fast each leaves chance level (90% error) in its first epoch. What it **cannot** show:
# the papers' rankings. Those are about the end of long schedules, where regularisation,
# overfitting and the width-versus-depth trade-off decide, and where differences of half a point
# need several seeds. A network ahead after one epoch can be behind after two hundred. Treat the
# race as a smoke test with a stopwatch. It takes several minutes on one thread, so it runs when
# you ask for it (set `RUN = True`); the site's build runs it.

# %%
RUN = pages.live_runs()  # about 1-2 min per network on one thread (5 networks)
if RUN:
    records = run_experiment("variants", runs=LIVE, progress=False)
else:
    records = []
    print('Not trained now. To run the race: RUN = True, or python -m resnet_book run variants --scale quick')

# %% tags=["hide-input"]
if records:
    fig, (ax_tr, ax_te) = plt.subplots(1, 2, figsize=(9.6, 3.6), sharey=True)
    for rec, c in zip(records, ("0.2", "C0", "C1", "C2", "C3")):
        h = rec["history"]
        ax_tr.plot(h["iters"], 100 * np.array(h["train_error"]), color=c, lw=1.2, label=NAMES[rec["label"]])
        ax_te.plot(h["eval_iters"], 100 * np.array(h["eval_error"]), "-o", color=c, lw=1.8, ms=3)
    ax_tr.set(xlabel="iteration", ylabel="error (%)", title="training error (mini-batches)")
    ax_te.set(xlabel="iteration", title="test error")
    for a in (ax_tr, ax_te):
        a.axhline(90, color="0.6", ls=":", lw=1)
        a.grid(alpha=0.3)
    ax_tr.legend(fontsize=7)
    fig.tight_layout()
    stamp(fig, records)
    plt.show()

# %% tags=["hide-input"]
if records:
    summary = {r["label"]: r for r in summarize(records)}
    n_eval = int(records[0]["config"]["eval_subset"])
    rows = []
    for n in sorted(LIVE, key=lambda n: summary[n]["eval_error"]):
        e = summary[n]["eval_error"]
        half = 1.96 * 100 * math.sqrt(e / 100 * (1 - e / 100) / n_eval)  # binomial, test images only
        rows.append([NAMES[n], f"{summary[n]['train_error']:.1f}", f"{e:.1f} ± {half:.1f}"])
    display(Markdown(markdown_table(["network", "train error % (last 10%)",
                                     f"test error % on {n_eval:,} images (± 1.96 SE)"], rows, align="lrr")))
    display(Markdown(pages.paper_scale_note("variants")))

# %% [markdown]
# When the race has run, read its table with the interval in mind: two networks whose intervals
# overlap are not separated, and the interval leaves out the seed-to-seed spread, which is often
# larger.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-10-1
#
# Time ResNet-50 at a larger batch (`step_seconds(["resnet50"], size=224, classes=1000, batch=16)`)
# and compute the time *per image* at batch 2 and at batch 16. Does a bigger batch make each image
# cheaper on this CPU? What would you expect on a GPU, and why?
# ```
#
# ````{solution} ex-10-1
# :class: dropdown
#
# ```python
# {b: step_seconds(["resnet50"], size=224, classes=1000, batch=b)["resnet50"] / b for b in (2, 16)}
# ```
#
# On a CPU the time per image usually changes much less than on a GPU: the convolutions of one
# 224×224 image already keep a few cores busy, so a bigger batch mostly makes the step longer. A GPU
# has thousands of arithmetic units, and a batch of a few images leaves most of them idle: there the
# time per image falls steeply with the batch, until the GPU is saturated or its memory is full. The
# paper trains with mini-batches of 256 (the authors' model release notes: on 8 GPUs, 32 images
# each; the paper does not say).
# ````
#
# ```{exercise}
# :label: ex-10-2
#
# **Add a sixth runner.** The `variants` experiment also holds SE-ResNet-56. Time it with
# `step_seconds(["resnet56", "se_resnet56"])` and predict its time from its multiply-adds. Then run
# the race with it (`run_experiment("variants", runs=["resnet56", "se_resnet56"])`, a few CPU
# minutes). What would convince you that SE helps?
# ```
#
# ```{solution} ex-10-2
# :class: dropdown
#
# SE adds under 1% of parameters and almost no multiply-adds, so its multiply-adds predict
# almost ResNet-56's time. Expect more: the squeeze reads every map once more and the scaling writes
# it again (memory traffic, not arithmetic); your measurement says how much. In the race, whatever the sign of the difference after 300 iterations, one seed
# on 2,000 test images cannot settle it. To be convinced you would want several seeds per model
# (`seeds=[0, 1, 2]`, then `summarize`), a full schedule, and a difference larger than the
# seed-to-seed spread, which is what the SE paper's long runs report.
# ```
#
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: speed on a CPU
# :class: tip
#
# | question | answer |
# |---|---|
# | what the paper counts | {term}`multiply-adds (FLOPs) · 乘加运算量（FLOPs）` of the forward pass |
# | what a step costs | forward + backward (≈ 2× forward) + the memory traffic of BN, ReLU, additions |
# | how to time it | warm up, same batch, interleave, best of a few rounds, state threads and format |
# | what a short race shows | that every network trains and leaves chance level; not the final ranking |
#
# **In one sentence:** count multiply-adds to compare designs, time steps to plan runs, and never
# rank architectures by a few hundred iterations. ⏱️
# ```
