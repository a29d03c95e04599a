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
# # How to read this paper
#
# ```{admonition} Learning goals
# :class: tip
#
# After this page you can
#
# 1. plan three passes over the paper, and say what each pass is for, how long it takes and what
#    it may skip;
# 2. say what each section, figure and table of the paper contributes to its argument, and tell
#    the *argument* (controlled comparisons) from the *results* (records and prizes);
# 3. read Fig. 1, Table 1 and Fig. 6 like a researcher: what is on each axis or column, what to look
#    at first, and what result would have falsified the claim;
# 4. find, for each part of the paper, the chapter of this course that re-runs or regenerates it.
# ```
#
# "Deep Residual Learning for Image Recognition" {cite:p}`he2016deep` is short (nine pages and an
# appendix) and dense: a new idea, five architectures, eight tables and seven figures, experiments
# on three datasets. Read front to back in one go, it blurs. Read in three passes, each with its
# own question, it falls into place. The paper states its whole programme in one sentence
# (Sec. 1):
#
# > We show that: 1) Our extremely deep residual nets are easy to optimize, but the counterpart
# > "plain" nets (that simply stack layers) exhibit higher training error when the depth increases;
# > 2) Our deep residual nets can easily enjoy accuracy gains from greatly increased depth,
# > producing results substantially better than previous networks.
#
# Keep the paper open beside this page (arXiv 1512.03385). Nothing here is run for long: this
# page only reads the paper's numbers from `resnet_book.reference`, the one place the course keeps
# them, with the table each comes from.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import reference
from resnet_book.book import quiz, stamp
from resnet_book.book.figures import paper_map
from resnet_book.tables import markdown_table

# %% [markdown]
# ## Argument or advertisement?
#
# A paper that won a competition reports two kinds of evidence: experiments built to *test an
# idea*, and results that show the idea *pays off*. Which is which here? Commit first:

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q1"])

# %% [markdown]
# The argument is a chain of controlled comparisons. A plain network and its residual twin have the
# same depth, width, parameters and multiply-adds, the same data and the same recipe; only the
# shortcuts differ. So when the twin trains better, the shortcuts are the reason (Sec. 3.2):
#
# > The shortcut connections in Eqn.(1) introduce neither extra parameter nor computation
# > complexity. This is not only attractive in practice but also important in our comparisons
# > between plain and residual networks.
#
# The chain has three links, each tested on two datasets: *deeper plain nets have higher
# training error* (Fig. 1 and Fig. 6 on CIFAR-10, Fig. 4 and Table 2 on ImageNet); *residual nets
# of the same size do not* (the same figures, right-hand side); and *the residual nets keep
# gaining from depth* (Tables 3 and 6). The ImageNet records (Tables 4 and 5) and the detection
# results (Tables 7 and 8) show that the idea pays off; they would be impressive even if the chain
# were broken, which is why they cannot prove it.

# %% [markdown]
# ## Three passes
#
# Before the plan, a decision you will make on your first read:

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q2"])

