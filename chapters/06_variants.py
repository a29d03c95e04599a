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
#     experiments: [variants]
# ---

# %% [markdown]
# # Variants: what the residual idea became
#
# The paper ended with a working recipe and an open end: ResNet-1202 trained to almost zero error
# and still tested worse than ResNet-110. Within two years the residual idea had been rearranged
# (pre-activation), widened (Wide ResNets), split into groups (ResNeXt), turned from addition into
# concatenation (DenseNet), given channel attention (SE-ResNet) and trained with randomly missing
# blocks (stochastic depth). This chapter builds each of them from the package, counts them, races
# small versions of them against ResNet-56, and reads what their papers report.
#
# ```{admonition} Learning goals
# :class: note
#
# After this chapter you can
#
# 1. explain why Identity Mappings moves BN and ReLU *before* the convolutions, and predict what a
#    multiplicative change of the shortcut (scaling, gating, 1×1 convolution) does to the gradient;
# 2. state, for each variant, the one thing it changes: the shortcut path, the width, the
#    topology of the branch, the merge (addition or concatenation), a channel re-weighting, or the
#    training procedure;
# 3. count parameters and multiply-adds of any of them, and explain why they are different costs;
# 4. read an equal-budget race honestly: what 300 iterations can and cannot tell;
# 5. recognise the residual stream of a Transformer as a pre-activation ResNet.
# ```
#
# Everything here starts from the paper's own framing ({cite:p}`he2016deep`, abstract):
#
# > "We present a residual learning framework to ease the training of networks that are
# > substantially deeper than those used previously."
#
# and from the follow-up by the same authors, which turned that framework into a statement about
# signal propagation ({cite:p}`he2016identity`, abstract):
#
# > "In this paper, we analyze the propagation formulations behind the residual building blocks,
# > which suggest that the forward and backward signals can be directly propagated from one block to
# > any other block, when using identity mappings as the skip connections and after-addition
# > activation."

# %% tags=["remove-input"]
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import Markdown, display
from myst_nb import glue
from torch import nn

from resnet_book import reference
from resnet_book.book import pages
from resnet_book.analysis import count_flops, count_params
from resnet_book.book import quiz, stamp
from resnet_book.experiments import run_experiment
from resnet_book.experiments.report import summarize
from resnet_book.models import (
    PLACEMENTS,
    SHORTCUT_VARIANTS,
    BasicBlock,
    PreActBasicBlock,
    ResidualUnit,
    StochasticDepth,
    get_model,
    wide_resnet,
)
from resnet_book.models.variants import SqueezeExcitation, residual_blocks
from resnet_book.tables import markdown_table

# %% [markdown]
# ## The family at a glance

# %% tags=["remove-input"]
quiz("06_variants", ["q11"])

# %% [markdown]
# Every model of this chapter is a registered builder of the package, a CIFAR network with the
# paper's 32×32 input and 10 classes. Counting them does not need to build them: on PyTorch's
# `meta` device a model has shapes but no memory, so even the 68-million-parameter ResNeXt is
# counted in a blink.

# %%
def size(name: str) -> tuple[int, int]:
    """(parameters, multiply-adds per 32x32 image) of a registered model, built on the meta device."""
    with torch.device("meta"):
        model = get_model(name)
    return count_params(model), count_flops(model, (3, 32, 32))


FAMILY = {  # registry name: (printed name, paper)
    "resnet56": ("ResNet-56", "He et al. 2015"),
    "resnet110": ("ResNet-110", "He et al. 2015"),
    "resnet1202": ("ResNet-1202", "He et al. 2015"),
    "preact_resnet56": ("pre-act ResNet-56", "He et al. 2016"),
    "preact_resnet110": ("pre-act ResNet-110", "He et al. 2016"),
    "preact_resnet164": ("pre-act ResNet-164 (bottleneck)", "He et al. 2016"),
    "preact_resnet1001": ("pre-act ResNet-1001 (bottleneck)", "He et al. 2016"),
    "wrn16_2": ("WRN-16-2", "Zagoruyko & Komodakis 2016"),
    "wrn16_4": ("WRN-16-4", "Zagoruyko & Komodakis 2016"),
    "wrn16_8": ("WRN-16-8", "Zagoruyko & Komodakis 2016"),
    "wrn40_4": ("WRN-40-4", "Zagoruyko & Komodakis 2016"),
    "wrn28_10": ("WRN-28-10", "Zagoruyko & Komodakis 2016"),
    "resnext29_8x4d_narrow": ("ResNeXt-29 8×4d, narrow (ours)", "Xie et al. 2017"),
    "resnext29_8x64d": ("ResNeXt-29 8×64d", "Xie et al. 2017"),
    "resnext29_16x64d": ("ResNeXt-29 16×64d", "Xie et al. 2017"),
    "densenet_bc28_12": ("DenseNet-BC-28 (k=12)", "Huang et al. 2017"),
    "densenet_bc100_12": ("DenseNet-BC-100 (k=12)", "Huang et al. 2017"),
    "se_resnet56": ("SE-ResNet-56", "Hu et al. 2018"),
    "se_resnet110": ("SE-ResNet-110", "Hu et al. 2018"),
    "sd_resnet110": ("ResNet-110 + stochastic depth", "Huang et al. 2016"),
}
sizes = {name: size(name) for name in FAMILY}
print(f"{len(sizes)} models counted; ResNet-110: {sizes['resnet110'][0]:,} parameters, "
      f"{sizes['resnet110'][1] / 1e6:.1f} M multiply-adds per image")

# %% tags=["remove-input"]
LIVE = ["resnet56", "preact_resnet56", "wrn16_2", "resnext29_8x4d_narrow", "densenet_bc28_12"]  # the race below
p110, m110 = sizes["resnet110"]
rows = [[f"{label} (`{name}`)", paper, f"{sizes[name][0]:,}", f"{sizes[name][1] / 1e6:,.1f}",
         f"{sizes[name][0] / p110:.2f}", f"{sizes[name][1] / m110:.2f}", "✓" if name in LIVE else ""]
        for name, (label, paper) in FAMILY.items()]
display(Markdown(markdown_table(["model", "paper", "parameters", "multiply-adds (M)", "params / ResNet-110",
                                 "MACs / ResNet-110", "in the race"], rows, align="llrrrrc")))
glue("c5_wrn2810_params_x", sizes["wrn28_10"][0] / p110, display=False)
glue("c5_wrn2810_macs_x", sizes["wrn28_10"][1] / m110, display=False)
glue("c5_dense100_params_x", sizes["densenet_bc100_12"][0] / p110, display=False)
glue("c5_dense100_macs_x", sizes["densenet_bc100_12"][1] / m110, display=False)
glue("c5_pre1001_params_x", sizes["preact_resnet1001"][0] / sizes["resnet1202"][0], display=False)
glue("c5_pre1001_macs_x", sizes["preact_resnet1001"][1] / sizes["resnet1202"][1], display=False)

