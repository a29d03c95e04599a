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
# # Recap: the paper on one page
#
# ```{admonition} Learning goals
# :class: tip
#
# After this page you can
#
# 1. state the paper in one sentence, and defend each word of it with a piece of evidence;
# 2. recall every equation of the course and find where it is derived;
# 3. draw the paper's argument as a map, from the problem to the evidence to what came after, and
#    name each link;
# 4. weigh the paper's strengths against its limitations, and say which questions it leaves open
#    and what later work found;
# 5. answer interview questions that mix reasoning and design, out loud, in two minutes each.
# ```
#
# Six chapters took the paper apart {cite:p}`he2016deep`. This page puts it back together: a
# formula sheet, a concept map, a critical reading, and an interview round. Everything on it
# links back to the page that taught it. The paper's own summary of its method (Sec. 1):
#
# > We hypothesize that it is easier to optimize the residual mapping than to optimize the
# > original, unreferenced mapping.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import torch
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import reference
from resnet_book.book import formulas
from resnet_book.analysis import count_params
from resnet_book.book import quiz, stamp
from resnet_book.book.figures import concept_map
from resnet_book.models import get_model
from resnet_book.tables import markdown_table

IM = reference.IDENTITY_MAPPINGS

# %% [markdown]
# ## The paper in one sentence
#
# Before the summary, your own:

# %% tags=["remove-input"]
quiz("07_recap", ["q1"])

# %% [markdown]
# **Learn the change, not the whole mapping**: if a few layers only have to learn how their output
# should *differ* from their input, $\mathcal{F}(x) = \mathcal{H}(x) - x$, then a very deep network
# is as easy to optimise as a shallow one, and the extra depth buys accuracy. Each part of the
# sentence is a chapter: the *problem* (deeper plain nets fit their training data worse, Chapter 1),
# the *change* (Chapter 2), the *network* that makes it free (Chapter 3), and the *evidence*
# (Chapter 4 on CIFAR-10, Chapter 5 on ImageNet). Note what the sentence does not say: nothing about
# vanishing gradients, which batch normalization had already tamed, and nothing about extra
# capacity, since the residual nets have exactly the parameters of the plain ones.

# %% [markdown]
# ## The formula sheet
#
# One question first, about the equation that explains the most:

# %% tags=["remove-input"]
quiz("07_recap", ["q2"])

# %% [markdown]
# Here is every display equation of the course, read from the chapters themselves
# (`resnet_book.book.formulas`), in the order they are taught. Each link leads to the place where the
# equation is derived and used; the number is the one it has there.

# %% tags=["remove-input"] mystnb={"markdown_format": "myst"}
EQUATIONS = formulas.equations(exclude=("chapters/07_recap",))
display(Markdown(formulas.formula_sheet(EQUATIONS)))

# %% [markdown]
# A check on the sheet: it has one entry per display equation of the chapters, labelled or not.

# %%
labelled = [eq.label for eq in EQUATIONS if eq.label]
len(EQUATIONS), len(labelled), sorted({eq.page.split("/")[1] for eq in EQUATIONS})

# %% [markdown]
# The answer to the question is the gradient through many blocks, {eq}`eq-02-grad-many` (in the
# form {cite:t}`he2016identity` give it, {eq}`eq-06-telescope`): the gradient at a shallow block
# contains the gradient at the deep block *itself*, added, not multiplied by any weight. It does not
# promise that the gradient is large (the other term can partly cancel it), only that no product
# of many small factors stands between the loss and any block. Compare
# {eq}`eq-01-gain`, where a product of per-layer gains is exactly what makes a deep plain stack
# vanish or explode at initialisation.

# %% tags=["remove-input"]
quiz("07_recap", ["q3"])

# %% [markdown]
# ## A concept map of the paper
#
# A map is only useful if you can walk it. Which way does the paper's argument run? Commit first:

# %% tags=["remove-input"]
quiz("07_recap", ["q4"])

