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
# ```{admonition} Learning goals
# :class: tip
#
# After this page you can
#
# 1. read Fig. 6 the way the paper does: training error first, each plain net against the ResNet
#    of the same depth;
# 2. tell its two claims apart (deeper plain nets train worse; ResNets train at every depth and, in
#    the paper's 64k-iteration runs, gain from it) and say which of them a run of a given length
#    can test.
# ```
#
# Fig. 6 is the CIFAR-10 version of the paper's central claim {cite:p}`he2016deep` (Sec. 4.2).
# Eight networks, two families, one recipe: plain-20/32/44/56 and ResNet-20/32/44/56, with option A
# shortcuts, so that each ResNet has exactly its plain net's parameters.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import experiments as ex
from resnet_book import reference
from resnet_book.book import pages
from resnet_book.book import quiz, stamp
from resnet_book.experiments import run_experiment

# %% [markdown]
# ## Eight networks, one recipe
#
# ```{slide}
# - plain-20/32/44/56 and ResNet-20/32/44/56
# - option A: each ResNet has its plain net's parameters
# - one recipe (Sec. 4.2); dashed: training error, bold: test error
# ```
#
# Before any curve, a prediction about the paper's figure:

# %% tags=["remove-input"]
quiz("04_experiments", ["q14"])

# %% [markdown]
# Did you predict "plain: the deeper, the higher; ResNets: the deeper, the lower"? That is the
# paper's reading of its figure (Sec. 4.2):
#
# > The deep plain nets suffer from increased depth, and exhibit higher training error when going
# > deeper. [...] Also similar to the ImageNet cases (Fig. 4, right), our ResNets manage to
# > overcome the optimization difficulty and demonstrate accuracy gains when the depth increases.
#
# This book's evidence is its committed cpu-scale runs: the paper's recipe on all 50k images,
# shortened to {glue:text}`c4a_cpu_iters:,` iterations (about {glue:text}`c4a_cpu_epochs:.0f`
# epochs, against the paper's {glue:text}`c4a_paper_epochs:.0f`); {doc}`08_scales` says how they
# are made.

# %%
cpu = pages.cpu_records("fig6")
# The quick-scale runs (eight nets, 300 iterations of 32 images each) take about 9 minutes on one
# thread, so they train only in the site's build or when you set LIVE = True.
LIVE = pages.live_runs()
records = run_experiment("fig6", progress=False) if LIVE else []
sorted(r["label"] for r in cpu), sorted(r["label"] for r in records)

