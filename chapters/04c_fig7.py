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
#     experiments: [fig7]
# ---

# %% [markdown]
# # Fig. 7: how much does each layer do?
#
# ```{admonition} Learning goals
# :class: tip
#
# After this page you can
#
# 1. say what Fig. 7 measures (the std of each 3×3 layer's output, after BN and before ReLU and
#    addition) and why, in a ResNet, that is the size of the residual function;
# 2. explain with BN's learned scale $\gamma$ how a layer can fade out, and why only a ResNet can
#    afford it;
# 3. measure the responses of three kinds of trained networks: this build's quick runs, fully
#    trained ResNets released by an independent reproduction, and this book's cpu-scale runs;
# 4. say which of the paper's two observations each kind of network can test, and which it cannot.
# ```
#
# If residual functions are often close to zero (Chapter 2's argument for why a block can "do
# little"), the layers of a trained ResNet should respond less strongly than those of a plain net.
# The paper checks exactly that {cite:p}`he2016deep` (Sec. 4.2, "Analysis of Layer Responses"):
#
# > The responses are the outputs of each 3×3 layer, after BN and before other nonlinearity
# > (ReLU/addition). For ResNets, this analysis reveals the response strength of the residual
# > functions.
#
# The course's blocks make this measurement a forward hook: `analysis.response_taps(model)` returns
# every 3×3 layer's BN module, in layer order, and `layer_response_std` runs a batch of test images
# (in eval mode, so BN uses its running statistics as at test time) and takes each output's
# standard deviation.
#
# ```{literalinclude} ../src/resnet_book/analysis.py
# :pyobject: layer_response_std
# ```

# %% tags=["remove-input"]
import time

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import reference
from resnet_book.book import pages
from resnet_book.analysis import layer_response_std, released_inputs
from resnet_book.models import get_model
from resnet_book.book import quiz, stamp
from resnet_book.tables import markdown_table

# %% [markdown]
# All five networks of the first figure were trained on earlier pages at the quick scale; this page
# only measures them (500 test images, stratified over the classes). Before you look, commit to a
# prediction:

# %% tags=["remove-input"]
quiz("04c_fig7", ["q1"])

# %%
from resnet_book.experiments import run_experiment

records = run_experiment("fig7", progress=False)
stds = {r["label"]: np.array([s for _, s in r["extra"]["layer_response_std"]]) for r in records}
{k: len(v) for k, v in stds.items()}

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Fig. 7 re-run at the quick scale: the standard deviation of each 3×3 layer's response (after BN, before ReLU and addition), on 500 test images. Top: in layer order (the stem is layer 1). Bottom: the same values sorted in descending order. Plain nets dashed, ResNets solid.", "name": "fig-04c-fig7"}}
STYLE = {"plain20": ("C0", "--"), "plain56": ("C3", "--"), "resnet20": ("C0", "-"), "resnet56": ("C3", "-"),
         "resnet110": ("k", "-")}


def plot_responses(axes, stds: dict, style: dict) -> None:
    """Fig. 7's two panels: each net's response stds in layer order (top) and sorted (bottom)."""
    for name, (color, ls) in style.items():
        if name not in stds:
            continue
        s = stds[name]
        axes[0].plot(np.arange(1, len(s) + 1), s, ls, color=color, lw=1.2, label=pages.label(name))
        axes[1].plot(np.arange(1, len(s) + 1), np.sort(s)[::-1], ls, color=color, lw=1.2, label=pages.label(name))
    axes[0].set(xlabel="layer index (original order)", ylabel="std")
    axes[1].set(xlabel="layer index (sorted by magnitude)", ylabel="std")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=5)


fig, axes = plt.subplots(2, 1, figsize=(8, 5.4), sharey=True)
plot_responses(axes, stds, STYLE)
fig.tight_layout()
stamp(fig, records)
plt.show()

# %% tags=["remove-input"]
mean = {k: float(v.mean()) for k, v in stds.items()}
display(Markdown(markdown_table(
    ["network", "3×3 layers", "mean std", "median std"],
    [[pages.label(k), len(stds[k]), f"{mean[k]:.3f}", f"{float(np.median(stds[k])):.3f}"] for k in STYLE],
    align="lrrr")
    + "\n\nQuick-scale runs of this build (seed 0), trained on the JPEG-derived copy of CIFAR-10; "
      "responses on 500 of its test images."))