# %% [markdown]
# The map is data: a list of concepts (with the row it sits in and the chapter that teaches it)
# and a list of labelled links. `resnet_book.book.figures.concept_map` lays it out in rows and draws
# it; add a concept and a link to the lists, and the map redraws itself.

# %%
CONCEPTS = [  # id, label, row, the chapter that teaches it
    ("depth", "depth matters\n(VGG, GoogLeNet)", 0, "Ch. 1 background"),
    ("vanish", "vanishing / exploding\ngradients", 0, "Ch. 1 background"),
    ("initbn", "He init + BN:\nsignals stay alive", 1, "Ch. 1 background"),
    ("degr", "degradation: deeper plain\nnet, higher training error", 1, "Ch. 1 background"),
    ("constr", "construction argument:\nextra layers = identity", 2, "Ch. 1 background"),
    ("hyp", "solvers struggle to\nfit an identity", 2, "Ch. 2 residual math"),
    ("resid", "residual learning\nH(x) = F(x) + x", 3, "Ch. 2 residual math"),
    ("grad", "gradient: I + ∂F/∂x,\na direct path back", 4, "Ch. 2 residual math"),
    ("short", "identity shortcut:\nno parameter, no cost", 4, "Ch. 3 blocks"),
    ("abc", "options A / B / C\nwhere shapes change", 5, "Ch. 3 blocks"),
    ("bneck", "bottleneck block\n1×1, 3×3, 1×1", 5, "Ch. 3 blocks"),
    ("cifar", "CIFAR-10: Fig. 6,\nTable 6, Fig. 7", 5, "Ch. 4 CIFAR-10"),
    ("imnet", "ImageNet: Fig. 4,\nTables 2–5", 6, "Ch. 6 ImageNet"),
    ("r1202", "ResNet-1202:\noverfits", 6, "Ch. 4 CIFAR-10"),
    ("det", "detection:\nTables 7–8", 7, "Ch. 6 ImageNet"),
    ("family", "wide, ResNeXt,\nDenseNet, SE", 7, "Ch. 5 variants"),
    ("preact", "pre-activation: a clean\nidentity path, 1001 layers", 7, "Ch. 5 variants"),
    ("sd", "stochastic depth", 7, "Ch. 5 variants"),
    ("transf", "Transformers'\nresidual stream", 8, "Ch. 5 variants"),
]
LINKS = [  # from, to, label, style ("dashed": what came after the paper)
    ("depth", "vanish", "first obstacle", ""), ("vanish", "initbn", "cured by", ""),
    ("initbn", "degr", "then exposed", ""), ("depth", "degr", "but", ""),
    ("degr", "constr", "yet", ""), ("constr", "hyp", "so blame the solver", ""),
    ("hyp", "resid", "reformulate", ""), ("resid", "short", "built with", ""),
    ("resid", "grad", "backward pass", ""), ("short", "abc", "shapes differ", ""),
    ("short", "bneck", "keeps it cheap", ""), ("short", "cifar", "tested", ""),
    ("bneck", "imnet", "152 layers", ""), ("cifar", "r1202", "the limit", ""),
    ("imnet", "det", "features transfer", ""), ("imnet", "family", "successors", "dashed"),
    ("r1202", "preact", "fixed by", "dashed"), ("r1202", "sd", "regularised by", "dashed"),
    ("preact", "transf", "same design", "dashed"),
]
nodes = [{"id": i, "label": label, "layer": row, "group": ch} for i, label, row, ch in CONCEPTS]
edges = [{"from": a, "to": b, "label": text, "style": style} for a, b, text, style in LINKS]
linked = {e["from"] for e in edges} | {e["to"] for e in edges}
len(nodes), len(edges), all(n["id"] in linked for n in nodes)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The paper's argument as a map, drawn from the two lists above: from the problem (top) through the idea and the architecture to the evidence, and, dashed, to what later work built on it (bottom). Colours name the chapter that teaches each concept.", "name": "fig-07-concept-map"}}
fig, ax = plt.subplots(figsize=(10, 9))
concept_map(ax, nodes, edges)
fig.tight_layout()
stamp(fig, text="Drawn by resnet_book.book.figures.concept_map from the CONCEPTS and LINKS of this page; "
                "the argument of He et al. 2015 and the follow-ups of Chapter 6.")
