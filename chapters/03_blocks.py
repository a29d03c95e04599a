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
# # Blocks: the architecture, from the code
#
# ```{admonition} Learning goals
# :class: tip
#
# After this chapter you can
#
# 1. follow a tensor through the basic block and the bottleneck (paper Fig. 5), shape by shape, and
#    name the two branches that meet at `out = residual + shortcut`;
# 2. say what shortcut options A, B and C do where a block changes the shape, and what each costs
#    in parameters and multiply-adds;
# 3. build the paper's CIFAR family (6n+2 layers) and ImageNet family (Table 1) from one package,
#    and check that the code *is* the paper by regenerating its tables;
# 4. explain why the bottleneck made 152 layers affordable and why its shortcut must be the identity;
# 5. tell the paper's ResNet (V1) from torchvision's (V1.5), and load a torchvision `state_dict`
#    into the course's model.
# ```
#
# Chapter 2 showed *why* a shortcut helps. This chapter is about *how* the paper builds networks
# out of it {cite:p}`he2016deep` (Sec. 3.2):
#
# > The shortcut connections in Eqn.(1) introduce neither extra parameter nor computation
# > complexity. This is not only attractive in practice but also important in our comparisons
# > between plain and residual networks.
#
# Everything below is computed from `resnet_book.models`, the same code that trains the networks of
# Chapter 4. Where a number of the paper appears beside ours, it is read from
# `resnet_book.reference`, which cites the table it comes from.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import torch
import torchvision
from IPython.display import Markdown, display
from myst_nb import glue
from torch import nn

from resnet_book import reference
from resnet_book.analysis import count_flops, count_params
from resnet_book.book import quiz, stamp
from resnet_book.book.figures import draw_block, draw_network
from resnet_book.models import BasicBlock, Bottleneck, get_model, make_shortcut
from resnet_book.book.pages import shapes_through, stage_sizes
from resnet_book.tables import markdown_table

torch.manual_seed(0)


def pct(new: float, base: float) -> float:
    """How much larger ``new`` is than ``base``, in percent."""
    return 100 * (new - base) / base


# %% [markdown]
# ## The basic block

# %% tags=["remove-input"]
quiz("03_blocks", ["q8"])

# %% [markdown]
# The paper's building block (Fig. 2, and Fig. 5 left) is two 3×3 convolutions, each followed by
# batch normalization, with a ReLU between them and one after the addition:
#
# ```{math}
# :label: eq-03-block
# y = \operatorname{ReLU}\big(\mathcal{F}(x) + x\big), \qquad
# \mathcal{F}(x) = \operatorname{BN}_2\big(W_2 \ast \operatorname{ReLU}(\operatorname{BN}_1(W_1 \ast x))\big).
# ```
#
# Here is the course's `BasicBlock`, exactly as the package defines it. The two parameter-free
# taps `self.residual` and `self.shortcut` (`nn.Identity`) sit right before the literal
# `out = residual + shortcut`, so that a forward hook can look at each branch; they add no
# parameter, and the parameter names (`conv1`, `bn1`, …, `downsample`) stay torchvision's.
#
# ```{literalinclude} ../src/resnet_book/models/blocks.py
# :pyobject: BasicBlock
# ```
#
# A block that keeps the shape (16 channels on a 32×32 map, the first stage of a CIFAR ResNet):

# %%
block = BasicBlock(16, 16)
x = torch.randn(2, 16, 32, 32)
block(x).shape

# %% [markdown]
# And the same tensor followed module by module (`shapes_through` puts a forward hook on each child
# and records what it returns, in the order they run):

# %%
display(Markdown(markdown_table(["module", "type", "output shape"],
                                [[f"`{n}`", t, s] for n, t, s in shapes_through(block, x)])))

