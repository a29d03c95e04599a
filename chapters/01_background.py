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
# # Background: why deeper was not better
#
# ```{admonition} Learning goals
# :class: tip
#
# After this chapter you can
#
# 1. say why "more layers" was *the* trend of 2012–2015, and what the first obstacle to it was;
# 2. measure, in a few lines of PyTorch, how a signal vanishes through a deep plain stack, and how
#    He initialisation and batch normalization keep it alive;
# 3. read the paper's Fig. 1 like a researcher: which curve to look at first, and why *higher
#    training error* rules out overfitting;
# 4. state the construction argument (a deeper net can copy a shallower one) and show it with real
#    networks;
# 5. explain why the paper thinks the remaining difficulty is *not* vanishing gradients, which is
#    the question Chapter 2 answers.
# ```
#
# The paper opens with a deceptively simple question {cite:p}`he2016deep` (Sec. 1):
#
# > Driven by the significance of depth, a question arises: Is learning better networks as easy as
# > stacking more layers?
#
# Spoiler: no, and the way it fails is surprising. This chapter collects the evidence, partly from
# the paper and partly from experiments you run yourself.

# %% tags=["remove-input"]
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display
from myst_nb import glue
from torch import nn

from resnet_book import reference
from resnet_book.book import pages
from resnet_book.book import quiz, stamp

# %% [markdown]
# ## Depth was the trend
#
# Between 2012 and 2015 the ImageNet winners kept getting deeper. Why would anyone expect that to help?

# %% tags=["remove-input"]
quiz("01_background", ["q9"])

# %% [markdown]
# Did you pick *features built on features*? That is the whole appeal of depth. AlexNet
# {cite:p}`krizhevsky2012imagenet` had 8 weight layers, VGG {cite:p}`simonyan2015very` 16 or 19,
# GoogLeNet {cite:p}`szegedy2015going` 22. More layers let a network build features on top of
# features, from edges to parts to objects, and the deeper entries kept winning (the other options
# of the question fail on facts: depth adds parameters, and, as the next section shows, it makes
# training *harder*, not easier). The ResNet paper went
# all the way to {glue:text}`resnet_max_depth:d` layers on ImageNet ({numref}`fig-01-depth`).

