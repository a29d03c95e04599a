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
# 1. follow a tensor through the basic block and the bottleneck (paper Fig. 5), and count what
#    each costs in parameters and multiply-adds;
# 2. say what shortcut options A, B and C do where a block changes the shape, and what each costs;
# 3. read the CIFAR family (6n+2 layers) and Table 1, and say why cost grows with the number of
#    blocks;
# 4. explain from Fig. 3 why a 34-layer ResNet costs less than a fifth of VGG-19, and why the
#    bottleneck made 152 layers affordable;
# 5. say how torchvision's ResNet-50 differs from the paper's.
# ```
#
# Chapter 2 showed *why* a shortcut helps. This chapter builds the paper's networks out of it
# {cite:p}`he2016deep`, and counts what they cost. Every network below is built from
# `resnet_book.models`, the code that trains Chapter 4's networks.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import torch
import torchvision
from IPython.display import Markdown, display
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from myst_nb import glue
from torch import nn

from resnet_book import reference
from resnet_book.analysis import count_flops, count_params
from resnet_book.book import quiz, stamp
from resnet_book.book.figures import BLOCK_STYLE, draw_block, draw_network, module_label
from resnet_book.book.pages import shapes_through, stage_sizes
from resnet_book.models import BasicBlock, Bottleneck, get_model, make_shortcut
from resnet_book.tables import markdown_table

torch.manual_seed(0)


def pct(new: float, base: float) -> float:
    """How much larger ``new`` is than ``base``, in percent."""
    return 100 * (new - base) / base


# %% [markdown]
# ## The basic block
#
# ```{slide}
# :show: eq-03-block
# - two 3×3 conv–BN layers, ReLU between, ReLU after the addition
# - identity shortcut: no parameter
# - what does one block cost?
# ```

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
# Here is the course's `BasicBlock`. The two parameter-free taps `self.residual` and
# `self.shortcut` only name the two branches that meet at `out = residual + shortcut`.
#
# ```{literalinclude} ../src/resnet_book/models/blocks.py
# :pyobject: BasicBlock
# ```
#
# A block of ResNet-34's first stage (64 channels on a 56×56 map), module by module:

# %%
block = BasicBlock(64, 64)
x = torch.randn(1, 64, 56, 56)
display(Markdown(markdown_table(["module", "type", "output shape"],
                                [[f"`{n}`", t, s] for n, t, s in shapes_through(block, x)])))
count_params(block), count_flops(block, (64, 56, 56))

# %% tags=["remove-input"]
glue("c3_block_macs_m", count_flops(block, (64, 56, 56)) / 1e6, display=False)
glue("c3_conv_macs_m", count_flops(block.conv1, (64, 56, 56)) / 1e6, display=False)

# %% [markdown]
# Each convolution computes $9 \cdot 64 \cdot 64$ multiply-adds at each of the $56 \cdot 56$
# output positions, {glue:text}`c3_conv_macs_m:.1f` M; the block,
# {glue:text}`c3_block_macs_m:.1f` M. The shortcut row is an `nn.Identity`: as the paper puts it
# (Sec. 3.2),
#
# > The shortcut connections in Eqn.(1) introduce neither extra parameter nor computation
# > complexity.
#
# The addition itself, one per value, is not counted. The figure shows the blocks' modules in
# order, with the shortcut on the right.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Two blocks drawn from their own modules. Left: a basic block that keeps the shape, identity shortcut. Right: a basic block that halves the map and doubles the channels, with an option A (zero-padding) shortcut. The red path is the shortcut; the residual branch computes F(x).", "name": "fig-03-block-diagram"}}
fig, axes = plt.subplots(1, 2, figsize=(8, 5.2))
draw_block(axes[0], BasicBlock(16, 16), "BasicBlock(16, 16)")
draw_block(axes[1], BasicBlock(16, 32, 2, make_shortcut("A", 16, 32, 2)), "BasicBlock(16, 32, stride 2), option A")
fig.tight_layout()
stamp(fig, text="Generated from resnet_book.models.BasicBlock; He et al. 2015, Fig. 2 and Fig. 5 (left).")
plt.show()

# %% [markdown]
# ## Where the shape changes: options A, B and C
#
# ```{slide}
# - A: subsample and zero-pad, no parameter
# - B: 1×1 projection where the shape changes
# - C: projections on every shortcut
# ```