# %% [markdown]
# Both branches arrive at the addition with the same shape, `(2, 16, 32, 32)`, so the shortcut can be
# the identity. Did you predict that it costs nothing? The `shortcut` row above is an `nn.Identity`:
# {eq}`eq-03-block` costs one addition per element and not a single parameter.
#
# The picture below is not drawn by hand: `resnet_book.book.figures.draw_block` reads the block's own
# children (`named_children()`, in order), puts every module except the shortcut on the left column
# and the shortcut on the right, so the picture cannot drift from the code.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Two blocks drawn from their own modules (`named_children()`, in order). Left: a basic block that keeps the shape, identity shortcut. Right: a basic block that halves the map and doubles the channels, option A (zero-padding) shortcut. The red path is the shortcut; the residual branch computes F(x).", "name": "fig-03-block-diagram"}}
fig, axes = plt.subplots(1, 2, figsize=(8, 5.2))
draw_block(axes[0], BasicBlock(16, 16), "BasicBlock(16, 16)")
draw_block(axes[1], BasicBlock(16, 32, 2, make_shortcut("A", 16, 32, 2)), "BasicBlock(16, 32, stride 2), option A")
fig.tight_layout()
stamp(fig, text="Generated from resnet_book.models.BasicBlock; He et al. 2015, Fig. 2 and Fig. 5 (left).")
plt.show()

# %% [markdown]
# ## Where the shape changes: options A, B and C

# %% tags=["remove-input"]
quiz("03_blocks", ["q9"])

# %% [markdown]
# At the start of stages 2 and 3 of a CIFAR ResNet the block halves the map (stride 2) and doubles
# the channels. Now $\mathcal{F}(x)$ and $x$ no longer have the same shape, and the plain identity
# is out. Did you pick both zero-padding and the 1×1 projection? The paper offers exactly these two
# ways out {cite:p}`he2016deep` (Sec. 3.3):
#
# > (A) The shortcut still performs identity mapping, with extra zero entries padded for increasing
# > dimensions. This option introduces no extra parameter; (B) The projection shortcut in Eqn.(2)
# > is used to match dimensions (done by 1×1 convolutions).
#
# and in Sec. 4.1 a third, (C): projections on *every* shortcut. The package builds the shortcut
# from a letter:
#
# ```{literalinclude} ../src/resnet_book/models/blocks.py
# :pyobject: make_shortcut
# ```
#
# ```{literalinclude} ../src/resnet_book/models/blocks.py
# :pyobject: ZeroPadShortcut
# ```

# %%
x = torch.randn(2, 16, 32, 32)
for option in "ABC":
    down = make_shortcut(option, 16, 32, stride=2)
    blk = BasicBlock(16, 32, stride=2, downsample=down)
    print(option, type(down).__name__, "->", tuple(blk(x).shape), f"shortcut params: {count_params(down)}")

# %% [markdown]
# Option A really is the identity plus zeros: the first 16 output channels of the shortcut are
# $x$ subsampled with stride 2, the other 16 are exactly zero.

# %%
a = make_shortcut("A", 16, 32, stride=2)(x)
torch.equal(a[:, :16], x[:, :, ::2, ::2]), bool((a[:, 16:] == 0).all())

# %% [markdown]
# What does each option cost on a whole network? Below, the parameters and multiply-adds of
# ResNet-56 (CIFAR-10) and ResNet-34 (ImageNet, 224×224) with each option, counted from the models.
# The paper's ImageNet errors for ResNet-34 A/B/C (Table 3) are shown beside them.

# %% tags=["remove-input"]
rows, cost = [], {}
for net, size in (("resnet56", (3, 32, 32)), ("resnet34", (3, 224, 224))):
    for option in "ABC":
        model = get_model(net, shortcut=option)
        cost[net, option] = (count_params(model), count_flops(model, size))
for net in ("resnet56", "resnet34"):
    pa, fa = cost[net, "A"]
    for option in "ABC":
        p, f = cost[net, option]
        paper = reference.TABLE3.get(f"resnet34_{option}") if net == "resnet34" else None
        rows.append([net.replace("resnet", "ResNet-"), option, f"{p:,}", f"{pct(p, pa):+.1f}%",
                     f"{f / 1e6:,.1f} M", f"{pct(f, fa):+.1f}%",
                     f"{paper[0]:.2f} / {paper[1]:.2f}" if paper else "–"])
