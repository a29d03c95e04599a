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
# 2. tell its two claims apart (deeper plain nets train worse; ResNets train at every depth and gain
#    from it) and say which of them a run of a given length can test;
# 3. put the paper, this book's cpu-scale records and a live quick run side by side, each with its
#    provenance, and say what each of them shows.
# ```
#
# The paper's Fig. 6 is the CIFAR-10 version of its central claim {cite:p}`he2016deep` (Sec. 4.2):
#
# > The deep plain nets suffer from increased depth, and exhibit higher training error when going
# > deeper. [...] Also similar to the ImageNet cases (Fig. 4, right), our ResNets manage to
# > overcome the optimization difficulty and demonstrate accuracy gains when the depth increases.
#
# Eight networks, two families, one recipe: plain-20/32/44/56 and ResNet-20/32/44/56 (option A,
# so each ResNet has exactly its plain net's parameters). This page shows them at two scales of
# this book: the **cpu scale** (the paper's recipe on all 50k images, shortened; trained once and
# committed) and the **quick scale** (trained, or reused, when this page executes).

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import experiments as ex
from resnet_book import reference
from resnet_book.book import pages
from resnet_book.book import quiz, stamp
from resnet_book.experiments import run_experiment
from resnet_book.engine.train import TrainConfig

# %% [markdown]
# ## Eight networks, one recipe
#
# Before any curve, a prediction about the paper's figure:

# %% tags=["remove-input"]
quiz("04_experiments", ["q14"])

# %% [markdown]
# Did you predict "plain: the deeper, the higher; ResNets: the deeper, the lower"? That is the
# paper's figure. Now this book's runs: the committed cpu-scale records, and the quick-scale runs,
# trained now or reused (plain-20 and plain-56 were trained in Chapter 1, ResNet-20 in Chapter 2).

# %%
cpu = pages.cpu_records("fig6")
records = run_experiment("fig6", progress=False)
by_cpu = {r["label"]: r for r in cpu}
by = {r["label"]: r for r in records}
sorted(by_cpu), sorted(by)

# %% tags=["remove-input"]
display(Markdown(pages.cpu_scale_note("fig6", cpu)))

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Fig. 6 re-run in the paper's style: dashed lines are training error (on the augmented mini-batches, averaged over the iterations between two log points), solid lines with dots are test error. Left: plain nets; right: ResNets of the same depths. Top row: this book's cpu-scale records (the paper's recipe on all 50k training images with a shortened schedule, tested on all 10k test images); a panel names the runs that are not trained yet. Bottom row: this build's quick-scale runs (less than one epoch of a 10k subset, tested on a stratified 2k subset; the dotted line is chance, 90%). The two rows have their own error axes.", "name": "fig-04a-fig6"}}
DEPTHS = (20, 32, 44, 56)
FAMILIES = ("plain", "resnet")
fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharey="row")
for row, (scale, recs) in enumerate((("cpu scale", by_cpu), ("quick scale", by))):
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
    if not have:  # nothing to draw in this row yet: no empty axes ticks
        axes[row, 0].set(xticks=[], yticks=[])
        axes[row, 1].set(xticks=[])
fig.tight_layout()
stamp(fig, records + cpu)
plt.show()

# %% [markdown]
# The final numbers, beside the paper's test errors (Table 6 for ResNets; for plain nets, which
# the paper does not tabulate, a third party's reading of the plot of Fig. 6, marked ≈):

# %% tags=["remove-input"]
paper = {f"resnet{d}": f"{reference.TABLE6['resnet'][d]['error']:.2f}" for d in DEPTHS}
paper.update({f"plain{d}": f"≈{v:g}" for d, v in reference.FIG6["plain_test_error_read_from_plot"].items()})
labels = [f"{f}{d}" for f in FAMILIES for d in DEPTHS]
display(Markdown(pages.compare_table(labels, paper, cpu, records)))

# %% [markdown]
# Errors in %. Training error: the last 10% of the iterations; test error: the last evaluation
# (cpu scale: all 10k test images; quick scale: a stratified 2k subset). Which data the runs were
# trained on is in the provenance line under the figure: in this project's build, the JPEG-derived
# developer copy of CIFAR-10. And the paper's claims, checked on the same records:

