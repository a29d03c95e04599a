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
# 4. state the construction argument (a deeper net can copy a shallower one) and check it on real
#    networks;
# 5. say why the paper thinks the remaining difficulty is *not* vanishing gradients, and what it
#    conjectures instead.
# ```
#
# The paper opens with a deceptively simple question {cite:p}`he2016deep` (Sec. 1):
#
# > Driven by the significance of depth, a question arises: Is learning better networks as easy as
# > stacking more layers?
#
# Spoiler: no, and the way it fails is surprising.

# %% tags=["remove-input"]
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display
from matplotlib.patches import Circle
from myst_nb import glue
from torch import nn

from resnet_book import reference
from resnet_book.book import pages
from resnet_book.book import quiz, stamp
from resnet_book.tables import markdown_table

# %% [markdown]
# ## Depth was the trend
#
# ```{slide}
# - AlexNet 8, VGG 19, GoogLeNet 22, ResNet 152 weight layers
# - why did people expect more depth to help?
# - the paper's question: is learning better networks as easy as stacking more layers?
# ```
#
# Between 2012 and 2015 the leading ImageNet entries kept getting deeper. Why would anyone expect
# that to help?

# %% tags=["remove-input"]
quiz("01_background", ["q9"])

# %% [markdown]
# Did you pick *features built on features*? That is the whole appeal of depth; in the paper's
# words (Sec. 1), "the 'levels' of features can be enriched by the number of stacked layers
# (depth)". AlexNet {cite:p}`krizhevsky2012imagenet` had 8 weight layers, VGG
# {cite:p}`simonyan2015very` 16 or 19, GoogLeNet {cite:p}`szegedy2015going` 22. The ResNet paper
# went to {glue:text}`resnet_max_depth:d` layers on ImageNet ({numref}`fig-01-depth`).

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
# ```{slide}
# :show: eq-01-gain
# - each layer multiplies the signal's variance by a gain
# - gain$^L$: vanishing below 1, exploding above 1
# - He init makes the gain 1; BN re-normalises every layer
# ```
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
# Every layer multiplies the variance by the same gain: after $L$ layers by $\text{gain}^L$,
# exponentially in the depth. A gain of 0.9 sounds harmless; to the power 50 it is 0.005, to the
# power 200 about $10^{-9}$. The backward pass obeys the same kind of product. *He initialisation*
# picks $\operatorname{Var}[w] = 2/n$, so that the gain in {eq}`eq-01-gain` is exactly 1.
#
# Let's build a deep **plain** stack (no shortcuts; the word matters later) and watch it: 50 layers
# of `Linear → (BatchNorm) → ReLU`, width 256.

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
# layer's output $h_l$; backward, the norm $\lVert \partial \mathcal{L} / \partial h_l \rVert$, the
# error signal arriving at layer $l$'s output. We compute in float64, for a reason you will see.

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
#   {glue:text}`depth:d`; the backward signal from {glue:text}`naive_bwd_last:.1e` at the top to
#   {glue:text}`naive_bwd_first:.1e` at layer 1. A weight's gradient needs *both* (its input from
#   below, its error signal from above), so no layer's weight gradient exceeds
#   {glue:text}`naive_wgrad_max:.0e`. In float32, PyTorch's default, the largest output of this
#   stack is {glue:text}`naive_f32_max:.1f`: hence float64.
# - **He init** (blue). Gain 1 by design: the output std goes from {glue:text}`he_fwd_first:.2f` to
#   {glue:text}`he_fwd_last:.2f`, and the backward signal at layer 1 is
#   {glue:text}`he_bwd_ratio:.1f` times the one at the top.
# - **Naive init + BatchNorm** (green). BN re-normalises every layer's output over the mini-batch,
#   so the bad weight scale no longer matters forward: the std stays between
#   {glue:text}`bn_fwd_min:.2f` and {glue:text}`bn_fwd_max:.2f`. Backward, the signal at layer 1 is
#   {glue:text}`bn_bwd_growth:,.0f` times the one at layer 50, a factor of
#   {glue:text}`bn_bwd_per_layer:.2f` per layer ({ref}`ex-01-1` follows it to 200 layers).
#
# So by 2015 the first wall had a door in it: with He initialisation and BN, networks with tens of
# layers *start* converging. The paper's plain nets use both.