plt.show()

# %% [markdown]
# Walk it from the top ({numref}`fig-07-concept-map`): depth mattered; the first obstacle,
# vanishing signals, had been cured by careful initialisation and batch normalization; that cure
# *exposed* degradation; the construction argument says a deeper net could copy a shallower one, so
# the solver is to blame; hence the reformulation, built with a free identity shortcut, tested on
# two datasets at equal cost. This order, problem before idea and idea before evidence, is the
# answer to the question above. Each arrow is a sentence you should be able to say, and each box
# a page you can go back to.

# %% [markdown]
# ## Strengths, limitations, open questions
#
# The paper had a concurrent rival idea, Highway networks {cite:p}`srivastava2015training`, which
# also carry the input around a stack of layers. Before comparing, decide what the difference is:

# %% tags=["remove-input"]
quiz("07_recap", ["q5"])

# %% [markdown]
# A Highway layer computes $T(x) \cdot H(x) + (1 - T(x)) \cdot x$ with a learned gate
# $T(x) = \sigma(W_T x + b_T)$: a *gated* shortcut that the network can open or close, input by
# input. The paper's answer (Sec. 2):
#
# > These gates are data-dependent and have parameters, in contrast to our identity shortcuts that
# > are parameter-free.
#
# When a gate closes, the layer is no longer residual; an identity shortcut never closes. The
# follow-up paper tested exactly this on ResNet-110 {cite:p}`he2016identity`, with gates on the
# shortcuts. The package builds those networks; here are their extra parameters, counted, beside the
# errors the two papers report:

# %% tags=["remove-input"]
GATED = {"identity": "identity (the original unit)", "exclusive_gating": "exclusive gating, init -6",
         "shortcut_only_gating": "shortcut-only gating, init -6", "conv1x1": "1×1 convolution"}
t1 = IM["table1_resnet110_shortcuts"]
ERR = {"identity": t1["original"], "exclusive_gating": t1["exclusive gating (init -6)"],
       "shortcut_only_gating": t1["shortcut-only gating (init -6)"], "conv1x1": t1["1x1 conv shortcut"]}
with torch.device("meta"):  # shapes only, no memory
    params = {v: count_params(get_model("preact_resnet110", placement="original", shortcut_variant=v)) for v in GATED}
rows = [[GATED[v], f"{params[v]:,}", f"{params[v] - params['identity']:+,}", f"{ERR[v]:.2f}"] for v in GATED]
display(Markdown(markdown_table(["ResNet-110 shortcut", "parameters (counted)", "vs identity", "CIFAR-10 test error (%)"],
                                rows, align="lrrr")
                 + f"\n\nErrors: {IM['source']}, Table 1. Parameters: `resnet_book.models.preact_resnet110` with "
                   "`placement=\"original\"` (the 2015 unit) and each `shortcut_variant`."))
hw = reference.TABLE6["others"]
glue("c7_hw19", hw["Highway-19"]["error"], display=False)
glue("c7_hw19_p", hw["Highway-19"]["params_m"], display=False)
glue("c7_r110", reference.TABLE6["resnet"][110]["error"], display=False)
glue("c7_r110_p", reference.TABLE6["resnet"][110]["params_m"], display=False)
glue("c7_gate_err", ERR["exclusive_gating"], display=False)
glue("c7_id_err", ERR["identity"], display=False)
glue("c7_gate0_err", t1["shortcut-only gating (init 0)"], display=False)
glue("c7_conv_err", ERR["conv1x1"], display=False)
glue("c7_gate_extra_pct", 100 * (params["exclusive_gating"] - params["identity"]) / params["identity"], display=False)