smaller = [d for d in (20, 56) if mean[f"resnet{d}"] < mean[f"plain{d}"]]
glue("c4c_equal_depth", Markdown(
    "In this build (seed 0), at both depths, ResNet-20 and ResNet-56 respond more weakly than plain-20 and plain-56"
    if len(smaller) == 2 else
    f"In this build (seed 0), only at depth {smaller[0]} do the ResNets respond more weakly than the plain nets"
    if smaller else "In this build (seed 0), the ResNets do **not** respond more weakly than the plain nets at either depth"),
    display=False)
glue("c4c_equal_depth_zh", Markdown(
    "在本次构建中（种子 0），两个深度下 ResNet-20 和 ResNet-56 的响应都比 plain-20 和 plain-56 弱"
    if len(smaller) == 2 else
    f"在本次构建中（种子 0），只有在深度 {smaller[0]} 时 ResNet 的响应才比普通网络弱"
    if smaller else "在本次构建中（种子 0），两个深度下 ResNet 的响应都**不**比普通网络弱"),
    display=False)
glue("c4c_r20", mean["resnet20"], display=False)
glue("c4c_p20", mean["plain20"], display=False)
glue("c4c_r56", mean["resnet56"], display=False)
glue("c4c_p56", mean["plain56"], display=False)
glue("c4c_r110", mean["resnet110"], display=False)
deeper = mean["resnet110"] < mean["resnet56"] < mean["resnet20"]
glue("c4c_deeper", Markdown(
    "The paper's second observation also shows: the deeper the ResNet, the smaller its average response "
    "(ResNet-20 > ResNet-56 > ResNet-110)." if deeper else
    "The paper's second observation, that deeper ResNets have smaller responses still, is **not** "
    "cleanly visible at this scale: the averages are not ordered 20 > 56 > 110."), display=False)
glue("c4c_deeper_zh", Markdown(
    "论文的第二条观察在这里也能看到：ResNet 越深，平均响应越小"
    "（ResNet-20 > ResNet-56 > ResNet-110）。" if deeper else
    "论文的第二条观察（越深的 ResNet 响应还要更小）在这个规模下**并不**"
    "清晰可见：平均值并没有按 20 > 56 > 110 排列。"), display=False)

# %% [markdown]
# ## Reading the figure
#
# Before the explanation, one question about the quantity itself.

# %% tags=["remove-input"]
quiz("04c_fig7", ["q2"])

# %% [markdown]
# {glue:md}`c4c_equal_depth` (mean std {glue:text}`c4c_r20:.2f` vs {glue:text}`c4c_p20:.2f` at 20
# layers, {glue:text}`c4c_r56:.2f` vs {glue:text}`c4c_p56:.2f` at 56). Is that what you predicted
# before the figure? It is the paper's first observation (Sec. 4.2):
#
# > ResNets have generally smaller responses than their plain counterparts. These results support
# > our basic motivation (Sec.3.1) that the residual functions might be generally closer to zero than
# > the non-residual functions.
#
# {glue:md}`c4c_deeper` ResNet-110's mean is {glue:text}`c4c_r110:.2f`.
#
# Did you pick $\gamma$ in the question above? A BN output has a standard deviation other than 1
# because BN's learned scale $\gamma$ multiplies the normalised activations (and at test time the
# batch is normalised with running statistics, not its own): a layer that the optimiser wants to
# "switch off" can shrink its $\gamma$, and weight decay pulls every $\gamma$ towards zero. In a
# ResNet, switching a block off leaves the identity; in a plain net it would cut the signal. That
# is the mechanism behind the figure, and a short run can already show it because it is a
# statement about *where the optimiser goes first*, not about final accuracy.
#
# How robust is one seed of a few hundred iterations? Least at 20 layers, where the plain net still
# trains well and the two nets can end close together; most at 56 layers, where the plain net is
# already failing to train. Re-run the page's networks with other seeds
# (`run_experiment("fig7", seeds=[0, 1, 2])`) to see how much the 20-layer comparison moves, and
# read the fully trained networks of the next two sections for the answer at the end of training.

# %% tags=["remove-input"]
display(Markdown(pages.paper_scale_note("fig7")))

# %% tags=["remove-input"]
quiz("04_experiments", ["q6"])