# %% tags=["remove-input"]
# Layer counts (layers with weights) as stated in each architecture's own paper; ResNet's deepest
# ImageNet model comes from reference.TABLE1 (He et al. 2015, Table 1).
resnet_max_depth = max(reference.TABLE1["blocks"])
DEPTHS = [  # (name, year, weight layers)
    ("AlexNet", 2012, 8), ("VGG-16", 2014, 16), ("VGG-19", 2014, 19),
    ("GoogLeNet", 2014, 22), (f"ResNet-{resnet_max_depth}", 2015, resnet_max_depth),
]
glue("resnet_max_depth", resnet_max_depth, display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Depth of landmark ImageNet networks (layers with weights). The ResNet paper's deepest ImageNet model is far deeper than anything before it: that jump is what this course is about.", "name": "fig-01-depth"}}
fig, ax = plt.subplots(figsize=(6.4, 2.8))
names = [f"{n}\n({y})" for n, y, _ in DEPTHS]
vals = [d for *_, d in DEPTHS]
bars = ax.bar(names, vals, color=["0.6"] * (len(DEPTHS) - 1) + ["C3"])
for b, v in zip(bars, vals):
    ax.text(b.get_x() + b.get_width() / 2, v + 2, str(v), ha="center", va="bottom", fontsize=9)
ax.set_ylabel("weight layers")
ax.set_ylim(0, max(vals) * 1.15)
ax.spines[["top", "right"]].set_visible(False)
fig.tight_layout()
stamp(fig, text="Source: Krizhevsky et al. 2012; Simonyan & Zisserman 2015; Szegedy et al. 2015; "
                "He et al. 2015, Table 1")
plt.show()

# %% [markdown]
# ## The first wall: vanishing and exploding gradients
#
# Stacking layers used to fail right at the start of training. Before you read why, predict it.

# %% tags=["remove-input"]
quiz("01_background", ["q10"])

# %% [markdown]
# The paper names the culprit and the cure in two sentences {cite:p}`he2016deep` (Sec. 1):
#
# > An obstacle to answering this question was the notorious problem of vanishing/exploding
# > gradients [1, 9], which hamper convergence from the beginning.
#
# > This problem, however, has been largely addressed by normalized initialization [23, 9, 37, 13]
# > and intermediate normalization layers [16], which enable networks with tens of layers to start
# > converging for stochastic gradient descent (SGD) with backpropagation [22].
#
# [13] is He initialisation {cite:p}`he2015delving`, [16] is batch normalization
# {cite:p}`ioffe2015batch`; the problem itself was analysed long before
# {cite:p}`bengio1994learning,glorot2010understanding`.
#
# **Why signals vanish, in one line.** Take a layer $y_l = W_l x_l$ with $x_l = \mathrm{ReLU}(y_{l-1})$,
# $n$ inputs and weights of variance $\operatorname{Var}[w]$. A ReLU keeps half of a symmetric
# signal's energy, so {cite:p}`he2015delving`
#
# $$
# \operatorname{Var}[y_l] \;=\; \underbrace{\tfrac{1}{2}\, n \operatorname{Var}[w]}_{\text{gain per layer}}\;\operatorname{Var}[y_{l-1}] .
# $$ (eq-01-gain)
#
# Every layer multiplies the variance by the same gain: after $L$ layers by $\text{gain}^L$. So if
# you predicted that the signal shrinks by the same factor at every layer, exponentially in the
# depth, you were right, and the factor is easy to compute. A gain
# of 0.9 sounds harmless; to the power 50 it is a disaster. The backward pass obeys the same kind of
# product, so gradients shrink (gain below 1) or blow up (gain above 1) exponentially with depth.
# *He initialisation* simply picks $\operatorname{Var}[w] = 2/n$, so that the gain in
# {eq}`eq-01-gain` is exactly 1.
#
# Let's build a deep **plain** stack (no shortcuts; the word matters later) and watch it. Building
# it is the lesson, so here it is in full: 50 layers of `Linear → (BatchNorm) → ReLU`, width 256.

# %%
WIDTH, DEPTH = 256, 50


def make_stack(init="naive", bn=False, depth=DEPTH, width=WIDTH, seed=1):
    """A plain stack: `depth` x [Linear -> (BatchNorm) -> ReLU], no shortcuts. float64 (see below)."""
    torch.manual_seed(seed)
    layers = []
    for _ in range(depth):
        linear = nn.Linear(width, width, bias=False)
        std = 0.01 if init == "naive" else math.sqrt(2 / width)  # "small random numbers" vs He init
        nn.init.normal_(linear.weight, mean=0.0, std=std)
        layers += [linear, nn.BatchNorm1d(width), nn.ReLU()] if bn else [linear, nn.ReLU()]
    return nn.Sequential(*layers).double()


torch.manual_seed(0)
x = torch.randn(256, WIDTH, dtype=torch.float64)  # a batch of 256 random inputs...
y = torch.randint(0, 10, (256,))                   # ...with random labels of 10 classes
head = nn.Linear(WIDTH, 10).double()               # one shared classifier on top
make_stack()(x).shape

# %% [markdown]
# We measure at initialisation, before any learning: forward, the standard deviation of every
# layer's output $h_l$; backward, the norm of the gradient of the loss with respect to that output,
# $\lVert \partial \mathcal{L} / \partial h_l \rVert$ (the signal that reaches layer $l$'s weights).
# We compute in float64, for a reason you will see in a moment.

# %%
def probe(stack):
    """Per layer: std of the output h_l (forward) and ||dLoss/dh_l|| (backward); also ||dLoss/dW_l||."""
    outputs, h = [], x
    for module in stack:
        h = module(h)
        if isinstance(module, nn.ReLU):
            h.retain_grad()
            outputs.append(h)
    loss = nn.functional.cross_entropy(head(h), y)
    head.zero_grad()
    loss.backward()
    return {
        "forward": np.array([o.std().item() for o in outputs]),
        "backward": np.array([o.grad.norm().item() for o in outputs]),
        "weight_grad": np.array([m.weight.grad.norm().item() for m in stack if isinstance(m, nn.Linear)]),
    }


SETTINGS = {
    "naive init N(0, 0.01²)": dict(init="naive"),
    "He init N(0, 2/n)": dict(init="he"),
    "naive init + BatchNorm": dict(init="naive", bn=True),
}
signal = {name: probe(make_stack(**kw)) for name, kw in SETTINGS.items()}
for name, s in signal.items():
    print(f"{name:24s} std(h_1)={s['forward'][0]:.1e}  std(h_50)={s['forward'][-1]:.1e}   "
          f"|grad h_1|={s['backward'][0]:.1e}  |grad h_50|={s['backward'][-1]:.1e}")

# %% tags=["remove-input"]
naive, he, bnorm = (signal[k] for k in SETTINGS)
gain_naive = math.sqrt(0.5 * WIDTH * 0.01 ** 2)
glue("gain_naive_var", 0.5 * WIDTH * 0.01 ** 2, display=False)
glue("gain_naive", gain_naive, display=False)
glue("depth", DEPTH, display=False)
glue("width", WIDTH, display=False)
glue("naive_fwd_last", float(naive["forward"][-1]), display=False)
glue("naive_fwd_first", float(naive["forward"][0]), display=False)
glue("naive_fwd_decades", float(math.log10(naive["forward"][0] / naive["forward"][-1])), display=False)
glue("naive_bwd_first", float(naive["backward"][0]), display=False)
glue("naive_bwd_last", float(naive["backward"][-1]), display=False)
glue("naive_bwd_decades", float(math.log10(naive["backward"][-1] / naive["backward"][0])), display=False)
glue("naive_wgrad_max", float(naive["weight_grad"].max()), display=False)
naive_pred_last = naive["forward"][0] * gain_naive ** (DEPTH - 1)  # eq-01-gain, applied 49 times
glue("naive_pred_last", float(naive_pred_last), display=False)
glue("naive_pred_ratio", float(max(naive_pred_last, naive["forward"][-1]) / min(naive_pred_last, naive["forward"][-1])),
     display=False)
glue("naive_200_decades", -200 * math.log10(gain_naive), display=False)
glue("he_fwd_last", float(he["forward"][-1]), display=False)
glue("he_fwd_first", float(he["forward"][0]), display=False)
glue("he_bwd_ratio", float(he["backward"][0] / he["backward"][-1]), display=False)
glue("bn_fwd_min", float(bnorm["forward"].min()), display=False)
glue("bn_fwd_max", float(bnorm["forward"].max()), display=False)
glue("bn_bwd_growth", float(bnorm["backward"][0] / bnorm["backward"][-1]), display=False)
glue("bn_bwd_per_layer", float((bnorm["backward"][0] / bnorm["backward"][-1]) ** (1 / (DEPTH - 1))), display=False)
glue("bn_bwd_decades", float(math.log10(bnorm["backward"][0] / bnorm["backward"][-1])), display=False)
# The same naive stack in float32, PyTorch's default precision:
with torch.no_grad():
    out32 = make_stack(init="naive").float()(x.float())
glue("naive_f32_max", out32.abs().max().item(), display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Signal propagation at initialisation through a 50-layer plain stack (width 256, random inputs and labels, float64). Left: standard deviation of each layer's output. Right: norm of the loss gradient with respect to each layer's output (backpropagation runs from right to left). Log scale: every grid line is a factor of 10.", "name": "fig-01-signal"}}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharex=True)
layers = np.arange(1, DEPTH + 1)
styles = {"naive init N(0, 0.01²)": ("C3", "-"), "He init N(0, 2/n)": ("C0", "-"),
          "naive init + BatchNorm": ("C2", "--")}
for name, s in signal.items():
    c, ls = styles[name]
    axes[0].semilogy(layers, s["forward"], ls, color=c, label=name)
    axes[1].semilogy(layers, s["backward"], ls, color=c, label=name)
axes[0].set(title="forward: std of layer output $h_l$", xlabel="layer $l$", ylabel="std (log)")
axes[1].set(title=r"backward: $\|\partial\mathcal{L}/\partial h_l\|$", xlabel="layer $l$", ylabel="norm (log)")
axes[0].legend(fontsize=8, loc="lower left")
for a in axes:
    a.grid(True, which="major", alpha=0.3)
fig.tight_layout()
stamp(fig, text="Source: measured in this chapter (toy stack built above, seed 1, CPU); not from the paper.")
plt.show()

# %% [markdown]
# Read {numref}`fig-01-signal` from left to right, then right to left.
#
# - **Naive init** (red). The variance gain of {eq}`eq-01-gain` is
#   $\tfrac12 \cdot$ {glue:text}`width:d` $\cdot\, 0.01^2 =$ {glue:text}`gain_naive_var:.4f`, so each
#   layer multiplies the standard deviation by {glue:text}`gain_naive:.3f`. The forward signal falls
#   from {glue:text}`naive_fwd_first:.1e` at layer 1 to {glue:text}`naive_fwd_last:.1e` at layer
#   {glue:text}`depth:d`: about {glue:text}`naive_fwd_decades:.0f` orders of magnitude. The backward
#   signal dies the other way round, from {glue:text}`naive_bwd_last:.1e` at the top to
#   {glue:text}`naive_bwd_first:.1e` at layer 1. A weight's gradient needs *both* (its input from
#   below, its error signal from above), so every layer's weight gradient is at most
#   {glue:text}`naive_wgrad_max:.0e`. SGD has literally nothing to work with. And that is why we used
#   float64: in float32, PyTorch's default, the largest output of this stack is
#   {glue:text}`naive_f32_max:.1f`. Not small: *zero*.
# - **He init** (blue). Gain 1 by design: the output std goes from {glue:text}`he_fwd_first:.2f` to
#   {glue:text}`he_fwd_last:.2f`, and the backward signal at layer 1 is
#   {glue:text}`he_bwd_ratio:.1f` times the one at the top. Boring, which is exactly what we want.
# - **Naive init + BatchNorm** (green). BN re-normalises every layer's output over the mini-batch,
#   so the bad weight scale no longer matters forward: the std stays between
#   {glue:text}`bn_fwd_min:.2f` and {glue:text}`bn_fwd_max:.2f`. Backward, the signal does not
#   vanish either. It is not perfectly flat: it *grows* toward the input by a factor of
#   {glue:text}`bn_bwd_per_layer:.2f` per layer, {glue:text}`bn_bwd_growth:,.0f` over the whole
#   stack (about {glue:text}`bn_bwd_decades:.0f` orders of magnitude, against
#   {glue:text}`naive_bwd_decades:.0f` for the naive stack). Keep that honest footnote in mind; it
#   matters again in {ref}`ex-01-1`.
#
# So by 2015 the first wall had a door in it: with He initialisation and BN, networks with tens of
# layers *start* converging. The paper's plain nets use both.

# %% tags=["remove-input"]
quiz("01_background", ["q2"])

# %% [markdown]
# ## The second wall: degradation
#
# With the first wall gone, the authors stacked more layers and hit a second one.

# %% tags=["remove-input"]
quiz("01_background", ["q11"])

# %% [markdown]
# Here is what they found {cite:p}`he2016deep` (Sec. 1):
#
# > When deeper networks are able to start converging, a degradation problem has been exposed: with
# > the network depth increasing, accuracy gets saturated (which might be unsurprising) and then
# > degrades rapidly.
#
# > Unexpectedly, such degradation is not caused by overfitting, and adding more layers to a
# > suitably deep model leads to higher training error, as reported in [11, 42] and thoroughly
# > verified by our experiments.
#
# Did you pick the 56-layer net? Then you predicted the paper's surprise. Did you add "because it
# overfits"? That is the trap this section takes apart: overfitting would show as a *lower* training
# error, and the paper reports a higher one. The evidence is the paper's Fig. 1: a 20-layer and a 56-layer *plain* network on CIFAR-10, trained
# with the same recipe (He init, BN, SGD). We re-run it now, at the book's *quick* scale: the same
# networks and recipe shape, but far fewer iterations on a CPU-sized subset of the data. The first
# call trains both nets (a few minutes at most on a laptop CPU); later calls, on any page, reuse the
# records.

# %%
from resnet_book.experiments import run_experiment
from resnet_book.experiments.report import report

records = run_experiment("fig1", progress=False)
[(r["label"], r["final"]["iterations"]) for r in records]

# %% tags=["remove-input"]
by_label = {r["label"]: r for r in records}
p20, p56 = by_label["plain20"], by_label["plain56"]
cfg = p20["config"]
glue("q_iters", cfg["max_iters"], display=False)
glue("q_batch", cfg["batch_size"], display=False)
glue("q_subset", cfg["train_subset"], display=False)
glue("q_eval_subset", cfg["eval_subset"], display=False)
glue("q_p20_train", 100 * p20["final"]["train_error"], display=False)
glue("q_p56_train", 100 * p56["final"]["train_error"], display=False)
glue("q_p20_test", 100 * p20["final"]["eval_error"], display=False)
glue("q_p56_test", 100 * p56["final"]["eval_error"], display=False)
glue("q_gap_train", 100 * (p56["final"]["train_error"] - p20["final"]["train_error"]), display=False)
glue("q_gap_test", 100 * (p56["final"]["eval_error"] - p20["final"]["eval_error"]), display=False)
glue("q_p20_gen", 100 * abs(p20["final"]["train_error"] - p20["final"]["eval_error"]), display=False)
glue("q_p56_gen", 100 * abs(p56["final"]["train_error"] - p56["final"]["eval_error"]), display=False)
paper_plain = reference.FIG6["plain_test_error_read_from_plot"]
glue("paper_p20_test", paper_plain[20], display=False)
glue("paper_p56_test", paper_plain[56], display=False)
glue("paper_gap_test", paper_plain[56] - paper_plain[20], display=False)
glue("paper_iters", reference.CIFAR_RECIPE["max_iters"], display=False)
glue("paper_batch", reference.CIFAR_RECIPE["batch_size"], display=False)
glue("plain110_claim", Markdown(reference.FIG6["claims"][1]), display=False)  # used in Exercise ex-01-2
PLAIN110_CLAIM_ZH = {"Plain-110 has more than 60% training error (text of Sec. 4.2).":
                     "plain-110 的训练误差超过 60%（见 Sec. 4.2 正文）。"}
glue("plain110_claim_zh", Markdown(PLAIN110_CLAIM_ZH.get(reference.FIG6["claims"][1], reference.FIG6["claims"][1])),
     display=False)  # Chinese twin (falls back to the English claim if reference.py changes)
mid = len(p20["history"]["eval_iters"]) // 2
glue("q_mid_iter", p20["history"]["eval_iters"][mid], display=False)
glue("q_p20_mid_eval", 100 * p20["history"]["eval_error"][mid], display=False)
glue("q_p56_mid_eval", 100 * p56["history"]["eval_error"][mid], display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The degradation problem re-run at the quick scale (paper Fig. 1 style). Left: training error (dashed; each point is the error on the augmented mini-batches of a window of 10 iterations, as the paper plots it). Right: test error (solid, on a stratified test subset, evaluated 5 times). Same recipe for both nets; only the depth differs.", "name": "fig-01-degradation"}}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
pages.plot_fig1(axes, records)
fig.tight_layout()
stamp(fig, records)
plt.show()

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The paper's side, paper (full training): test error of the same two plain nets at the end of the full recipe. The paper only plots these curves (Fig. 1 and Fig. 6, left); the values are a third-party reading of the plot, approximate to about half a point.", "name": "fig-01-paper"}}
fig, ax = plt.subplots(figsize=(4.2, 2.8))
bars = ax.bar(["plain-20", "plain-56"], [paper_plain[20], paper_plain[56]], color=["C0", "C3"], width=0.55)
for b in bars:
    ax.text(b.get_x() + b.get_width() / 2, b.get_height() + 0.2, f"≈{b.get_height():.1f}",
            ha="center", va="bottom", fontsize=9)
ax.set(ylabel="test error (%)", title=f"paper (full training, {reference.CIFAR_RECIPE['max_iters']:,} iterations)")
ax.set_ylim(0, max(paper_plain.values()) * 1.25)
ax.title.set_fontsize(9)
ax.spines[["top", "right"]].set_visible(False)
fig.tight_layout()
stamp(fig, text="Source: He et al. 2015, Fig. 6 (read from the plot by a third party)")
plt.show()

# %% [markdown]
# And the book's standard table, the paper's number beside ours with full provenance:

# %% tags=["remove-input"] mystnb={"markdown_format": "gfm"}
display(Markdown(report("fig1", records)))

# %% [markdown]
# ### Reading the figure like a researcher
#
# **What is on the axes.** Iterations (mini-batch updates) on *x*; classification error in percent
# on *y*. Chance level for ten classes is the dotted line. The left panel is measured on the
# mini-batches the network is trained on; the right one on images it never sees.
#
# **Look at the training error first.** At the end of our runs ({glue:text}`q_iters:,` iterations),
# plain-20's training error is {glue:text}`q_p20_train:.1f`% and plain-56's is
# {glue:text}`q_p56_train:.1f`%: the deeper net is {glue:text}`q_gap_train:.1f` points *worse on
# the data it is being trained on*. Its test error is worse by {glue:text}`q_gap_test:.1f` points
# ({glue:text}`q_p20_test:.1f`% vs {glue:text}`q_p56_test:.1f`%). The paper's caption says exactly
# this {cite:p}`he2016deep` (Fig. 1):
#
# > Training error (left) and test error (right) on CIFAR-10 with 20-layer and 56-layer “plain”
# > networks. The deeper network has higher training error, and thus test error.
#
# **Why this rules out overfitting.** Overfitting means fitting the training data *too well* and
# generalising worse: low training error, high test error, a big gap between the two. Here the
# deeper net fits its training data *worse*, and for both nets training and test error are close
# (differences of {glue:text}`q_p20_gen:.1f` and {glue:text}`q_p56_gen:.1f` points). The test error
# is bad *because* the training error is bad. Whatever is wrong happens during optimisation.
#
# **What would have falsified the claim.** If plain-56 had reached *lower* training error than
# plain-20 but higher test error, that would be plain overfitting: no new problem. If it had
# reached lower error on both, deeper would simply be better. The paper's claim survives only
# because the deeper net's *training* error is higher, and that is the observation our run repeats.
#
# **Be honest about the scale.** Our runs stop after {glue:text}`q_iters:,` iterations of batch
# {glue:text}`q_batch:d` on {glue:text}`q_subset:,` training images; the paper trains for
# {glue:text}`paper_iters:,` iterations of batch {glue:text}`paper_batch:d` on all of them. So our
# errors are nowhere near the paper's ({glue:text}`paper_p20_test:.1f`% and
# {glue:text}`paper_p56_test:.1f`% test error, {numref}`fig-01-paper`), and our gap is much larger
# than the paper's {glue:text}`paper_gap_test:.1f` points. What we reproduce is the *ordering* and
# *where it shows*: early in training, the deeper net's error stays near chance much longer
# (halfway through the run, at iteration {glue:text}`q_mid_iter:d`, plain-56's test error is
# {glue:text}`q_p56_mid_eval:.1f`% against plain-20's {glue:text}`q_p20_mid_eval:.1f`%). One seed
# and one short schedule cannot tell "slower" from "stuck"; the paper's full runs show the gap
# persists to the end of training. That the deep plain net is *slow* is a clue we pick up again
# below.
#
# ### The same two nets, trained on all the data
#
# So this book also trained both nets once at its *cpu scale*: the paper's recipe on all 50,000
# training images for {glue:text}`c1_cpu_iters:,` iterations (about {glue:text}`c1_cpu_epochs:.0f`
# epochs, where the paper trains for {glue:text}`c1_paper_epochs:.0f`), tested on all 10,000 test
# images. Those runs take hours on a laptop CPU, so the page reads their committed records instead
# of training them again:

# %%
from resnet_book import experiments as ex
from resnet_book.engine.train import TrainConfig

cpu = pages.cpu_records("fig1")
sorted(r["label"] for r in cpu)

# %% tags=["remove-input"]
display(Markdown(pages.cpu_scale_note("fig1", cpu)))
by_cpu = {r["label"]: r for r in cpu}
c_train = {k: 100 * r["final"]["train_error"] for k, r in by_cpu.items()}
c_test = {k: 100 * r["final"]["eval_error"] for k, r in by_cpu.items()}
cpu_cfg = TrainConfig().replace(**ex.CPU_SCALE)
glue("c1_cpu_iters", cpu_cfg.max_iters, display=False)
glue("c1_cpu_epochs", cpu_cfg.max_iters * cpu_cfg.batch_size / 50_000, display=False)
glue("c1_paper_epochs", reference.CIFAR_RECIPE["max_iters"] * reference.CIFAR_RECIPE["batch_size"] / 50_000,
     display=False)
for key, errs in (("train", c_train), ("test", c_test)):
    for net in ("plain20", "plain56"):
        glue(f"c1_{net[5:]}_{key}", Markdown(pages.pct_or_dash(errs, net)), display=False)
    en, zh = pages.order_words(errs.get("plain56"), errs.get("plain20"))
    glue(f"c1_{key}_word", Markdown(en), display=False)
    glue(f"c1_{key}_word_zh", Markdown(zh), display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Fig. 1 at this book's cpu scale: the same two plain nets and recipe on all 50k training images with a shortened schedule, tested on all 10k test images (committed records; a net that is not trained yet is missing). Left: training error (dashed, on the augmented mini-batches); right: test error (solid).", "name": "fig-01-cpu"}}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
pages.plot_fig1(axes, cpu, chance=False)
fig.tight_layout()
stamp(fig, cpu)
plt.show()

# %% [markdown]
# At this scale plain-56's training error ends {glue:md}`c1_train_word` plain-20's
# ({glue:md}`c1_56_train`% vs {glue:md}`c1_20_train`%), and its test error ends
# {glue:md}`c1_test_word` plain-20's ({glue:md}`c1_56_test`% vs {glue:md}`c1_20_test`%); a "-"
# marks a run not trained yet. Read it like the quick run: the training error first. This run is
# about a tenth of the paper's length, one seed, on this book's JPEG-derived copy of the images, so
# it can confirm or contradict the *ordering*, not the paper's values. You can reproduce it on
# your own machine with the command in the note above.

# %% tags=["remove-input"]
quiz("01_background", ["q1", "q6", "q5"])

# %% [markdown]
# ## The construction argument: the deeper net is not the problem
#
# Here is the paper's cleanest piece of reasoning, as a thought experiment for you first.

# %% tags=["remove-input"]
quiz("01_background", ["q12"])

# %% [markdown]
# The paper states it in two sentences {cite:p}`he2016deep` (Sec. 1):
#
# > There exists a solution by construction to the deeper model: the added layers are identity
# > mapping, and the other layers are copied from the learned shallower model.
#
# > The existence of this constructed solution indicates that a deeper model should produce no
# > higher training error than its shallower counterpart.
#
# In words: take the trained plain-20, insert layers that do nothing (an
# {term}`identity mapping · 恒等映射`), and you have a 56-layer plain network with *exactly*
# plain-20's training error: the answer to the question above. Not higher (nothing degrades in a
# net built by hand), not lower (layers that do nothing add nothing), and not near chance (the added
# layers need no training). So the best plain-56 is at least as good as plain-20. If SGD hands us a worse plain-56, the
# architecture is not to blame: the optimiser is.
#
# We don't have to take this on faith. A plain-56 has the same three stages as a plain-20, just 9
# blocks per stage instead of 3. Each block is the book's `BasicBlock` with `plain=True`, that is
# `conv → BN → ReLU → conv → BN → ReLU` with no shortcut (the shortcut branch is Chapter 2's story):
#
# ```{literalinclude} ../src/resnet_book/models/blocks.py
# :pyobject: BasicBlock.forward
# ```
#
# A block becomes the identity if each 3×3 convolution passes every channel through unchanged (a kernel
# that is 1 at the centre of its own channel and 0 elsewhere), each BN (in evaluation mode) is set
# to do nothing, and... the ReLUs? They see the output of an earlier ReLU, which is never negative,
# so they do nothing either. Let's build it from our trained plain-20.

# %%
from resnet_book.experiments import trained_model
from resnet_book.models import get_model


def identity_block_(block):
    """Turn a plain BasicBlock (conv-BN-ReLU-conv-BN-ReLU) into the identity, in place (eval mode)."""
    with torch.no_grad():
        for conv, bn in ((block.conv1, block.bn1), (block.conv2, block.bn2)):
            c = conv.weight.shape[0]
            conv.weight.zero_()
            conv.weight[torch.arange(c), torch.arange(c), 1, 1] = 1.0  # centre tap, own channel: copy the input
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0)
            bn.weight.fill_(math.sqrt(1.0 + bn.eps))     # cancels BN's division by sqrt(var + eps)
            bn.bias.zero_()


def deepen(shallow, deep_name="plain56"):
    """A deeper plain net: the shallow net's layers, then identity blocks to fill each stage."""
    deep = get_model(deep_name)
    deep.conv1.load_state_dict(shallow.conv1.state_dict())
    deep.bn1.load_state_dict(shallow.bn1.state_dict())
    deep.fc.load_state_dict(shallow.fc.state_dict())
    for stage in ("layer1", "layer2", "layer3"):
        copied, target = getattr(shallow, stage), getattr(deep, stage)
        for i, block in enumerate(target):
            if i < len(copied):
                block.load_state_dict(copied[i].state_dict())  # copied from the learned shallower model
            else:
                identity_block_(block)                        # the added layers are identity mapping
    return deep.eval()


plain20 = trained_model(p20)
constructed56 = deepen(plain20)
trained56 = trained_model(p56)
sum(isinstance(m, nn.Conv2d) for m in constructed56.modules()) + 1  # conv layers + fc = depth

# %% [markdown]
# Now compare the three networks on the same training images, all in evaluation mode on the
# original (un-augmented) images:

# %%
from resnet_book.engine.data import DeviceData, load_cifar10, make_split, stratified_indices

split = make_split(load_cifar10(), cfg["split"], cfg["train_subset"], cfg["eval_subset"], cfg["subset_seed"])
data = DeviceData(split, "cpu", cfg["normalize"])
idx = torch.from_numpy(stratified_indices(split.y_train, 500, seed=1))
xs, ys = data.to_input(data.x_train[idx]), data.y_train[idx]

with torch.no_grad():
    logits = {name: net(xs) for name, net in
              [("plain-20 (trained)", plain20), ("plain-56 (constructed)", constructed56),
               ("plain-56 (trained by SGD)", trained56)]}
train_err = {name: 100 * (out.argmax(1) != ys).float().mean().item() for name, out in logits.items()}
max_diff = (logits["plain-20 (trained)"] - logits["plain-56 (constructed)"]).abs().max().item()
disagree = (logits["plain-20 (trained)"].argmax(1) != logits["plain-56 (constructed)"].argmax(1)).sum().item()
for name, e in train_err.items():
    print(f"{name:27s} training error {e:5.1f}%")
print(f"plain-20 vs constructed plain-56: largest logit difference {max_diff:.1e}, "
      f"different predictions on {disagree} of {len(ys)} images")

# %% tags=["remove-input"]
glue("cons_n", len(ys), display=False)
glue("cons_err_p20", train_err["plain-20 (trained)"], display=False)
glue("cons_err_constructed", train_err["plain-56 (constructed)"], display=False)
glue("cons_err_p56", train_err["plain-56 (trained by SGD)"], display=False)
glue("cons_maxdiff", max_diff, display=False)
glue("cons_disagree", disagree, display=False)
glue("cons_logit_scale", logits["plain-20 (trained)"].abs().max().item(), display=False)

# %% [markdown]
# On {glue:text}`cons_n:d` training images, the constructed plain-56 is plain-20 in disguise: it
# predicts a different class on {glue:text}`cons_disagree:d` of them, and its training error is
# {glue:text}`cons_err_constructed:.1f`% against plain-20's {glue:text}`cons_err_p20:.1f`%. The
# largest difference between their outputs is {glue:text}`cons_maxdiff:.1e`, on logits as large as
# {glue:text}`cons_logit_scale:.1f` (zero, or float32 rounding, depending on which convolution
# algorithm your machine picks). The plain-56 that SGD trained, with the same recipe and budget,
# sits at {glue:text}`cons_err_p56:.1f`%. A point at least as good
# as plain-20 exists in plain-56's weight space; SGD did not find it. In the paper's words
# {cite:p}`he2016deep` (Sec. 1):
#
# > But experiments show that our current solvers on hand are unable to find solutions that are
# > comparably good or better than the constructed solution (or unable to do so in feasible time).
#
# Note the last bracket: "in feasible time". It will matter in a minute.
#
# ```{note}
# One piece of fine print. Our identity layers are exact with BN in *evaluation* mode (fixed
# statistics), the mode in which a trained network is used and tested. In training mode, BN
# normalises with each mini-batch's own statistics, so there the construction is an identity only
# approximately. The argument is about what a plain-56 can *compute*, and that is settled.
# ```

# %% tags=["remove-input"]
quiz("01_background", ["q4"])

# %% [markdown]
# ## Not vanishing gradients: the paper's diagnosis
#
# The obvious suspect is our old friend from {numref}`fig-01-signal`. Is it guilty?

# %% tags=["remove-input"]
quiz("01_background", ["q13"])

# %% [markdown]
# The paper rules it out {cite:p}`he2016deep` (Sec. 4.1):
#
# > We argue that this optimization difficulty is unlikely to be caused by vanishing gradients.
#
# > These plain networks are trained with BN [16], which ensures forward propagated signals to have
# > non-zero variances. We also verify that the backward propagated gradients exhibit healthy norms
# > with BN. So neither forward nor backward signals vanish.
#
# If you answered "no", you read the green curve of {numref}`fig-01-signal` as the paper reads its
# own measurements: with BN, neither the forward nor the backward signal vanishes, even with a
# deliberately bad initialisation. Our plain-56 also had both He init
# *and* BN. So what is left? The paper's answer is a conjecture, not a proof
# {cite:p}`he2016deep` (Sec. 4.1):
#
# > We conjecture that the deep plain nets may have exponentially low convergence rates, which
# > impact the reducing of the training error.
#
# That fits what we saw: our plain-56 was not frozen, it was *slow*, lingering near chance while
# plain-20 took off. And it fits the construction argument: the identity solution exists, but a
# stack of nonlinear layers has to *learn* to be the identity, and that is apparently hard
# {cite:p}`he2016deep` (Sec. 3.1):
#
# > The degradation problem suggests that the solvers might have difficulties in approximating
# > identity mappings by multiple nonlinear layers.
#
# Which suggests the way out. If doing nothing is the hard part, make *doing nothing* the easy
# default. That is residual learning, and it is where Chapter 2 begins
# {cite:p}`he2016deep` (Sec. 1):
#
# > Instead of hoping each few stacked layers directly fit a desired underlying mapping, we
# > explicitly let these layers fit a residual mapping.

# %% tags=["remove-input"]
quiz("01_background", ["q3"])

# %% [markdown]
# ## Interview round 🎤
#
# Two harder questions that mix reasoning and design. Take your time: an interviewer would.

# %% tags=["remove-input"]
quiz("01_background", ["q7", "q8"])

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-01-1
#
# **Deeper and narrower stacks.** Before running anything, *predict* what happens to the three
# curves of {numref}`fig-01-signal` with `make_stack(..., depth=200)`, and then with `width=64`.
# Then measure: call `probe(make_stack(init=..., depth=200))` (for a different width, also rebuild
# `x` and `head` with that width). Which setting changes most, and why?
# ```
#
# ```{solution} ex-01-1
# :class: dropdown
#
# - **Naive init**: the per-layer factor of {eq}`eq-01-gain` is unchanged, so 200 layers shrink
#   the std by {glue:text}`gain_naive:.3f` to the power 200, about {glue:text}`naive_200_decades:.0f`
#   orders of magnitude. Now even float64 gives up: the *measurement* prints 0, because computing a
#   std squares these numbers, and the squares fall below float64's smallest positive number
#   (about $10^{-308}$). With width 64
#   the gain is smaller still ($\sqrt{32 \cdot 10^{-4}}$): the signal dies faster.
# - **He init** keeps the gain at 1 *on average*, but each layer multiplies by a random factor
#   close to 1, and a product of many random factors wanders: over 200 layers it can drift by an
#   order of magnitude, and at width 64 (noisier factors) it wiggles visibly even over 50 layers.
#   "Gain 1" is a statement about expectations, not a guarantee for one network.
# - **Naive init + BN**: forward, still flat. Backward, the growth we measured,
#   {glue:text}`bn_bwd_per_layer:.2f` per layer, compounds: over 200 layers that is roughly
#   4 times as many orders of magnitude as over 50 (and He init + BN gives the same: BN does not
#   care about the weights' scale). This is why BN alone does not make *arbitrarily*
#   deep plain nets easy, and why the paper only claims that BN lets "networks with tens of layers"
#   start converging.
#
# The point of the exercise is the habit: write down the per-layer factor, raise it to the depth,
# *then* run the code.
# ```
#
# ```{exercise}
# :label: ex-01-2
#
# **Predict plain-110.** The paper also trains a 110-layer plain net on CIFAR-10 (with He init and
# BN, like plain-20 and plain-56). Predict its training error relative to plain-56, and give the
# reason in one sentence, using the words "optimisation" and "overfitting".
# ```
#
# ```{solution} ex-01-2
# :class: dropdown
#
# Higher still. The trend of plain-20 < plain-32 < plain-44 < plain-56 continues, and the paper
# reports (from `reference.FIG6["claims"]`): {glue:md}`plain110_claim`
#
# One sentence: deeper plain nets are *harder to optimise* (their training error rises with depth
# under the same recipe), which has nothing to do with *overfitting* (that would need a lower
# training error). At our quick scale, expect plain-110 to stay at chance level for the whole run.
# It exists only at the paper scale in this book (a GPU job):
# `run_experiment("fig6", scale="paper", runs=["plain110"])`.
# ```
#
# ```{exercise}
# :label: ex-01-3
#
# **The identity layers are never learned.** A classmate objects: "The construction argument is
# useless: SGD never learns those identity layers, so why should it tell us anything about
# training?" Answer with the numbers of our demo.
# ```
#
# ```{solution} ex-01-3
# :class: dropdown
#
# The argument is about *existence*, not about training. We built the constructed plain-56 by
# hand, and it has training error {glue:text}`cons_err_constructed:.1f`%, the same as plain-20's
# {glue:text}`cons_err_p20:.1f`% on the same {glue:text}`cons_n:d` images. So the *lowest* training
# error any plain-56 can reach is at most that number. SGD's plain-56 reached
# {glue:text}`cons_err_p56:.1f`%, a worse point of a weight space that contains a better one. That
# is precisely the diagnosis "the optimiser is failing, not the model" (or failing "in feasible
# time"). The argument never needs SGD to find the identity layers; it needs only that they
# *could* be there. Whether a solver finds them is exactly the open question that residual learning
# answers.
# ```
#
# ```{exercise}
# :label: ex-01-4
#
# **Back of the envelope.** (a) With {eq}`eq-01-gain`, predict the std of the naive stack's output
# after 50 layers from its first layer's std, and compare with the measured value. (b) Which weight
# standard deviation makes the gain exactly 1 for width 256? (c) PyTorch's default `nn.Linear`
# initialisation draws weights uniformly with variance $1/(3n)$. What is its gain, and what happens
# after 50 layers?
# ```
#
# ```{solution} ex-01-4
# :class: dropdown
#
# (a) Each further layer multiplies the std by {glue:text}`gain_naive:.3f`, so layer 50's std
# should be about {glue:text}`naive_fwd_first:.1e` $\times$ {glue:text}`gain_naive:.3f`$^{49}$,
# that is {glue:text}`naive_pred_last:.1e`. We measured {glue:text}`naive_fwd_last:.1e`: the
# prediction is off by a factor of {glue:text}`naive_pred_ratio:.1f` after some
# {glue:text}`naive_fwd_decades:.0f` orders of magnitude, because each real layer's factor is a
# little random (finite width and batch), and 49 of those small deviations multiply. (Comparing
# post-ReLU stds is fine: for a symmetric input the ReLU shrinks the std by the same constant at
# every layer, so it cancels in the ratio.)
#
# (b) $\tfrac12 \cdot 256 \cdot \sigma^2 = 1$ gives $\sigma = \sqrt{2/256} \approx 0.088$:
# He initialisation.
#
# (c) Gain $= \tfrac12 \cdot n \cdot \tfrac{1}{3n} = \tfrac16$ for the variance, about 0.41 for the
# std; to the power 50 that is around $10^{-19}$. PyTorch's default is fine for shallow nets and
# for nets with normalization layers, and a trap for deep plain ones: always check which
# initialisation a model uses (the book's models use He init, see `init_weights`).
# ```

# %% [markdown]
# ## Knowledge card 🗂️
#
# ```{admonition} Chapter 1 in one card: deeper was not better
# :class: note
#
# | | |
# |---|---|
# | **Symptom** | A deeper {term}`plain network · 普通网络 / 平原网络` has *higher training error* than a shallower one: the {term}`degradation problem · 退化问题`. Not overfitting (that would lower training error). |
# | **Old wall, solved** | {term}`vanishing / exploding gradients · 梯度消失 / 梯度爆炸`: $\operatorname{Var}[y_l] = \tfrac12 n \operatorname{Var}[w]\,\operatorname{Var}[y_{l-1}]$, a gain raised to the depth. Fixed by {term}`He initialisation · He 初始化` ($\operatorname{Var}[w] = 2/n$) and {term}`batch normalization · 批归一化`. |
# | **Key statement** | A deeper net = shallower net + {term}`identity mapping · 恒等映射` layers has the same training error, so the best deeper net is no worse: the *optimiser* is failing. |
# | **Diagnosis** | Not vanishing gradients (BN keeps both signals healthy, Sec. 4.1); the conjecture: exponentially low convergence rates. |
# | **Design choice it motivates** | Make "do nothing" easy: {term}`residual learning · 残差学习`, $\mathcal{H}(x) = \mathcal{F}(x) + x$ (Chapter 2). |
# | **Evidence** | Paper Fig. 1 / Fig. 6 (plain-20 vs plain-56); here {numref}`fig-01-degradation`: training error {glue:text}`q_p20_train:.1f`% vs {glue:text}`q_p56_train:.1f`% after {glue:text}`q_iters:,` iterations (quick scale), {glue:md}`c1_20_train`% vs {glue:md}`c1_56_train`% at the cpu scale ({numref}`fig-01-cpu`); {numref}`fig-01-signal`: the toy stack. |
#
# **Key terms** in English and Chinese: the {doc}`glossary <../book/glossary>`.
#
# **One sentence:** deeper plain nets fail not because they *can't* represent a good solution, but
# because SGD can't *find* it; the next chapter changes the parameterisation so that it can.
# ```
