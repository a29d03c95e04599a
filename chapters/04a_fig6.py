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
#     experiments: [fig6]
# ---

# %% [markdown]
# # Fig. 6: plain vs residual, 20 to 56 layers
#
# The paper's Fig. 6 is the CIFAR-10 version of its central claim {cite:p}`he2016deep` (Sec. 4.2):
#
# > The deep plain nets suffer from increased depth, and exhibit higher training error when going
# > deeper. [...] On the other hand, our ResNets manage to overcome the optimization difficulty and
# > demonstrate accuracy gains when the depth increases.
#
# Eight networks, two families, one recipe: plain-20/32/44/56 and ResNet-20/32/44/56 (option A,
# so each ResNet has exactly its plain net's parameters). We train all eight at the quick scale
# below; runs that an earlier page already trained (plain-20 and plain-56 in Chapter 1,
# ResNet-20 in Chapter 2) are reused.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import pages, reference
from resnet_book.book import quiz, stamp
from resnet_book.report import summarize
from resnet_book.runner import run_experiment

# %%
records = run_experiment("fig6", progress=False)
by = {r["label"]: r for r in records}
sorted(by)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Fig. 6 re-run at the quick scale, in the paper's style: dashed lines are training error (on the augmented mini-batches, averaged over windows of 10 iterations), solid lines with dots are test error (on a stratified 2k subset of the test set). Left: plain nets; right: ResNets of the same depths.", "name": "fig-04a-fig6"}}
DEPTHS = (20, 32, 44, 56)
colors = dict(zip(DEPTHS, ("C2", "C0", "C1", "C3")))
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, family in zip(axes, ("plain", "resnet")):
    for d in DEPTHS:
        pages.plot_curves(ax, by[f"{family}{d}"], colors[d], name=f"{d}")
    ax.set(title=f"{'plain' if family == 'plain' else 'ResNet'}-20/32/44/56", xlabel="iteration")
    ax.axhline(90, color="0.7", lw=0.8, ls=":")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
axes[0].set_ylabel("error (%)")
fig.tight_layout()
stamp(fig, records)
plt.show()

# %% [markdown]
# The final numbers (training error: the last 10% of the iterations; test error: the last
# evaluation), next to the paper's test errors (Table 6 for ResNets; read off the plot of Fig. 6
# for plain nets, which the paper does not tabulate):

# %% tags=["remove-input"]
from resnet_book.report import report  # noqa: E402

display(Markdown(report("fig6", records)))

rows = {r["label"]: r for r in summarize(records)}
tr = {k: v["train_error"] for k, v in rows.items()}
te = {k: v["eval_error"] for k, v in rows.items()}
plain_order = [tr[f"plain{d}"] for d in DEPTHS]
monotone = all(a < b for a, b in zip(plain_order, plain_order[1:]))
glue("c4a_p20", tr["plain20"], display=False)
glue("c4a_p56", tr["plain56"], display=False)
glue("c4a_r20", tr["resnet20"], display=False)
glue("c4a_r56", tr["resnet56"], display=False)
glue("c4a_r56_te", te["resnet56"], display=False)
glue("c4a_r20_te", te["resnet20"], display=False)
wins = sum(tr[f"resnet{d}"] < tr[f"plain{d}"] for d in DEPTHS)
glue("c4a_wins", wins, display=False)
glue("c4a_plain_order", Markdown(
    "rises with every step in depth, as in the paper" if monotone else
    "is highest for the deepest plain net, although not strictly ordered at every step in depth "
    f"(order from best to worst: {', '.join(pages.label(f'plain{d}') for d in sorted(DEPTHS, key=lambda d: tr[f'plain{d}']))})"),
    display=False)
res_gain = tr["resnet20"] - tr["resnet56"]
glue("c4a_res_depth", Markdown(
    f"ResNet-56 already trains better than ResNet-20 (training error {tr['resnet56']:.1f}% vs {tr['resnet20']:.1f}%)"
    if res_gain > 0 else
    f"ResNet-56 does **not** yet beat ResNet-20 (training error {tr['resnet56']:.1f}% vs {tr['resnet20']:.1f}%)"),
    display=False)