# %% [markdown]
# Counted by this page from the package's code (bias-free convolutions, affine BN, FC with bias;
# multiply-adds of convolutions and FC layers for one 32×32 image, as the paper counts FLOPs).

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Two costs of the same networks: parameters (memory for the weights) and multiply-adds per 32×32 image (computation), both on log scales. Counted from the package's code; filled markers are the small models raced below.", "name": "fig-06-costs"}}
fig, ax = plt.subplots(figsize=(7.2, 4.2))
colors = {"He et al. 2015": "0.3", "He et al. 2016": "C0", "Zagoruyko & Komodakis 2016": "C1",
          "Xie et al. 2017": "C2", "Huang et al. 2017": "C3", "Hu et al. 2018": "C4", "Huang et al. 2016": "C5"}
groups: list[list[str]] = []  # models at (almost) the same point share one label
for name, (label, paper) in FAMILY.items():
    p, m = sizes[name]
    ax.scatter(p, m, s=40, color=colors[paper], edgecolor=colors[paper],
               facecolor=colors[paper] if name in LIVE else "white", zorder=3)
    near = [g for g in groups
            if abs(math.log10(sizes[g[0]][0] / p)) < 0.04 and abs(math.log10(sizes[g[0]][1] / m)) < 0.04]
    near[0].append(name) if near else groups.append([name])
for g in groups:
    text = ", ".join(FAMILY[n][0].split(" (")[0].replace("ResNet-110 + stochastic depth", "+ stochastic depth")
                     for n in g)
    ax.annotate(text, sizes[g[0]], fontsize=6.5, xytext=(5, -3), textcoords="offset points")
for paper, c in colors.items():
    ax.scatter([], [], color=c, label=paper, s=25)
ax.set(xscale="log", yscale="log", xlabel="parameters", ylabel="multiply-adds per image", xlim=(1e5, 6e8))
ax.grid(True, which="both", alpha=0.25)
ax.legend(fontsize=7, loc="upper left")
fig.tight_layout()
stamp(fig, text="Counts: this book's code (resnet_book.models), 32×32 input, 10 classes. "
                "Architectures: the papers named in the legend.")
plt.show()

# %% [markdown]
# {numref}`fig-06-costs` is the first lesson of the chapter, and the answer to the question that
# opened this section: **parameters and computation are different costs**, and the `meta` device
# counted both without allocating a single weight. WRN-28-10 has
# {glue:text}`c5_wrn2810_params_x:.0f`× the parameters of
# ResNet-110 and {glue:text}`c5_wrn2810_macs_x:.0f`× its multiply-adds; DenseNet-BC-100 has
# {glue:text}`c5_dense100_params_x:.2f`× the parameters but {glue:text}`c5_dense100_macs_x:.2f`× the
# multiply-adds; the 1001-layer pre-activation ResNet has {glue:text}`c5_pre1001_params_x:.2f`× the
# parameters of ResNet-1202 and {glue:text}`c5_pre1001_macs_x:.2f`× its multiply-adds (a bottleneck
# unit is three cheap layers). Keep both axes in mind whenever someone says a network is "bigger".

# %% [markdown]
# ## Pre-activation: make the shortcut path a clean identity

# %% tags=["remove-input"]
quiz("06_variants", ["q12"])

# %% [markdown]
# **The idea.** Write a unit as $y_l = h(x_l) + \mathcal{F}(x_l)$, $x_{l+1} = f(y_l)$. The 2015 block
# has $h$ = identity and $f$ = ReLU. If *both* are identities, the units telescope
# ({cite:p}`he2016identity`, Eqs. 4-5):
#
# ```{math}
# :label: eq-06-telescope
# x_L = x_l + \sum_{i=l}^{L-1} \mathcal{F}(x_i),
# \qquad
# \frac{\partial E}{\partial x_l} = \frac{\partial E}{\partial x_L}\Big(1 + \frac{\partial}{\partial x_l}\sum_{i=l}^{L-1}\mathcal{F}(x_i)\Big),
# ```
#
# the equation Chapter 2 derived, now exact for every pair of units. To make $f$ the identity the
# paper moves BN and ReLU off the path, *into* the branch, in front of each convolution: "full
# pre-activation" (Fig. 4(e)). A final BN-ReLU before the pooling takes over the job of the last
# unit's ReLU. **Gradient path:** the "1" reaches every unit untouched, also for negative signals.
# **Cost:** none; the same layers in a different order.
#
# ```{literalinclude} ../src/resnet_book/models/preact.py
# :pyobject: PreActBasicBlock
# ```
#
# Nothing follows `out = residual + shortcut`. The check of your prediction: silence
# $\mathcal{F}$ in both blocks and feed an input with negative entries. The 2015 block returns
# $\mathrm{relu}(x)$ (its ReLU after the addition cuts the negative entries), the pre-activation
# block returns $x$ itself.

# %%
torch.manual_seed(0)
post, pre = BasicBlock(16, 16).eval(), PreActBasicBlock(16, 16).eval()
with torch.no_grad():
    post.bn2.weight.zero_()  # F(x) = 0 in the 2015 block (last BN's gamma)
    pre.conv2.weight.zero_()  # F(x) = 0 in the pre-activation block (last conv)
x = torch.randn(2, 16, 8, 8)  # a signal with negative entries
print("2015 block:           block(x) == x?", torch.equal(post(x), x), "| == relu(x)?", torch.equal(post(x), x.relu()))
print("pre-activation block: block(x) == x?", torch.equal(pre(x), x))

# three pre-activation units with F = 0: the gradient reaches their input exactly, dE/dx_l = dE/dx_L
stage = get_model("preact_resnet20").layer1
for unit in stage:
    nn.init.zeros_(unit.conv2.weight)
x = torch.randn(2, 16, 32, 32, requires_grad=True)
stage(x).sum().backward()
print("gradient through 3 units equals the incoming one exactly:", torch.equal(x.grad, torch.ones_like(x)))

# %% [markdown]
# **Where exactly should BN and ReLU go?** The paper tried five units (Fig. 4, Table 2). The package
# has them all as the `placement=` option of `preact_resnet` (one data-driven unit,
# `ResidualUnit`, builds each order); here is what each one computes:

# %%
for placement, meaning in PLACEMENTS.items():
    unit = ResidualUnit(16, 16, placement=placement)
    after = " → ".join(unit.after) if unit.after else "nothing"
    print(f"{placement:16s} F: {' → '.join(unit.branch):45s} | after the addition: {after}")

# %% tags=["remove-input"]
im = reference.IDENTITY_MAPPINGS
t2 = im["table2_activation"]
names = {"original": "original", "BN after addition": "bn_after_add", "ReLU before addition": "relu_before_add",
         "ReLU-only pre-activation": "relu_preact", "full pre-activation": "full_preact"}
display(Markdown(markdown_table(["unit (Fig. 4)", "`placement=`", "ResNet-110", "ResNet-164"],
                                [[row, f"`{names[row]}`", f"{e110:.2f}", f"{e164:.2f}"]
                                 for row, (e110, e164) in t2.items()], align="llrr")))
glue("c5_t2_full_110", float(t2["full pre-activation"][0]), display=False)
glue("c5_t2_orig_110", float(t2["original"][0]), display=False)
glue("c5_t2_bnafter_110", float(t2["BN after addition"][0]), display=False)
glue("c5_t2_relubefore_110", float(t2["ReLU before addition"][0]), display=False)