display(Markdown(markdown_table(["network", "option", "parameters", "vs A", "multiply-adds", "vs A",
                                 "paper top-1 / top-5 err. % (Table 3)"], rows, align="llrrrrr")))
glue("c3_r34_c_params_pct", pct(cost["resnet34", "C"][0], cost["resnet34", "A"][0]), display=False)
glue("c3_r56_c_params_pct", pct(cost["resnet56", "C"][0], cost["resnet56", "A"][0]), display=False)
glue("c3_r34_b_params_pct", pct(cost["resnet34", "B"][0], cost["resnet34", "A"][0]), display=False)
glue("c3_t3_a", reference.TABLE3["resnet34_A"][0], display=False)
glue("c3_t3_c", reference.TABLE3["resnet34_C"][0], display=False)

# %% [markdown]
# Option B adds projections only at the three stage transitions, which is cheap
# ({glue:text}`c3_r34_b_params_pct:.1f`% more parameters on ResNet-34). Option C puts a 1×1
# convolution on every shortcut: {glue:text}`c3_r34_c_params_pct:.1f`% more parameters on
# ResNet-34 and {glue:text}`c3_r56_c_params_pct:.1f`% on ResNet-56, for a top-1 error that the paper
# measured at {glue:text}`c3_t3_c:.2f`% instead of {glue:text}`c3_t3_a:.2f`% with A. Its verdict
# (Sec. 4.1):
#
# > But the small differences among A/B/C indicate that projection shortcuts are not essential for
# > addressing the degradation problem.
#
# On CIFAR-10 the paper uses option A everywhere (Sec. 4.2), "so our residual models have exactly
# the same depth, width, and number of parameters as the plain counterparts". Chapter 4 re-runs
# the comparison of the three options on a CIFAR ResNet.

# %% tags=["remove-input"]
quiz("03_blocks", ["q1", "q2"])

# %% [markdown]
# ## The CIFAR-10 family: 6n+2 layers

# %% tags=["remove-input"]
quiz("03_blocks", ["q10"])

# %% [markdown]
# Sec. 4.2 describes the whole CIFAR family in one paragraph {cite:p}`he2016deep`:
#
# > The first layer is 3×3 convolutions. Then we use a stack of 6n layers with 3×3 convolutions
# > on the feature maps of sizes {32, 16, 8} respectively, with 2n layers for each feature map size.
#
# In the package it is one class, `CifarResNet(depth)`, and one-line builders (`resnet20`,
# `resnet56`, …, and `plain20`, … for the plain counterparts). A depth that is not 6n+2 is refused
# with a clear message:

# %%
from resnet_book.models import cifar_resnet

try:
    cifar_resnet(21)
except ValueError as err:
    print(err)

# %% [markdown]
# The table below is generated by building each network: its number of stacked weighted layers
# (3×3 convolutions plus the FC layer, counted from the modules), parameters (counted), and
# multiply-adds per 32×32 image (measured with `count_flops`), beside the parameter column of the
# paper's Table 6.

# %% tags=["remove-input"]
rows, family = [], {}
for depth in sorted(reference.CIFAR_PARAMS_OPTION_A):
    model = get_model(f"resnet{depth}")
    weighted = sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in model.modules())
    params = count_params(model)
    # ResNet-1202: the closed formula of resnet_book.reference (it equals count_flops wherever both are computed)
    macs = count_flops(model) if depth <= 110 else reference.cifar_macs(depth)
    family[depth] = (weighted, params, macs)
    paper_m = reference.TABLE6["resnet"][depth]["params_m"]
    rows.append([f"ResNet-{depth}", (depth - 2) // 6, weighted, f"{params:,}", f"{paper_m}M",
                 "✔" if round(params / 1e6, 2 if paper_m < 1 else 1) == paper_m else "✘",
                 f"{macs / 1e6:,.1f} M", f"{count_params(get_model(f'plain{depth}')):,}" if depth <= 110 else "–"])