# %% [markdown]
# ## Reading the figure
#
# **What agrees with the paper.** Look at the training error first, as the paper does. Among the
# plain nets it {glue:md}`c4a_plain_order`: plain-56 ends at {glue:text}`c4a_p56:.1f`% against
# plain-20's {glue:text}`c4a_p20:.1f`%. The deeper plain nets are not overfitting; they are
# *failing to fit*. With shortcuts, the same layers train: the ResNet beats its plain counterpart
# in training error at {glue:text}`c4a_wins` of 4 depths, and the gap is largest at 56 layers
# (ResNet-56 {glue:text}`c4a_r56:.1f`% vs plain-56 {glue:text}`c4a_p56:.1f`%).
#
# **What a quick run cannot show.** In the paper the ResNets get *better* with depth. Here
# {glue:md}`c4a_res_depth`. That is not a contradiction: a quick run is less than one epoch of a
# 10k subset, and a deeper network, even a residual one, needs more updates before its extra
# layers pay off. The paper's curves cross much later, after tens of thousands of iterations. The
# claim a quick run *can* test is the one about optimisation at equal depth, and it holds (the
# test suite checks it for three seeds on every CI run). The claim about accuracy gains with depth
# needs the paper scale:

# %% tags=["remove-input"]
display(Markdown(pages.paper_scale_note("fig6")))

# %% [markdown]
# The paper's Fig. 6 also shows plain-110, with more than 60% training error (Sec. 4.2); it runs
# only at the paper scale here (`--scale paper --runs plain110`), since at a few hundred iterations
# it would teach nothing beyond plain-56.

# %% tags=["remove-input"]
quiz("04_experiments", ["q3", "q4"])

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-04a-1
#
# The figure's dashed training curves are noisy: each point averages only 10 mini-batches of 32
# images. Smooth them (e.g. a running mean over 5 points) and decide again at which depths the
# ResNet beats the plain net. Does your conclusion depend on the smoothing?
# ```
#
# ````{solution} ex-04a-1
# :class: dropdown
#
# ```python
# import numpy as np
# def smooth(y, k=5):
#     return np.convolve(y, np.ones(k) / k, mode="valid")
# {r["label"]: smooth(np.array(r["history"]["train_error"]))[-1] for r in records}
# ```
#
# The ordering at equal depth (ResNet below plain) is robust to the smoothing; orderings between
# close depths of the same family (e.g. plain-32 vs plain-44) can flip, which is a reminder that
# one seed at the quick scale resolves large effects only.
# ````
#
# ```{exercise}
# :label: ex-04a-2
#
# Run two more seeds of plain-20 and ResNet-56 (`run_experiment("fig6", seeds=[1, 2],
# runs=["plain20", "resnet56"])`, a few minutes) and report the mean and spread of their final
# training errors. Is the seed-to-seed spread smaller than the gap between the two nets?
# ```
#
# ````{solution} ex-04a-2
# :class: dropdown
#
# ```python
# from resnet_book.report import summarize
# from resnet_book.runner import run_experiment
# recs = run_experiment("fig6", seeds=[0, 1, 2], runs=["plain20", "resnet56"], progress=True)
# [(r["label"], round(r["train_error"], 1), round(r["train_error_std"], 1)) for r in summarize(recs)]
# ```
#
# `summarize` gives the mean and the standard deviation over seeds. At the quick scale the spread of
# one network over seeds is a few points: enough to blur close comparisons (ResNet-56 vs plain-20)
# but not the large gaps (plain-56 vs ResNet-56) that the tests check.
# ````
#
# ```{admonition} 🧠 Knowledge card: Fig. 6
# :class: tip
#
# **Claim:** deeper {term}`plain network · 普通网络 / 平原网络` → higher *training* error (the
# {term}`degradation problem · 退化问题`); the same depths with shortcuts train, and gain from depth.
# **Quick scale:** the first half reproduces (plain-56 {glue:text}`c4a_p56:.0f`% vs ResNet-56
# {glue:text}`c4a_r56:.0f`% training error); "gain from depth" needs the paper's budget.
# **Read first:** training error, not test error. See the {doc}`glossary <../book/glossary>`.
# ```