# %% [markdown]
# CIFAR-10 test error (%). Source: {cite:t}`he2016identity`, Table 2.
#
# Read the table with {eq}`eq-06-telescope` in mind. Putting a BN *after* the addition, on the path,
# is the worst ({glue:text}`c5_t2_bnafter_110:.2f`% for ResNet-110). "ReLU before addition" leaves
# the path clean but makes $\mathcal{F} \ge 0$: a unit can only add, never subtract
# ({glue:text}`c5_t2_relubefore_110:.2f`%). Full pre-activation is the best of the five
# ({glue:text}`c5_t2_full_110:.2f`% against the original's {glue:text}`c5_t2_orig_110:.2f`%).

# %% tags=["remove-input"]
quiz("06_variants", ["q1"])

# %% [markdown]
# **And the shortcut itself?** Table 1 of the same paper keeps the 2015 unit and changes only
# $h(x)$: constant scaling, gating with a learned sigmoid $g(x)$, 1×1 convolutions, dropout. The
# package has these as `shortcut_variant=` (Fig. 2):

# %%
for variant, meaning in SHORTCUT_VARIANTS.items():
    print(f"{variant:21s} {meaning}")
net = get_model("preact_resnet110", placement="original", shortcut_variant="conv1x1")
extra = count_params(net) - count_params(get_model("preact_resnet110", placement="original"))
print(f"1x1 conv shortcuts on every unit of ResNet-110: {extra:,} extra parameters")

# %% tags=["remove-input"]
t1 = im["table1_resnet110_shortcuts"]
display(Markdown(markdown_table(["shortcut h(x) (Fig. 2)", "ResNet-110, CIFAR-10 test error (%)"],
                                [[row, "fails to converge well" if err is None else f"{err:.2f}"]
                                 for row, err in t1.items()], align="lr")))
glue("c5_t1_orig", float(t1["original"]), display=False)
glue("c5_t1_conv", float(t1["1x1 conv shortcut"]), display=False)
glue("c5_t1_gate6", float(t1["shortcut-only gating (init -6)"]), display=False)
glue("c5_t1_gate0", float(t1["shortcut-only gating (init 0)"]), display=False)

# %% [markdown]
# Source: {cite:t}`he2016identity`, Table 1 (the paper's figure for each row; "dropout shortcut" is
# reported as failing).
#
# Every change of the identity is worse, including the 1×1 convolution
# ({glue:text}`c5_t1_conv:.2f`% against {glue:text}`c5_t1_orig:.2f`%), although it has more
# parameters and contains the identity as a special case. Shortcut-only gating comes closest when its
# bias starts at −6, i.e. when the gate starts almost open for the shortcut, almost an identity
# ({glue:text}`c5_t1_gate6:.2f`%; with bias 0 it is {glue:text}`c5_t1_gate0:.2f`%). In
# {eq}`eq-06-telescope` a factor $\lambda$ on every shortcut turns the "1" into
# $\prod_i \lambda_i$: a product again, as in a plain net.

# %% tags=["remove-input"]
quiz("06_variants", ["q2", "q3"])

# %% tags=["remove-input"]
t3 = im["table3"]
display(Markdown(markdown_table(["network", "original unit", "pre-activation unit"],
                                [[row, f"{orig:.2f}", f"{preact:.2f}"] for row, (orig, preact) in t3.items()],
                                align="lrr")))
glue("c5_pre164_paper_m", float(im["params_m"]["preact_resnet164"]), display=False)
glue("c5_t3_1001_orig", float(t3["CIFAR-10 ResNet-1001"][0]), display=False)
glue("c5_t3_1001_pre", float(t3["CIFAR-10 ResNet-1001"][1]), display=False)
glue("c5_pre1001_exact", sizes["preact_resnet1001"][0], display=False)
glue("c5_pre1001_paper_m", float(im["params_m"]["preact_resnet1001"]), display=False)

# %% [markdown]
# Test error (%). Source: {cite:t}`he2016identity`, Table 3 (parameters as printed there:
# ResNet-164 {glue:text}`c5_pre164_paper_m:.1f`M, ResNet-1001 {glue:text}`c5_pre1001_paper_m:.1f`M).
#
# The payoff grows with depth (Table 3): for the 1001-layer network the pre-activation unit takes the
# CIFAR-10 error from {glue:text}`c5_t3_1001_orig:.2f`% to {glue:text}`c5_t3_1001_pre:.2f`%,
# where the original unit suffered most. (Our `preact_resnet1001` has
# {glue:text}`c5_pre1001_exact:,` parameters; the paper's {glue:text}`c5_pre1001_paper_m:.1f`M is the
# count without the BN parameters.)

# %% [markdown]
# ## Wide ResNets: fewer layers, more channels

# %% tags=["remove-input"]
quiz("06_variants", ["q13"])

# %% [markdown]
# **The idea.** {cite:t}`zagoruyko2016wide` asked whether depth is the best way to spend parameters
# at all (abstract):
#
# > "[...] we conduct a detailed experimental study on the architecture of ResNet blocks, based on
# > which we propose a novel architecture where we decrease depth and increase width of residual
# > networks."
#
# Did you pick "each small gain needs many more layers, and very deep nets are slow to train"?
# That is their diagnosis; their cure is width. A WRN-$d$-$k$ is a pre-activation ResNet of depth
# $d$ whose stages have $16k$, $32k$, $64k$ channels
# instead of 16, 32, 64, with an optional dropout between the two convolutions of a unit. **Gradient
# path:** the same clean identity as above, over far fewer units. **Cost:** a 3×3 layer with $c$
# channels has $9c^2$ weights, so width enters the cost squared; but the work comes in a few big,
# parallel convolutions, which GPUs execute far more efficiently than many thin sequential ones.
#
# ```{literalinclude} ../src/resnet_book/models/variants.py
# :pyobject: wide_resnet
# ```

# %%
for name in ("wrn16_2", "wrn16_4", "wrn16_8"):
    model = get_model(name)
    unit = model.layer2[1]
    print(f"{name}: layer2 units have {unit.conv1.in_channels} channels, {count_params(model):>10,} parameters, "
          f"output {tuple(model(torch.randn(1, 3, 32, 32)).shape)}")
print("with dropout 0.3 (the paper's 'wide-dropout'):", get_model("wrn16_2", dropout=0.3).layer1[0].dropout)

# %% tags=["remove-input"]
quiz("06_variants", ["q4"])

# %% [markdown]
# ## ResNeXt: split, transform, aggregate

# %% tags=["remove-input"]
quiz("06_variants", ["q14"])

