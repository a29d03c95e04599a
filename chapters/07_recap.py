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
# 2. recall the course's equations and find where each is derived;
# 3. draw the paper's argument as a map, from the problem to the evidence to what came after;
# 4. weigh the paper's strengths against its limitations, and say what later work found;
# 5. answer interview questions that mix reasoning and design, out loud, in two minutes each.
# ```
#
# Six chapters took the paper apart {cite:p}`he2016deep`. This page puts it back together: a
# formula sheet, a concept map, a critical reading, and an interview round. The paper's own summary
# of its method (Sec. 1):
#
# > We hypothesize that it is easier to optimize the residual mapping than to optimize the
# > original, unreferenced mapping.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import torch
from IPython.display import Markdown, display
from matplotlib.patches import FancyBboxPatch
from myst_nb import glue

from resnet_book import reference
from resnet_book.analysis import count_params
from resnet_book.book import formulas, pages, quiz, stamp
from resnet_book.book.figures import concept_map
from resnet_book.models import get_model
from resnet_book.tables import markdown_table

IM = reference.IDENTITY_MAPPINGS

# %% [markdown]
# ## The paper in one sentence
#
# ```{slide}
# - the whole paper in one sentence: yours first
# - then defend each word with a piece of evidence
# ```
#
# Before the summary, your own:

# %% tags=["remove-input"]
quiz("07_recap", ["q1"])

# %% [markdown]
# **Learn the change, not the whole mapping**: if a few layers only have to learn how their output
# should *differ* from their input, $\mathcal{F}(x) = \mathcal{H}(x) - x$, a very deep network
# becomes *easier* to optimise, and in the paper's full-length runs (ImageNet to 152 layers,
# CIFAR-10 to 110) the extra depth buys accuracy. Note what the sentence does not say: nothing
# about vanishing gradients, which careful initialisation and batch normalization had largely
# tamed, and nothing about extra capacity, since the residual nets have exactly the parameters of
# the plain ones.

# %% [markdown]
# ## The formula sheet
#
# ```{slide}
# - every display equation of the course, linked to where it is derived
# - which one explains the most?
# ```
#
# One question first, about the equation that explains the most:

# %% tags=["remove-input"]
quiz("07_recap", ["q2"])

# %% [markdown]
# Every display equation of the course, in the order taught, each linked to where it is derived:

# %% tags=["remove-input"] mystnb={"markdown_format": "myst"}
EQUATIONS = formulas.equations(exclude=("chapters/07_recap",))
display(Markdown(formulas.formula_sheet(EQUATIONS)))

# %% [markdown]
# The answer is the gradient through many blocks, {eq}`eq-02-grad-many`, which
# {cite:t}`he2016identity` derived a year after the paper ({eq}`eq-06-telescope`). It is exact for
# pre-activation units; in the 2015 block the ReLU after each addition can gate it. The gradient at
# a shallow block contains the gradient at the deep block *itself*, added, not multiplied by any
# weight: no product of per-layer factors, as in a plain stack ({eq}`eq-01-gain`). The 2015
# paper's own reason is an optimisation argument: identity mappings are a good
# {term}`preconditioning · 预条件` (Sec. 3.1).

# %% [markdown]
# ## A concept map of the paper
#
# ```{slide}
# - the paper's argument as a map; later work dashed
# - which way does the argument run?
# - each arrow a sentence you can say
# ```
#
# Which way does the paper's argument run? Commit first:

# %% tags=["remove-input"]
quiz("07_recap", ["q4"])

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The paper's argument as a map: from the problem (top) through the idea and the architecture to the evidence. Dashed boxes and arrows are later work, including the gradient argument of He et al. (2016). Colours name the chapter that teaches each concept.", "name": "fig-07-concept-map"}}
CONCEPTS = [  # id, label, row, the chapter that teaches it, later work (dashed)?
    ("depth", "depth matters\n(VGG, GoogLeNet)", 0, "Ch. 1 background", False),
    ("vanish", "vanishing / exploding\ngradients", 0, "Ch. 1 background", False),
    ("initbn", "He init + BN:\nsignals stay alive", 1, "Ch. 1 background", False),
    ("degr", "degradation: deeper plain\nnet, higher training error", 1, "Ch. 1 background", False),
    ("constr", "construction argument:\nextra layers = identity", 2, "Ch. 1 background", False),
    ("hyp", "solvers struggle to\nfit an identity", 2, "Ch. 2 residual math", False),
    ("resid", "residual learning\nH(x) = F(x) + x", 3, "Ch. 2 residual math", False),
    ("precond", "identity as reference:\npreconditioning", 4, "Ch. 2 residual math", False),
    ("grad", "gradient through identity\npaths (He et al. 2016)", 4, "Ch. 2 residual math", True),
    ("short", "identity shortcut:\nno parameter, no cost", 4, "Ch. 3 blocks", False),
    ("abc", "options A / B / C\nwhere shapes change", 5, "Ch. 3 blocks", False),
    ("bneck", "bottleneck block\n1×1, 3×3, 1×1", 5, "Ch. 3 blocks", False),
    ("cifar", "CIFAR-10: Fig. 6,\nTable 6, Fig. 7", 5, "Ch. 4 CIFAR-10", False),
    ("imnet", "ImageNet: Fig. 4,\nTables 2–5", 6, "Ch. 5 ImageNet", False),
    ("r1202", "ResNet-1202: worse test\nerror (overfitting,\nthe paper argues)", 6, "Ch. 4 CIFAR-10", False),
    ("det", "detection:\nTables 7–8", 7, "Ch. 5 ImageNet", False),
    ("family", "wide, ResNeXt,\nDenseNet, SE", 7, "Ch. 6 variants", True),
    ("preact", "pre-activation: a clean\nidentity path, 1001 layers", 7, "Ch. 6 variants", True),
    ("sd", "stochastic depth", 7, "Ch. 6 variants", True),
    ("transf", "Transformers'\nresidual stream", 8, "Ch. 6 variants", True),
]
LINKS = [  # from, to, label, style ("dashed": what came after the paper)
    ("depth", "vanish", "first obstacle", ""), ("vanish", "initbn", "largely tamed by", ""),
    ("initbn", "degr", "then exposed", ""), ("depth", "degr", "but", ""),
    ("degr", "constr", "yet", ""), ("constr", "hyp", "so blame the solver", ""),
    ("hyp", "resid", "reformulate", ""), ("resid", "precond", "why it helps", ""),
    ("resid", "short", "built with", ""), ("resid", "grad", "explained later", "dashed"),
    ("short", "abc", "shapes differ", ""), ("short", "bneck", "keeps it cheap", ""),
    ("short", "cifar", "tested", ""), ("precond", "cifar", "Fig. 7: small responses", ""),
    ("bneck", "imnet", "152 layers", ""), ("cifar", "r1202", "the limit", ""),
    ("imnet", "det", "features transfer", ""), ("imnet", "family", "successors", "dashed"),
    ("r1202", "preact", "improved on by", "dashed"), ("r1202", "sd", "regularised by", "dashed"),
    ("preact", "transf", "the same clean path (pre-LN)", "dashed"),
]
nodes = [{"id": i, "label": label, "layer": row, "group": ch} for i, label, row, ch, _ in CONCEPTS]
edges = [{"from": a, "to": b, "label": text, "style": style} for a, b, text, style in LINKS]
assert {n["id"] for n in nodes} == {e["from"] for e in edges} | {e["to"] for e in edges}  # every concept linked
fig, ax = plt.subplots(figsize=(11, 9.5))
boxes = concept_map(ax, nodes, edges)
later = [boxes[i] for i, *_, dashed in CONCEPTS if dashed]
for patch in ax.patches:  # later work: the box outline dashed, like its arrows
    if isinstance(patch, FancyBboxPatch) and any(abs(patch.get_x() - (b.x - b.w)) < 1e-6
                                                 and abs(patch.get_y() - (b.y - b.h)) < 1e-6 for b in later):
        patch.set_linestyle("--")
fig.tight_layout()
stamp(fig, text="Drawn by resnet_book.book.figures.concept_map from this page's lists of concepts and links; "
                "the argument of He et al. 2015 and the follow-ups of Chapter 6.")
plt.show()

# %% [markdown]
# Walk it from the top ({numref}`fig-07-concept-map`): depth mattered; careful initialisation and
# batch normalization had largely tamed vanishing signals, which *exposed* degradation; a deeper net
# could copy a shallower one, so the solver is to blame; hence the reformulation, built with a free
# identity shortcut and tested on two datasets at equal cost. Problem, idea, evidence: that order
# answers the question above.