# %% [markdown]
# ## Fully trained ResNets: the released weights
#
# What happens at the end of a full-length training run?

# %% tags=["remove-input"]
quiz("04c_fig7", ["q3"])

# %% [markdown]
# The quick runs above are a few hundred iterations long. For fully trained networks this page
# borrows the ResNet-20, 32, 44 and 56 that Yerlan Idelbayev trained and released in
# `akamaster/pytorch_resnet_cifar10` (BSD-2-Clause licence): option A, the paper's recipe, 200
# epochs on all 50,000 training images. `get_model(name, weights="akamaster")` loads them
# into this course's own models (through a tested permutation of channels, see
# `resnet_book.models.weights`), and `released_inputs` gives test images with the input
# normalisation those runs used. They are measured on the canonical (lossless) CIFAR-10 test images.

# %%
AKA = ["resnet20", "resnet32", "resnet44", "resnet56"]
t0 = time.perf_counter()
aka_stds = {}
for name in AKA:
    x, _ = released_inputs(name, "test_lossless1k", eval_subset=200)
    aka_stds[name] = np.array([s for _, s in layer_response_std(get_model(name, weights="akamaster"), x)])
aka_seconds = time.perf_counter() - t0
{pages.label(k): round(float(v.mean()), 3) for k, v in aka_stds.items()}

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Fig. 7 on fully trained networks: the released ResNet-20/32/44/56 of akamaster/pytorch_resnet_cifar10 (200 epochs), on 200 of the canonical CIFAR-10 test images. Top: layer order. Bottom: sorted in descending order. No plain nets were released: the plain-vs-residual comparison at full length is the next section's.", "name": "fig-04c-released"}}
AKA_STYLE = {"resnet20": ("C0", "-"), "resnet32": ("C2", "-"), "resnet44": ("C1", "-"), "resnet56": ("C3", "-")}
fig, axes = plt.subplots(2, 1, figsize=(8, 5.4), sharey=True)
plot_responses(axes, aka_stds, AKA_STYLE)
fig.tight_layout()
w56 = weights.WEIGHTS["resnet56.akamaster"]
stamp(fig, text=f"Weights: {w56.source}; licence {w56.licence.split(' (')[0]}. Trained by them: {w56.trained}. "
                f"Measured here on the CPU in {aka_seconds:.0f} s.")
plt.show()

# %% tags=["remove-input"]
aka_mean = {k: float(v.mean()) for k, v in aka_stds.items()}
decreasing = all(aka_mean[a] > aka_mean[b] for a, b in zip(AKA, AKA[1:]))
glue("c4c_aka_means", Markdown(", ".join(f"{pages.label(k)} {aka_mean[k]:.2f}" for k in AKA)), display=False)
glue("c4c_aka_trend", Markdown(
    "falls with every step in depth: the paper's second observation holds for these fully trained ResNets"
    if decreasing else
    "does **not** fall steadily with depth: the paper's second observation does not show cleanly on these weights"),
    display=False)
glue("c4c_aka_trend_zh", Markdown(
    "随深度的每一次增加而下降：论文的第二条观察对这些完整训练的 ResNet 成立"
    if decreasing else
    "**并没有**随深度稳步下降：论文的第二条观察在这些权重上表现得并不清晰"),
    display=False)
glue("c4c_aka_seconds", aka_seconds, display=False)

# %% [markdown]
# The mean response {glue:md}`c4c_aka_trend` (mean std {glue:md}`c4c_aka_means`). Is that what
# you predicted? The paper's reading (Sec. 4.2):
#
# > When there are more layers, an individual layer of ResNets tends to modify the signal less.
#
# These weights come from a different codebase and a different input normalisation than this
# book's runs, so compare their curves with each other, not their absolute values with the quick
# runs above. And they are all ResNets: nobody released the plain nets of Fig. 7, so they cannot
# test the paper's *first* observation. (Measuring all four took {glue:text}`c4c_aka_seconds:.0f` s
# on this CPU.)

# %% [markdown]
# ## Plain against residual, fully trained: the cpu scale
#
# For the first observation at full length, this book trains both families itself.

# %% tags=["remove-input"]
quiz("04c_fig7", ["q4"])