# %% [markdown]
# **The idea.** {cite:t}`xie2017aggregated` replace the one transformation of a bottleneck block by
# $C$ parallel, identical, thin ones and add their outputs, $y = x + \sum_{i=1}^{C}\mathcal{T}_i(x)$.
# The number $C$ is the *cardinality* (abstract):
#
# > "On the ImageNet-1K dataset, we empirically show that even under the restricted condition of
# > maintaining complexity, increasing cardinality is able to improve classification accuracy."
#
# Did you predict a grouped convolution? Their Fig. 3 shows that $C$ paths of 1×1 → 3×3 → 1×1 are
# *exactly* one bottleneck whose 3×3
# convolution is a **grouped convolution** with $C$ groups. ResNeXt-29 "8×64d" has $C = 8$ groups of
# width $d = 64$ in its first stage. **Gradient path:** unchanged, an identity shortcut around a
# post-activation bottleneck as in 2015. **Cost:** a grouped convolution has $1/C$ of the weights and
# multiply-adds of a full one, which buys a wider bottleneck at the same complexity.
#
# ```{literalinclude} ../src/resnet_book/models/variants.py
# :pyobject: ResNeXtBottleneck
# ```
#
# The grouped 3×3 convolution of the first block of ResNeXt-29 8×64d, and what it would weigh as
# an ordinary convolution:

# %%
with torch.device("meta"):
    conv = get_model("resnext29_8x64d").layer1[0].conv2
print(conv)
print("weight shape:", tuple(conv.weight.shape), f"= {conv.weight.numel():,} weights;",
      f"an ordinary 3x3 conv {conv.in_channels}->{conv.out_channels}: {conv.in_channels * conv.out_channels * 9:,}")

# %% tags=["remove-input"]
quiz("06_variants", ["q5"])

# %% [markdown]
# ## DenseNet: concatenate instead of add

# %% tags=["remove-input"]
quiz("06_variants", ["q15"])

# %% [markdown]
# **The idea.** {cite:t}`huang2017densely` keep the short paths from every layer to the loss but
# change how paths merge (abstract):
#
# > "Recent work has shown that convolutional networks can be substantially deeper, more accurate,
# > and efficient to train if they contain shorter connections between layers close to the input
# > and those close to the output. In this paper, we embrace this observation and introduce the
# > Dense Convolutional Network (DenseNet), which connects each layer to every other layer in a
# > feed-forward fashion."
#
# Inside a dense block, layer $\ell$ receives the *concatenation* $[x_0, x_1, \dots, x_{\ell-1}]$ of
# all earlier feature maps and adds $k$ new ones (the growth rate). DenseNet-BC adds a 1×1
# bottleneck before each 3×3 convolution ("B") and halves the channels between blocks ("C",
# compression 0.5). **Gradient path:** every layer's output reaches the end of its block unchanged,
# as a slice of the concatenation; there is no sum in which it could be cancelled. **Cost:** few
# parameters (each layer makes only $k$ maps), but many multiply-adds and much memory (each layer
# reads all earlier maps at full resolution).
#
# ```{literalinclude} ../src/resnet_book/models/variants.py
# :pyobject: DenseLayer
# ```
#
# Watch the channels grow through the first dense block of DenseNet-BC-100 (16 layers, $k = 12$):

# %%
model = get_model("densenet_bc100_12").eval()
widths = []
for layer in model.features.denseblock1:
    layer.register_forward_hook(lambda m, inp, out: widths.append(out.shape[1]))
with torch.no_grad():
    model(torch.randn(1, 3, 32, 32))
print("channels after each layer of dense block 1:", widths[:16])
print("after transition 1 (compression 0.5):", model.features.transition1.conv.out_channels)

# %% [markdown]
# Did you predict a linear growth? Each layer adds exactly $k$ = 12 channels to what it read, so
# layer $\ell$ reads $c_0 + (\ell - 1)k$ channels: the input of the last layers of a block is many
# times wider than what each layer writes.

# %% tags=["remove-input"]
quiz("06_variants", ["q6"])

# %% [markdown]
# ## Squeeze-and-excitation: let the branch re-weight its channels

# %% tags=["remove-input"]
quiz("06_variants", ["q16"])

# %% [markdown]
# **The idea.** {cite:t}`hu2018squeeze` add to each residual branch a tiny network that looks at the
# whole feature map and decides how much each channel should count (abstract):
#
# > "In this work, we focus instead on the channel relationship and propose a novel architectural
# > unit, which we term the “Squeeze-and-Excitation” (SE) block, that adaptively recalibrates
# > channel-wise feature responses by explicitly modelling interdependencies between channels."
#
# *Squeeze*: average each channel over the map. *Excitation*: two small FC layers (reduction $r =
# 16$) and a sigmoid give one factor in $(0, 1)$ per channel. *Scale*: multiply. This is
# {term}`channel attention · 通道注意力`. **Gradient path:** the SE module sits on the residual
# branch, before the addition, so the identity shortcut is untouched. **Cost:** a few parameters
# per block and almost no multiply-adds.
#
# ```{literalinclude} ../src/resnet_book/models/variants.py
# :pyobject: SqueezeExcitation
# ```

# %%
torch.manual_seed(0)
se = SqueezeExcitation(64, reduction=16)
u = torch.rand(2, 64, 8, 8) + 0.1
factors = se(u) / u  # one factor per (image, channel), shared by every pixel
print("factors per channel: min", round(factors.min().item(), 3), "max", round(factors.max().item(), 3))
p_se, p_plain = count_params(get_model("se_resnet56")), count_params(get_model("resnet56"))
print(f"SE-ResNet-56: {p_se:,} parameters, {100 * (p_se - p_plain) / p_plain:.1f}% more than ResNet-56")
macs_se, macs_plain = sizes["se_resnet56"][1], sizes["resnet56"][1]
print(f"multiply-adds: {100 * (macs_se - macs_plain) / macs_plain:.2f}% more")

# %% [markdown]
# Did you predict "a few percent more parameters, almost no computation"? The two FC layers act on one
# number per channel, not on the map: they add weights, but hardly any multiply-adds.

# %% tags=["remove-input"]
quiz("06_variants", ["q7"])

# %% [markdown]
# ## Stochastic depth: train shallow, test deep

# %% tags=["remove-input"]
quiz("06_variants", ["q17"])

# %% [markdown]
# **The idea.** {cite:t}`huang2016deep` attack the problem the paper left open with ResNet-1202,
# too much network for too little data, with a dropout for whole blocks (abstract):
#
# > "We start with very deep networks but during training, for each mini-batch, randomly drop a
# > subset of layers and bypass them with the identity function."
#
# During training, block $l$ of $L$ keeps its residual branch with probability
# $p_l = 1 - \frac{l}{L}(1 - p_L)$ (linear decay, $p_L = 0.5$), drawn once per mini-batch; a dropped
# block is the identity. At test time every block is used and its branch is scaled by $p_l$, its
# expected contribution during training. **Gradient path:** a dropped block hands the gradient down
# its shortcut untouched, so training sees shorter networks. **Cost:** no parameters; in the
# paper a dropped branch is not computed, which makes training faster. (The package scales the
# branch by zero instead, which is simpler and costs the computation; the docstring says so.)
#
# ```{literalinclude} ../src/resnet_book/models/variants.py
# :pyobject: StochasticDepth
# ```
#
# It works on any residual model of the package: `get_model("resnet110", stochastic_depth=0.5)`
# replaces each block's `residual` tap by a `StochasticDepth` with its $p_l$.