# %% [markdown]
# ## Strengths: identity, not gates
#
# ```{slide}
# - Highway networks carry the input around layers too: what differs?
# - strengths: a minimal change, controlled comparisons, breadth, a recipe in the text
# ```
#
# Highway networks {cite:p}`srivastava2015training` also carry the input around a stack of
# layers. Before comparing, decide what the difference is:

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
# follow-up paper tested gates on ResNet-110's shortcuts {cite:p}`he2016identity`:

# %% tags=["remove-input"]
GATED = {"identity": "identity (the original unit)", "exclusive_gating": "exclusive gating, init -6",
         "shortcut_only_gating": "shortcut-only gating, init -6", "conv1x1": "1×1 convolution"}
t1 = IM["table1_resnet110_shortcuts"]
ERR = {"identity": t1["original"], "exclusive_gating": t1["exclusive gating (init -6)"],
       "shortcut_only_gating": t1["shortcut-only gating (init -6)"], "conv1x1": t1["1x1 conv shortcut"]}
with torch.device("meta"):  # shapes only, no memory
    params = {v: count_params(get_model("preact_resnet110", placement="original", shortcut_variant=v)) for v in GATED}
rows = [[GATED[v], f"{params[v]:,}", f"{params[v] - params['identity']:+,}", f"{ERR[v]:.2f}"] for v in GATED]
display(Markdown(markdown_table(["ResNet-110 shortcut", "parameters", "vs identity", "CIFAR-10 test error (%)"],
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
glue("c7_gate_extra_pct", 100 * (params["exclusive_gating"] - params["identity"]) / params["identity"], display=False)

# %% [markdown]
# Every gated or projected shortcut adds parameters (a gate adds
# {glue:text}`c7_gate_extra_pct:.1f`% here). The errors: exclusive gating
# {glue:text}`c7_gate_err:.2f`% against the identity's {glue:text}`c7_id_err:.2f`%, a gate
# initialised half-open (bias 0) {glue:text}`c7_gate0_err:.2f`%; the paper's own Table 6 puts
# Highway-19 at {glue:text}`c7_hw19:.2f`% ({glue:text}`c7_hw19_p`M parameters) and ResNet-110 at
# {glue:text}`c7_r110:.2f`% ({glue:text}`c7_r110_p`M). That comparison is one of the paper's
# **strengths**. The others:
#
# - **A minimal change.** One addition per block, no parameter, no hyper-parameter: easy to adopt
#   and to test fairly.
# - **Controlled comparisons.** Plain vs residual at equal depth, width, parameters and
#   multiply-adds, with the same recipe, on two datasets (Figs. 4 and 6): an
#   {term}`ablation · 消融实验` of the shortcut itself.
# - **Breadth.** CIFAR-10 and ImageNet, 20 to 1202 layers, and detection with the detector held
#   fixed (Tables 7 and 8).
# - **A recipe in the text.** Plain SGD, a step schedule, standard augmentation: Chapter 4 re-runs
#   the CIFAR-10 experiments (all but ResNet-1202's training) from the paper's text alone, with a
#   shorter schedule.

# %% [markdown]
# ## Limitations and open questions
#
# ```{slide}
# - which limits does the paper state itself?
# - the open questions, and what later work found
# ```
#
# Every paper has limits, some stated and some not. Which does this one state itself?

# %% tags=["remove-input"]
quiz("07_recap", ["q6"])

# %% [markdown]
# - **The "why" is a hypothesis.** Sec. 3.1 argues that identity mappings provide a good
#   {term}`preconditioning · 预条件`; the direct support is Fig. 7 (small responses), consistent
#   with the story, not a proof.
# - **The degradation itself is unexplained.** "The reason for such optimization difficulties will
#   be studied in the future" (Sec. 4.1).
# - **One run per number.** Only ResNet-110 on CIFAR-10 is reported over five runs (best, mean and
#   standard deviation); every other number is reported without a spread, the small A/B/C
#   differences of Table 3 included.
# - **Protocols.** 10-crop (Tables 2–3) and multi-scale testing (Tables 4–5) sit side by side. The
#   CIFAR-10 stopping point was "determined on a 45k/5k train/val split"; whether the final models
#   then trained on 45k or all 50k images, the paper does not say.
# - **ResNet-1202's worse test error is attributed to overfitting without a test.** The paper
#   argues it and leaves stronger regularisation to future work.
# - **A shortcut that is not quite an identity.** The ReLU after the addition sits on the path from
#   block to block; the follow-up paper moved it and trained 1001 layers better.
#
# And the open questions, with what later work found:

# %% tags=["remove-input"]
V = reference.VARIANTS
glue("c7_sd1202", V["ResNet-1202 + stochastic depth"]["cifar10"], display=False)
glue("c7_r1202", reference.TABLE6["resnet"][1202]["error"], display=False)
glue("c7_pre1001", IM["table3"]["CIFAR-10 ResNet-1001"][1], display=False)
glue("c7_orig1001", IM["table3"]["CIFAR-10 ResNet-1001"][0], display=False)
glue("c7_wrn", V["WRN-28-10"]["cifar10"], display=False)
CPU = {r["label"]: r["final"] for r in pages.cpu_records("fig6")}  # the committed cpu-scale runs (Chapter 4)
for key, run in (("c7_cpu_r56", "resnet56"), ("c7_cpu_p56", "plain56"), ("c7_cpu_r20", "resnet20")):
    glue(key, 100 * float(CPU[run]["eval_error"]), display=False)
glue("c7_cpu_iters", int(CPU["resnet56"]["iterations"]), display=False)

# %% [markdown]
# | question the paper leaves open | what the paper says | what later work found | in this course |
# |---|---|---|---|
# | Why do deep plain nets degrade? | a conjecture: "exponentially low convergence rates" (Sec. 4.1) | their gradients become uncorrelated with depth, like noise, while residual nets' stay structured {cite:p}`balduzzi2017shattered`; the loss surface of deep plain nets turns chaotic, skip connections keep it smooth {cite:p}`li2018visualizing` | gradient norms of plain-56 and ResNet-56 in {doc}`02_residual_math` |
# | Why does $\mathcal{F}(x) + x$ help? | preconditioning towards identity (Sec. 3.1), small responses (Fig. 7) | a ResNet behaves like an ensemble of many paths, most of them short, and survives the removal of single blocks {cite:p}`veit2016residual` | the lesion test of {doc}`02_residual_math`, Fig. 7 in {doc}`04c_fig7` |
# | Does ResNet-1202 only overfit? | "combining with stronger regularization may improve results" (Sec. 4.2), {glue:text}`c7_r1202:.2f`% | stochastic depth: {glue:text}`c7_sd1202:.2f`% at 1202 layers {cite:p}`huang2016deep`; pre-activation: {glue:text}`c7_orig1001:.2f`% → {glue:text}`c7_pre1001:.2f`% at 1001 layers {cite:p}`he2016identity` | {doc}`04f_resnet1202`, {doc}`06_variants` |
# | Is the post-addition ReLU right? | not discussed | moving BN and ReLU before the convolutions makes the path a clean identity, {eq}`eq-06-telescope` | {doc}`06_variants` |
# | Deep and thin, or shallower and wide? | deep and thin "by design" (Sec. 4.2) | a 28-layer net ten times wider: {glue:text}`c7_wrn:.2f`% on CIFAR-10 {cite:p}`zagoruyko2016wide` | {doc}`06_variants` |
# | Gates or identity? | identity never closes (Sec. 2) | gates on ResNet-110's shortcuts train worse (the table above) | {doc}`06_variants` |

# %% [markdown]
# ## Interview round 🎤
#
# ```{slide}
# - one question to answer on your own, then four out loud
# - two minutes each; say yours before opening the model answer
# ```

# %% tags=["remove-input"]
quiz("07_recap", ["q8"])

# %% [markdown]
# Then four out loud: say your answer before you open the model answer.
#
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
# training cheaper; the paper suspects that its ResNet-1202 lacked such regularisation. **Cost**:
# check memory (activations of a thousand layers) before starting, and consider activation
# checkpointing.
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
# Disagree, in the paper's own terms: its plain nets are trained with BN, the paper checks that
# "neither forward nor backward signals vanish" (Sec. 4.1), and they still reach a *higher training
# error* when deeper. Vanishing gradients were the *first* wall, largely handled by initialisation
# and normalization ({doc}`01_background`); residual learning addresses the second, an optimisation
# difficulty, by making the identity easy to reach ({term}`preconditioning · 预条件`, Sec. 3.1). The
# follow-up paper's additive gradient term, {eq}`eq-02-grad-many`, explains why a very deep
# residual net keeps a direct path for the gradient, but it promises no lower bound, and it is not
# the 2015 paper's diagnosis.
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
# degradation, not overfitting, and dropout (a regulariser) would not help. Then add identity
# shortcuts (same parameters, option A) and retrain with the same recipe. After its full schedule
# the paper puts ResNet-56's test error below plain-56's and below ResNet-20's (Fig. 6, Table 6).
# Whether a shorter run shows both is for the records to say: after
# {glue:text}`c7_cpu_iters:,` iterations, this course's runs ({doc}`04a_fig6`) end at
# {glue:text}`c7_cpu_r56:.1f`% test error for ResNet-56, {glue:text}`c7_cpu_p56:.1f`% for plain-56
# and {glue:text}`c7_cpu_r20:.1f`% for ResNet-20. Compare before you promise your manager either.
# (Also rule out a bug: the same learning rate, the same number of iterations, the same data.)
# ```
#
# ```{exercise}
# :label: ex-07-i5
#
# *The paper argues that ResNet-1202's worse test error is "because of overfitting". Design an
# experiment that would test that explanation, and say what result would refute it.*
# ```
#
# ```{solution} ex-07-i5
# :class: dropdown
#
# Overfitting predicts that the gap between training and test error shrinks when you regularise
# more or train on more data, while the training error stays near zero. So: train ResNet-1202 and
# ResNet-110 (a) with stronger regularisation (stochastic depth, dropout between the convolutions,
# more weight decay), and (b) on more data (CIFAR-10 with extra labelled images, or a larger
# dataset), several seeds each. If ResNet-1202's test error then drops below ResNet-110's,
# overfitting was the explanation. If its test error stays worse *while its training error also
# rises* under regularisation, the problem is partly optimisation after all. Stochastic depth's
# {glue:text}`c7_sd1202:.2f`% at 1202 layers {cite:p}`huang2016deep` is consistent with the paper's
# reading, though not a clean test: dropping blocks also shortens the network that SGD trains.
# ```

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-07-4
#
# Pick one limitation from the list above and design the experiment (model, data, seeds, what to
# measure) that would remove it.
# ```
#
# ```{solution} ex-07-4
# :class: dropdown
#
# For "one run per number": re-run Table 6 with five seeds for every depth, at the paper's scale,
# and report mean ± std, not only for ResNet-110. A difference between two depths then counts only
# if it is larger than the runs' spread. The shortcut options, where the paper's differences are
# smallest, need the same.
# ```

# %% [markdown]
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: the whole paper
# :class: tip
#
# | | |
# |---|---|
# | **Symptom** | a deeper {term}`plain network · 普通网络 / 平原网络` reaches a *higher training error*: the {term}`degradation problem · 退化问题` (Fig. 1, Fig. 4, Fig. 6), although its gradients do not vanish (Sec. 4.1). |
# | **Idea** | {term}`residual learning · 残差学习`: fit $\mathcal{F}(x) = \mathcal{H}(x) - x$, output $\mathcal{F}(x) + x$ ({eq}`eq-02-recast`). |
# | **Design** | {term}`identity mapping · 恒等映射` shortcuts, free; projections only where shapes change; {term}`bottleneck · 瓶颈结构` blocks for depth at low cost. |
# | **Why it trains** | the paper (Sec. 3.1): the solver only has to find small changes to the identity, a {term}`preconditioning · 预条件`, supported by small responses (Fig. 7). Later {cite:p}`he2016identity`: through clean identity paths every block's gradient contains the last block's ({eq}`eq-02-grad-many`). |
# | **Evidence** | plain vs residual at equal cost, an {term}`ablation · 消融实验` on CIFAR-10 and on ImageNet; depth up to 152 (ImageNet) and 1202 (CIFAR-10) layers; features that transfer to detection. |
# | **Open** | why plain nets degrade; ResNet-1202's test error; gates vs identity ({term}`highway network · 高速公路网络`); answered in part by pre-activation, stochastic depth, wide nets. |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`residual learning · 残差学习` ·
# {term}`degradation problem · 退化问题` · {term}`shortcut connection · 快捷连接 / 跳跃连接` ·
# {term}`identity mapping · 恒等映射` · {term}`preconditioning · 预条件` ·
# {term}`highway network · 高速公路网络` · {term}`pre-activation · 预激活`
#
# **In one sentence:** learn the change, not the whole mapping, and depth becomes something a
# network can use instead of something it suffers from. 🎓
# ```