display(Markdown(markdown_table(["network", "n", "weighted layers", "parameters (code)", "Table 6", "match",
                                 "multiply-adds", "plain counterpart params"], rows, align="lrrrrlrr")))
glue("c3_r110_params", family[110][1], display=False)
glue("c3_r1202_params_m", family[1202][1] / 1e6, display=False)
glue("c3_r20_macs_m", family[20][2] / 1e6, display=False)
glue("c3_r110_macs_m", family[110][2] / 1e6, display=False)
glue("c3_r110_vs_r20_macs", family[110][2] / family[20][2], display=False)
glue("c3_n110_vs_n20", (110 - 2) / (20 - 2), display=False)

# %% [markdown]
# Every count matches the paper's rounded figure, and each plain net has exactly its ResNet's
# parameters (option A adds none). ResNet-110 has {glue:text}`c3_r110_params:,` parameters,
# ResNet-1202 {glue:text}`c3_r1202_params_m:.1f` million. Did you predict linear growth? The widths
# (16, 32, 64) and map sizes never change, only the number of blocks per stage, so the cost grows in
# proportion to n: {glue:text}`c3_r20_macs_m:.0f` M multiply-adds per image for ResNet-20,
# {glue:text}`c3_r110_macs_m:.0f` M for ResNet-110, ×{glue:text}`c3_r110_vs_r20_macs:.2f` for
# ×{glue:text}`c3_n110_vs_n20:.0f` the blocks (the stem and the FC layer do not grow).
#
# A whole ResNet-20, drawn from its modules by `resnet_book.book.figures.draw_network`: each box is a
# block (its width and map size come from forward hooks on the model's own layers), a solid arc is
# an identity shortcut, a dashed arc a shortcut that changes the shape.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "ResNet-20 drawn from the model: the 3×3 stem, three stages of n = 3 basic blocks (label: stage.block, output channels, output map size), global average pooling and the 10-way FC. Red arcs are the shortcuts; the two dashed ones change the shape (option A: stride-2 subsampling and zero-padded channels).", "name": "fig-03-resnet20"}}
fig, ax = plt.subplots(figsize=(10, 1.9))
draw_network(ax, get_model("resnet20"), "ResNet-20 (6n+2, n = 3)")
stamp(fig, text="Generated from resnet_book.models.resnet20; He et al. 2015, Sec. 4.2.")
plt.show()

# %% [markdown]
# ## The bottleneck

# %% tags=["remove-input"]
quiz("03_blocks", ["q11"])

# %% [markdown]
# On ImageNet, the deeper ResNets (50, 101, 152 layers) swap the basic block for a bottleneck
# {cite:p}`he2016deep` (Sec. 4.1):
#
# > The three layers are 1×1, 3×3, and 1×1 convolutions, where the 1×1 layers are responsible for
# > reducing and then increasing (restoring) dimensions, leaving the 3×3 layer a bottleneck with
# > smaller input/output dimensions.
#
# ```{literalinclude} ../src/resnet_book/models/blocks.py
# :pyobject: Bottleneck
# ```

# %%
bottleneck = Bottleneck(256, 64)  # 256 -> 64 -> 64 -> 256 channels, expansion 4
x = torch.randn(1, 256, 56, 56)
bottleneck(x).shape

# %%
display(Markdown(markdown_table(["module", "type", "output shape"],
                                [[f"`{n}`", t, s] for n, t, s in shapes_through(bottleneck, x)])))

# %% [markdown]
# Why bother? Fig. 5 of the paper puts a basic block on 64 channels beside a bottleneck on 256
# channels and says they have "similar time complexity". We can count: both blocks at 56×56 (the
# first stage of an ImageNet ResNet), and, for comparison, a basic block as *wide* as the
# bottleneck's input (256 channels).

# %% tags=["remove-input"]
def block_cost(blk: nn.Module, c: int, hw: int = 56) -> tuple[int, int]:
    return count_params(blk), count_flops(blk, (c, hw, hw))