# %% [markdown]
# The cpu scale runs the paper's recipe on all 50,000 training images, with the schedule's shape
# kept and its length compressed to what a laptop CPU can afford; each run's record stores its
# layer responses on the test images. The runs take hours each, so they are committed one by one as
# they finish: what is there today is listed below, and the figure draws what exists.

# %% tags=["remove-input"]
cpu = pages.cpu_records("fig7")
cpu_stds = {r["label"]: np.array([s for _, s in r["extra"]["layer_response_std"]])
            for r in cpu if "layer_response_std" in r.get("extra", {})}
display(Markdown(pages.cpu_scale_note("fig7", cpu)))

# %% tags=["remove-input"]
if cpu_stds:
    fig, axes = plt.subplots(2, 1, figsize=(8, 5.4), sharey=True)
    plot_responses(axes, cpu_stds, STYLE)
    fig.tight_layout()
    stamp(fig, cpu)
    plt.show()
    display(Markdown("*Fig. 7 at the cpu scale: the committed runs' response stds (after BN, before ReLU and "
                     "addition) in layer order (top) and sorted (bottom); plain nets dashed, ResNets solid. "
                     "Trained on the JPEG-derived copy of CIFAR-10.*"))
cpu_mean = {k: float(v.mean()) for k, v in cpu_stds.items()}
pairs = [d for d in (20, 56) if f"plain{d}" in cpu_mean and f"resnet{d}" in cpu_mean]
glue("c4c_cpu_claim", Markdown(
    "; ".join(f"at {d} layers the ResNet's mean response is {cpu_mean[f'resnet{d}']:.2f} against the plain "
              f"net's {cpu_mean[f'plain{d}']:.2f} ("
              + ("smaller, as in the paper" if cpu_mean[f"resnet{d}"] < cpu_mean[f"plain{d}"] else "**not** smaller")
              + ")" for d in pairs)
    if pairs else "no plain/ResNet pair of the same depth is committed yet, so this section cannot answer the "
                  "question with data today"), display=False)
glue("c4c_cpu_claim_zh", Markdown(
    "；".join(f"在 {d} 层时，ResNet 的平均响应为 {cpu_mean[f'resnet{d}']:.2f}，普通网络为 "
              f"{cpu_mean[f'plain{d}']:.2f}（"
              + ("更小，与论文一致" if cpu_mean[f"resnet{d}"] < cpu_mean[f"plain{d}"] else "**并不**更小")
              + "）" for d in pairs)
    if pairs else "目前还没有提交同一深度的普通网络与 ResNet 的配对，所以本节今天还无法用数据回答这个问题"),
    display=False)
# the second observation (deeper ResNets respond more weakly) on the same records: ResNet-20, -56, -110
chain = [d for d in (20, 56, 110) if f"resnet{d}" in cpu_mean]
both = len(chain) >= 2
falls = both and all(cpu_mean[f"resnet{a}"] > cpu_mean[f"resnet{b}"] for a, b in zip(chain, chain[1:]))
glue("c4c_cpu_depth", Markdown(
    "mean responses " + ", ".join(f"ResNet-{d} {cpu_mean[f'resnet{d}']:.2f}" for d in chain) + " ("
    + ("smaller with each step in depth, as in the paper" if falls else "**not** smaller with each step in depth: "
       "these runs do not show it") + ")"
    if both else "ResNet-20 and ResNet-56 are not both committed yet"), display=False)
glue("c4c_cpu_depth_zh", Markdown(
    "平均响应 " + "，".join(f"ResNet-{d} {cpu_mean[f'resnet{d}']:.2f}" for d in chain) + "（"
    + ("随深度每一步都更小，与论文一致" if falls else "**并非**随深度每一步都更小：这些运行没有显示出这一点") + "）"
    if both else "ResNet-20 与 ResNet-56 尚未都提交"), display=False)
te = {r["label"]: r["final"]["eval_error"] for r in cpu}  # their test errors (the same runs as Table 6's)
te_words = pages.order_words(te.get("resnet56"), te.get("resnet20"))
glue("c4c_cpu_te_word", Markdown(te_words[0]), display=False)
glue("c4c_cpu_te_word_zh", Markdown(te_words[1]), display=False)
depth_card = [" > ".join(f"ResNet-{d} {cpu_mean[f'resnet{d}']:.2f}" for d in chain) if falls else
              " vs ".join(f"ResNet-{d} {cpu_mean[f'resnet{d}']:.2f}" for d in chain)] if both else []