# %% [markdown]
# The paper itself says which of its numbers are not the point (Sec. 4.2):
#
# > Our focus is on the behaviors of extremely deep networks, but not on pushing the
# > state-of-the-art results, so we intentionally use simple architectures as follows.
#
# So here is a plan in three passes, each ending with a question you should be able to answer.
#
# | pass | time | read | skip for now | at the end, answer |
# |---|---|---|---|---|
# | **1. The story** | 15 min | title, abstract, Sec. 1 (introduction) with Fig. 1 and Fig. 2, all section headings, Table 2 and the paragraph under the heading "Residual Networks" in Sec. 4.1 | Sec. 2, the architecture details, every other table | What problem? What idea? What single comparison supports it? |
# | **2. The argument** | 1–2 h | Sec. 3.1–3.3 (Eqns. 1 and 2, Fig. 3, Table 1), Sec. 4.1 up to the bottleneck nets (Fig. 4, Tables 2 and 3, Fig. 5), Sec. 4.2 (Fig. 6, Table 6) | Sec. 3.4, Tables 4 and 5, Fig. 7, Sec. 4.3, the appendix | Why should $\mathcal{F}(x) + x$ be easier to optimise than $\mathcal{H}(x)$? What are options A, B, C? What would have falsified the claim? |
# | **3. The details** | an afternoon, with code | Sec. 3.4 (the training recipe), Sec. 2 (related work: Highway networks), Tables 4 and 5, Fig. 7, the ResNet-1202 paragraph, Sec. 4.3 and the appendix, the footnotes | nothing | Could I re-implement it? What does the paper leave unexplained? |
#
# Pass 1 is what most readers of the paper ever do, and it gets the story right. Pass 2 is what
# the chapters of this course walk through, one link of the chain at a time. Pass 3 is where the
# course's code comes in: the recipe becomes a `TrainConfig`, Table 1 a set of models you can
# count, and Fig. 7 a measurement you can repeat.

# %% [markdown]
# ## A map of the paper: what each part is for
#
# Figures and tables carry most of a paper's evidence, and two can report the same experiment for
# different reasons. A question to read the map with:

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q3"])

# %% [markdown]
# The map below is drawn from the list in the next cell: every part of the paper, in the order it
# appears, with its role in the argument and the pass in which to read it.