# %%
torch.manual_seed(0)
model = get_model("resnet110", stochastic_depth=0.5)
ps = [b.residual.p for b in residual_blocks(model)]
print(f"{len(ps)} blocks, survival probability {ps[0]:.3f} (first) ... {ps[-1]:.3f} (last)")
x = torch.randn(4, 3, 32, 32)
model.train()
print("training mode, two passes equal?", torch.equal(model(x), model(x)))
model.eval()
print("eval mode,     two passes equal?", torch.equal(model(x), model(x)))
glue("c5_sd_blocks", len(ps), display=False)
glue("c5_sd_expected", float(sum(ps)), display=False)

# %% [markdown]
# Did you predict that two training passes differ? They do, because each
# pass draws its own set of dropped blocks; in evaluation mode every block runs, scaled by its $p_l$,
# and the network is an ordinary deterministic function again.

# %% tags=["remove-input"]
quiz("06_variants", ["q8", "q9"])

# %% [markdown]
# ## An equal-budget race at the quick scale

# %% tags=["remove-input"]
quiz("06_variants", ["q18"])

# %% [markdown]
# Now train. ResNet-56 and four small relatives, each at most ResNet-56's multiply-adds
# ({numref}`fig-06-costs`): pre-activation ResNet-56 (same layers, new order), WRN-16-2 (a quarter
# of the depth, twice the width), a narrow ResNeXt-29 with 8 groups (the paper's template at a
# quarter of the width: our choice, so that it trains on a CPU in about ResNet-56's time) and
# DenseNet-BC-28. **Same budget** means the same recipe (the paper's Sec. 4.2, at the quick scale
# of every chapter: 300 iterations of 32 images on a 10k training subset), the same data in the
# same order, the same seed. The variants' own papers train differently; here nothing differs but
# the architecture. ResNet-56's run is the one of Chapter 4 (reused when it exists); the others
# train now.

# %%
records = run_experiment("variants", runs=LIVE, progress=False)
[(r["label"], r["final"]["iterations"], r["status"]) for r in records]

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The race at the quick scale: training error on the augmented mini-batches (left, averaged over windows of 10 iterations) and test error on a stratified 2k subset of the test set (right), same recipe, data and seed for every network. One seed each.", "name": "fig-06-race"}}
PRETTY = {name: FAMILY[name][0].replace(", narrow (ours)", " narrow") for name in LIVE}
PRETTY_ZH = {name: PRETTY[name].replace("pre-act ", "预激活 ").replace("ResNeXt-29 8×4d narrow", "窄版 ResNeXt-29 8×4d")
             for name in LIVE}
fig, (ax_tr, ax_te) = plt.subplots(1, 2, figsize=(9.6, 3.6), sharey=True)
for rec, c in zip(records, ("0.2", "C0", "C1", "C2", "C3")):
    h = rec["history"]
    ax_tr.plot(h["iters"], 100 * np.array(h["train_error"]), color=c, lw=1.2, label=PRETTY[rec["label"]])
    ax_te.plot(h["eval_iters"], 100 * np.array(h["eval_error"]), "-o", color=c, lw=1.8, ms=3,
               label=PRETTY[rec["label"]])
ax_tr.set(xlabel="iteration", ylabel="error (%)", title="training error")
ax_te.set(xlabel="iteration", title="test error")
for a in (ax_tr, ax_te):
    a.axhline(90, color="0.6", ls=":", lw=1)
    a.grid(alpha=0.3)
ax_te.legend(fontsize=7)
fig.tight_layout()
stamp(fig, records)
plt.show()

# %% tags=["remove-input"]
summary = {r["label"]: r for r in summarize(records)}
n_eval = int(records[0]["config"]["eval_subset"])
display(Markdown(markdown_table(
    ["network", "parameters", "multiply-adds (M)", "train error % (last 10%)", "test error %"],
    [[PRETTY[n], f"{summary[n]['params']:,}", f"{sizes[n][1] / 1e6:.1f}", f"{summary[n]['train_error']:.1f}",
      f"{summary[n]['eval_error']:.1f}"] for n in LIVE], align="lrrrr")))
seeds = sorted({r["seed"] for r in records})
cfg = records[0]["config"]
errs = {name: summary[name]["eval_error"] for name in LIVE}
best, worst = min(errs, key=errs.get), max(errs, key=errs.get)
spread = errs[worst] - errs[best]
se_one = 100 * math.sqrt(errs[best] / 100 * (1 - errs[best] / 100) / n_eval)  # binomial standard error, one number
se_diff = math.sqrt(2) * se_one
glue("c5_iters", int(cfg["max_iters"]), display=False)
glue("c5_batch", int(cfg["batch_size"]), display=False)
glue("c5_seeds", Markdown(", ".join(map(str, seeds))), display=False)
glue("c5_epochs", float(cfg["max_iters"] * cfg["batch_size"] / cfg["train_subset"]), display=False)
glue("c5_n_eval", n_eval, display=False)
glue("c5_best", Markdown(PRETTY[best]), display=False)
glue("c5_best_zh", Markdown(PRETTY_ZH[best]), display=False)
glue("c5_best_err", float(errs[best]), display=False)
glue("c5_worst", Markdown(PRETTY[worst]), display=False)
glue("c5_worst_zh", Markdown(PRETTY_ZH[worst]), display=False)
glue("c5_worst_err", float(errs[worst]), display=False)
glue("c5_spread", float(spread), display=False)
glue("c5_se_diff", float(se_diff), display=False)
glue("c5_r56_err", float(errs["resnet56"]), display=False)
glue("c5_pre56_err", float(errs["preact_resnet56"]), display=False)
separated = spread > 2 * se_diff
glue("c5_vs_noise", Markdown("larger than" if separated else "within about"), display=False)
glue("c5_vs_noise_zh", Markdown("大于" if separated else "大致不超过"), display=False)
glue("c5_separates", Markdown("separates them **for this seed and this budget**, which is not yet a ranking of "
                              "the architectures" if separated else "does not separate them"), display=False)
glue("c5_separates_zh", Markdown("**就这个种子和这个预算而言**分出了高下，但这还算不上对这些架构的排名"
                                 if separated else "分不出它们的高下"), display=False)

# %% [markdown]
# This book's runs: quick scale ({glue:text}`c5_iters` iterations of {glue:text}`c5_batch`, test
# error on {glue:text}`c5_n_eval:,` test images, on the JPEG-derived developer copy of CIFAR-10
# where that applies), seed(s) {glue:md}`c5_seeds`; provenance under the figure above.

# %% [markdown]
# How long did each take? The records hold the wall time of each run, but it was measured whenever
# the run happened to be trained (ResNet-56 perhaps in another chapter, under another load). For a
# fair look at speed, time one training step of each network now, on the same mini-batch,
# interleaved, best of three:

# %%
def step_seconds(names, rounds=3, steps=2):
    """Best-of-`rounds` wall time of one SGD step (batch 32, channels-last as in training) per model."""
    torch.manual_seed(0)
    xb = torch.randn(32, 3, 32, 32).to(memory_format=torch.channels_last)
    yb = torch.randint(0, 10, (32,))
    nets = {n: get_model(n).to(memory_format=torch.channels_last).train() for n in names}
    opts = {n: torch.optim.SGD(m.parameters(), lr=0.01) for n, m in nets.items()}
    best = {n: float("inf") for n in names}
    for r in range(rounds + 1):  # round 0 warms up
        for n, m in nets.items():
            t0 = time.perf_counter()
            for _ in range(steps):
                opts[n].zero_grad()
                F.cross_entropy(m(xb), yb).backward()
                opts[n].step()
            if r:
                best[n] = min(best[n], (time.perf_counter() - t0) / steps)
    return best


speed = step_seconds(LIVE)
for n in LIVE:
    print(f"{PRETTY[n]:24s} {1000 * speed[n]:6.0f} ms per step | {sizes[n][1] / 1e6:6.1f} M multiply-adds per image "
          f"| time x{speed[n] / speed['resnet56']:.2f}, MACs x{sizes[n][1] / sizes['resnet56'][1]:.2f} of ResNet-56")

# %% tags=["remove-input"]
for name, key in (("resnext29_8x4d_narrow", "rx"), ("wrn16_2", "wrn"), ("densenet_bc28_12", "dn")):
    macs, secs = 100 * sizes[name][1] / sizes["resnet56"][1], 100 * speed[name] / speed["resnet56"]
    glue(f"c5_{key}_macs_pct", float(macs), display=False)
    glue(f"c5_{key}_time_pct", float(secs), display=False)
    glue(f"c5_{key}_speed", Markdown("slower than" if secs > 1.15 * macs else
                                     "faster than" if secs < 0.85 * macs else "about what"), display=False)
    glue(f"c5_{key}_speed_zh", Markdown("慢于" if secs > 1.15 * macs else
                                        "快于" if secs < 0.85 * macs else "大致符合"), display=False)

# %% [markdown]
# **Reading {numref}`fig-06-race`.** First what the budget is: {glue:text}`c5_iters` iterations are
# about {glue:text}`c5_epochs:.1f` pass over the 10k training images, the first minutes of a
# schedule that in the paper runs for 64k iterations of 128 images. After that, the lowest test
# error is {glue:md}`c5_best`'s ({glue:text}`c5_best_err:.1f`%), the highest {glue:md}`c5_worst`'s
# ({glue:text}`c5_worst_err:.1f`%); ResNet-56 ends at {glue:text}`c5_r56_err:.1f`% and its
# pre-activation twin at {glue:text}`c5_pre56_err:.1f`%. The spread of {glue:text}`c5_spread:.1f`
# points is {glue:md}`c5_vs_noise` twice the noise of a single comparison (a difference of two
# error rates measured on {glue:text}`c5_n_eval:,` test images has a standard error of about
# {glue:text}`c5_se_diff:.1f` points, before any seed-to-seed variation): at this budget the race
# {glue:md}`c5_separates`.
#
# What this race **can** show (the two right answers of the question that opened this section): all
# five train from the same start with the same recipe, none
# diverges, and how fast each one leaves chance level in its first epoch (early trainability, the
# property the ResNet paper was about). And the stopwatch shows that multiply-adds are not time. On
# this CPU:
#
# * the narrow ResNeXt: {glue:text}`c5_rx_macs_pct:.0f`% of ResNet-56's multiply-adds,
#   {glue:text}`c5_rx_time_pct:.0f`% of its step time ({glue:md}`c5_rx_speed` its multiply-adds predict);
# * WRN-16-2: {glue:text}`c5_wrn_macs_pct:.0f`% of the multiply-adds, {glue:text}`c5_wrn_time_pct:.0f`%
#   of the step time ({glue:md}`c5_wrn_speed` its multiply-adds predict);
# * DenseNet-BC-28: {glue:text}`c5_dn_macs_pct:.0f`% of the multiply-adds,
#   {glue:text}`c5_dn_time_pct:.0f`% of the step time ({glue:md}`c5_dn_speed` its multiply-adds predict).
#
# The usual reasons: grouped convolutions run below the speed of ordinary ones, wide feature maps
# make the memory-bound BN and ReLU layers costlier, concatenation copies tensors, while a few large
# convolutions keep the arithmetic units busy. On a GPU the proportions change again; measure on the
# hardware you will use.
#
# What it **cannot** show: the papers' rankings. Those are about the end of long schedules, where
# regularisation (dropout in WRN, the implicit ensemble of stochastic depth), overfitting and the
# width-vs-depth trade-off decide, and where differences of half a point need several seeds. A
# network that is ahead after one epoch can be behind after two hundred. Treat the race as a
# smoke test with a stopwatch, and the papers' tables below as the evidence.

# %% tags=["remove-input"]
display(Markdown(pages.paper_scale_note("variants")))

# %% [markdown]
# ## What the papers report

# %% tags=["remove-input"]
quiz("06_variants", ["q19"])

# %% [markdown]
# Did you answer "only loosely"? Each number below was measured by the variant's authors with
# *their* recipe (longer schedules than
# the 64k iterations of Sec. 4.2, in some papers another weight decay, mean/std normalisation rather
# than the per-pixel mean); WRN's README even warns that the preprocessing alone changes the numbers
# noticeably. So read the table as "what each design reached when its authors tuned it", not as one
# controlled experiment.

# %% tags=["remove-input"]
OURS = {"WRN-28-10": "wrn28_10", "WRN-28-10 + dropout": "wrn28_10", "WRN-16-8": "wrn16_8", "WRN-40-4": "wrn40_4",
        "ResNeXt-29 8x64d": "resnext29_8x64d", "ResNeXt-29 16x64d": "resnext29_16x64d",
        "DenseNet-BC L=100 k=12": "densenet_bc100_12", "ResNet-110 (constant depth)": "resnet110",
        "ResNet-110 + stochastic depth": "sd_resnet110", "ResNet-1202 + stochastic depth": "resnet1202",
        "SE-ResNet-110": "se_resnet110"}
fmt = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
r110 = reference.TABLE6["resnet"][110]
rows = [["ResNet-110 (the paper)", f"{r110['params_m']}M", f"{sizes['resnet110'][0]:,}", fmt(r110["error"]), "–",
         reference.TABLE6["source"]],
        ["pre-act ResNet-1001", f"{im['params_m']['preact_resnet1001']}M", f"{sizes['preact_resnet1001'][0]:,}",
         fmt(t3["CIFAR-10 ResNet-1001"][1]), fmt(t3["CIFAR-100 ResNet-1001"][1]), f"{im['source']}, Table 3"]]
for name, row in reference.VARIANTS.items():
    ours = OURS.get(name)
    rows.append([name, f"{row['params_m']}M" if "params_m" in row else "–",
                 f"{sizes[ours][0]:,}" if ours in sizes else "–", fmt(row.get("cifar10")), fmt(row.get("cifar100")),
                 row["source"]])
display(Markdown(markdown_table(["network", "params (paper)", "params (our code)", "CIFAR-10", "CIFAR-100", "source"],
                                rows, align="lrrrrl")))