depth_card_zh = [" > ".join(f"ResNet-{d} {cpu_mean[f'resnet{d}']:.2f}" for d in chain) if falls else
                 " 对 ".join(f"ResNet-{d} {cpu_mean[f'resnet{d}']:.2f}" for d in chain)] if both else []
glue("c4c_cpu_card", Markdown(
    ", ".join([f"ResNet-{d} {cpu_mean[f'resnet{d}']:.2f} vs plain-{d} {cpu_mean[f'plain{d}']:.2f}" for d in pairs]
              + depth_card)
    if pairs else "no plain/ResNet pair committed yet"), display=False)
glue("c4c_cpu_card_zh", Markdown(
    "，".join([f"ResNet-{d} {cpu_mean[f'resnet{d}']:.2f} 对 plain-{d} {cpu_mean[f'plain{d}']:.2f}" for d in pairs]
              + depth_card_zh)
    if pairs else "尚未提交普通网络与 ResNet 的配对"), display=False)

# %% [markdown]
# What the committed records say: {glue:md}`c4c_cpu_claim`. Did you answer that the released
# weights need a plain counterpart? That is why this section exists: a plain net and a ResNet of the
# same depth, trained with one recipe on the same data, are the only pair that isolates the
# shortcut. Fig. 7's first observation is a statement about such pairs; its second, about ResNets
# alone, the released weights can already test. On this book's cpu-scale records the second reads:
# {glue:md}`c4c_cpu_depth`. These runs are about a tenth of the paper's length, and at this length
# ResNet-56's test error ends {glue:md}`c4c_cpu_te_word` ResNet-20's (Table 6's page): the
# observation is about nets trained to the end of the paper's schedule, which the released weights
# are.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-04c-1
#
# Test the mechanism: for the trained ResNet-56 and plain-56 of this page, collect the BN scale
# $|\gamma|$ of every response layer (`analysis.response_taps(model)` gives the BN modules;
# `runner.trained_model(record)` the model) and compare their means. Does the picture match
# the responses?
# ```
#
# ````{solution} ex-04c-1
# :class: dropdown
#
# ```python
# from resnet_book.analysis import response_taps
# from resnet_book.experiments import trained_model
# by = {r["label"]: r for r in records}
# for name in ("plain56", "resnet56"):
#     model = trained_model(by[name])
#     print(name, np.mean([bn.weight.abs().mean().item() for _, bn in response_taps(model)]))
# ```
#
# The response std of a BN output in eval mode is roughly $|\gamma|$ times the ratio of the batch's
# spread to the running statistics, so the means of $|\gamma|$ track the responses closely. Look
# at the second BN of each block in particular: it ends the residual branch.
# ````
#
# ```{exercise}
# :label: ex-04c-2
#
# The paper measures responses on the test set. Measure them on *training* images instead
# (`layer_response_std(model, x)` with a batch built from `DeviceData(...).x_train`) and on
# random noise of the same mean and variance. Which of the paper's observations survive on noise,
# and what does that tell you about what the figure measures?
# ```
#
# ```{solution} ex-04c-2
# :class: dropdown
#
# Training and test images give nearly the same curves (the nets do not overfit at this scale).
# On noise the *ordering* between plain and residual nets largely survives, because it comes from
# the learned BN scales and weights rather than from the images; the absolute values change. The
# figure measures properties of the trained layers, probed by data.
# ```
#
# ```{admonition} 🧠 Knowledge card: Fig. 7
# :class: tip
#
# **Measured:** std of each 3×3 layer's output after BN, before ReLU/addition. **Claim:** ResNets
# respond more weakly than plain nets ({term}`residual learning · 残差学习`: residual functions
# near zero), and deeper ResNets more weakly still. **Quick scale:** ResNet-56
# {glue:text}`c4c_r56:.2f` vs plain-56 {glue:text}`c4c_p56:.2f`. **Fully trained (released ResNets,
# no plain nets):** mean std {glue:md}`c4c_aka_means`. **Cpu scale:** {glue:md}`c4c_cpu_card`. **Mechanism:** BN's $\gamma$ lets
# a block fade out; the {term}`identity mapping · 恒等映射` keeps the signal.
# ({doc}`glossary <../book/glossary>`)
# ```