# %% [markdown]
# ## The second wall: degradation
#
# ```{slide}
# - Fig. 1: plain-20 vs plain-56, same recipe, CIFAR-10
# - which has the higher *training* error? overfitting or not?
# - re-run here: plain-20 vs plain-56
# ```
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
# overfits"? That is the trap: overfitting fits the training images *better* and generalises worse,
# so it would show as a *lower* training error. Only the training panel tells the hypotheses apart
# ({numref}`fig-01-hypotheses`).

# %% tags=["hide-input"] mystnb={"figure": {"caption": "What each hypothesis predicts for Fig. 1: schematic curves, not data. Only the training panels tell the hypotheses apart: with overfitting the deeper net fits its training images *better*; with degradation, what the paper observed, it fits them *worse*.", "name": "fig-01-hypotheses"}}
it = np.linspace(0, 6.4, 200)


def curve(start: float, end: float, rate: float = 1.2) -> np.ndarray:
    return end + (start - end) * np.exp(-rate * it)


PATTERNS = {  # (shallow train, deep train, shallow test, deep test) end values of a schematic curve
    "no problem\n(deeper is better)": ((6, 4), (10, 8)),
    "overfitting\n(deeper fits better, generalises worse)": ((6, 2), (10, 13)),
    "degradation\n(what Fig. 1 shows)": ((6, 10), (10, 14)),
}
fig, axes = plt.subplots(2, 3, figsize=(9, 4.2), sharex=True, sharey=True)
for j, (title, ((tr20, tr56), (te20, te56))) in enumerate(PATTERNS.items()):
    for i, (panel, a, b) in enumerate((("training error", tr20, tr56), ("test error", te20, te56))):
        ax = axes[i, j]
        ax.plot(it, curve(60, a), color="C0", label="shallower (20 layers)")
        ax.plot(it, curve(60, b, 1.0), color="C3", label="deeper (56 layers)")
        ax.set(ylim=(0, 30), yticks=[])
        if j == 0:
            ax.set_ylabel(panel)
        if i == 0:
            ax.set_title(title, fontsize=9)
        ax.grid(alpha=0.3)
for ax in axes[1]:
    ax.set_xlabel("iterations")
axes[0, 0].legend(fontsize=7, loc="upper right")
fig.tight_layout()
stamp(fig, text="Schematic (shapes only, no measured values). The real curves: He et al. 2015, Fig. 1; re-run below.")
plt.show()

# %% [markdown]
# The evidence is the paper's Fig. 1: a 20-layer and a 56-layer *plain* network on CIFAR-10,
# trained with the same recipe (He init, BN, SGD). We re-run it on this computer at a reduced
# *quick* scale: the same networks and recipe, far fewer iterations on a subset of the images
# ({doc}`08_scales` says how the scales differ).

# %%
from resnet_book.experiments import run_experiment

records = run_experiment("fig1", progress=False)
[(r["label"], r["final"]["iterations"]) for r in records]