v = reference.VARIANTS
glue("c5_wrn_err", float(v["WRN-28-10"]["cifar10"]), display=False)
glue("c5_rx_err", float(v["ResNeXt-29 8x64d"]["cifar10"]), display=False)
glue("c5_dn_err", float(v["DenseNet-BC L=100 k=12"]["cifar10"]), display=False)
glue("c5_dn_params", float(v["DenseNet-BC L=100 k=12"]["params_m"]), display=False)
glue("c5_sd1202_err", float(v["ResNet-1202 + stochastic depth"]["cifar10"]), display=False)
glue("c5_r1202_err", float(reference.TABLE6["resnet"][1202]["error"]), display=False)
glue("c5_sd110_err", float(v["ResNet-110 + stochastic depth"]["cifar10"]), display=False)
glue("c5_cd110_err", float(v["ResNet-110 (constant depth)"]["cifar10"]), display=False)

# %% [markdown]
# Test error (%), with the standard flip-and-translation augmentation. "params (our code)" is the
# exact count of the package's model of that name where it has one.
#
# Three readings. **Width pays on CIFAR:** WRN-28-10 reaches {glue:text}`c5_wrn_err:.2f`% with 28
# layers, better than any pre-activation ResNet of Table 3, at {glue:text}`c5_wrn2810_params_x:.0f`×
# ResNet-110's parameters. **Parameters are not the only currency:** DenseNet-BC-100 gets
# {glue:text}`c5_dn_err:.2f`% with {glue:text}`c5_dn_params:.1f`M parameters, and ResNeXt-29 8×64d
# {glue:text}`c5_rx_err:.2f`% by spending its complexity on cardinality. **Regularising depth
# works:** with stochastic depth, the 1202-layer ResNet that overfitted in the paper
# ({glue:text}`c5_r1202_err:.2f`%) reaches {glue:text}`c5_sd1202_err:.2f`%; for ResNet-110 its
# authors report {glue:text}`c5_sd110_err:.2f`% against {glue:text}`c5_cd110_err:.2f`% for their
# own constant-depth baseline. Two rows (SE-ResNet) come from a secondary source and are marked so.

# %% [markdown]
# ## Which one should I use?

# %% tags=["remove-input"]
quiz("06_variants", ["q20"])

# %% [markdown]
# There is no single winner; there are good defaults and good reasons to deviate. (The memory row
# answers the question above.)
#
# | your situation | start with | why | the evidence |
# |---|---|---|---|
# | a new residual network, any size | **pre-activation units**, identity shortcuts, nothing on the path | it costs nothing and keeps {eq}`eq-06-telescope` exact | Identity Mappings, Tables 1-3 |
# | a GPU, a CIFAR-sized problem, accuracy first | **WRN** (e.g. WRN-28-10 with dropout) | few, wide, parallel layers: strong results, and its authors report it trains several times faster than pre-activation ResNets | WRN rows above and its README |
# | a fixed compute budget (FLOPs) | **ResNeXt**-style grouped bottlenecks | more accuracy per multiply-add; but grouped convolutions can run slower per multiply-add (our stopwatch above) | ResNeXt abstract (quoted above), ResNeXt rows |
# | few parameters (storage, transmission) | **DenseNet-BC** | parameter-efficient | DenseNet-BC-100 row above |
# | little memory during training | not DenseNet (naively) | a naive implementation keeps every concatenated map of a block alive for the backward pass | reasoning from the design, not measured here |
# | an existing ResNet, a small cheap gain | add **SE** modules to the branches | a few percent more parameters, almost no computation | SE-ResNet rows (secondary source) |
# | a very deep network overfitting | **stochastic depth** (drop-path) | a regulariser, and a training speed-up when dropped branches are skipped | the stochastic-depth rows above |
#
# These combine: SE and stochastic depth attach to any of the others (the package's
# `stochastic_depth=` works on every residual model), and "drop-path" is a standard ingredient of
# many later vision models' training recipes.

# %% [markdown]
# ## Beyond vision: the residual stream

# %% tags=["remove-input"]
quiz("06_variants", ["q21"])

# %% [markdown]
# The Transformer of {cite:t}`vaswani2017attention` is a residual network whose blocks are
# attention and a small MLP instead of convolutions (Sec. 3.1):
#
# > "We employ a residual connection around each of the two sub-layers, followed by layer
# > normalization. That is, the output of each sub-layer is LayerNorm(x + Sublayer(x)), where
# > Sublayer(x) is the function implemented by the sub-layer itself."
#
# That is a *post*-normalisation unit: a LayerNorm sits on the path after every addition, like
# "BN after addition" in Table 2. Later models moved it into the branch,
# $x_{l+1} = x_l + \mathrm{Sublayer}(\mathrm{LayerNorm}(x_l))$ ("pre-LN"), which is exactly full
# pre-activation, and {cite:t}`xiong2020layer` analyse why this trains more easily at depth. With
# pre-LN, {eq}`eq-06-telescope` holds again: $x_L = x_0 + \sum_l \mathcal{F}_l(x_l)$. Interpretability
# work calls this running sum the {term}`residual stream · 残差流` and reads every block as *reading
# from and writing into* it ({cite:t}`elhage2021mathematical`). PyTorch's own Transformer layer has
# the switch (`norm_first`); silence the two sub-layers and check your prediction: the difference
# is the one we saw for convolutions at the start of this chapter.

# %%
torch.manual_seed(0)
x = torch.randn(2, 10, 64)  # (batch, tokens, features)
for norm_first in (False, True):
    layer = nn.TransformerEncoderLayer(64, nhead=4, dim_feedforward=128, dropout=0.0, batch_first=True,
                                       norm_first=norm_first).eval()
    with torch.no_grad():  # F = 0: zero the last linear map of both sub-layers
        for lin in (layer.self_attn.out_proj, layer.linear2):
            lin.weight.zero_()
            lin.bias.zero_()
        out = layer(x)
    kind = "pre-LN  (x + F(LN(x)))" if norm_first else "post-LN (LN(x + F(x)))"
    print(f"{kind}: layer(x) == x? {torch.allclose(out, x)}")

# %% tags=["remove-input"]
quiz("06_variants", ["q10"])