# %% [markdown]
# Every gated or projected shortcut adds parameters (a gate costs
# {glue:text}`c7_gate_extra_pct:.1f`% more here) and trains to a *worse* error: exclusive gating
# {glue:text}`c7_gate_err:.2f`% against the identity's {glue:text}`c7_id_err:.2f`%, and a gate
# initialised half-open (bias 0) {glue:text}`c7_gate0_err:.2f`%. The gates do best when their
# bias keeps them nearly open, that is, nearly an identity. On CIFAR-10 the paper's own Table 6
# puts Highway-19 at {glue:text}`c7_hw19:.2f`% with {glue:text}`c7_hw19_p`M parameters against
# ResNet-110's {glue:text}`c7_r110:.2f`% with {glue:text}`c7_r110_p`M.
#
# That comparison is one of the paper's **strengths**. The others:
#
# - **A minimal change.** One addition per block, no parameter, no hyper-parameter: easy to adopt,
#   and easy to test fairly, because the residual net is the plain net plus shortcuts.
# - **Controlled comparisons.** Plain vs residual at equal depth, width, parameters and
#   multiply-adds, with the same recipe, on two datasets (Figs. 4 and 6): an
#   {term}`ablation · 消融实验` of the shortcut itself.
# - **Breadth and scale.** CIFAR-10 and ImageNet, 20 to 1202 layers, and a transfer to detection
#   with the detector held fixed (Tables 7 and 8).
# - **A reproducible recipe.** Plain SGD, a step schedule, standard augmentation: this course
#   re-runs every CIFAR experiment from the paper's text alone.
#
# Its **limitations**, some acknowledged and some not:
#
# - **The "why" is a hypothesis.** Sec. 3.1 argues that identity mappings make a good
#   preconditioning; the only direct support is Fig. 7 (small responses), which is consistent with
#   the story but does not prove it.
# - **The degradation itself is unexplained.** "The reason for such optimization difficulties will
#   be studied in the future" (Sec. 4.1).
# - **Single runs.** Except for ResNet-110 on CIFAR-10 (best of five, with mean and standard
#   deviation), every number is one run; the A/B/C differences of Table 3 come without error bars.
# - **Mixed protocols and loose ends.** 10-crop (Tables 2–3) and multi-scale testing (Tables 4–5)
#   sit side by side; the CIFAR stopping point was "determined on a 45k/5k train/val split", and
#   whether the final models then saw 45k or all 50k training images is left to the reader
#   (reproductions differ on it).
# - **The 1202-layer net is attributed to overfitting without a test of it.** No run with
#   regularisation or more data is shown.
# - **A shortcut that is not quite an identity.** The ReLU after the addition sits on the shortcut
#   path from block to block; the follow-up paper moved it and trained 1001 layers better.
#
# And the **open questions**, with what later work found:

# %% tags=["remove-input"]
V = reference.VARIANTS
glue("c7_sd1202", V["ResNet-1202 + stochastic depth"]["cifar10"], display=False)
glue("c7_r1202", reference.TABLE6["resnet"][1202]["error"], display=False)
glue("c7_pre1001", IM["table3"]["CIFAR-10 ResNet-1001"][1], display=False)
glue("c7_orig1001", IM["table3"]["CIFAR-10 ResNet-1001"][0], display=False)
glue("c7_wrn", V["WRN-28-10"]["cifar10"], display=False)