# %% tags=["remove-input"]
by_label = {r["label"]: r for r in records}
p20, p56 = by_label["plain20"], by_label["plain56"]
cfg = p20["config"]
paper_plain = reference.FIG6["plain_test_error_read_from_plot"]
cpu = pages.cpu_records("fig1")
by_cpu = {r["label"]: r for r in cpu}
cpu_iters = max((r["final"]["iterations"] for r in cpu), default=0)
glue("c1_cpu_iters", cpu_iters, display=False)
glue("c1_cpu_epochs", cpu_iters * reference.CIFAR_RECIPE["batch_size"] / 50_000, display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The degradation problem re-run at the quick scale (paper Fig. 1 style). Left: training error (dashed; each point is the error on the augmented mini-batches of a window of 10 iterations). Right: test error (solid). Same recipe for both nets; only the depth differs. Dotted: chance (90%).", "name": "fig-01-degradation"}}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
pages.plot_fig1(axes, records)
fig.tight_layout()
stamp(fig, records)
plt.show()

# %% [markdown]
# ### Reading the figure like a researcher
#
# ```{slide}
# - axes: iterations; error (%); chance is 90%
# - the training panel first: the caption's claim is about it
# - a short run tests the *ordering*, not the paper's values
# ```
#
# **Axes.** Iterations (mini-batch updates) on *x*, classification error in percent on *y*. The left
# panel is measured on the mini-batches the network is trained on, the right one on images it never
# sees. **Look at the training error first**: the caption's claim is about it {cite:p}`he2016deep`
# (Fig. 1):
#
# > Training error (left) and test error (right) on CIFAR-10 with 20-layer and 56-layer “plain”
# > networks. The deeper network has higher training error, and thus test error.
#
# The table puts our final errors beside the paper's, at the quick scale and at this book's cpu
# scale (the paper's recipe on all 50,000 images, stopped after {glue:text}`c1_cpu_iters:,`
# iterations, about {glue:text}`c1_cpu_epochs:.0f` epochs; committed records,
# {numref}`fig-01-cpu`).

# %% tags=["remove-input"]
def _err(rec, key):
    return 100 * rec["final"][key] if rec else None


def _row(name, vals):
    return [name] + ["-" if v is None else f"{v:+.1f}" if name.startswith("plain-56 −") else f"{v:.1f}" for v in vals]


cols = [(p20, p56, "train_error"), (p20, p56, "eval_error"),
        (by_cpu.get("plain20"), by_cpu.get("plain56"), "train_error"),
        (by_cpu.get("plain20"), by_cpu.get("plain56"), "eval_error")]
r20 = [_err(a, k) for a, _, k in cols] + [paper_plain[20]]
r56 = [_err(b, k) for _, b, k in cols] + [paper_plain[56]]
diff = [None if a is None or b is None else b - a for a, b in zip(r20, r56)]
display(Markdown(markdown_table(
    ["", "quick: training", "quick: test", "cpu scale: training", "cpu scale: test", "paper: test (≈, Fig. 6)"],
    [_row("plain-20", r20), _row("plain-56", r56), _row("plain-56 − plain-20", diff)], align="lrrrrr")
    + f"\n\nFinal errors in %; '-' marks a run not trained yet. Paper: {reference.FIG6['plain_test_error_note']}."))

# %% [markdown]
# Read the training columns of the last row first: a positive difference is what the caption
# claims. If the deeper net's training error is the higher one, overfitting cannot explain it. Our
# errors are far from the paper's: a short run can test the *ordering*, not the values, and one
# seed cannot tell "slower" from "stuck". The paper's footnote 3 speaks to that: with three times
# more iterations it "still observed the degradation problem".

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Fig. 1 at this book's cpu scale: the same two plain nets and recipe on all 50k training images with a shortened schedule, tested on all 10k test images (committed records; a net that is not trained yet is missing). Left: training error (dashed, on the augmented mini-batches); right: test error (solid).", "name": "fig-01-cpu"}}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
pages.plot_fig1(axes, cpu, chance=False)
fig.tight_layout()
stamp(fig, cpu)
plt.show()

# %% [markdown]
# ## The construction argument
#
# ```{slide}
# - a plain-56 built from a trained plain-20 plus identity layers
# - nested function classes (Sec. 1)
# - then compare with the plain-56 that SGD trains
# ```
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
# Take the trained plain-20, insert layers that do nothing (an {term}`identity mapping · 恒等映射`),
# and you have a 56-layer plain network with *exactly* plain-20's training error. So every function
# plain-20 computes, some plain-56 computes too: the two classes of functions are *nested*, and a
# bigger class that contains a smaller one can only get closer to the function we want
# ({numref}`fig-01-nested`). Sec. 4.1 says it of the ImageNet nets: "the solution space of the
# 18-layer plain network is a subspace of that of the 34-layer one".

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Nested function classes, schematically. Each disk is the set of functions one architecture can compute, f* the function we would like to learn, and each dot the closest function of its class. Left: classes that do not contain each other; the biggest, F3, ends farther from f* than F2. Right: nested classes, F1 ⊂ F2 ⊂ F3, as adding identity layers makes them (plain-20's functions inside plain-56's); each bigger class gets at least as close.", "name": "fig-01-nested"}}
TRUTH = np.array([3.0, 1.6])  # f*, the function to be learned, in an abstract space of functions
CLASSES = {  # each function class: a disk (centre, radius)
    "not nested": [((-1.4, 0.0), 0.9), ((0.1, -1.2), 1.5), ((-2.3, 1.9), 2.0)],
    "nested": [((-1.4, 0.0), 0.9), ((-0.9, 0.25), 1.5), ((-0.2, 0.6), 2.4)],
}


def closest(centre, radius):
    """The function of a class nearest to f*, and its distance (0 if the class contains f*)."""
    c = np.asarray(centre, dtype=float)
    gap = np.linalg.norm(TRUTH - c)
    return (TRUTH, 0.0) if gap <= radius else (c + radius * (TRUTH - c) / gap, gap - radius)


def inside(a, b):
    """Is disk a inside disk b?"""
    return np.linalg.norm(np.subtract(b[0], a[0])) + a[1] <= b[1]


dist = {kind: [closest(c, r)[1] for c, r in classes] for kind, classes in CLASSES.items()}
assert all(inside(a, b) for a, b in zip(CLASSES["nested"], CLASSES["nested"][1:]))  # F1 ⊂ F2 ⊂ F3
assert dist["nested"] == sorted(dist["nested"], reverse=True)  # nested: never farther
assert dist["not nested"][2] > dist["not nested"][1]  # not nested: the biggest class is farther

fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
titles = {"not nested": "not nested: a bigger class can land farther from $f^*$",
          "nested": r"nested, $\mathcal{F}_1 \subset \mathcal{F}_2 \subset \mathcal{F}_3$: never farther"}
for ax, (kind, classes) in zip(axes, CLASSES.items()):
    for i, ((c, r), color) in enumerate(zip(classes, ("C0", "C1", "C2")), start=1):
        ax.add_patch(Circle(c, r, facecolor=color, alpha=0.12, edgecolor=color, lw=1.5))
        ax.text(c[0] - 0.15 * r, c[1] + 0.55 * r, rf"$\mathcal{{F}}_{i}$", color=color, fontsize=11, ha="center")
        point, _ = closest(c, r)
        ax.plot(*point, "o", color=color, ms=5)
        ax.plot([point[0], TRUTH[0]], [point[1], TRUTH[1]], ":", color=color, lw=1.2)
    ax.plot(*TRUTH, "*", color="k", ms=13)
    ax.annotate("$f^*$", TRUTH, xytext=(6, 6), textcoords="offset points", fontsize=12)
    ax.set_title(titles[kind], fontsize=9.5)
    ax.set(xlim=(-4.3, 4.0), ylim=(-3.0, 4.2), aspect="equal", xticks=[], yticks=[])
fig.tight_layout()
stamp(fig, text="Schematic, drawn from the disks listed in this cell (no measured values); after the nested-classes "
                "figure of Dive into Deep Learning's ResNet section (Zhang et al.). The argument: He et al. 2015, Sec. 1.")
plt.show()

# %% [markdown]
# So the best plain-56 is at least as good as plain-20; if SGD hands us a worse one, the optimiser
# is to blame, not the architecture. We can check the construction on real networks. A plain-56 has
# the same three stages as a plain-20, with 9 blocks per stage instead of 3. Each block is the
# book's `BasicBlock` with `plain=True`, `conv → BN → ReLU → conv → BN → ReLU` with no shortcut:
#
# ```{literalinclude} ../src/resnet_book/models/blocks.py
# :pyobject: BasicBlock.forward
# ```
#
# A block becomes the identity if each 3×3 convolution passes every channel through (a kernel that
# is 1 at the centre of its own channel and 0 elsewhere), each BN (in evaluation mode) is set to do
# nothing, and... the ReLUs? They see the output of an earlier ReLU, which is never negative, so
# they do nothing either. Let's build it from our trained plain-20.

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
# The construction predicts that the constructed plain-56 gives plain-20's predictions, image by
# image. On {glue:text}`cons_n:d` training images the two differ on {glue:text}`cons_disagree:d`,
# with a largest logit difference of {glue:text}`cons_maxdiff:.1e` (on logits as large as
# {glue:text}`cons_logit_scale:.1f`). So a plain-56 with training error
# {glue:text}`cons_err_constructed:.1f`% exists (plain-20: {glue:text}`cons_err_p20:.1f`%). The
# paper's claim is that SGD does not find one; compare the plain-56 that SGD trained with the same
# recipe and budget: {glue:text}`cons_err_p56:.1f`%. In the paper's words {cite:p}`he2016deep`
# (Sec. 1):
#
# > But experiments show that our current solvers on hand are unable to find solutions that are
# > comparably good or better than the constructed solution (or unable to do so in feasible time).
#
# ```{note}
# Our identity layers are exact with BN in *evaluation* mode (fixed statistics), the mode in which
# a trained network is used and tested. In training mode BN normalises with each mini-batch's own
# statistics, and the construction is an identity only approximately. The argument is about what a
# plain-56 can *compute*.
# ```

# %% [markdown]
# ## The paper's diagnosis
#
# ```{slide}
# - not vanishing gradients: with BN neither signal vanishes (Sec. 4.1)
# - the conjecture: exponentially low convergence rates
# - the hard part: fitting an identity with nonlinear layers
# ```
#
# The paper's plain nets have He initialisation and BN after every layer, and the deeper ones still
# train worse.

# %% tags=["remove-input"]
quiz("01_background", ["q3"])

# %% [markdown]
# The paper rules out the old suspect {cite:p}`he2016deep` (Sec. 4.1):
#
# > We argue that this optimization difficulty is unlikely to be caused by vanishing gradients.
#
# > These plain networks are trained with BN [16], which ensures forward propagated signals to have
# > non-zero variances. We also verify that the backward propagated gradients exhibit healthy norms
# > with BN. So neither forward nor backward signals vanish.
#
# "Healthy" here means "not vanishing": our toy stack with BN (green in {numref}`fig-01-signal`)
# agrees, and Chapter 2 measures plain-56 itself. What is left is a conjecture, not a proof
# {cite:p}`he2016deep` (Sec. 4.1):
#
# > We conjecture that the deep plain nets may have exponentially low convergence rates, which
# > impact the reducing of the training error.
#
# Look back at the training curves: a slow start, rather than a frozen one, is what this
# conjecture predicts. It fits the construction argument too: the identity solution exists, but a
# stack of nonlinear layers has to *learn* to be the identity {cite:p}`he2016deep` (Sec. 3.1):
#
# > The degradation problem suggests that the solvers might have difficulties in approximating
# > identity mappings by multiple nonlinear layers.
#
# If doing nothing is the hard part, make *doing nothing* the easy default. That is residual
# learning, and it is where Chapter 2 ({doc}`02_residual_math`) begins.

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
#   orders of magnitude. Now even float64 gives up: the measurement prints 0, because computing a
#   std squares these numbers, and the squares fall below float64's range (about $10^{-308}$,
#   $10^{-324}$ with subnormals). With width 64 the gain is smaller still: the signal dies faster.
# - **He init** keeps the gain at 1 *on average*, but each layer multiplies by a random factor
#   close to 1, and a product of many random factors wanders: "gain 1" is a statement about
#   expectations, not a guarantee for one network.
# - **Naive init + BN**: forward, still flat. Backward, the per-layer factor we measured,
#   {glue:text}`bn_bwd_per_layer:.2f`, compounds over 200 layers (and He init + BN gives the same:
#   BN does not care about the weights' scale). This is why the paper only claims that BN lets
#   "networks with tens of layers" start converging.
# ```
#
# ```{exercise}
# :label: ex-01-2
#
# **Three times longer.** In its footnote 3 the paper trains its deep plain nets for three times
# as many iterations and still sees the degradation problem. Which explanation of degradation does
# that weaken, and which does it leave standing?
# ```
#
# ```{solution} ex-01-2
# :class: dropdown
#
# It weakens "the deeper net just needs proportionally more time": after three times the budget
# the gap is still there. It leaves the paper's own conjecture standing: if the convergence rate is
# *exponentially* low in the depth, a factor of three is nothing, which is what the paper's "or
# unable to do so in feasible time" allows for. Neither reading is about overfitting: both are
# about how fast the solver reduces the *training* error.
# ```
#
# ```{exercise}
# :label: ex-01-3
#
# **Back of the envelope.** (a) With {eq}`eq-01-gain`, predict the std of the naive stack's output
# after 50 layers from its first layer's std, and compare with the measured value. (b) PyTorch's
# default `nn.Linear` initialisation draws weights uniformly with variance $1/(3n)$. What is its
# gain, and what happens after 50 layers?
# ```
#
# ```{solution} ex-01-3
# :class: dropdown
#
# (a) Each further layer multiplies the std by {glue:text}`gain_naive:.3f`, so layer 50's std
# should be about {glue:text}`naive_fwd_first:.1e` $\times$ {glue:text}`gain_naive:.3f`$^{49}$,
# that is {glue:text}`naive_pred_last:.1e`. We measured {glue:text}`naive_fwd_last:.1e`: the
# prediction is off by a factor of {glue:text}`naive_pred_ratio:.1f` after some
# {glue:text}`naive_fwd_decades:.0f` orders of magnitude, because each real layer's factor is a
# little random (finite width and batch), and 49 small deviations multiply.
#
# (b) Gain $= \tfrac12 \cdot n \cdot \tfrac{1}{3n} = \tfrac16$ for the variance, about 0.41 for the
# std; to the power 50 that is around $10^{-19}$. Fine for shallow nets and for nets with
# normalization layers, a trap for deep plain ones (the book's models use He init).
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
# | **Old wall, solved** | {term}`vanishing / exploding gradients · 梯度消失 / 梯度爆炸`: a gain per layer raised to the depth, {eq}`eq-01-gain`. Fixed by {term}`He initialisation · He 初始化` ($\operatorname{Var}[w] = 2/n$) and {term}`batch normalization · 批归一化`. |
# | **Key statement** | A deeper net = shallower net + {term}`identity mapping · 恒等映射` layers has the same training error: nested function classes, so the best deeper net is no worse and the *optimiser* is failing. |
# | **Diagnosis** | Not vanishing gradients: with BN neither signal vanishes (Sec. 4.1, "healthy norms"); in our toy stack the backward signal at layer 1 is {glue:text}`bn_bwd_growth:,.0f` times the one at layer 50. The paper's conjecture: exponentially low convergence rates. |
# | **Design choice it motivates** | Make "do nothing" easy: {term}`residual learning · 残差学习`, $\mathcal{H}(x) = \mathcal{F}(x) + x$ (Chapter 2). |
# | **Evidence** | Paper Fig. 1 / Fig. 6 (plain-20 vs plain-56); here {numref}`fig-01-degradation` and {numref}`fig-01-cpu`, with the table of final errors; {numref}`fig-01-signal`: the toy stack. |
#
# **Key terms** in English and Chinese: the {doc}`glossary <../book/glossary>`.
#
# **One sentence:** deeper plain nets fail not because they *can't* represent a good solution, but
# because SGD can't *find* it; the next chapter changes the parameterisation so that it can.
# ```