# %% tags=["remove-input"]
quiz("03_blocks", ["q9"])

# %% [markdown]
# Where a block halves the map and doubles the channels, $x$ must change shape before the addition.
# Chapter 2 gave the paper's two ways (Sec. 3.3): (A) zero-padding, "This option introduces no
# extra parameter", and (B) a 1×1 projection. Sec. 4.1 adds (C), projections on every shortcut.
# The package builds the shortcut from a letter:
#
# ```{literalinclude} ../src/resnet_book/models/blocks.py
# :pyobject: make_shortcut
# ```

# %%
x = torch.randn(2, 16, 32, 32)
for option in "ABC":
    down = make_shortcut(option, 16, 32, stride=2)
    blk = BasicBlock(16, 32, stride=2, downsample=down)
    print(option, type(down).__name__, "->", tuple(blk(x).shape), f"shortcut params: {count_params(down)}")
a = make_shortcut("A", 16, 32, stride=2)(x)  # option A: x subsampled, then 16 channels of zeros
torch.equal(a[:, :16], x[:, :, ::2, ::2]), bool((a[:, 16:] == 0).all())

# %% [markdown]
# On whole networks (ResNet-56 on 32×32 images, ResNet-34 on 224×224), counted from the models:

# %% tags=["remove-input"]
rows, cost = [], {}
for net, size in (("resnet56", (3, 32, 32)), ("resnet34", (3, 224, 224))):
    for option in "ABC":
        with torch.device("meta"):  # shapes only
            model = get_model(net, shortcut=option)
        cost[net, option] = (count_params(model), count_flops(model, size))
for net in ("resnet56", "resnet34"):
    pa, fa = cost[net, "A"]
    for option in "ABC":
        p, f = cost[net, option]
        rows.append([net.replace("resnet", "ResNet-"), option, f"{p:,}", f"{pct(p, pa):+.1f}%",
                     f"{f / 1e6:,.1f} M", f"{pct(f, fa):+.1f}%"])
display(Markdown(markdown_table(["network", "option", "parameters", "vs A", "multiply-adds", "vs A"],
                                rows, align="llrrrr")))
glue("c3_r34_c_params_pct", pct(cost["resnet34", "C"][0], cost["resnet34", "A"][0]), display=False)
glue("c3_r56_c_params_pct", pct(cost["resnet56", "C"][0], cost["resnet56", "A"][0]), display=False)
glue("c3_r34_b_params_pct", pct(cost["resnet34", "B"][0], cost["resnet34", "A"][0]), display=False)

# %% [markdown]
# Option B projects only at the three stage transitions of ResNet-34
# ({glue:text}`c3_r34_b_params_pct:.1f`% more parameters); option C projects all 16 shortcuts
# ({glue:text}`c3_r34_c_params_pct:.1f`% on ResNet-34, {glue:text}`c3_r56_c_params_pct:.1f`% on
# ResNet-56). What that buys in accuracy is Table 3's question ({doc}`05_imagenet`). On CIFAR-10
# the paper uses option A everywhere (Sec. 4.2), "so our residual models have exactly the same
# depth, width, and number of parameters as the plain counterparts".

# %% [markdown]
# ## The CIFAR-10 family: 6n+2 layers
#
# ```{slide}
# - stem 3×3, 16; three stages of n blocks on 32², 16², 8² maps; widths 16, 32, 64
# - 6n + 2 weighted layers: ResNet-20 … ResNet-1202
# ```

# %% tags=["remove-input"]
quiz("03_blocks", ["q10"])

# %% [markdown]
# Sec. 4.2 describes the whole CIFAR family in one paragraph {cite:p}`he2016deep`:
#
# > The first layer is 3×3 convolutions. Then we use a stack of 6n layers with 3×3 convolutions
# > on the feature maps of sizes {32, 16, 8} respectively, with 2n layers for each feature map size.
#
# In the package it is one class, `CifarResNet(depth)`, with builders `resnet20`, `resnet56`, …
# and `plain20`, … for the plain counterparts. Each row below is built and counted:

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
layer_macs = 9 * 16 * 16 * 32 * 32  # one 3x3 layer of the first stage (every full-size layer costs the same)
glue("c3_r110_params", family[110][1], display=False)
glue("c3_r1202_params_m", family[1202][1] / 1e6, display=False)
glue("c3_r20_macs_m", family[20][2] / 1e6, display=False)
glue("c3_r110_macs_m", family[110][2] / 1e6, display=False)
glue("c3_r110_vs_r20_macs", family[110][2] / family[20][2], display=False)
glue("c3_n110_vs_n20", (110 - 2) / (20 - 2), display=False)
glue("c3_r20_layers", family[20][2] / layer_macs, display=False)
glue("c3_r110_layers", family[110][2] / layer_macs, display=False)