costs = {
    "basic, 64 channels (ResNet-34's conv2_x)": block_cost(BasicBlock(64, 64), 64),
    "bottleneck, 256 channels (ResNet-50's conv2_x)": block_cost(Bottleneck(256, 64), 256),
    "basic, 256 channels": block_cost(BasicBlock(256, 256), 256),
    "bottleneck with a projection shortcut (1×1, 256→256)": block_cost(
        Bottleneck(256, 64, downsample=make_shortcut("C", 256, 256, 1)), 256),
}
display(Markdown(markdown_table(["block at 56×56", "parameters", "multiply-adds"],
                                [[k, f"{p:,}", f"{f / 1e6:,.1f} M"] for k, (p, f) in costs.items()], align="lrr")))
(bp, bf), (np_, nf), (wp, wf), (pp, pf) = costs.values()
glue("c3_bneck_vs_basic_flops", nf / bf, display=False)
glue("c3_wide_vs_bneck_flops", wf / nf, display=False)
glue("c3_proj_vs_bneck_params", pp / np_, display=False)
glue("c3_proj_vs_bneck_flops", pf / nf, display=False)

# %% [markdown]
# Did you predict "about the same"? The bottleneck on 256 channels costs
# {glue:text}`c3_bneck_vs_basic_flops:.2f`× the multiply-adds of the 64-channel basic block,
# "similar" indeed, while carrying four times as many channels from block to block. A basic block
# that wide would cost {glue:text}`c3_wide_vs_bneck_flops:.1f`× the bottleneck.
#
# The bottleneck is also why the shortcut must stay the identity (Sec. 4.1):
#
# > If the identity shortcut in Fig. 5 (right) is replaced with projection, one can show that the
# > time complexity and model size are doubled, as the shortcut is connected to the two
# > high-dimensional ends.
#
# Our count agrees: with a 1×1 projection on its shortcut the bottleneck has
# {glue:text}`c3_proj_vs_bneck_params:.2f`× the parameters and {glue:text}`c3_proj_vs_bneck_flops:.2f`×
# the multiply-adds.

# %% tags=["remove-input"]
quiz("03_blocks", ["q3", "q4"])

# %% [markdown]
# ## Table 1, regenerated from the code

# %% tags=["remove-input"]
quiz("03_blocks", ["q12"])

# %% [markdown]
# The paper's Table 1 lists the five ImageNet architectures. Here is the code that regenerates it:
# each column is *measured* from the package's models. The blocks per stage are the lengths of
# `layer1` … `layer4`, the output sizes come from forward hooks on a 224×224 input, and the
# multiply-adds from `count_flops` (the paper calls them FLOPs). The hooks:
#
# ```{literalinclude} ../src/resnet_book/book/pages.py
# :pyobject: stage_sizes
# ```

# %%
t1 = {}
for depth in sorted(reference.TABLE1["flops"]):  # 18, 34, 50, 101, 152
    model = get_model(f"resnet{depth}")
    t1[depth] = {
        "block": "bottleneck" if isinstance(model.layer1[0], Bottleneck) else "basic",
        "blocks": tuple(len(stage) for stage in (model.layer1, model.layer2, model.layer3, model.layer4)),
        "sizes": stage_sizes(model),  # output map size of conv1, conv2_x ... conv5_x
        "flops": count_flops(model, (3, 224, 224)),
        "params": count_params(model),
    }
# the checks: the architecture of every column is the paper's
assert all(t1[d]["blocks"] == reference.TABLE1["blocks"][d] for d in t1)
assert all(t1[d]["block"] == reference.TABLE1["block_type"][d] for d in t1)
assert all(t1[d]["sizes"] == reference.TABLE1["stage_output"] for d in t1)
{d: round(t1[d]["flops"] / reference.TABLE1["flops"][d], 3) for d in t1}  # multiply-adds: code / paper

# %% [markdown]
# The same numbers as a table, beside the paper's:

# %% tags=["remove-input"]
paper_flops = reference.TABLE1["flops"]
display(Markdown(markdown_table(
    ["network", "block", "blocks per stage", "output size conv1 / 2_x / 3_x / 4_x / 5_x",
     "multiply-adds ×10⁹ (code)", "Table 1", "difference", "parameters"],
    [[f"ResNet-{d}", r["block"], "-".join(map(str, r["blocks"])),
      " / ".join(str(r["sizes"][k]) for k in reference.TABLE1["stage_output"]),
      f"{r['flops'] / 1e9:.2f}", f"{paper_flops[d] / 1e9:.1f}", f"{pct(r['flops'], paper_flops[d]):+.1f}%",
      f"{r['params']:,}"] for d, r in t1.items()],
    align="lllrrrrr")))
glue("c3_t1_worst_pct", max(abs(pct(r["flops"], paper_flops[d])) for d, r in t1.items()), display=False)
glue("c3_vgg19_flops", reference.TABLE1["vgg19_flops"] / 1e9, display=False)
glue("c3_r152_flops", t1[152]["flops"] / 1e9, display=False)
glue("c3_r34_flops", t1[34]["flops"] / 1e9, display=False)
glue("c3_r50_flops", t1[50]["flops"] / 1e9, display=False)

# %% [markdown]
# Stage sizes and blocks per stage agree exactly (the `assert`s above would stop the page
# otherwise); the multiply-adds agree within {glue:text}`c3_t1_worst_pct:.1f`% (the paper rounds to
# one decimal and, as usual, leaves out BN, ReLU and the additions). Did you predict that ResNet-50
# costs about as much as ResNet-34? It does, {glue:text}`c3_r50_flops:.2f` against
# {glue:text}`c3_r34_flops:.2f` ×10⁹: each basic block was replaced by a bottleneck of similar cost,
# as in the previous section. Even ResNet-152, at {glue:text}`c3_r152_flops:.1f` ×10⁹, costs less
# than VGG-19's {glue:text}`c3_vgg19_flops:.1f` ×10⁹.

# %% [markdown]
# ## The paper's ResNet (V1) and torchvision's (V1.5)

# %% tags=["remove-input"]
quiz("03_blocks", ["q13"])

# %% [markdown]
# If you load `torchvision.models.resnet50`, you do not get the paper's network exactly. torchvision
# moved the stride-2 of each down-sampling bottleneck from the first 1×1 convolution (the paper,
# "V1") to the 3×3 one ("V1.5"), a change that came with the large-minibatch work of
# {cite:t}`goyal2017accurate`. The course keeps the paper's choice as the default and offers
# torchvision's as `stride_at="3x3"`. The parameters are the same tensors; only where the
# subsampling happens differs, so a torchvision `state_dict` loads into either (random weights here,
# no download):

# %%
tv = torchvision.models.resnet50(weights=None).eval()
ours_v15 = get_model("resnet50", stride_at="3x3").eval()
ours_v1 = get_model("resnet50").eval()
print(ours_v15.load_state_dict(tv.state_dict(), strict=True), ours_v1.load_state_dict(tv.state_dict(), strict=True))

x = torch.randn(2, 3, 224, 224)
with torch.no_grad():
    diff_v15 = (ours_v15(x) - tv(x)).abs().max().item()
    diff_v1 = (ours_v1(x) - tv(x)).abs().max().item()
f"V1.5 vs torchvision: {diff_v15:.1e};  V1 (paper) vs torchvision: {diff_v1:.2f}"

# %% tags=["remove-input"]
flops_v15 = count_flops(ours_v15, (3, 224, 224))
glue("c3_same_as_tv", Markdown("exactly" if diff_v15 == 0 else "up to floating-point rounding"), display=False)
glue("c3_same_as_tv_zh", Markdown("完全一致" if diff_v15 == 0 else "在浮点舍入误差范围内一致"), display=False)
glue("c3_tv_diff_v15", float(diff_v15), display=False)
glue("c3_tv_diff_v1", float(diff_v1), display=False)
glue("c3_v1_flops", t1[50]["flops"] / 1e9, display=False)
glue("c3_v15_flops", flops_v15 / 1e9, display=False)
glue("c3_v15_extra_pct", pct(flops_v15, t1[50]["flops"]), display=False)