# %% [markdown]
# | question the paper leaves open | what the paper says | what later work found | in this course |
# |---|---|---|---|
# | Why do deep plain nets degrade? | a conjecture: "exponentially low convergence rates" (Sec. 4.1) | their gradients become uncorrelated with depth, like noise, while residual nets' stay structured {cite:p}`balduzzi2017shattered`; the loss surface of deep plain nets turns chaotic, skip connections keep it smooth {cite:p}`li2018visualizing` | gradient norms of plain-56 and ResNet-56 in {doc}`02_residual_math` |
# | Why does $\mathcal{F}(x) + x$ help? | preconditioning towards identity (Sec. 3.1), small responses (Fig. 7) | a ResNet behaves like an ensemble of many paths, most of them short, and survives the removal of single blocks {cite:p}`veit2016residual` | the lesion test of {doc}`02_residual_math`, Fig. 7 in {doc}`04c_fig7` |
# | Does ResNet-1202 only overfit? | "combining with stronger regularization may improve results" (Sec. 4.2), {glue:text}`c7_r1202:.2f`% | stochastic depth: {glue:text}`c7_sd1202:.2f`% at 1202 layers {cite:p}`huang2016deep`; pre-activation: {glue:text}`c7_orig1001:.2f`% → {glue:text}`c7_pre1001:.2f`% at 1001 layers {cite:p}`he2016identity` | {doc}`04f_resnet1202`, {doc}`06_variants` |
# | Is the post-addition ReLU right? | not discussed | moving BN and ReLU before the convolutions makes the path a clean identity, {eq}`eq-06-telescope` | {doc}`06_variants` |
# | Deep and thin, or shallower and wide? | deep and thin "by design" (Sec. 4.2) | a 28-layer net ten times wider: {glue:text}`c7_wrn:.2f`% on CIFAR-10 {cite:p}`zagoruyko2016wide` | {doc}`06_variants` |
# | Gates or identity? | identity never closes (Sec. 2) | gates on ResNet-110's shortcuts train worse (the table above) | {doc}`06_variants` |
#
# Check your reading of the paper's own caveats:

# %% tags=["remove-input"]
quiz("07_recap", ["q6"])

# %% [markdown]
# ## Interview round 🎤
#
# Two questions to answer on your own, then five to answer out loud. Each model answer is in a
# dropdown; say yours before you open it.

# %% tags=["remove-input"]
quiz("07_recap", ["q7", "q8"])