# %% tags=["remove-input"]
display(Markdown(pages.cpu_scale_note("fig6", cpu)))
cpu_cfg = ex.get_experiment("fig6").scales["cpu"]
glue("c4a_cpu_iters", cpu_cfg["max_iters"], display=False)
glue("c4a_cpu_epochs", cpu_cfg["max_iters"] * reference.CIFAR_RECIPE["batch_size"] / 50_000, display=False)
glue("c4a_paper_epochs", reference.CIFAR_RECIPE["max_iters"] * reference.CIFAR_RECIPE["batch_size"] / 50_000, display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Fig. 6 re-run in the paper's style: dashed lines are training error (on the augmented mini-batches, averaged between two log points), solid lines with dots are test error. Left: plain nets; right: ResNets of the same depths. Top: this book's cpu-scale records (the paper's recipe on all 50k training images with a shortened schedule, tested on all 10k test images); a panel names the runs not trained yet. Bottom, when the quick-scale runs were trained: less than one epoch of a 10k subset, tested on a stratified 2k subset (the dotted line is chance, 90%), on its own error axis.", "name": "fig-04a-fig6"}}
DEPTHS = (20, 32, 44, 56)
FAMILIES = ("plain", "resnet")
by_cpu, by = {r["label"]: r for r in cpu}, {r["label"]: r for r in records}
rows = [("cpu scale", by_cpu)] + ([("quick scale", by)] if by else [])
fig, axes = plt.subplots(len(rows), 2, figsize=(10, 3.6 * len(rows)), sharey="row", squeeze=False)
for row, (scale, recs) in enumerate(rows):
    have = [f for f in FAMILIES if any(f"{f}{d}" in recs for d in DEPTHS)]
    if have:
        pages.plot_fig6([axes[row, FAMILIES.index(f)] for f in have], recs, DEPTHS, have)
    for col, family in enumerate(FAMILIES):
        ax = axes[row, col]
        ax.set_title(f"{ {'plain': 'plain', 'resnet': 'ResNet'}[family]}-20/32/44/56, {scale}")
        ax.set(xlabel="iteration", ylabel="error (%)" if col == 0 else "")
        missing = [pages.label(f"{family}{d}") for d in DEPTHS if f"{family}{d}" not in recs]
        if missing:
            ax.text(0.5, 0.95, "not trained yet:\n" + ", ".join(missing), transform=ax.transAxes,
                    ha="center", va="top", fontsize=9, color="0.4")
        if scale == "quick scale":
            ax.axhline(90, color="0.7", lw=0.8, ls=":")
fig.tight_layout()
stamp(fig, records + cpu)
plt.show()

# %% [markdown]
# The final numbers, beside the paper's test errors (Table 6 for the ResNets; for the plain nets,
# which the paper does not tabulate, a third party's reading of the plot, marked ≈). Errors in %;
# training error over the last 10% of the iterations, test error at the last evaluation.

# %% tags=["remove-input"]
paper = {f"resnet{d}": f"{reference.TABLE6['resnet'][d]['error']:.2f}" for d in DEPTHS}
paper.update({f"plain{d}": f"≈{v:g}" for d, v in reference.FIG6["plain_test_error_read_from_plot"].items()})
display(Markdown(pages.compare_table([f"{f}{d}" for f in FAMILIES for d in DEPTHS], paper, cpu, records)))
c = pages.errors(cpu)  # label -> (training error %, test error %) of the committed cpu-scale runs
pairs = [d for d in DEPTHS if f"plain{d}" in c and f"resnet{d}" in c]
glue("c4a_wins", int(sum(c[f"resnet{d}"][0] < c[f"plain{d}"][0] for d in pairs)), display=False)
glue("c4a_pairs", len(pairs), display=False)
for name in ("plain56", "resnet56"):
    glue(f"c4a_cpu_{name}", Markdown(pages.pct_or_dash({k: v[0] for k, v in c.items()}, name)), display=False)

# %% [markdown]
# ## Reading the figure
#
# ```{slide}
# - training error first: a net that fits worse is not overfitting
# - equal depth: same layers, same updates, only the shortcuts differ
# - across depths: a claim about the end of 64k iterations
# ```
#
# The paper's two claims need runs of different lengths. A question first:

# %% tags=["remove-input"]
quiz("04_experiments", ["q4"])

# %% [markdown]
# **Training error first.** An overfitting net fits its training data *better* and tests worse; a
# deeper plain net with a *higher* training error is failing to fit, although it could copy the
# shallower net and make its extra layers identities (Chapter 1).
#
# **At equal depth.** In the cpu-scale records the ResNet ends with the lower training error at
# {glue:text}`c4a_wins` of {glue:text}`c4a_pairs` depths. This is the claim a short run can test:
# same layers, same number of updates, only the shortcuts differ.
#
# **Across depths** the paper's claims are about the end of its 64k iterations: plain nets rank
# plain-20 < plain-32 < plain-44 < plain-56 in training error, ResNets the other way round. The
# table checks each claim on this book's runs; from which length on the deeper ResNet is ahead,
# {numref}`fig-04b-depth` on Table 6's page measures.

# %% tags=["remove-input"]
display(Markdown(pages.fig6_claims_table(cpu, records)))

# %% [markdown]
# The paper also trained plain-110; Fig. 6's caption says only "The error of plain-110 is higher
# than 60% and not displayed". Here it runs at the paper scale only, on a GPU:

# %% tags=["remove-input"]
display(Markdown(pages.paper_scale_note("fig6")))

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-04a-2
#
# Run two more seeds of plain-20 and ResNet-56 at the quick scale (`run_experiment("fig6",
# seeds=[1, 2], runs=["plain20", "resnet56"])`, a few minutes) and report the mean and spread of
# their final training errors. Is the seed-to-seed spread smaller than the gap between the two nets?
# ```
#
# ````{solution} ex-04a-2
# :class: dropdown
#
# ```python
# from resnet_book.experiments.report import summarize
# from resnet_book.experiments import run_experiment
# recs = run_experiment("fig6", seeds=[0, 1, 2], runs=["plain20", "resnet56"], progress=True)
# [(r["label"], round(r["train_error"], 1), round(r["train_error_std"], 1)) for r in summarize(recs)]
# ```
#
# `summarize` gives the mean and the standard deviation over seeds. At the quick scale one
# network's spread over seeds is a few points: enough to blur close comparisons, not a gap of tens
# of points. Compare your spread with the gaps in the claims table before you call any of them an
# effect.
# ````
#
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: Fig. 6
# :class: tip
#
# **Claim:** deeper {term}`plain network · 普通网络 / 平原网络` → higher *training* error (the
# {term}`degradation problem · 退化问题`); the same depths with shortcuts train and, in the
# paper's 64k-iteration runs, gain from depth.
# **This book** (cpu scale): plain-56 {glue:md}`c4a_cpu_plain56`% vs ResNet-56
# {glue:md}`c4a_cpu_resnet56`% training error; the claims table checks each claim, and
# {numref}`fig-04b-depth` each length.
# **Read first:** training error, not test error. See the {doc}`glossary <../book/glossary>`.
# ```