# %% [markdown]
# Did you pick the function and the cost? With the stride where torchvision puts it, our model
# reproduces torchvision's outputs {glue:md}`c3_same_as_tv` (largest difference
# {glue:text}`c3_tv_diff_v15:.1e`); with the paper's placement the same weights compute a different
# function (largest difference {glue:text}`c3_tv_diff_v1:.2f`). The parameters and their names do not
# change, the cost does: V1.5 needs {glue:text}`c3_v15_flops:.2f` ×10⁹ multiply-adds against the
# paper's {glue:text}`c3_v1_flops:.2f` ×10⁹ ({glue:text}`c3_v15_extra_pct:+.1f`%), since the 3×3
# convolution now runs on the larger map. Since parameter names are torchvision's, anything you
# learn about `model.layer3[2].conv2` here carries over.

# %% tags=["remove-input"]
quiz("03_blocks", ["q5", "q6"])

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-03-1
#
# Count by hand the parameters of one basic block with 32 input and 32 output channels (two 3×3
# convolutions without bias, two BN layers with a scale and a shift each), and check your answer
# with `count_params(BasicBlock(32, 32))`. How many does an option-B shortcut add to the first block
# of stage 2 of a CIFAR ResNet (16 → 32 channels, stride 2)?
# ```
#
# ````{solution} ex-03-1
# :class: dropdown
#
# Each 3×3 convolution has $3 \cdot 3 \cdot 32 \cdot 32 = 9216$ weights, each BN $2 \cdot 32 = 64$:
# $2 \cdot 9216 + 2 \cdot 64 = 18\,560$. The option-B shortcut is a 1×1 convolution
# $16 \to 32$ ($512$ weights) plus a BN on 32 channels ($64$): $576$ parameters.
#
# ```python
# from resnet_book.analysis import count_params
# from resnet_book.models import BasicBlock, make_shortcut
# count_params(BasicBlock(32, 32)), count_params(make_shortcut("B", 16, 32, 2))  # (18560, 576)
# ```
# ````
#
# ```{exercise}
# :label: ex-03-2
#
# The paper says of the CIFAR nets: "There are totally 6n+2 stacked weighted layers." Where do the
# "+2" come from? Build `resnet32` and count its `nn.Conv2d` and `nn.Linear` modules; then explain
# why an option-B ResNet-32 has *more* convolution modules than weighted layers in that count.
# ```
#
# ````{solution} ex-03-2
# :class: dropdown
#
# The "+2" are the first 3×3 convolution (the stem) and the final fully-connected layer; the 6n
# are the 3×3 convolutions of the 3n blocks.
#
# ```python
# from torch import nn
# from resnet_book.models import get_model
# m = get_model("resnet32")
# sum(isinstance(x, (nn.Conv2d, nn.Linear)) for x in m.modules())   # 32
# b = get_model("resnet32", shortcut="B")
# sum(isinstance(x, nn.Conv2d) for x in b.modules())                 # 33: two 1x1 projections added
# ```
#
# The two 1×1 projections of option B sit on shortcuts, not on the "stacked" path, so the paper does
# not count them as layers, the usual convention.
# ````
#
# ```{exercise}
# :label: ex-03-3
#
# Verify Fig. 5's claim yourself at a different width: compare the multiply-adds of a basic block on
# 128 channels and of a bottleneck on 512 channels (`Bottleneck(512, 128)`) at 28×28, with
# `count_flops(block, (channels, 28, 28))`. Then add a projection shortcut to the bottleneck
# (`downsample=make_shortcut("C", 512, 512, 1)`): does "doubled" still hold?
# ```
#
# ````{solution} ex-03-3
# :class: dropdown
#
# ```python
# from resnet_book.analysis import count_flops
# from resnet_book.models import BasicBlock, Bottleneck, make_shortcut
# basic = count_flops(BasicBlock(128, 128), (128, 28, 28))
# bneck = count_flops(Bottleneck(512, 128), (512, 28, 28))
# proj = count_flops(Bottleneck(512, 128, downsample=make_shortcut("C", 512, 512, 1)), (512, 28, 28))
# bneck / basic, proj / bneck
# ```
#
# The ratios do not depend on the width or the map size: every term scales with $c^2 \cdot hw$.
# The bottleneck costs $(4 + 9 + 4)/(9 + 9) \approx 0.94$ of the basic block, and a 512→512
# projection adds $16$ units to the bottleneck's $17$ (in units of $c^2 hw$ with $c = 128$),
# close to double.
# ````
#
# ```{exercise}
# :label: ex-03-4
#
# Use forward hooks on the taps to measure, for a randomly initialised ResNet-56 and a batch of
# CIFAR-sized noise, the ratio $\lVert \mathcal{F}(x) \rVert / \lVert x \rVert$ of every block (hook
# `block.residual` and `block.shortcut`). Which stage has the largest ratios at initialisation?
# (Chapter 4's Fig. 7 page looks at the trained networks.)
# ```
#
# ````{solution} ex-03-4
# :class: dropdown
#
# ```python
# import torch
# from resnet_book.models import get_model
# model, norms = get_model("resnet56").eval(), {}
# for name, m in model.named_modules():
#     if name.endswith((".residual", ".shortcut")):
#         m.register_forward_hook(lambda m, i, o, n=name: norms.__setitem__(n, o.norm().item()))
# with torch.no_grad():
#     model(torch.randn(8, 3, 32, 32))
# blocks = sorted({n.rsplit(".", 1)[0] for n in norms})
# {b: round(norms[b + ".residual"] / norms[b + ".shortcut"], 2) for b in blocks}
# ```
#
# At initialisation (BN with unit scale) every residual branch has roughly unit-variance output,
# while the shortcut carries the sum of everything before it, whose norm grows along a stage: the
# ratio is largest in the first block of each stage and shrinks block by block after it. Only
# training decides how much each block actually contributes.
# ````