# %% tags=["remove-input"]
# exercise 1: width vs depth
glue("c5_ex_wrn164", count_params(get_model("wrn16_4")), display=False)
glue("c5_ex_wrn168", count_params(get_model("wrn16_8")), display=False)
glue("c5_ex_wrn284", count_params(wide_resnet(28, 4)), display=False)
glue("c5_ex_width_x", count_params(get_model("wrn16_8")) / count_params(get_model("wrn16_4")), display=False)
glue("c5_ex_depth_x", count_params(wide_resnet(28, 4)) / count_params(get_model("wrn16_4")), display=False)
# exercise 2: expected depth under stochastic depth
glue("c5_ex_sd_frac", 100 * sum(ps) / len(ps), display=False)
# exercise 4: SE overhead
glue("c5_ex_se_pct", 100 * (p_se - p_plain) / p_plain, display=False)

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-06-1
#
# **Width or depth?** Predict the parameter count of WRN-16-8 from that of WRN-16-4, and of
# WRN-28-4 (twice as many units per stage as WRN-16-4). Then check with `count_params`. Which
# prediction is almost exact, and why is the other one only approximate?
# ```
#
# ````{solution} ex-06-1
# :class: dropdown
#
# Doubling the width multiplies every 3×3 layer's $9c^2$ weights by 4, so expect about ×4; doubling
# the units per stage (from 2 to 4) doubles the 3×3 layers, so expect about ×2, slightly less:
#
# ```python
# from resnet_book.analysis import count_params
# from resnet_book.models import get_model, wide_resnet
# count_params(get_model("wrn16_4")), count_params(get_model("wrn16_8")), count_params(wide_resnet(28, 4))
# ```
#
# WRN-16-4 has {glue:text}`c5_ex_wrn164:,` parameters, WRN-16-8 {glue:text}`c5_ex_wrn168:,`
# (×{glue:text}`c5_ex_width_x:.2f`), WRN-28-4 {glue:text}`c5_ex_wrn284:,`
# (×{glue:text}`c5_ex_depth_x:.2f`). The width prediction is nearly exact because almost all weights
# are in 3×3 layers whose both sides double. The depth prediction is below 2 because the stem, the
# projections, the final BN and FC, and the first unit of each stage (which changes the width) do not
# double with the number of units.
# ````
#
# ```{exercise}
# :label: ex-06-2
#
# **How deep is a stochastic-depth network during training?** With linear decay to $p_L = 0.5$ over
# the $L$ = {glue:text}`c5_sd_blocks` blocks of ResNet-110, compute the expected number of blocks
# that are active in a mini-batch, as a formula in $L$ and $p_L$ and as a number. What does it mean
# for the training time in the paper's implementation, and for ours?
# ```
#
# ```{solution} ex-06-2
# :class: dropdown
#
# $\mathbb{E}[\text{active}] = \sum_{l=1}^{L} p_l = \sum_{l=1}^{L}\big(1 - \tfrac{l}{L}(1-p_L)\big)
# = L - (1-p_L)\tfrac{L+1}{2}$, which for ResNet-110 is {glue:text}`c5_sd_expected:.2f` blocks,
# {glue:text}`c5_ex_sd_frac:.0f`% of them. The paper skips the computation of a dropped branch,
# so a training step costs about that fraction of the forward and backward work of the residual
# branches (its reported speed-up is of this size). The package multiplies a dropped branch by zero
# instead: same expected function, no speed-up.
# ```
#
# ````{exercise}
# :label: ex-06-3
#
# **Why is "ReLU before addition" worse?** Build the unit with `ResidualUnit(16, 16,
# placement="relu_before_add")`, put a forward hook on its `residual` tap and check the sign of
# $\mathcal{F}(x)$ on random inputs. Then explain, with {eq}`eq-06-telescope`, what a stack of such
# units can and cannot do to the signal $x_l$.
# ````
#
# ````{solution} ex-06-3
# :class: dropdown
#
# ```python
# import torch
# from resnet_book.models import ResidualUnit
# unit, seen = ResidualUnit(16, 16, placement="relu_before_add").eval(), {}
# unit.residual.register_forward_hook(lambda m, i, o: seen.__setitem__("F", o))
# unit(torch.randn(8, 16, 8, 8))
# seen["F"].min()   # >= 0: the ReLU at the end of the branch
# ```
#
# Every $\mathcal{F}(x_i) \ge 0$, so $x_L = x_l + \sum \mathcal{F}(x_i)$ can only grow, element by
# element, through the whole network: no unit can remove or sign-flip what an earlier one added. The
# path is clean (the gradient argument holds), but the function class is crippled, which is why Table
# 2 puts it behind the original unit. Full pre-activation keeps the clean path AND lets
# $\mathcal{F}$ take any sign.
# ````
#
# ```{exercise}
# :label: ex-06-4
#
# **Add the sixth runner.** The `variants` experiment also contains SE-ResNet-56, which this page
# leaves out to stay within its CPU budget. Predict its test error relative to ResNet-56 at the quick
# scale, then run `run_experiment("variants", runs=["se_resnet56"])` (a few CPU minutes) and compare
# with the table of the race. What would convince you that SE helps?
# ```
#
# ```{solution} ex-06-4
# :class: dropdown
#
# SE-ResNet-56 is ResNet-56 plus {glue:text}`c5_ex_se_pct:.1f`% parameters and a sigmoid gate per
# channel that starts near 0.5 (the FC layers start small), so early in training it behaves like a
# ResNet-56 whose branches are damped: expect it close to ResNet-56, possibly slightly slower to
# start. Whatever the sign of the difference after 300 iterations, one seed on 2,000 test images
# cannot settle it (see the standard error in the race). To be convinced you would want several
# seeds per model (`seeds=[0, 1, 2]`, then `summarize`), a full schedule, and a difference larger
# than the seed-to-seed spread, which is what the SE paper's long runs report.
# ```
#
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: variants of the residual idea
# :class: tip
#
# | variant | what it changes | key formula | evidence |
# |---|---|---|---|
# | **pre-activation** (He et al. 2016) | BN-ReLU *before* each conv; nothing after the addition | $x_L = x_l + \sum_{i=l}^{L-1}\mathcal{F}(x_i)$ exactly | Identity Mappings, Tables 1-3: every change of the identity shortcut hurts; full pre-activation is best |
# | **Wide ResNet** | fewer units, $k\times$ the channels, dropout between convs | 3×3 weights $= 9c^2$: width costs $k^2$ | WRN-28-10 beats the 1001-layer ResNet on CIFAR-10 |
# | **ResNeXt** | $C$ parallel thin paths = a grouped 3×3 conv | $y = x + \sum_{i=1}^{C}\mathcal{T}_i(x)$ | cardinality beats width or depth at equal complexity (ResNeXt, abstract) |
# | **DenseNet-BC** | concatenation instead of addition | $x_\ell = H_\ell([x_0, \dots, x_{\ell-1}])$ | few parameters, many MACs ({numref}`fig-06-costs`) |
# | **SE-ResNet** | per-channel gate on the residual branch | $s = \sigma(W_2\,\mathrm{relu}(W_1 z))$ | small cost, gains reported by its authors |
# | **stochastic depth** | random block dropping in training, scaled at test | $p_l = 1 - \frac{l}{L}(1 - p_L)$ | ResNet-1202 no longer overfits |
#
# **Symptom they share:** the 2015 recipe left accuracy on the table at great depth (ResNet-1202) and
# treated depth as the only knob. **Design rule they share:** keep the shortcut an identity and put
# every change in the branch (or, for DenseNet, make the shortcut a concatenation).
#
# **Key terms:** {term}`pre-activation · 预激活` · {term}`identity mapping · 恒等映射` ·
# {term}`wide residual network · 宽残差网络` · {term}`grouped convolution · 分组卷积` ·
# {term}`dense connectivity · 密集连接` · {term}`channel attention · 通道注意力` ·
# {term}`stochastic depth · 随机深度` · {term}`residual stream · 残差流` ·
# {term}`bottleneck · 瓶颈结构`
#
# **In one sentence:** after ResNet, the identity path stayed sacred and everything else, order,
# width, topology, merge, attention and even depth itself, became a design choice. ✨
# ```