# %% [markdown]
# The "match" column compares each count, rounded as Table 6 rounds, with the paper's figure; each
# plain net has exactly its ResNet's parameters (option A adds none). ResNet-110 has
# {glue:text}`c3_r110_params:,` parameters, ResNet-1202 {glue:text}`c3_r1202_params_m:.1f` million.
# The widths double where the maps halve, so every 3×3 layer costs the same, except the two
# subsampling ones, which cost half. In units of one such layer ResNet-20 costs
# {glue:text}`c3_r20_layers:.1f` ({glue:text}`c3_r20_macs_m:.0f` M multiply-adds) and ResNet-110
# {glue:text}`c3_r110_layers:.1f` ({glue:text}`c3_r110_macs_m:.0f` M): $6n - 1$ layers plus a small
# stem, hence ×{glue:text}`c3_r110_vs_r20_macs:.2f`, a little more than the
# ×{glue:text}`c3_n110_vs_n20:.0f` of the blocks.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "ResNet-20 drawn from the model: the 3×3 stem, three stages of n = 3 basic blocks (label: stage.block, output channels, output map size), global average pooling and the 10-way FC. Red arcs are the shortcuts; the two dashed ones change the shape (option A: stride-2 subsampling and zero-padded channels).", "name": "fig-03-resnet20"}}
fig, ax = plt.subplots(figsize=(10, 1.9))
draw_network(ax, get_model("resnet20"), "ResNet-20 (6n+2, n = 3)")
stamp(fig, text="Generated from resnet_book.models.resnet20; He et al. 2015, Sec. 4.2.")
plt.show()

# %% [markdown]
# ## Fig. 3: VGG-19, plain-34 and ResNet-34
#
# ```{slide}
# - VGG-19, plain-34 and ResNet-34, one box per layer, grouped by map size
# - where do VGG-19's multiply-adds go?
# ```

# %% tags=["remove-input"]
quiz("03_blocks", ["q6"])

# %% [markdown]
# The paper's Fig. 3 sets its two 34-layer ImageNet networks beside VGG-19
# {cite:p}`simonyan2015very`. Below they are drawn from the models (VGG-19 is torchvision's, without
# weights), one box per layer, grouped by the size of the map each layer outputs.

# %% tags=["remove-input"]
BANDS = [224, 112, 56, 28, 14, 7, 1]  # output map sizes, as in the paper's Fig. 3
WIDTH_COLORS = {64: "#deebf7", 128: "#9ecae1", 256: "#4292c6", 512: "#08519c"}


def layer_list(model: nn.Module, size: int = 224) -> list[tuple]:
    """(name, kind, out channels, out map size, multiply-adds) of each convolution, FC and pooling
    layer that runs, in order (forward hooks on one image); the multiply-adds sum to count_flops."""
    seen = []

    def hook(m, i, o, name):
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0]
            macs = k * k * m.in_channels // m.groups * m.out_channels * o.shape[-1] * o.shape[-2]
            seen.append((name, f"{k}×{k}", o.shape[1], o.shape[-1], macs))
        elif isinstance(m, nn.Linear):
            seen.append((name, "fc", m.out_features, 1, m.in_features * m.out_features))
        elif o.shape[-1] != i[0].shape[-1] or o.dim() == 2:  # a pooling that changes the size
            seen.append((name, "pool", o.shape[1], o.shape[-1] if o.dim() == 4 else 1, 0))

    kinds = (nn.Conv2d, nn.Linear, nn.MaxPool2d, nn.AdaptiveAvgPool2d)
    hooks = [m.register_forward_hook(lambda m, i, o, n=n: hook(m, i, o, n))
             for n, m in model.named_modules() if isinstance(m, kinds)]
    try:
        with torch.no_grad():
            model.eval()(torch.zeros(1, 3, size, size, device=next(model.parameters()).device))
    finally:
        for h in hooks:
            h.remove()
    assert sum(r[4] for r in seen) == count_flops(model, (3, size, size))
    return seen