# %% [markdown]
# ## Quiz: one more round
#
# An "interview" question that mixes the chapter's threads:

# %% tags=["remove-input"]
quiz("03_blocks", ["q7"])

# %% [markdown]
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: blocks
# :class: tip
#
# | | |
# |---|---|
# | **Basic block** | two 3×3 conv–BN layers, ReLU between, ReLU after the addition: $y = \operatorname{ReLU}(\mathcal{F}(x) + x)$ ({numref}`fig-03-block-diagram`). |
# | **Bottleneck** | 1×1 reduce → 3×3 → 1×1 restore (×4); on 256 channels it costs {glue:text}`c3_bneck_vs_basic_flops:.2f`× a 64-channel basic block. |
# | **Shape change** | option A: subsample + zero-pad (0 parameters, CIFAR); B: 1×1 {term}`projection shortcut · 投影捷径` at stage transitions (ImageNet); C: projections everywhere (+{glue:text}`c3_r34_c_params_pct:.0f`% parameters on ResNet-34 for a small gain). |
# | **Rule** | keep the shortcut an {term}`identity mapping · 恒等映射`: a projection on a {term}`bottleneck · 瓶颈结构` roughly doubles its cost ({glue:text}`c3_proj_vs_bneck_flops:.2f`×). |
# | **Families** | CIFAR: 6n+2 layers, widths 16/32/64 on 32/16/8 maps, {term}`plain network · 普通网络 / 平原网络` = same parameters; ImageNet: Table 1, regenerated above within {glue:text}`c3_t1_worst_pct:.1f`%. |
# | **V1 vs V1.5** | the paper strides in the first 1×1 of a bottleneck; torchvision in the 3×3 (+{glue:text}`c3_v15_extra_pct:.0f`% multiply-adds). Same parameter names, loadable both ways. |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`shortcut connection · 快捷连接 / 跳跃连接` ·
# {term}`identity mapping · 恒等映射` · {term}`projection shortcut · 投影捷径` ·
# {term}`bottleneck · 瓶颈结构` · {term}`plain network · 普通网络 / 平原网络`
#
# **In one sentence:** the shortcut is free only when it is the identity, so the architecture is
# designed around keeping it that way. 🧱
# ```