# %% [markdown]
# ```{exercise}
# :label: ex-07-i1
#
# *Design a 1000-layer network for CIFAR-10 that trains and generalises.* Name the unit, the
# shortcuts, the normalisation, the schedule and the regularisation, and for each choice the
# evidence.
# ```
#
# ```{solution} ex-07-i1
# :class: dropdown
#
# **Unit**: pre-activation bottlenecks (BN-ReLU-conv ×3), so that the path from any block to any
# other is a clean identity, {eq}`eq-06-telescope`; with the 2015 unit a 1001-layer net reaches
# {glue:text}`c7_orig1001:.2f`%, with pre-activation {glue:text}`c7_pre1001:.2f`%
# {cite:p}`he2016identity`. **Shortcuts**: identity everywhere, zero-padding or a projection only
# where the shape changes; no gates, no scaling (the table above). **Normalisation and init**:
# BN in every unit, He initialisation. **Schedule**: the paper's, with a short warm-up at a tenth of
# the learning rate until the training error falls (ResNet-110's recipe, {doc}`04e_warmup110`).
# **Regularisation**: weight decay, and stochastic depth {cite:p}`huang2016deep`, which also makes
# training cheaper; the paper's ResNet-1202 shows what happens without it. **Cost**: check memory
# (activations of a thousand layers) before starting, and consider activation checkpointing.
# ```
#
# ```{exercise}
# :label: ex-07-i2
#
# *Why not put a 1×1 projection on every shortcut? It has more parameters and can represent the
# identity exactly.*
# ```
#
# ```{solution} ex-07-i2
# :class: dropdown
#
# Three pieces of evidence say no. On ImageNet, option C is only marginally better than B (Table 3,
# {doc}`05_imagenet`) and costs parameters. In a bottleneck, a projection on the shortcut roughly
# doubles the block's cost, because it connects the two wide ends ({doc}`03_blocks`). And on
# ResNet-110, 1×1 convolutions on all shortcuts train to {glue:text}`c7_conv_err:.2f`% instead of
# {glue:text}`c7_id_err:.2f`% {cite:p}`he2016identity`: being *able* to represent the identity is
# not the same as being easy to optimise towards it, which is the paper's whole point.
# ```
#
# ```{exercise}
# :label: ex-07-i3
#
# *"ResNets work because they solve vanishing gradients." Agree or disagree, in three sentences.*
# ```
#
# ```{solution} ex-07-i3
# :class: dropdown
#
# Disagree, in the paper's own terms: its plain nets are trained with BN, their forward signals and
# backward gradients have healthy norms, and they still reach a *higher training error* when deeper
# (Sec. 4.1). Vanishing gradients were the *first* wall, already handled by initialisation and
# normalization ({doc}`01_background`); residual learning addresses the second, an optimisation
# difficulty. The shortcut's additive gradient term, {eq}`eq-02-grad-many`, does help keep
# gradients well-behaved in very deep nets, but it is not a guarantee that every gradient is large,
# and it is not the paper's diagnosis.
# ```
#
# ```{exercise}
# :label: ex-07-i4
#
# *Your 56-layer plain net has a higher test error than your 20-layer one. Your manager says
# "overfitting, add dropout". What do you check first, and what do you do if you are right?*
# ```
#
# ```{solution} ex-07-i4
# :class: dropdown
#
# Check the *training* error of both. If the 56-layer net's training error is higher too, it is
# degradation, not overfitting, and dropout (a regulariser) would make it worse. Then add identity
# shortcuts (same parameters, option A) and retrain with the same recipe: if the residual 56-layer
# net now beats the 20-layer one in training and test error, you have reproduced Fig. 6 and fixed
# the problem. (Also rule out a bug: the same learning rate, the same number of iterations, the
# same data.)
# ```
#
# ```{exercise}
# :label: ex-07-i5
#
# *The paper says ResNet-1202 overfits. Design an experiment that would test that explanation, and
# say what result would refute it.*
# ```
#
# ```{solution} ex-07-i5
# :class: dropdown
#
# Overfitting predicts that the gap between training and test error shrinks when you regularise
# more or train on more data, while the training error stays near zero. So: train ResNet-1202 and
# ResNet-110 (a) with stronger regularisation (stochastic depth, dropout between the convolutions,
# more weight decay), and (b) on more data (all 50k images instead of 45k, or CIFAR-10 plus extra
# data), several seeds each. If ResNet-1202's test error then drops below ResNet-110's, overfitting
# was the explanation. If its test error stays worse *while its training error also rises* under
# regularisation, the problem is partly optimisation after all. Stochastic depth's
# {glue:text}`c7_sd1202:.2f`% at 1202 layers {cite:p}`huang2016deep` is evidence for the paper's
# reading.
# ```

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-07-1
#
# Add Highway networks to the concept map: a concept `("highway", "Highway networks:\ngated
# shortcuts", 3, "Ch. 7 recap")` and a link from it to `"short"` labelled `"gates vs identity"`,
# dashed. Redraw the map. Where does the layout put the new box, and why?
# ```
#
# ````{solution} ex-07-1
# :class: dropdown
#
# ```python
# nodes2 = nodes + [{"id": "highway", "label": "Highway networks:\ngated shortcuts", "layer": 3, "group": "Ch. 7 recap"}]
# edges2 = edges + [{"from": "highway", "to": "short", "label": "gates vs identity", "style": "dashed"}]
# fig, ax = plt.subplots(figsize=(10, 9))
# concept_map(ax, nodes2, edges2)
# ```
#
# Row 3 held only "residual learning"; now it has two boxes side by side. `concept_map` puts each
# box at the mean position of its parents in the rows above (the barycentre rule of layered graph
# drawing), then pushes the boxes of a row apart to unit spacing. The new box has no parent above
# it, so it keeps its place in the list, after "residual learning"; "identity shortcut", one row
# down, moves a little towards its new second parent. A new colour and legend entry appear for the
# new group.
# ````
#
# ```{exercise}
# :label: ex-07-2
#
# Scale every shortcut: $x_{i+1} = \lambda x_i + \mathcal{F}(x_i)$. Redo the derivation of
# {eq}`eq-02-grad-many` and show that the part of $\partial L / \partial x_l$ that travels along
# the shortcuts only is multiplied by $\lambda^{L-l}$. What is that factor for $\lambda = 0.5$
# across 54 blocks, and what does it say about the "constant scaling" row of the follow-up paper?
# ```
#
# ```{solution} ex-07-2
# :class: dropdown
#
# Unrolling gives $x_L = \lambda^{L-l} x_l + \sum_{i=l}^{L-1} \lambda^{L-1-i}\,\mathcal{F}(x_i)$,
# so $\partial L / \partial x_l = \partial L / \partial x_L \,\big(\lambda^{L-l} I + \partial/\partial
# x_l \sum_i \lambda^{L-1-i} \mathcal{F}(x_i)\big)$. With $\lambda = 0.5$ and $L - l = 54$ the direct
# term is $0.5^{54} < 10^{-16}$: gone. The gradient must then flow through the
# weight layers, as in a plain net, and the follow-up paper's ResNet-110 with constant scaling
# indeed trains to a much worse error (its Table 1, Chapter 6).
# ```
#
# ```{exercise}
# :label: ex-07-3
#
# Use `formulas.equations()` to list, for each chapter, how many display equations it has and how
# many are labelled. Which unlabelled equation does the sheet link only to its chapter, and what
# would you name it?
# ```
#
# ````{solution} ex-07-3
# :class: dropdown
#
# ```python
# from collections import Counter
# from resnet_book.book import formulas
# eqs = formulas.equations()
# Counter(e.page for e in eqs), Counter(e.page for e in eqs if e.label)
# [(e.page, e.section) for e in eqs if not e.label]
# ```
#
# The product of Jacobians through $n$ plain layers, in Chapter 2's section on the gradient: a
# label like `eq-02-grad-plain` would let other pages (and this sheet) link to it by number.
# ````
#
# ```{exercise}
# :label: ex-07-4
#
# Pick one limitation from the list above and write the experiment (model, data, seeds, what to
# measure) that would remove it, with the `python -m resnet_book run …` commands of this course
# where they exist.
# ```
#
# ````{solution} ex-07-4
# :class: dropdown
#
# For "single runs": re-run Table 6 with five seeds at the paper's scale and report mean ± std
# for every depth, not only for ResNet-110:
#
# ```bash
# python -m resnet_book run table6 --scale paper --seeds 0,1,2,3,4
# python -m resnet_book report table6
# ```
#
# Then a difference between two depths counts only if it is larger than the runs' spread. The same
# can be done for the shortcut options (`run shortcuts`), where the paper's differences are smallest.
# ````

