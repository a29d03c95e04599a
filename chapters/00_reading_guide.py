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
# 1. plan three passes over the paper: what each is for, how long it takes, what it may skip;
# 2. tell the paper's *argument* (controlled comparisons) from its *results* (records and prizes);
# 3. read Table 1 and Fig. 6 like a researcher: what each column or axis holds, what to look at
#    first, and what would have falsified the claim;
# 4. find the chapter of this course that takes up each part of the paper.
# ```
#
# "Deep Residual Learning for Image Recognition" {cite:p}`he2016deep` is short and dense: a new
# idea, five ImageNet architectures, eight tables and seven figures in its body (more tables in the
# appendix), experiments on four datasets (ImageNet, CIFAR-10, PASCAL VOC and MS COCO). Read in
# three passes, each with its own question, it falls into place. The paper states its programme in
# one sentence (Sec. 1):
#
# > We show that: 1) Our extremely deep residual nets are easy to optimize, but the counterpart
# > "plain" nets (that simply stack layers) exhibit higher training error when the depth increases;
# > 2) Our deep residual nets can easily enjoy accuracy gains from greatly increased depth,
# > producing results substantially better than previous networks.
#
# Keep the paper open beside this page (arXiv 1512.03385).

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import reference
from resnet_book.book import quiz, stamp
from resnet_book.book.figures import paper_map
from resnet_book.tables import markdown_table

# %% [markdown]
# ## Argument or advertisement?
#
# ```{slide}
# - two kinds of evidence: tests of the idea, proof that it pays off
# - which results test the idea, which show that it pays off?
# - what makes a comparison controlled?
# ```
#
# A paper that won a competition reports two kinds of evidence, experiments built to *test an
# idea* and results that show the idea *pays off*. Which is which here?

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
# The chain has three links, each tested on two datasets: *deeper plain nets have higher training
# error* (Fig. 1 and Fig. 6 left on CIFAR-10, Fig. 4 left on ImageNet); *residual nets of the same
# size do not* (Fig. 6 middle, Fig. 4 right; Table 2 gives the final validation errors); and *the
# residual nets keep gaining from depth* (Tables 3 and 6). The ImageNet records (Tables 4 and 5)
# and the detection results (Tables 7 and 8) show that the idea pays off; they would impress even
# if the chain were broken, which is why they cannot prove it.

# %% [markdown]
# ## Three passes
#
# ```{slide}
# - pass 1 (15 min): the problem, the idea, one comparison
# - pass 2 (1–2 h): the argument, Sec. 3.1–4.2
# - pass 3 (with code): the recipe, the records, the open questions
# ```
#
# A first pass has fifteen minutes, and only a thin slice of the paper fits into them.

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q2"])

# %% [markdown]
# Here is the plan, each pass ending with a question you should be able to answer.
#
# | pass | time | read | skip for now | at the end, answer |
# |---|---|---|---|---|
# | **1. The story** | 15 min | abstract, Sec. 1 with Fig. 1 and Fig. 2, all headings, Table 2 with the paragraph "Residual Networks" of Sec. 4.1 | Sec. 2, the architecture details, every other table | What problem? What idea? What single comparison supports it? |
# | **2. The argument** | 1–2 h | Sec. 3.1–3.3 (Eqns. 1 and 2, Fig. 3, Table 1), Sec. 4.1 up to the bottleneck nets (Fig. 4, Tables 2 and 3, Fig. 5), Sec. 4.2 (Fig. 6, Table 6) | Sec. 3.4, Tables 4 and 5, Fig. 7, Sec. 4.3, the appendix | Why should $\mathcal{F}(x) + x$ be easier to optimise than $\mathcal{H}(x)$? What are options A, B, C? What would have falsified the claim? |
# | **3. The details** | an afternoon, with code | Sec. 3.4 (the recipe), Sec. 2 (Highway networks), Tables 4 and 5, Fig. 7, the ResNet-1202 paragraph, Sec. 4.3, the appendix, the footnotes | nothing | Could I re-implement it? What does the paper leave unexplained? |
#
# Pass 1 gets the story; pass 2 is what Chapters 1–6 walk through; pass 3 is where the code comes
# in.

# %% [markdown]
# ## A map of the paper: what each part is for
#
# ```{slide}
# - every part of the paper: its section, its role, its pass
# - where is each experiment's recipe?
# - ask of each figure what it shows that a table could not
# ```
#
# Sec. 3.4, "Implementation", gives a training recipe in full.

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q3"])

