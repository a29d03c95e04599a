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
# 1. say what Fig. 7 measures and why, in a ResNet, that is the size of the residual function;
# 2. explain why a BN output need not have unit variance;
# 3. say which of the paper's two observations a given set of trained networks can test.
# ```
#
# Fig. 7 of the paper measures how strongly each 3×3 layer of a trained network responds
# {cite:p}`he2016deep` (Sec. 4.2), in plain nets and ResNets of several depths.

# %% tags=["remove-input"]
import time

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book.analysis import layer_response_std, released_inputs
from resnet_book.book import pages, quiz, stamp
from resnet_book.experiments import run_experiment
from resnet_book.models import get_model, weights
from resnet_book.tables import markdown_table

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


def response_stds(records: list[dict]) -> dict[str, np.ndarray]:
    """label -> the response std of each 3x3 layer, as stored in each run's record."""
    return {r["label"]: np.array([s for _, s in r["extra"]["layer_response_std"]])
            for r in records if "layer_response_std" in r.get("extra", {})}


# %% [markdown]
# ## Plain against residual
#
# ```{slide}
# - response: a 3×3 layer's output after BN, before ReLU and addition
# - plain-20/56 and ResNet-20/56/110, one recipe
# - its std over test images, layer by layer
# ```
#
# Before any figure, a prediction:

# %% tags=["remove-input"]
quiz("04c_fig7", ["q1"])

# %% [markdown]
# The paper defines the response (Sec. 4.2):
#
# > The responses are the outputs of each 3×3 layer, after BN and before other nonlinearity
# > (ReLU/addition). For ResNets, this analysis reveals the response strength of the residual
# > functions.
#
# If residual functions are often close to zero (Chapter 2's argument), a ResNet's layers should
# respond less than a plain net's. Each of this book's cpu-scale runs stored its responses on 500
# test images, measured with a forward hook on every such BN layer ({doc}`08_scales`):

# %%
records = pages.cpu_records("fig7")
cpu_stds = response_stds(records)
# The quick-scale runs (five nets, 300 iterations of 32 images) take several minutes on one thread
# when not already trained by earlier pages: only in the site's build or when LIVE = True.
LIVE = pages.live_runs()
quick = run_experiment("fig7", progress=False) if LIVE else []
quick_stds = response_stds(quick)
{k: len(v) for k, v in cpu_stds.items()}