# %% tags=["remove-input"]
display(Markdown(pages.fig6_claims_table(cpu, records)))

q = pages.errors(records)  # label -> (training error %, test error %) at the quick scale
tr = {k: v[0] for k, v in q.items()}
te = {k: v[1] for k, v in q.items()}


c = pages.errors(cpu)  # the same at the cpu scale (the runs committed so far)
c_tr = {k: v[0] for k, v in c.items()}
c_te = {k: v[1] for k, v in c.items()}


def word(a, b):
    """'above', 'below' or 'level with': where a ends relative to b."""
    return pages.order_words(a, b)[0]


def word_zh(a, b):
    """The Chinese twin of ``word``: '高于', '低于' or '持平于'."""
    return pages.order_words(a, b)[1]


for key, errs, a, b in (("c4a_cpu_p", c_tr, "plain56", "plain20"), ("c4a_cpu_r", c_te, "resnet56", "resnet20"),
                        ("c4a_cpu_rp", c_tr, "resnet56", "plain56")):
    glue(f"{key}_word", Markdown(word(errs.get(a), errs.get(b))), display=False)
    glue(f"{key}_word_zh", Markdown(word_zh(errs.get(a), errs.get(b))), display=False)
    glue(f"{key}_a", Markdown(pages.pct_or_dash(errs, a)), display=False)
    glue(f"{key}_b", Markdown(pages.pct_or_dash(errs, b)), display=False)
glue("c4a_p20", tr["plain20"], display=False)
glue("c4a_p56", tr["plain56"], display=False)
glue("c4a_r56", tr["resnet56"], display=False)
glue("c4a_r20_te", te["resnet20"], display=False)
glue("c4a_r56_te", te["resnet56"], display=False)
glue("c4a_wins", int(sum(tr[f"resnet{d}"] < tr[f"plain{d}"] for d in DEPTHS)), display=False)
glue("c4a_p_word", Markdown(word(tr["plain56"], tr["plain20"])), display=False)
glue("c4a_p_word_zh", Markdown(word_zh(tr["plain56"], tr["plain20"])), display=False)
glue("c4a_r_word", Markdown(word(te["resnet56"], te["resnet20"])), display=False)
glue("c4a_r_word_zh", Markdown(word_zh(te["resnet56"], te["resnet20"])), display=False)
glue("c4a_plain_rank", Markdown(" < ".join(pages.label(f"plain{d}") for d in sorted(DEPTHS, key=lambda d: tr[f"plain{d}"]))),
     display=False)
cpu_cfg = TrainConfig().replace(**ex.CPU_SCALE)
glue("c4a_cpu_epochs", cpu_cfg.max_iters * cpu_cfg.batch_size / 50_000, display=False)
glue("c4a_paper_epochs", reference.CIFAR_RECIPE["max_iters"] * reference.CIFAR_RECIPE["batch_size"] / 50_000, display=False)

# %% [markdown]
# ## Reading the figure
#
# The paper reads Fig. 6 by its training error. Why that one? A question first:

# %% tags=["remove-input"]
quiz("04_experiments", ["q15"])