def macs_text(macs: float) -> str:
    return f"{macs / 1e9:.2f} G" if macs >= 1e7 else f"{macs / 1e6:.1f} M"


def draw_fig3(ax, nets: dict[str, nn.Module]) -> None:
    """One row per network, one box per layer (colour: its width), grouped by output map size;
    under each group its multiply-adds; red arcs: the ResNet's shortcuts (dashed: shape changes)."""
    layers = {k: [r for r in layer_list(m) if "downsample" not in r[0]] for k, m in nets.items()}
    width = {b: max(sum(r[3] == b for r in rows) for rows in layers.values()) for b in BANDS}
    start, x = {}, 0.0
    for b in BANDS:
        start[b], x = x, x + width[b] + 0.8
    ys = {name: 2.2 * (len(nets) - 1 - i) for i, name in enumerate(nets)}
    top = max(ys.values())
    for b in BANDS:
        ax.text(start[b] + width[b] / 2 - 0.5, top + 1.1, f"{b}×{b}", ha="center", fontsize=8, weight="bold")
        if b != BANDS[0]:
            ax.axvline(start[b] - 0.9, color="0.8", lw=0.8, ls=":")
    for name, rows in layers.items():
        y, pos, model = ys[name], {}, nets[name]
        for b in BANDS:
            items = [r for r in rows if r[3] == b]
            for j, (lname, kind, c, _, _) in enumerate(items):
                xx = pos[lname] = start[b] + j
                fc = {"pool": "#eeeeee", "fc": "#fdd0a2"}.get(kind, WIDTH_COLORS.get(c, "white"))
                ax.add_patch(FancyBboxPatch((xx - 0.4, y - 0.35), 0.8, 0.7, boxstyle="round,pad=0.02",
                                            fc=fc, ec="0.4", lw=0.6))
                label = {"pool": "pool", "fc": f"fc\n{c}", "3×3": ""}.get(kind, kind)
                ax.text(xx, y, label, ha="center", va="center", fontsize=5.5, rotation=90 if kind == "pool" else 0)
            if any(r[1] != "pool" for r in items):
                n3 = [r for r in items if r[1] == "3×3"]
                desc = f"3×3, {n3[0][2]} ×{len(n3)}\n" if n3 else ""
                ax.text(start[b] + (len(items) - 1) / 2, y - 0.55, desc + macs_text(sum(r[4] for r in items)),
                        ha="center", va="top", fontsize=6.5)
        ax.text(-1.2, y, f"{name}\n{count_flops(model, (3, 224, 224)) / 1e9:.2f} G", ha="right", va="center",
                fontsize=8.5)
        for bname, blk in model.named_modules():
            if isinstance(blk, BasicBlock) and not blk.plain:
                a, b2 = pos[f"{bname}.conv1"], pos[f"{bname}.conv2"]
                ax.add_patch(FancyArrowPatch((a - 0.45, y + 0.38), (b2 + 0.45, y + 0.38), connectionstyle="arc3,rad=-0.5",
                                             arrowstyle="->", mutation_scale=7, color="C3", lw=1,
                                             ls="--" if blk.downsample is not None else "-"))
    ax.set(xlim=(-4.5, x), ylim=(-1.4, top + 1.5))
    ax.axis("off")


with torch.device("meta"):  # shapes only: no memory for VGG-19's 144 million weights
    NETS = {"VGG-19": torchvision.models.vgg19(weights=None), "34-layer plain": get_model("plain34"),
            "34-layer residual": get_model("resnet34")}
by_size = {}
for r in layer_list(NETS["VGG-19"]):
    by_size["fc" if r[1] == "fc" else r[3]] = by_size.get("fc" if r[1] == "fc" else r[3], 0) + r[4]