# %% [markdown]
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: the whole paper
# :class: tip
#
# | | |
# |---|---|
# | **Symptom** | a deeper {term}`plain network · 普通网络 / 平原网络` reaches a *higher training error*: the {term}`degradation problem · 退化问题` (Fig. 1, Fig. 4, Fig. 6), with healthy gradients. |
# | **Idea** | {term}`residual learning · 残差学习`: fit $\mathcal{F}(x) = \mathcal{H}(x) - x$, output $\mathcal{F}(x) + x$ ({eq}`eq-02-recast`). |
# | **Design** | {term}`identity mapping · 恒等映射` shortcuts, free; projections only where shapes change; {term}`bottleneck · 瓶颈结构` blocks for depth at low cost. |
# | **Why it trains** | the gradient at every block has a term that skips all weight layers ({eq}`eq-02-grad-many`). |
# | **Evidence** | plain vs residual at equal cost, an {term}`ablation · 消融实验` on CIFAR-10 and on ImageNet; depth up to 152 (ImageNet) and 1202 (CIFAR-10) layers; features that transfer to detection. |
# | **Open** | why plain nets degrade; the 1202-layer gap; gates vs identity ({term}`highway network · 高速公路网络`); answered in part by pre-activation, stochastic depth, wide nets. |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`residual learning · 残差学习` ·
# {term}`degradation problem · 退化问题` · {term}`shortcut connection · 快捷连接 / 跳跃连接` ·
# {term}`identity mapping · 恒等映射` · {term}`highway network · 高速公路网络` ·
# {term}`pre-activation · 预激活`
#
# **In one sentence:** learn the change, not the whole mapping, and depth becomes something a
# network can use instead of something it suffers from. 🎓
# ```