# %% [markdown]
# Did you pick overfitting, and only overfitting? **Training error first**: an overfitting net fits
# its training data *better* and tests worse; a deeper plain net with a *higher* training error is
# failing to fit, although it could copy the shallower net and make its extra layers identities
# (Chapter 1). But after a *short* run a higher training error has a second explanation, the
# quiz's subtle option: the deeper net may simply need more updates. That is why this page shows
# two lengths of run.
#
# **At equal depth.** In this build's quick runs the ResNet ends with the lower training error at
# {glue:text}`c4a_wins` of 4 depths (ResNet-56 {glue:text}`c4a_r56:.1f`% vs plain-56
# {glue:text}`c4a_p56:.1f`%); the claims table gives the same count for the cpu scale, where its runs
# are trained. This is the claim a short run can test: same layers, same number of updates, only
# the shortcuts differ.
#
# **Across depths.** Among the quick plain nets, plain-56's training error ends
# {glue:md}`c4a_p_word` plain-20's ({glue:text}`c4a_p56:.1f`% vs {glue:text}`c4a_p20:.1f`%); from
# the lowest final training error to the highest they rank {glue:md}`c4a_plain_rank` (in the paper:
# plain-20 < plain-32 < plain-44 < plain-56). The ResNets' claim is about the end of the paper's
# run: deeper is better. Here ResNet-56's test error ends {glue:md}`c4a_r_word` ResNet-20's
# ({glue:text}`c4a_r56_te:.1f`% vs {glue:text}`c4a_r20_te:.1f`%), after less than one epoch of a
# 10k subset, which cannot settle that claim either way: a deeper network, even a residual one,
# needs more updates before its extra layers pay off, and the paper's curves separate after
# thousands of iterations. The cpu-scale column of the claims table is the longer test (about
# {glue:text}`c4a_cpu_epochs:.0f` epochs of all 50k images, against the paper's
# {glue:text}`c4a_paper_epochs:.0f`); where it says "not trained yet", the command in the note
# above trains it.
#
# **At the cpu scale** ("-" marks a run not trained yet): plain-56's training error ends
# {glue:md}`c4a_cpu_p_word` plain-20's ({glue:md}`c4a_cpu_p_a`% vs {glue:md}`c4a_cpu_p_b`%);
# ResNet-56's training error ends {glue:md}`c4a_cpu_rp_word` plain-56's ({glue:md}`c4a_cpu_rp_a`%
# vs {glue:md}`c4a_cpu_rp_b`%); ResNet-56's test error ends {glue:md}`c4a_cpu_r_word`
# ResNet-20's ({glue:md}`c4a_cpu_r_a`% vs {glue:md}`c4a_cpu_r_b`%). These runs are about a tenth
# of the paper's length: they can show the orderings at equal depth and among plain nets, while
# the ResNets' gain from depth is the paper's claim for the end of a full schedule. The paper's own
# length needs a GPU:

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
# The figure's dashed training curves are noisy: at the quick scale each point averages only 10
# mini-batches of 32 images. Smooth them (e.g. a running mean over 5 points) and decide again at
# which depths the ResNet beats the plain net. Does your conclusion depend on the smoothing?
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
# Large gaps at equal depth (a ResNet far below its plain net) survive any reasonable smoothing;
# orderings between close depths of the same family (e.g. plain-32 vs plain-44) can flip, which is
# a reminder that one seed at the quick scale resolves large effects only.
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
# from resnet_book.experiments.report import summarize
# from resnet_book.experiments import run_experiment
# recs = run_experiment("fig6", seeds=[0, 1, 2], runs=["plain20", "resnet56"], progress=True)
# [(r["label"], round(r["train_error"], 1), round(r["train_error_std"], 1)) for r in summarize(recs)]
# ```
#
# `summarize` gives the mean and the standard deviation over seeds. At the quick scale the spread of
# one network over seeds is a few points: enough to blur close comparisons (ResNet-56 vs plain-20),
# not enough to blur a gap of tens of points. Compare your spread with the gaps in the claims table
# before you call any of them an effect.
# ````
#
# ```{admonition} 🧠 Knowledge card: Fig. 6
# :class: tip
#
# **Claim:** deeper {term}`plain network · 普通网络 / 平原网络` → higher *training* error (the
# {term}`degradation problem · 退化问题`); the same depths with shortcuts train, and gain from depth.
# **This book:** the claims table checks each claim at the cpu and quick scales (quick: plain-56
# {glue:text}`c4a_p56:.0f`% vs ResNet-56 {glue:text}`c4a_r56:.0f`% training error; cpu: plain-56
# {glue:md}`c4a_cpu_rp_b`% vs ResNet-56 {glue:md}`c4a_cpu_rp_a`%). A short run can test the
# comparison at equal depth; "gain from depth" needs a long run.
# **Read first:** training error, not test error. See the {doc}`glossary <../book/glossary>`.
# ```