# %%
PARTS = [  # name, section, role, pass, what it is for, the course chapter that takes it up
    ("Abstract", "Abs.", "claim", 1, "the claims and the headline numbers", "all"),
    ("Sec. 1", "1", "problem", 1, "the degradation problem and the idea, in two pages", "Ch. 1, 2"),
    ("Fig. 1", "1", "problem", 1, "the symptom: deeper plain net, higher training error (CIFAR-10)", "Ch. 1"),
    ("Fig. 2", "1", "idea", 1, "the residual block: F(x) + x", "Ch. 2"),
    ("Sec. 2", "2", "context", 3, "earlier shortcuts; Highway networks' gated shortcuts", "Ch. 7"),
    ("Sec. 3.1", "3.1–3.2", "idea", 2, "why fitting a residual should be easier", "Ch. 2"),
    ("Eqns. 1–2", "3.1–3.2", "idea", 2, "identity and projection shortcuts", "Ch. 2"),
    ("Fig. 3", "3.3", "design", 2, "VGG-19, plain-34 and ResNet-34 side by side", "Ch. 3"),
    ("Table 1", "3.3", "design", 2, "the five ImageNet architectures and their FLOPs", "Ch. 3, 6"),
    ("Sec. 3.4", "3.4", "details", 3, "the ImageNet recipe: augmentation, SGD, 10-crop testing", "Ch. 6"),
    ("Fig. 4", "4.1", "evidence", 2, "training curves: plain 18/34 vs ResNet 18/34", "Ch. 6"),
    ("Table 2", "4.1", "evidence", 1, "the same comparison, final top-1 errors", "Ch. 6"),
    ("Table 3", "4.1", "evidence", 2, "shortcut options A/B/C; 50 to 152 layers", "Ch. 3, 6"),
    ("Fig. 5", "4.1", "design", 2, "basic block and bottleneck", "Ch. 3"),
    ("Tables 4–5", "4.1", "results", 3, "state of the art: single models, the winning ensemble", "Ch. 6"),
    ("Fig. 6", "4.2", "evidence", 2, "plain and residual nets of 20 to 1202 layers on CIFAR-10", "Ch. 4"),
    ("Table 6", "4.2", "evidence", 2, "CIFAR-10 test errors, 20 to 1202 layers", "Ch. 4"),
    ("Fig. 7", "4.2", "details", 3, "layer responses: residual functions are small", "Ch. 4"),
    ("Tables 7–8", "4.3", "results", 3, "object detection with a ResNet-101 backbone", "Ch. 6"),
    ("Appendix", "App.", "results", 3, "the competition entries: detection, localisation", "–"),
]
SECTIONS = ["Abs.", "1", "2", "3.1–3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "App."]
ROLES = {"claim": "#d9d9d9", "problem": "#fb9a99", "idea": "#b2df8a", "design": "#a6cee3",
         "evidence": "#fdbf6f", "results": "#cab2d6", "details": "#ffff99", "context": "#8dd3c7"}
len(PARTS), sorted({p[3] for p in PARTS})

# %% tags=["hide-input"] mystnb={"figure": {"caption": "A map of the paper, drawn from the list above: its parts in the order they appear (grouped by section, left to right) against the pass in which to read them (top to bottom), coloured by their role in the argument. The first pass is a thin slice through the whole paper; the orange *evidence* sits in the second.", "name": "fig-00-paper-map"}}
fig, ax = plt.subplots(figsize=(11, 2.9))
paper_map(ax, [{"name": n, "section": s, "role": r, "pass": p} for n, s, r, p, _, _ in PARTS], SECTIONS,
          {1: "pass 1", 2: "pass 2", 3: "pass 3"}, ROLES, fontsize=7)
fig.tight_layout()
stamp(fig, text="Structure of He et al. 2015 (arXiv 1512.03385); roles and passes are this course's reading.")
plt.show()

# %% tags=["remove-input"]
display(Markdown(markdown_table(["part", "section", "role", "pass", "what it is for", "in this course"],
                                [[n, s, r, p, what, ch] for n, s, r, p, what, ch in PARTS], align="llllll")))

# %% [markdown]
# Fig. 4 and Table 2 are the same experiment, read for two different purposes: Table 2 gives the
# final validation errors, which *rank* the four networks; Fig. 4 shows the errors during training,
# and only the training curves can tell a net that failed to fit from a net that fitted and did not
# generalise. That is the answer to the question above, and the habit to take into every figure:
# ask what it shows that a table could not.
#
# The course follows the same map: Chapter 1 ({doc}`01_background`) re-runs Fig. 1, Chapter 2
# ({doc}`02_residual_math`) works through Sec. 3.1–3.2, Chapter 3 ({doc}`03_blocks`) regenerates
# Fig. 3, Fig. 5 and Table 1 from code, Chapter 4 ({doc}`04_experiments`) re-runs every CIFAR-10
# experiment of Sec. 4.2, Chapter 6 ({doc}`06_variants`) follows the idea after the paper,
# Chapter 5 ({doc}`05_imagenet`) reads the ImageNet and detection evidence of Sec. 4.1 and 4.3, and
# the recap ({doc}`07_recap`) collects the open questions of pass 3.

# %% [markdown]
# ## Reading Fig. 1
#
# Fig. 1 is the first thing most readers look at. Its right-hand panel (test error) is the one that
# catches the eye. Before you look at the left one:

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q4"])

# %% [markdown]
# Read a figure in four steps:
#
# 1. **Axes.** Both panels: iterations (×10⁴) of SGD on CIFAR-10 horizontally, error in percent
#    vertically; left, the error on the *training* images; right, on the *test* images. Two
#    networks: plain-20 and plain-56, same recipe.
# 2. **What to look at first.** The left panel. A deeper net that is *worse on its own training
#    images* is failing to optimise; this is the whole point of the figure.
# 3. **What the claim predicts.** "The deeper network has higher training error, and thus test
#    error" (the caption).
# 4. **What would have falsified it.** Deeper but lower training error with higher test error
#    would be overfitting, an old and well-understood problem; deeper and lower in both would mean
#    no problem at all. {numref}`fig-00-fig1-hypotheses` sketches the three patterns.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "What each hypothesis predicts for Fig. 1: schematic curves, not data (Chapter 1 re-runs the real experiment). Only the training panels tell the hypotheses apart: with overfitting the deeper net fits its training images *better*; with degradation, what the paper observed, it fits them *worse*.", "name": "fig-00-fig1-hypotheses"}}
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
stamp(fig, text="Schematic (shapes only, no measured values). The real curves: He et al. 2015, Fig. 1; re-run in Chapter 1.")
plt.show()

# %% [markdown]
# Chapter 1 re-runs Fig. 1 on this computer and reads it in exactly this way. Now check the last
# step, the one most readers skip:

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q5"])

# %% [markdown]
# ## Reading Table 1
#
# Table 1 looks like a wall of brackets. It is the most *compressed* part of the paper: five
# networks, each in a column. A question to read it with:

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q6"])

# %% [markdown]
# How to read it: each **row** is a stage, with the size of its output map
# ({glue:md}`c0_stage_sizes` for a 224×224 input); each **column** a network. A bracket is one building block, listing its
# convolutions (kernel size, number of filters), and "×n" says how many blocks are stacked. The last
# row gives the network's cost in FLOPs, which the paper defines as multiply-adds. Here are the
# columns as the course keeps them (`reference.TABLE1`):

# %% tags=["remove-input"]
T1 = reference.TABLE1
glue("c0_stage_sizes", Markdown(", ".join(str(v) for v in T1["stage_output"].values())), display=False)
display(Markdown(markdown_table(
    ["network", "block", "blocks in conv2_x … conv5_x", "FLOPs (×10⁹)"],
    [[f"{d}-layer", T1["block_type"][d], " · ".join(map(str, T1["blocks"][d])), f"{T1['flops'][d] / 1e9:.1f}"]
     for d in sorted(T1["blocks"])], align="llll") + f"\n\n{T1['source']} (VGG-19: {T1['vgg19_flops'] / 1e9:.1f} ×10⁹)."))

# %% [markdown]
# A check you can do with the table alone: the name of each network is its number of weighted
# layers, the first 7×7 convolution, the blocks (two layers in a basic block, three in a
# bottleneck) and the final fully-connected layer. Count:

# %%
LAYERS_PER_BLOCK = {"basic": 2, "bottleneck": 3}
counted = {d: 1 + LAYERS_PER_BLOCK[T1["block_type"][d]] * sum(T1["blocks"][d]) + 1 for d in T1["blocks"]}
counted, all(d == n for d, n in counted.items())

# %% tags=["remove-input"]
glue("c0_r34_flops", T1["flops"][34] / 1e9, display=False)
glue("c0_r50_blocks", Markdown(", ".join(map(str, T1["blocks"][50]))), display=False)
assert T1["blocks"][50] == T1["blocks"][34]
glue("c0_r50_flops", T1["flops"][50] / 1e9, display=False)

# %% [markdown]
# Now the question: ResNet-50 has the *same* numbers of blocks as ResNet-34
# ({glue:md}`c0_r50_blocks`), and costs
# {glue:text}`c0_r50_flops:.1f` ×10⁹ FLOPs against {glue:text}`c0_r34_flops:.1f` ×10⁹. The answer
# is inside the brackets: its blocks are bottlenecks, whose expensive 3×3 convolution works on a
# quarter of the block's width, between two cheap 1×1 convolutions. What to look at in Table 1,
# then: the brackets (what a block is), the multipliers (how many), the output sizes (where the
# map shrinks) and the last row (what it all costs). Chapter 3 ({doc}`03_blocks`) rebuilds every
# column from code and counts the FLOPs again.

# %% [markdown]
# ## Reading Fig. 6
#
# Fig. 6 is the CIFAR-10 version of the whole argument in three panels: plain nets of 20 to 56
# layers (left), ResNets of 20 to 110 layers (middle), ResNet-110 and ResNet-1202 (right). Dashed
# lines are training error, bold lines test error. Before reading on:

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q7"])

# %% tags=["remove-input"]
T6 = reference.TABLE6["resnet"]
display(Markdown(markdown_table(["ResNet", "parameters (Table 6)", "test error (%)"],
                                [[d, f"{T6[d]['params_m']}M", f"{T6[d]['error']:.2f}"] for d in sorted(T6)], align="lrr")
                 + f"\n\n{reference.TABLE6['source']}; the ResNet-110 entry is the best of five runs."))
glue("c0_r110", T6[110]["error"], display=False)
glue("c0_milestones", Markdown(" and ".join(f"{m // 1000}k" for m in reference.CIFAR_RECIPE["lr_milestones"])), display=False)
glue("c0_milestones_zh", Markdown(" 和 ".join(f"{m // 1000}k" for m in reference.CIFAR_RECIPE["lr_milestones"])), display=False)
glue("c0_r1202", T6[1202]["error"], display=False)

# %% [markdown]
# How to read it, with the same four steps:
#
# 1. **Axes.** Iterations (×10⁴) horizontally, error (%) vertically, one colour per depth; the
#    dashes are the training error, the solid lines the test error. The drops at
#    {glue:md}`c0_milestones` iterations are the learning-rate steps of the recipe, not an effect
#    of the networks.
# 2. **What to look at first.** The *order* of the dashed curves in the left and middle panels.
#    Left, the deeper plain net is always above: degradation. Middle, the deeper ResNet is below.
# 3. **What the claim predicts.** The middle panel is ordered by depth the other way round from the
#    left one, and Table 6 gets better with depth up to 110 layers
#    ({glue:text}`c0_r110:.2f`%).
# 4. **What would have falsified it.** Residual nets whose training error *rises* with depth, as
#    the plain nets' does. The right panel is the honest exception the paper reports: ResNet-1202
#    reaches nearly zero training error but a worse test error ({glue:text}`c0_r1202:.2f`%), which
#    the paper attributes to overfitting. It does not falsify the claim, which is about
#    optimisation; it marks where depth stops helping on a small dataset.
#
# Chapter 4 re-runs all three panels ({doc}`04a_fig6`, {doc}`04b_table6`, {doc}`04f_resnet1202`).

# %% [markdown]
# ## Interview round 🎤
#
# One question that uses all of the above:

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q8"])

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-00-1
#
# Do pass 1 in fifteen minutes with a timer. Then write, without looking back: (a) the problem in
# one sentence, (b) the idea in one equation, (c) the single comparison that supports it, and
# (d) one experiment you would want to see that the paper does not show.
# ```
#
# ```{solution} ex-00-1
# :class: dropdown
#
# A model answer. (a) Deeper plain networks reach a *higher training error* than shallower ones,
# although they could copy them: the degradation problem. (b) Let the layers fit
# $\mathcal{F}(x) = \mathcal{H}(x) - x$ and output $\mathcal{F}(x) + x$. (c) Plain-34 vs
# ResNet-34 on ImageNet (Table 2, Fig. 4), same parameters and recipe: the residual net trains
# better and is more accurate; the same on CIFAR-10 (Fig. 6). (d) Many answers are good: several
# seeds with error bars on ImageNet; the 1202-layer net *with* regularisation, to test the
# overfitting explanation; a measurement of *why* plain nets degrade (the paper only conjectures).
# The recap page ({doc}`07_recap`) collects what later papers found.
# ```
#
# ```{exercise}
# :label: ex-00-2
#
# From `reference.TABLE1` alone, compute how many of ResNet-152's weighted layers are 3×3
# convolutions, and how many are 1×1. Which kind is more numerous, and which kind costs more?
# ```
#
# ````{solution} ex-00-2
# :class: dropdown
#
# ```python
# from resnet_book import reference
# blocks = sum(reference.TABLE1["blocks"][152])   # 50 bottleneck blocks
# blocks, 2 * blocks                              # 3x3 layers, 1x1 layers
# ```
#
# Each of the 50 bottlenecks has one 3×3 and two 1×1 convolutions: 50 layers of 3×3 and 100 of
# 1×1 (plus the 7×7 stem and the FC layer: 152). The 1×1 layers are more numerous, but in a
# bottleneck the 3×3 and each 1×1 layer cost about the same ($9 \cdot c^2$ against
# $4 c \cdot c$ multiply-adds per position for a 3×3 width $c$), so the two kinds share the cost.
# Chapter 3 counts it exactly.
# ````
#
# ```{exercise}
# :label: ex-00-3
#
# Find at least three sentences where the paper says what it does *not* know or leaves for later.
# For each, say whether a later paper (Chapter 6, or the recap) has answered it.
# ```
#
# ```{solution} ex-00-3
# :class: dropdown
#
# Four places, from the most to the least explicit, and where each stands today.
#
# - The plain nets' optimisation difficulty (Sec. 4.1): the paper offers a conjecture, slow
#   convergence, and postpones the reason "to the future". It is still debated; the recap page
#   lists the main explanations proposed since.
# - ResNet-1202's test error (Sec. 4.2): the paper suspects overfitting and postpones stronger
#   regularisation. Stochastic depth and pre-activation units have since trained 1000-layer nets to
#   *better* errors than ResNet-110 (Chapter 6).
# - Why identity is a good reference (Sec. 3.1): "our reformulation may help to precondition the
#   problem" is a hypothesis, supported only indirectly by Fig. 7 (small responses).
# - Footnote 3, a negative result: three times more iterations still show degradation, so it is
#   not simply a matter of training longer.
# ```
#
# ```{exercise}
# :label: ex-00-4
#
# Apply the four steps (axes, what first, what the claim predicts, what would falsify it) to the
# paper's Fig. 7. Then compare your reading with Chapter 4's Fig. 7 page ({doc}`04c_fig7`).
# ```
#
# ```{solution} ex-00-4
# :class: dropdown
#
# Axes: layer index (top: in network order; bottom: sorted by size) against the standard deviation
# of each 3×3 layer's response after BN, before the ReLU and the addition. First look: ResNet curves
# below the plain ones, and deeper ResNets lower still. The claim (Sec. 3.1) predicts small
# residual functions, "closer to zero". Falsified by: ResNet responses as large as the plain nets',
# or growing with depth. Note what it cannot show: small responses are *consistent* with the
# preconditioning story, not a proof of it.
# ```

# %% [markdown]
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: how to read the paper
# :class: tip
#
# | | |
# |---|---|
# | **Pass 1 (15 min)** | abstract, Sec. 1 with Fig. 1 and Fig. 2, headings, Table 2: the problem, the idea, one comparison. |
# | **Pass 2 (1–2 h)** | Sec. 3.1–3.3, Sec. 4.1 up to the bottlenecks, Sec. 4.2: the argument: a chain of comparisons at equal cost, each an {term}`ablation · 消融实验` of the shortcut. |
# | **Pass 3 (with code)** | the recipe (Sec. 3.4), Highway networks (Sec. 2), Tables 4–5, Fig. 7, ResNet-1202, detection: re-implement, list the open questions. |
# | **Fig. 1** | look at the *training* panel first: deeper {term}`plain network · 普通网络 / 平原网络`, higher training error = the {term}`degradation problem · 退化问题`, not overfitting. |
# | **Table 1** | brackets = a block, ×n = how many, rows = map sizes, last row = {term}`multiply-adds (FLOPs) · 乘加运算量（FLOPs）`; the name = weighted layers. |
# | **Fig. 6** | dashed = training, bold = test; the plain panel is ordered by depth one way, the ResNet panel the other way; ResNet-1202 is the honest exception. |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`residual learning · 残差学习` ·
# {term}`degradation problem · 退化问题` · {term}`plain network · 普通网络 / 平原网络` ·
# {term}`ablation · 消融实验` · {term}`multiply-adds (FLOPs) · 乘加运算量（FLOPs）` ·
# {term}`top-5 error · top-5 错误率`
#
# **In one sentence:** read the paper three times, each time with one question, and always look at
# the training error first. 🔍
# ```