# %% tags=["remove-input"]
display(Markdown(pages.cpu_scale_note("fig7", records)))
display(Markdown(pages.paper_scale_note("fig7")))
cpu_mean = {k: float(v.mean()) for k, v in cpu_stds.items()}
for k in STYLE:
    glue(f"c4c_cpu_{k}", Markdown(f"{cpu_mean[k]:.2f}" if k in cpu_mean else "-"), display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Fig. 7 re-run on this book's cpu-scale records: the standard deviation of each 3×3 layer's response (after BN, before ReLU and addition), on 500 test images. Top: in layer order (the stem is layer 1). Bottom: the same values sorted in descending order. Plain nets dashed, ResNets solid.", "name": "fig-04c-fig7"}}
fig, axes = plt.subplots(2, 1, figsize=(8, 5.4), sharey=True)
plot_responses(axes, cpu_stds, STYLE)
fig.tight_layout()
stamp(fig, records)
plt.show()

# %% [markdown]
# The paper's first observation (Sec. 4.2):
#
# > ResNets have generally smaller responses than their plain counterparts. These results support
# > our basic motivation (Sec.3.1) that the residual functions might be generally closer to zero than
# > the non-residual functions.
#
# Compare it with the curves and with the mean response of each net: ResNet-20
# {glue:md}`c4c_cpu_resnet20` and plain-20 {glue:md}`c4c_cpu_plain20`; ResNet-56
# {glue:md}`c4c_cpu_resnet56` and plain-56 {glue:md}`c4c_cpu_plain56`.

# %% [markdown]
# ## Reading the figure
#
# ```{slide}
# - BN normalises, then multiplies by a learned $\gamma$
# - a ResNet block can fade out; the identity keeps the signal
# ```
#
# Before the explanation, one question about the quantity itself.

# %% tags=["remove-input"]
quiz("04c_fig7", ["q2"])

# %% [markdown]
# A BN output has a standard deviation other than 1 because BN's learned scale $\gamma$ multiplies
# the normalised activations (and at test time the batch is normalised with running statistics,
# not its own): a layer that the optimiser wants to "switch off" can shrink its $\gamma$, and weight
# decay pulls every $\gamma$ towards zero. In a ResNet, switching a block off leaves the identity;
# in a plain net it would cut the signal. That is the mechanism the paper's reading rests on, and
# it is a statement about where the optimiser goes, not about final accuracy.

# %% [markdown]
# ## Deeper ResNets
#
# ```{slide}
# - the paper's second observation compares ResNets of different depths
# - fully trained ResNet-20/32/44/56, released by a reproduction
# ```
#
# The paper also compares ResNets of different depths with each other.

# %% tags=["remove-input"]
quiz("04c_fig7", ["q3"])

# %% [markdown]
# For fully trained networks this page borrows the ResNet-20, 32, 44 and 56 that Yerlan Idelbayev
# trained for 200 epochs and released in `akamaster/pytorch_resnet_cifar10` (BSD-2-Clause licence),
# loaded into this book's models (Appendix B, {doc}`09_data`), and measures them now on 200 of the
# original-pixel test images:

# %%
AKA = ["resnet20", "resnet32", "resnet44", "resnet56"]
t0 = time.perf_counter()
aka_stds = {}
for name in AKA:
    x, _ = released_inputs(name, "test_lossless1k", eval_subset=200)
    aka_stds[name] = np.array([s for _, s in layer_response_std(get_model(name, weights="akamaster"), x)])
aka_seconds = time.perf_counter() - t0
{pages.label(k): round(float(v.mean()), 3) for k, v in aka_stds.items()}

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Fig. 7 on fully trained networks: the released ResNet-20/32/44/56 of akamaster/pytorch_resnet_cifar10 (200 epochs), on 200 of the original-pixel CIFAR-10 test images. Top: layer order. Bottom: sorted in descending order.", "name": "fig-04c-released"}}
AKA_STYLE = {"resnet20": ("C0", "-"), "resnet32": ("C2", "-"), "resnet44": ("C1", "-"), "resnet56": ("C3", "-")}
fig, axes = plt.subplots(2, 1, figsize=(8, 5.4), sharey=True)
plot_responses(axes, aka_stds, AKA_STYLE)
fig.tight_layout()
w56 = weights.WEIGHTS["resnet56.akamaster"]
stamp(fig, text=f"Weights: {w56.source}; licence {w56.licence.split(' (')[0]}. Trained by them: {w56.trained}. "
                f"Measured here on the CPU in {aka_seconds:.0f} s.")
plt.show()

# %% [markdown]
# The paper's reading (Sec. 4.2):
#
# > When there are more layers, an individual layer of ResNets tends to modify the signal less.
#
# These weights come from another codebase, with another input normalisation: compare their curves
# with each other, not their values with this book's runs.
#
# ### What the released weights cannot show
#
# ```{slide}
# - two observations, three sources: which source tests which?
# ```

# %% tags=["remove-input"]
quiz("04c_fig7", ["q4"])

# %% [markdown]
# The paper's two observations, checked on each source (mean response std over a net's 3×3 layers):

# %% tags=["remove-input"]
sources = [("cpu scale", cpu_stds), ("released (200 epochs)", aka_stds)] + ([("quick scale", quick_stds)] if quick_stds else [])
means = [{k: float(v.mean()) for k, v in s.items()} for _, s in sources]
nets = list(STYLE) + [n for n in AKA if n not in STYLE]


def smaller(m: dict, a: str, b: str) -> str:
    return ("yes" if m[a] < m[b] else "no") if a in m and b in m else "-"


def falls(m: dict, chain: list[str]) -> str:
    have = [n for n in chain if n in m]
    if len(have) < 2:
        return "-"
    return ("yes" if all(m[a] > m[b] for a, b in zip(have, have[1:])) else "no") + f" ({', '.join(n[6:] for n in have)})"


rows = [[pages.label(n)] + [f"{m[n]:.2f}" if n in m else "-" for m in means] for n in sorted(nets, key=lambda n: (n[0] == "r", int(n.lstrip("plainresnet"))))]
rows += [[f"ResNet-{d} < plain-{d}?"] + [smaller(m, f"resnet{d}", f"plain{d}") for m in means] for d in (20, 56)]
rows += [["deeper ResNet, smaller response?"] + [falls(m, ["resnet20", "resnet32", "resnet44", "resnet56", "resnet110"]) for m in means]]
display(Markdown(markdown_table(["network"] + [name for name, _ in sources], rows, align="l" + "r" * len(sources))))
glue("c4c_aka_means", Markdown(", ".join(f"{pages.label(k)} {v.mean():.2f}" for k, v in aka_stds.items())), display=False)

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-04c-1
#
# Test the mechanism: train plain-56 and ResNet-56 at the quick scale, collect the BN scale
# $|\gamma|$ of every response layer (`analysis.response_taps(model)` gives the BN modules) and
# compare their means. Does the picture match the responses?
# ```
#
# ````{solution} ex-04c-1
# :class: dropdown
#
# ```python
# from resnet_book.analysis import response_taps
# from resnet_book.experiments import run_experiment, trained_model
# for rec in run_experiment("fig7", runs=["plain56", "resnet56"], progress=True):
#     model = trained_model(rec)
#     print(rec["label"], np.mean([bn.weight.abs().mean().item() for _, bn in response_taps(model)]))
# ```
#
# The response std of a BN output in eval mode is roughly $|\gamma|$ times the ratio of the batch's
# spread to the running statistics, so the means of $|\gamma|$ track the responses closely. Look
# at the second BN of each block in particular: it ends the residual branch.
# ````
#
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: Fig. 7
# :class: tip
#
# **Measured:** std of each 3×3 layer's output after BN, before ReLU/addition. **Claim:** ResNets
# respond more weakly than plain nets ({term}`residual learning · 残差学习`: residual functions
# near zero), and deeper ResNets more weakly still. **Cpu scale** (mean std): ResNet-56
# {glue:md}`c4c_cpu_resnet56`, plain-56 {glue:md}`c4c_cpu_plain56`. **Released ResNets (no plain
# nets):** {glue:md}`c4c_aka_means`. **Mechanism:** BN's $\gamma$ lets a block fade out; the
# {term}`identity mapping · 恒等映射` keeps the signal. ({doc}`glossary <../book/glossary>`)
# ```