vgg_params_fc = sum(p.numel() for p in NETS["VGG-19"].classifier.parameters())
glue("c3_vgg_total", count_flops(NETS["VGG-19"], (3, 224, 224)) / 1e9, display=False)
glue("c3_vgg_mid", (by_size[56] + by_size[28]) / 1e9, display=False)
glue("c3_vgg_top", (by_size[224] + by_size[112]) / 1e9, display=False)
glue("c3_vgg_fc", by_size["fc"] / 1e9, display=False)
glue("c3_vgg_fc_params_pct", 100 * vgg_params_fc / count_params(NETS["VGG-19"]), display=False)
glue("c3_paper_vgg19", reference.TABLE1["vgg19_flops"] / 1e9, display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The paper's Fig. 3, drawn from the models and laid on its side: VGG-19, the 34-layer plain net and the 34-layer ResNet (option B), one box per layer, coloured by its number of filters (64 lightest to 512 darkest; grey: pooling; orange: fully-connected). Columns group the layers by the size of the map they output; under each group, its filters × layers and its multiply-adds. Red arcs are the ResNet's shortcuts, dashed where they increase dimensions.", "name": "fig-03-fig3"}}
fig, ax = plt.subplots(figsize=(13, 5))
draw_fig3(ax, NETS)
fig.tight_layout()
stamp(fig, text="Generated from resnet_book.models (plain34, resnet34) and torchvision.models.vgg19; "
                "He et al. 2015, Fig. 3 and Table 1.")
plt.show()

# %% [markdown]
# The widths are the same, 64 → 128 → 256 → 512, doubled where the map halves (Sec. 3.3). But the
# ResNets reach 56×56 before their first block, while VGG-19 spends two stages at 224×224 and
# 112×112, then runs its 256 filters on 56×56 maps and its 512 on 28×28 and 14×14, where ResNet-34
# runs them on 14×14 and 7×7. Its 56×56 and 28×28 layers cost
# {glue:text}`c3_vgg_mid:.1f` of its {glue:text}`c3_vgg_total:.1f` ×10⁹ multiply-adds, its
# 224×224 and 112×112 layers {glue:text}`c3_vgg_top:.1f`, its fully-connected layers only
# {glue:text}`c3_vgg_fc:.2f`, although they hold {glue:text}`c3_vgg_fc_params_pct:.0f`% of its
# parameters. The paper counts {glue:text}`c3_paper_vgg19:.1f` ×10⁹ (Sec. 3.3):
#
# > It is worth noticing that our model has fewer filters and lower complexity than VGG nets [41]
# > (Fig. 3, left).

# %% [markdown]
# ### The stem
#
# ```{slide}
# - ImageNet: 7×7/2 conv + 3×3/2 max-pool, 224 → 56
# - CIFAR-10: one 3×3 conv, 32 → 32
# ```
#
# How the ResNets get to 56×56 so cheaply: Table 1's conv1 row, a 7×7 convolution with stride 2
# and a 3×3 max-pool with stride 2. On CIFAR-10 the image is already small, so the stem is one 3×3
# convolution that keeps the 32×32 map ("The first layer is 3×3 convolutions", Sec. 4.2).

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The two stems, drawn from the models' own modules with the output shape of each (forward hooks on one image). Left: ResNet-34's ImageNet stem takes a 224×224 image to 56×56 before the first block. Right: ResNet-20's CIFAR-10 stem keeps the 32×32 map.", "name": "fig-03-stems"}}
def stem_rows(model: nn.Module, size: int) -> list[tuple]:
    """(child name, module, output shape) of each module before the first stage."""
    children, rows = dict(model.named_children()), []
    for name, _, shape in shapes_through(model, torch.zeros(1, 3, size, size)):
        if name == "layer1":
            break
        rows.append((name, children[name], shape[1:]))
    return rows


def draw_stem(ax, model: nn.Module, size: int, title: str, n_max: int = 4) -> None:
    rows = stem_rows(model, size)
    n = len(rows)
    ax.text(0.5, n_max + 0.9, f"image\n3 × {size} × {size}", ha="center", va="center", fontsize=8)
    for i, (name, m, shape) in enumerate(rows):
        y = n_max - i
        ax.add_patch(FancyBboxPatch((0.1, y - 0.32), 0.8, 0.64, boxstyle="round,pad=0.02",
                                    fc=BLOCK_STYLE.get(type(m).__name__, "white"), ec="0.3"))
        label = (f"{name}\n{m.kernel_size}×{m.kernel_size} max, /{m.stride}" if isinstance(m, nn.MaxPool2d)
                 else module_label(name, m))
        ax.text(0.5, y, label, ha="center", va="center", fontsize=8)
        ax.text(0.95, y, "→ " + " × ".join(map(str, shape)), ha="left", va="center", fontsize=8, color="C0")
        ax.annotate("", (0.5, y + 0.34), (0.5, y + 0.66 if i else n_max + 0.62), arrowprops=dict(arrowstyle="->", color="0.3"))
    ax.text(0.5, n_max - n + 0.35, f"conv1: {count_flops(model.conv1, (3, size, size)) / 1e6:.2f} M multiply-adds",
            ha="center", va="top", fontsize=7.5, color="0.3")
    ax.set(xlim=(0, 1.7), ylim=(0.0, n_max + 1.3), title=title)
    ax.axis("off")


fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
draw_stem(axes[0], get_model("resnet34"), 224, "ImageNet stem (ResNet-34)")
draw_stem(axes[1], get_model("resnet20"), 32, "CIFAR-10 stem (ResNet-20)")
fig.tight_layout()
stamp(fig, text="Generated from resnet_book.models (resnet34, resnet20); He et al. 2015, Table 1 and Sec. 4.2.")
plt.show()

# %% [markdown]
# ## The bottleneck
#
# ```{slide}
# - 1×1 reduce → 3×3 → 1×1 restore (×4)
# - ResNet-50/101/152 on ImageNet
# - its cost, next to a basic block's?
# ```

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

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The paper's Fig. 5 drawn from the modules: a basic block on 64 channels (ResNet-34's conv2_x, left) and a bottleneck on 256 channels (ResNet-50's conv2_x, right), both with an identity shortcut.", "name": "fig-03-fig5"}}
fig, axes = plt.subplots(1, 2, figsize=(8, 6))
draw_block(axes[0], BasicBlock(64, 64), "BasicBlock(64, 64)")
draw_block(axes[1], Bottleneck(256, 64), "Bottleneck(256, 64)")
fig.tight_layout()
stamp(fig, text="Generated from resnet_book.models (BasicBlock, Bottleneck); He et al. 2015, Fig. 5.")
plt.show()

# %% tags=["remove-input"]
def block_cost(blk: nn.Module, c: int, hw: int = 56) -> tuple[int, int]:
    return count_params(blk), count_flops(blk, (c, hw, hw))


costs = {
    "basic, 64 channels (ResNet-34's conv2_x)": block_cost(BasicBlock(64, 64), 64),
    "bottleneck, 256 channels (ResNet-50's conv2_x)": block_cost(Bottleneck(256, 64), 256),
    "basic, 256 channels": block_cost(BasicBlock(256, 256), 256),
}
display(Markdown(markdown_table(["block at 56×56", "parameters", "multiply-adds"],
                                [[k, f"{p:,}", f"{f / 1e6:,.1f} M"] for k, (p, f) in costs.items()], align="lrr")))
(bp, bf), (np_, nf), (wp, wf) = costs.values()
glue("c3_bneck_vs_basic_flops", nf / bf, display=False)
glue("c3_wide_vs_bneck_flops", wf / nf, display=False)

# %% [markdown]
# Sec. 4.1 says "both designs have similar time complexity". The count: the bottleneck costs
# {glue:text}`c3_bneck_vs_basic_flops:.2f`× the 64-channel basic block, while carrying four times
# as many channels from block to block; a basic block that wide would cost
# {glue:text}`c3_wide_vs_bneck_flops:.1f`× the bottleneck.
#
# ### Why the bottleneck's shortcut stays the identity
#
# ```{slide}
# - the shortcut joins the two 256-channel ends
# - identity or projection there?
# ```

# %% tags=["remove-input"]
quiz("03_blocks", ["q4"])

# %% tags=["remove-input"]
proj = block_cost(Bottleneck(256, 64, downsample=make_shortcut("C", 256, 256, 1)), 256)
display(Markdown(markdown_table(["block at 56×56", "parameters", "multiply-adds"],
                                [["bottleneck, identity shortcut", f"{np_:,}", f"{nf / 1e6:,.1f} M"],
                                 ["bottleneck, projection shortcut (1×1, 256→256)", f"{proj[0]:,}",
                                  f"{proj[1] / 1e6:,.1f} M"]], align="lrr")))
glue("c3_proj_vs_bneck_params", proj[0] / np_, display=False)
glue("c3_proj_vs_bneck_flops", proj[1] / nf, display=False)

# %% [markdown]
# The paper (Sec. 4.1):
#
# > If the identity shortcut in Fig. 5 (right) is replaced with projection, one can show that the
# > time complexity and model size are doubled, as the shortcut is connected to the two
# > high-dimensional ends.
#
# The count: {glue:text}`c3_proj_vs_bneck_params:.2f`× the parameters and
# {glue:text}`c3_proj_vs_bneck_flops:.2f`× the multiply-adds.
#
# ### Table 1, regenerated from the code
#
# ```{slide}
# - five ImageNet nets: blocks per stage, map sizes, multiply-adds
# - ResNet-50 ≈ ResNet-34 in cost; ResNet-152 < VGG-19
# ```
#
# Each column is measured from the package's models: blocks per stage, the output size of each
# stage (forward hooks on a 224×224 input) and the multiply-adds (which the paper calls FLOPs).

# %% tags=["remove-input"]
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
# the architecture of every column is the paper's
assert all(t1[d]["blocks"] == reference.TABLE1["blocks"][d] for d in t1)
assert all(t1[d]["block"] == reference.TABLE1["block_type"][d] for d in t1)
assert all(t1[d]["sizes"] == reference.TABLE1["stage_output"] for d in t1)
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
glue("c3_r152_flops", t1[152]["flops"] / 1e9, display=False)
glue("c3_r34_flops", t1[34]["flops"] / 1e9, display=False)
glue("c3_r50_flops", t1[50]["flops"] / 1e9, display=False)

# %% [markdown]
# The difference column shows how far each count is from Table 1, which rounds to one decimal and
# leaves out BN, ReLU and the additions (at most {glue:text}`c3_t1_worst_pct:.1f`%). ResNet-50
# costs {glue:text}`c3_r50_flops:.2f` ×10⁹ multiply-adds against ResNet-34's
# {glue:text}`c3_r34_flops:.2f`: each basic block became a bottleneck of similar cost. ResNet-152
# costs {glue:text}`c3_r152_flops:.1f` ×10⁹, VGG-19 {glue:text}`c3_vgg_total:.1f`.

# %% [markdown]
# ## The paper's ResNet (V1) and torchvision's (V1.5)
#
# ```{slide}
# - V1 (paper): stride 2 in the first 1×1 of a down-sampling bottleneck
# - V1.5 (torchvision): stride 2 in the 3×3
# - what does the move change?
# ```

# %% tags=["remove-input"]
quiz("03_blocks", ["q13"])

# %% tags=["remove-input"]
tv = torchvision.models.resnet50(weights=None).eval()
ours_v15 = get_model("resnet50", stride_at="3x3").eval()
ours_v1 = get_model("resnet50").eval()
ours_v15.load_state_dict(tv.state_dict(), strict=True)  # the same tensors, under the same names
with torch.no_grad():  # load_state_dict refuses weights made for the other placement: copy them on purpose
    for key, tensor in ours_v1.state_dict().items():
        tensor.copy_(tv.state_dict()[key])
x = torch.randn(2, 3, 224, 224)
with torch.no_grad():
    diff_v15 = (ours_v15(x) - tv(x)).abs().max().item()
    diff_v1 = (ours_v1(x) - tv(x)).abs().max().item()
flops_v15 = count_flops(ours_v15, (3, 224, 224))
glue("c3_tv_diff_v15", float(diff_v15), display=False)
glue("c3_tv_diff_v1", float(diff_v1), display=False)
glue("c3_v1_flops", t1[50]["flops"] / 1e9, display=False)
glue("c3_v15_flops", flops_v15 / 1e9, display=False)
glue("c3_v15_extra_pct", pct(flops_v15, t1[50]["flops"]), display=False)

# %% [markdown]
# torchvision's `resnet50` moves the stride 2 of each down-sampling bottleneck from the first 1×1
# convolution (the paper, "V1") to the 3×3 one ("V1.5"). The change comes from Facebook's Torch
# reimplementation, fb.resnet.torch {cite:p}`gross2016training`, and was adopted by
# {cite:t}`goyal2017accurate` and torchvision. The course keeps the paper's placement and offers
# torchvision's as `stride_at="3x3"`. Loaded with the same torchvision weights, our V1.5 model's
# outputs differ from torchvision's by at most {glue:text}`c3_tv_diff_v15:.1e`, our V1 model's by
# {glue:text}`c3_tv_diff_v1:.2f`; V1.5 costs {glue:text}`c3_v15_flops:.2f` ×10⁹ multiply-adds
# against {glue:text}`c3_v1_flops:.2f` ({glue:text}`c3_v15_extra_pct:+.1f`%).

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
# :label: ex-03-3
#
# Check Sec. 4.1's claims at another width: compare the multiply-adds of a basic block on 128
# channels and of a bottleneck on 512 channels (`Bottleneck(512, 128)`) at 28×28, with
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
# :label: ex-03-5
#
# ResNet-34's max-pool halves the map once more before the first block. Drop it and keep
# everything else: what are the output sizes of conv2_x … conv5_x, and about how many times the
# multiply-adds does the network need? Check with `count_flops` on `get_model("resnet34")` whose
# `maxpool` is replaced by `nn.Identity()`.
# ```
#
# ````{solution} ex-03-5
# :class: dropdown
#
# Without the max-pool every stage works on a map twice as large in each direction: 112, 56, 28
# and 14. Every 3×3 layer then costs four times as much, so the network costs almost four times as
# much (the stem and the FC layer do not change).
#
# ```python
# from torch import nn
# from resnet_book.analysis import count_flops
# from resnet_book.models import get_model
# m = get_model("resnet34")
# base = count_flops(m, (3, 224, 224))
# m.maxpool = nn.Identity()
# count_flops(m, (3, 224, 224)) / base  # about 3.9
# ```
# ````

# %% [markdown]
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: blocks
# :class: tip
#
# | | |
# |---|---|
# | **Basic block** | two 3×3 conv–BN layers, ReLU between, ReLU after the addition: $y = \operatorname{ReLU}(\mathcal{F}(x) + x)$ ({numref}`fig-03-block-diagram`); a 3×3 layer costs $9\,c_\text{in}c_\text{out}hw$ multiply-adds. |
# | **Bottleneck** | 1×1 reduce → 3×3 → 1×1 restore (×4); on 256 channels it costs {glue:text}`c3_bneck_vs_basic_flops:.2f`× a 64-channel basic block ({numref}`fig-03-fig5`). |
# | **Shape change** | option A: subsample + zero-pad (0 parameters, CIFAR); B: 1×1 {term}`projection shortcut · 投影快捷连接` at stage transitions (ImageNet); C: projections everywhere (+{glue:text}`c3_r34_c_params_pct:.0f`% parameters on ResNet-34). |
# | **Rule** | keep the shortcut an {term}`identity mapping · 恒等映射`: a projection on a {term}`bottleneck · 瓶颈结构` roughly doubles its cost ({glue:text}`c3_proj_vs_bneck_flops:.2f`×). |
# | **Families** | CIFAR: 6n+2 layers, widths 16/32/64 on 32/16/8 maps, a 3×3 {term}`stem · 起始层（stem）`, {term}`plain network · 普通网络 / 平原网络` = same parameters; ImageNet: Table 1, a 7×7/2 stem and max-pool down to 56×56. |
# | **Fig. 3** | the same widths as VGG-19 (64 → 512), each used on smaller maps, after a 7×7/2 stem and a max-pool: {glue:text}`c3_r34_flops:.2f` against {glue:text}`c3_vgg_total:.2f` ×10⁹ {term}`multiply-adds (FLOPs) · 乘加运算量（FLOPs）` ({numref}`fig-03-fig3`). |
# | **V1 vs V1.5** | the paper strides in the first 1×1 of a bottleneck; torchvision in the 3×3 (+{glue:text}`c3_v15_extra_pct:.0f`% multiply-adds). |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`shortcut connection · 快捷连接 / 跳跃连接` ·
# {term}`identity mapping · 恒等映射` · {term}`projection shortcut · 投影快捷连接` ·
# {term}`zero-padding shortcut · 零填充快捷连接` · {term}`bottleneck · 瓶颈结构` ·
# {term}`stem · 起始层（stem）` · {term}`plain network · 普通网络 / 平原网络`
#
# **In one sentence:** the shortcut is free only when it is the identity, so the architecture is
# designed around keeping it that way. 🧱
# ```