# %% tags=["hide-input"]
PARTS = [  # name, section, role, pass, what it is for, the course chapter that takes it up
    ("Abstract", "Abs.", "claim", 1, "the claims and the headline numbers", "all"),
    ("Sec. 1", "1", "problem", 1, "the degradation problem and the idea, in two pages", "Ch. 1, 2"),
    ("Fig. 1", "1", "problem", 1, "the symptom: deeper plain net, higher training error (CIFAR-10)", "Ch. 1"),
    ("Fig. 2", "1", "idea", 1, "the residual block: F(x) + x", "Ch. 2"),
    ("Sec. 2", "2", "context", 3, "earlier shortcuts; Highway networks' gated shortcuts", "Ch. 7"),
    ("Sec. 3.1", "3.1–3.2", "idea", 2, "why fitting a residual should be easier", "Ch. 2"),
    ("Eqns. 1–2", "3.1–3.2", "idea", 2, "identity and projection shortcuts", "Ch. 2"),
    ("Fig. 3", "3.3", "design", 2, "VGG-19, plain-34 and ResNet-34 side by side", "Ch. 3"),
    ("Table 1", "3.3", "design", 2, "the five ImageNet architectures and their FLOPs", "Ch. 3, 5"),
    ("Sec. 3.4", "3.4", "details", 3, "the ImageNet recipe: augmentation, SGD, 10-crop testing", "Ch. 5"),
    ("Fig. 4", "4.1", "evidence", 2, "training curves: plain 18/34 vs ResNet 18/34", "Ch. 5"),
    ("Table 2", "4.1", "evidence", 1, "the same comparison, final top-1 errors", "Ch. 5"),
    ("Table 3", "4.1", "evidence", 2, "shortcut options A/B/C; 50 to 152 layers", "Ch. 3, 5"),
    ("Fig. 5", "4.1", "design", 2, "basic block and bottleneck", "Ch. 3"),
    ("Tables 4–5", "4.1", "results", 3, "state of the art: single models, the winning ensemble", "Ch. 5"),
    ("Fig. 6", "4.2", "evidence", 2, "plain and residual nets of 20 to 1202 layers on CIFAR-10", "Ch. 4"),
    ("Table 6", "4.2", "evidence", 2, "CIFAR-10 test errors, 20 to 1202 layers", "Ch. 4"),
    ("Fig. 7", "4.2", "details", 3, "layer responses: residual functions are small", "Ch. 4"),
    ("Tables 7–8", "4.3", "results", 3, "object detection with a ResNet-101 backbone", "Ch. 5"),
    ("Appendix", "App.", "results", 3, "the competition entries: detection, localisation", "–"),
]
SECTIONS = ["Abs.", "1", "2", "3.1–3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "App."]
ROLES = {"claim": "#d9d9d9", "problem": "#fb9a99", "idea": "#b2df8a", "design": "#a6cee3",
         "evidence": "#fdbf6f", "results": "#cab2d6", "details": "#ffff99", "context": "#8dd3c7"}

# %% tags=["hide-input"] mystnb={"figure": {"caption": "A map of the paper: its parts in the order they appear (grouped by section, left to right) against the pass in which to read them (top to bottom), coloured by their role in the argument. The first pass is a thin slice through the whole paper; the orange *evidence* sits in the second.", "name": "fig-00-paper-map"}}
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
# Read the map with one habit: ask what each figure shows that a table could not (Fig. 4's
# training curves, beside Table 2's final errors). Chapter 1 ({doc}`01_background`) starts with
# Fig. 1, read step by step: the axes, what to look at first, what the claim predicts, what would
# falsify it.

# %% [markdown]
# ## Reading Table 1
#
# ```{slide}
# - rows: stages and their output size; columns: five networks
# - a bracket is a block, "×n" how many; the last row is the cost in FLOPs
# - the name counts weighted layers
# ```
#
# Table 1 looks like a wall of brackets: five networks, one per column.

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q6"])

# %% [markdown]
# Each **row** is a stage, with the size of its output map ({glue:md}`c0_stage_sizes` for a
# 224×224 input); each **column** a network. A bracket is one building block, listing its
# convolutions (kernel size, number of filters), and "×n" says how many blocks are stacked. The
# last row gives the cost in FLOPs, which the paper defines as multiply-adds:

# %% tags=["remove-input"]
T1 = reference.TABLE1
glue("c0_stage_sizes", Markdown(", ".join(str(v) for v in T1["stage_output"].values())), display=False)
display(Markdown(markdown_table(
    ["network", "block", "blocks in conv2_x … conv5_x", "FLOPs (×10⁹)"],
    [[f"{d}-layer", T1["block_type"][d], " · ".join(map(str, T1["blocks"][d])), f"{T1['flops'][d] / 1e9:.1f}"]
     for d in sorted(T1["blocks"])], align="llll") + f"\n\n{T1['source']} (VGG-19: {T1['vgg19_flops'] / 1e9:.1f} ×10⁹)."))

# %% [markdown]
# The count of weighted layers, for every column (stem, blocks of two or three layers, FC layer):

# %%
LAYERS_PER_BLOCK = {"basic": 2, "bottleneck": 3}
counted = {d: 1 + LAYERS_PER_BLOCK[T1["block_type"][d]] * sum(T1["blocks"][d]) + 1 for d in T1["blocks"]}
counted, all(d == n for d, n in counted.items())

# %% tags=["remove-input"]
glue("c0_r34_flops", T1["flops"][34] / 1e9, display=False)
assert T1["blocks"][50] == T1["blocks"][34]
glue("c0_r50_flops", T1["flops"][50] / 1e9, display=False)

# %% [markdown]
# ResNet-50 stacks as many blocks per stage as ResNet-34, and costs {glue:text}`c0_r50_flops:.1f`
# ×10⁹ FLOPs against {glue:text}`c0_r34_flops:.1f` ×10⁹: its blocks are bottlenecks. Chapter 3
# ({doc}`03_blocks`) rebuilds every column from code and counts why.

# %% [markdown]
# ## Reading Fig. 6
#
# ```{slide}
# - left: plain nets, 20–56 layers; middle: ResNets, 20–110; right: ResNet-110 and 1202
# - dashed: training error; bold: test error; drops: learning-rate steps
# - look first at the order of the dashed curves
# ```
#
# Fig. 6 is the CIFAR-10 version of the whole argument, in three panels.

# %% tags=["remove-input"]
quiz("00_reading_guide", ["q7"])

# %% tags=["remove-input"]
glue("c0_lr1", reference.CIFAR_RECIPE["lr_milestones"][0], display=False)
glue("c0_lr2", reference.CIFAR_RECIPE["lr_milestones"][1], display=False)

# %% [markdown]
# Left, plain nets of 20 to 56 layers; middle, ResNets of 20 to 110 layers; right, ResNet-110 and
# ResNet-1202. Dashed lines are training error, bold lines test error; the drops at
# {glue:text}`c0_lr1:,` and {glue:text}`c0_lr2:,` iterations are the learning-rate steps of the
# recipe. Look first at the order of the dashed curves: the claim predicts that deeper plain nets
# end *above* shallower ones and deeper ResNets *below*; residual nets whose training error rose
# with depth would have falsified it. The right panel holds the one exception the paper reports
# itself. The claim is about the end of the paper's schedule: a deeper ResNet still behind after a
# much shorter run does not falsify it. Chapter 4 ({doc}`04_experiments`) re-runs the left and middle
# panels at a reduced scale, and {numref}`fig-04b-depth` trains ResNet-20 and ResNet-56 at several
# lengths to show from which length on depth pays.

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
# ResNet-34 on ImageNet (Table 2, Fig. 4), same parameters and recipe. (d) For instance: several
# seeds with error bars on ImageNet; ResNet-1202 *with* stronger regularisation, to test the
# overfitting explanation; a measurement of *why* plain nets degrade (the paper only conjectures).
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
# 1×1 (plus the 7×7 stem and the FC layer: 152). Per position, a bottleneck's 3×3 layer costs
# $9c^2$ multiply-adds and each of its 1×1 layers $4c^2$ (for a 3×3 width $c$). Summed over the
# network, the 3×3 layers carry about 5.8 of ResNet-152's 11.3 ×10⁹ multiply-adds, the 1×1 layers
# (with the four projections) about 5.4: the two kinds share the cost about equally. Chapter 3
# counts such costs from code.
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
# - The plain nets' optimisation difficulty (Sec. 4.1): the paper offers a conjecture, slow
#   convergence, and postpones the rest: "The reason for such optimization difficulties will be
#   studied in the future." It is still debated; the recap lists explanations proposed since.
# - ResNet-1202's test error (Sec. 4.2): the paper argues overfitting and leaves stronger
#   regularisation for later. Stochastic depth and pre-activation units have since trained
#   1000-layer nets to *better* errors than ResNet-110 (Chapter 6).
# - Why identity is a good reference (Sec. 3.1): "our reformulation may help to precondition the
#   problem" is a hypothesis, supported only indirectly by Fig. 7 (small responses).
# - Footnote 3, a negative result: three times more iterations still show degradation, so it is
#   not simply a matter of training longer.
# ```

# %% [markdown]
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: how to read the paper
# :class: tip
#
# | | |
# |---|---|
# | **Passes** | 1: the story (15 min); 2: the argument (1–2 h); 3: the details, with code. |
# | **Argument** | a chain of comparisons at equal cost, each an {term}`ablation · 消融实验` of the shortcut; the records show that it pays off. |
# | **Fig. 1** | look at the *training* panel first: a deeper {term}`plain network · 普通网络 / 平原网络` with higher training error is the {term}`degradation problem · 退化问题` (Chapter 1). |
# | **Table 1** | brackets = a block, ×n = how many, rows = map sizes, last row = {term}`multiply-adds (FLOPs) · 乘加运算量（FLOPs）`; the name counts weighted layers. |
# | **Fig. 6** | dashed = training, bold = test; read the order of the dashed curves first. |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`residual learning · 残差学习` ·
# {term}`degradation problem · 退化问题` · {term}`plain network · 普通网络 / 平原网络` ·
# {term}`ablation · 消融实验` · {term}`multiply-adds (FLOPs) · 乘加运算量（FLOPs）`
#
# **In one sentence:** read the paper three times, each time with one question, and always look at
# the training error first. 🔍
# ```
