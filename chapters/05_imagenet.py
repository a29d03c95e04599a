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
# # ImageNet: the paper's headline evidence
#
# ```{admonition} Learning goals
# :class: tip
#
# After this chapter you can
#
# 1. read the paper's Fig. 4 and Table 2 as the degradation problem on ImageNet, and say what makes
#    the comparison of plain and residual nets fair;
# 2. read Table 3 (shortcut options; 50 to 152 layers) and Tables 4 and 5 (testing protocols, an
#    ensemble, the test server);
# 3. count the parameters and multiply-adds of every ImageNet ResNet from the package, and say
#    where VGG-19's cost goes;
# 4. follow a 224×224 image through ResNet-50 stage by stage;
# 5. say what the detection results (Tables 7 and 8) add to the argument.
# ```
#
# Chapter 4 re-ran the paper's CIFAR-10 evidence on a CPU, and Chapter 1 its Fig. 1. The paper's
# *headline* evidence is on ImageNet {cite:p}`he2016deep` (Sec. 4.1):
#
# > We evaluate our method on the ImageNet 2012 classification dataset [36] that consists of 1000
# > classes.
#
# Training these networks takes GPUs for days, so this chapter shows the paper's tables (read from
# `resnet_book.reference`) and recomputes what needs no training: parameters, multiply-adds, shapes.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import torch
from IPython.display import Markdown, display
from myst_nb import glue
from torch import nn

from resnet_book import reference
from resnet_book.analysis import count_flops, count_params
from resnet_book.book import quiz, stamp
from resnet_book.models import get_model
from resnet_book.tables import markdown_table

SRC = "Source: He et al. 2015"


def short(source: str) -> str:
    """A reference's source line with the paper's full citation shortened (it is in the bibliography)."""
    return source.replace(reference.HE2015, "He et al. (2015)")


T2, T3, T4 = reference.TABLE2, reference.TABLE3, reference.TABLE4


def name(key: str) -> str:
    """'resnet34_B' -> 'ResNet-34 B', 'plain34' -> 'plain-34'."""
    net, _, option = key.partition("_")
    net = net.replace("resnet", "ResNet-").replace("plain", "plain-")
    return f"{net} {option}".strip()


# %% [markdown]
# ## Fig. 4 and Table 2: degradation on ImageNet
#
# ```{slide}
# - plain-18/34 and ResNet-18/34: one recipe (Fig. 4, Table 2)
# - plain-34 is worse than plain-18, in training error too
# - would more iterations close the gap?
# ```
#
# One recipe trains plain and residual nets of 18 and 34 layers on ImageNet.

# %% tags=["remove-input"]
quiz("05_imagenet", ["q1"])

# %% tags=["remove-input"]
display(Markdown(markdown_table(
    ["", "plain", "ResNet"],
    [[f"{d} layers", f"{T2[f'plain{d}']:.2f}", f"{T2[f'resnet{d}']:.2f}"] for d in (18, 34)], align="lrr")
    + f"\n\nTop-1 error (%, 10-crop testing, ImageNet validation). {short(T2['source'])}."))
glue("c6_p18", T2["plain18"], display=False)
glue("c6_p34", T2["plain34"], display=False)
glue("c6_r18", T2["resnet18"], display=False)
glue("c6_r34", T2["resnet34"], display=False)
glue("c6_r34_vs_r18", T2["resnet18"] - T2["resnet34"], display=False)
glue("c6_r34_vs_p34", T2["plain34"] - T2["resnet34"], display=False)
glue("c6_p34_vs_p18", T2["plain34"] - T2["plain18"], display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The story of Fig. 4, told by its end points (Table 2): going from 18 to 34 layers makes the plain net worse and the residual net better. The lines join the two depths of each family; the paper's curves in Fig. 4 show that the plain net's *training* error is higher too, throughout training.", "name": "fig-05-table2"}}
fig, ax = plt.subplots(figsize=(4.6, 3.2))
for family, color, marker in (("plain", "C3", "s"), ("resnet", "C0", "o")):
    ys = [T2[f"{family}{d}"] for d in (18, 34)]
    ax.plot([18, 34], ys, f"-{marker}", color=color, lw=2, label="plain" if family == "plain" else "ResNet")
    for d, y in zip((18, 34), ys):  # at 18 layers the two values nearly coincide: plain above, ResNet below
        dy = 0 if d == 34 else (5 if family == "plain" else -5)
        ax.annotate(f"{y:.2f}", (d, y), textcoords="offset points", xytext=(8 if d == 34 else -8, dy),
                    ha="left" if d == 34 else "right", va="center", fontsize=8, color=color)
ax.set(xticks=[18, 34], xticklabels=["18 layers", "34 layers"], xlim=(12, 40), ylabel="top-1 validation error (%)",
       title="ImageNet, 10-crop testing")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
fig.tight_layout()
stamp(fig, text=f"{SRC}, Table 2 (values from resnet_book.reference.TABLE2).")
plt.show()

# %% [markdown]
# Plain-34 ends {glue:text}`c6_p34_vs_p18:.2f` points worse than plain-18, and Fig. 4 shows why
# this is not overfitting (Sec. 4.1):
#
# > We have observed the degradation problem - the 34-layer plain net has higher training error
# > throughout the whole training procedure, even though the solution space of the 18-layer plain
# > network is a subspace of that of the 34-layer one.
#
# Nor is it vanishing gradients: the plain nets are trained with batch normalization, and the
# authors checked that "the backward propagated gradients exhibit healthy norms with BN". Nor a
# short budget: three times the iterations still degrade.
#
# With shortcuts the order reverses: ResNet-34 is {glue:text}`c6_r34_vs_r18:.2f` points better than
# ResNet-18 and {glue:text}`c6_r34_vs_p34:.2f` points better than plain-34. The comparison is fair
# because Table 2's ResNets use option A (identity shortcuts, zero-padding where the channels
# increase): they have exactly the parameters of their plain counterparts. The package agrees:

# %%
p_plain, p_res = count_params(get_model("plain34")), count_params(get_model("resnet34", shortcut="A"))
p_plain, p_res, p_plain == p_res

# %% [markdown]
# ### At 18 layers
#
# ```{slide}
# - plain-18 and ResNet-18 end about equal (Table 2)
# - what do the shortcuts buy at this depth?
# ```

# %% tags=["remove-input"]
quiz("05_imagenet", ["q2"])

# %% [markdown]
# ## Table 3: which shortcut?
#
# ```{slide}
# - ResNet-34 with options A, B, C, and plain-34 (Table 3)
# - A: zero-padding · B: projections where the shape changes · C: projections everywhere
# - which step lowers the error most?
# ```
#
# Table 3 trains ResNet-34 with each of the three shortcut options of Chapter 3, beside plain-34.

# %% tags=["remove-input"]
quiz("05_imagenet", ["q7"])

# %%
def cost(model_name: str, **kw) -> tuple[int, int]:
    """(parameters, multiply-adds per 224×224 image) of a model built on PyTorch's meta device
    (shapes only: no memory, no arithmetic)."""
    with torch.device("meta"):
        model = get_model(model_name, **kw)
    return count_params(model), count_flops(model, (3, 224, 224))


T3_MODELS = {"plain34": ("plain34", {}), "resnet34_A": ("resnet34", {"shortcut": "A"}),
             "resnet34_B": ("resnet34", {"shortcut": "B"}), "resnet34_C": ("resnet34", {"shortcut": "C"}),
             "resnet50": ("resnet50", {}), "resnet101": ("resnet101", {}), "resnet152": ("resnet152", {})}
costs = {key: cost(m, **kw) for key, (m, kw) in T3_MODELS.items()}
{name(k): f"{costs[k][0]:,}" for k in list(T3_MODELS)[:4]}  # parameters

# %% tags=["remove-input"]
OPTIONS = ["plain34", "resnet34_A", "resnet34_B", "resnet34_C"]
display(Markdown(markdown_table(
    ["network", "top-1 err. (%)", "top-5 err. (%)", "parameters (code)"],
    [[name(k), f"{T3[k][0]:.2f}", f"{T3[k][1]:.2f}", f"{costs[k][0] / 1e6:.2f} M"] for k in OPTIONS], align="lrrr")
    + f"\n\nErrors: {short(T3['source'])}. Parameters: counted from `resnet_book.models`."))
glue("c6_a_vs_plain", T3["plain34"][0] - T3["resnet34_A"][0], display=False)
glue("c6_c_vs_a", T3["resnet34_A"][0] - T3["resnet34_C"][0], display=False)
glue("c6_abc_spread", max(T3[f"resnet34_{o}"][0] for o in "ABC") - min(T3[f"resnet34_{o}"][0] for o in "ABC"), display=False)
glue("c6_c_extra_params_m", (costs["resnet34_C"][0] - costs["resnet34_A"][0]) / 1e6, display=False)

# %% [markdown]
# Adding parameter-free shortcuts, plain-34 → A, lowers the top-1 error by
# {glue:text}`c6_a_vs_plain:.2f` points; going on to C, with {glue:text}`c6_c_extra_params_m:.1f` M
# more parameters, lowers it by {glue:text}`c6_c_vs_a:.2f` more.
#
# ### A against B
#
# ```{slide}
# - B is a little better than A: why?
# ```

# %% tags=["remove-input"]
quiz("05_imagenet", ["q4"])

# %% [markdown]
# The paper's reading (Sec. 4.1):
#
# > B is slightly better than A. We argue that this is because the zero-padded dimensions in A
# > indeed have no residual learning.
#
# C is "marginally better than B", which the paper attributes to the extra parameters of its
# thirteen projections; the differences among A, B and C are small, so projections are not what
# solves degradation. The deeper nets use B: projections where the shape changes, identity
# everywhere else ({doc}`04d_shortcuts` runs the three options on CIFAR-10).
#
# ## Table 3: 50 to 152 layers
#
# ```{slide}
# :show: eq-05-macs
# - bottleneck blocks, option B: 50, 101 and 152 layers
# - error and multiply-adds per image, counted from the models
# - VGG-19 for scale
# ```
#
# The second half of Table 3 goes deeper with bottleneck blocks.

# %% tags=["remove-input"]
quiz("05_imagenet", ["q3"])

# %% [markdown]
# The paper counts cost in multiply-adds ("FLOPs", Table 1). A convolution with a $k\times k$
# kernel, $c_\text{in}$ input and $c_\text{out}$ output channels and an output map of
# $h \times w$ costs
#
# ```{math}
# :label: eq-05-macs
# \text{multiply-adds} = k^2 \, c_\text{in} \, c_\text{out} \, h \, w .
# ```
#
# The table adds what the paper does not print: parameters and multiply-adds counted from the
# package's models, and torchvision's parameter counts.

# %% tags=["remove-input"]
DEEP = ["resnet34_B", "resnet50", "resnet101", "resnet152"]
TV = {"resnet34_B": 34, "resnet50": 50, "resnet101": 101, "resnet152": 152}
display(Markdown(markdown_table(
    ["network", "top-1 err. (%)", "top-5 err. (%)", "parameters (code)", "parameters (torchvision)",
     "multiply-adds ×10⁹ (code)"],
    [[name(k), f"{T3[k][0]:.2f}", f"{T3[k][1]:.2f}", f"{costs[k][0]:,}", f"{reference.IMAGENET_PARAMS[TV[k]]:,}",
      f"{costs[k][1] / 1e9:.2f}"] for k in DEEP], align="lrrrrr")
    + f"\n\nErrors: {short(T3['source'])}. torchvision: {reference.IMAGENET_PARAMS['source']}."))
glue("c6_r152_gflops", costs["resnet152"][1] / 1e9, display=False)
glue("c6_vgg19_gflops", reference.TABLE1["vgg19_flops"] / 1e9, display=False)
glue("c6_r152_vs_r34", T3["resnet34_B"][0] - T3["resnet152"][0], display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Table 3 against cost: top-1 validation error (10-crop) of each network against its multiply-adds per image, counted from the course's models. Plain-34 in red, the three ResNet-34s in orange, the bottleneck nets in blue.", "name": "fig-05-table3"}}
fig, ax = plt.subplots(figsize=(5.6, 3.4))
for k in T3_MODELS:
    x, y = costs[k][1] / 1e9, T3[k][0]
    color = "C3" if k.startswith("plain") else ("C1" if k.startswith("resnet34") else "C0")
    ax.plot(x, y, "o", color=color, ms=7)
    below = k == "resnet34_C"  # B and C nearly coincide: C's label below its point, the others above
    ax.annotate(name(k), (x, y), textcoords="offset points", xytext=(6, -3 if below else 3),
                va="top" if below else "bottom", fontsize=7.5)
ax.plot([costs[k][1] / 1e9 for k in ("resnet34_B", "resnet50", "resnet101", "resnet152")],
        [T3[k][0] for k in ("resnet34_B", "resnet50", "resnet101", "resnet152")], "-", color="C0", alpha=0.4)
ax.set(xlabel="multiply-adds per 224×224 image (×10⁹, counted)", ylabel="top-1 validation error (%)",
       xlim=(3, 13), title="Table 3: error against cost")
ax.grid(alpha=0.3)
fig.tight_layout()
stamp(fig, text="Errors: He et al. 2015, Table 3 (resnet_book.reference.TABLE3). Multiply-adds: resnet_book.analysis.count_flops.")
plt.show()

# %% [markdown]
# ResNet-152 is {glue:text}`c6_r152_vs_r34:.2f` points better than ResNet-34 (B) in top-1 error:
#
# > The 50/101/152-layer ResNets are more accurate than the 34-layer ones by considerable margins
# > (Table 3 and 4).
#
# And at {glue:text}`c6_r152_gflops:.1f` ×10⁹ multiply-adds it costs less than VGG-19
# ({glue:text}`c6_vgg19_gflops:.1f` ×10⁹ in the paper). Why, at eight times the depth? VGG-19
# {cite:p}`simonyan2015very` is sixteen 3×3 convolutions and three fully-connected layers; here it
# is built and counted with {eq}`eq-05-macs`, by the size of the map each layer writes:

# %%
def vgg19() -> nn.Sequential:
    """VGG-19 (Simonyan & Zisserman): five stages of 3×3 convolutions, then three FC layers."""
    layers, c = [], 3
    for width, n in ((64, 2), (128, 2), (256, 4), (512, 4), (512, 4)):
        for _ in range(n):
            layers += [nn.Conv2d(c, width, 3, padding=1), nn.ReLU()]
            c = width
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))


def macs_by_map(model_fn) -> dict:
    """Multiply-adds per 224×224 image (eq-05-macs), by the side of the map each layer writes ("fc": linear layers)."""
    out = {}

    def add(m, args, y):
        side, per_output = ("fc", m.in_features) if isinstance(m, nn.Linear) else (y.shape[-1], m.weight[0].numel())
        out[side] = out.get(side, 0) + per_output * y[0].numel()

    with torch.device("meta"), torch.no_grad():
        model = model_fn()
        hooks = [m.register_forward_hook(add) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        model(torch.zeros(1, 3, 224, 224))
    return out


by_map = {"VGG-19": macs_by_map(vgg19), "ResNet-34": macs_by_map(lambda: get_model("resnet34")),
          "ResNet-152": macs_by_map(lambda: get_model("resnet152"))}
sides = [224, 112, 56, 28, 14, 7, "fc"]
print(markdown_table(["map"] + list(by_map),
                     [[f"{s}×{s}" if s != "fc" else "FC"] + [f"{m.get(s, 0) / 1e9:.2f}" for m in by_map.values()]
                      for s in sides] + [["total"] + [f"{sum(m.values()) / 1e9:.2f}" for m in by_map.values()]],
                     align="lrrr"))

# %% tags=["remove-input"]
vgg = by_map["VGG-19"]
glue("c6_vgg_mid_pct", 100 * (vgg[56] + vgg[28]) / sum(vgg.values()), display=False)
glue("c6_vgg_fc_pct", 100 * vgg["fc"] / sum(vgg.values()), display=False)

# %% [markdown]
# The widths are the same, 64 to 512 channels; the maps are not. VGG-19 runs its 3×3 layers at
# 224×224 down to 14×14. The ResNets' stem, a stride-2 7×7 convolution and a max pooling, shrinks
# the image to 56×56 first, and their 3×3 layers run at 56×56 down to 7×7. VGG-19 spends
# {glue:text}`c6_vgg_mid_pct:.0f`% of its multiply-adds at 56×56 and 28×28, and only
# {glue:text}`c6_vgg_fc_pct:.1f`% in its fully-connected layers.
#
# ## Tables 4 and 5: single models, an ensemble, and the test server
#
# ```{slide}
# - Table 4: single models, again on the validation set
# - Table 5: the entry that won ILSVRC 2015
# - why are Table 4's errors lower than Table 3's?
# ```
#
# Some networks of Table 3 reappear in Table 4 with *lower* errors: decide why first.

# %% tags=["remove-input"]
quiz("05_imagenet", ["q5"])

# %% tags=["remove-input"]
rows = [[name(k), f"{T3[k][0]:.2f} / {T3[k][1]:.2f}", f"{T4[k][0]:.2f} / {T4[k][1]:.2f}",
         f"{T3[k][1] - T4[k][1]:.2f}"] for k in T4 if k != "source"]
display(Markdown(markdown_table(["network", "Table 3: 10-crop, top-1 / top-5 (%)", "Table 4: multi-scale, top-1 / top-5 (%)",
                                 "top-5 gain from testing"], rows, align="lrrr")
                 + f"\n\nBoth on the ImageNet validation set, single models. {short(T3['source'])}; {short(T4['source'])}."))
glue("c6_t4_r152_top5", T4["resnet152"][1], display=False)
glue("c6_t5_ensemble", reference.TABLE5["ensemble_top5"], display=False)
glue("c6_t4_r152_top1", T4["resnet152"][0], display=False)

# %% [markdown]
# The networks are the same; the *testing* differs. Table 3 uses 10-crop testing (ten 224×224
# crops per image, their scores averaged), the protocol of the paper's comparison studies. Table 4
# uses its best protocol (Sec. 3.4):
#
# > For best results, we adopt the fully-convolutional form as in [41, 13], and average the scores
# > at multiple scales
#
# So compare a row of Table 3 only with rows of Table 3. Table 4's ResNet-152 reaches
# {glue:text}`c6_t4_r152_top1:.2f`% top-1 and {glue:text}`c6_t4_r152_top5:.2f`% top-5 error.
# **Top-5 error** counts an image as wrong only if the true class is not among the network's five
# highest scores; **top-1** asks for the single best guess.
#
# ### Table 5: the ensemble
#
# ```{slide}
# - the result that won ILSVRC 2015: what exactly is it?
# ```

# %% tags=["remove-input"]
quiz("05_imagenet", ["q6"])

# %% [markdown]
# The paper's ensemble of six networks of different depths reached
# {glue:text}`c6_t5_ensemble:.2f`% top-5 error on the ImageNet *test* set, scored by the
# challenge's server (the test labels are not public), and won ILSVRC 2015.
#
# How long a training step of these networks takes, which a multiply-add count does not fully
# tell, is measured on a CPU in {doc}`10_speed`.
#
# ## ResNet-50, stage by stage
#
# ```{slide}
# - one 224×224 image through ResNet-50 (Table 1)
# - shapes, parameters, multiply-adds per stage
# ```
#
# Follow one image through ResNet-50.

# %% tags=["remove-input"]
quiz("05_imagenet", ["q8"])

# %% [markdown]
# A forward hook on each stage records what leaves it. `conv1` … `maxpool` is the stem, `layer1`
# … `layer4` are the paper's conv2_x … conv5_x.

# %%
model = get_model("resnet50").eval()
STAGES = {"conv1": "relu", "pool": "maxpool", "conv2_x": "layer1", "conv3_x": "layer2", "conv4_x": "layer3",
          "conv5_x": "layer4", "pool + fc": "fc"}  # paper's name -> module whose output ends the stage
shapes, inputs = {}, {}


def record(stage: str):
    def hook(module, args, output):
        inputs[stage], shapes[stage] = tuple(args[0].shape[1:]), tuple(output.shape[1:])  # drop the batch dim
    return hook


hooks = [getattr(model, attr).register_forward_hook(record(stage)) for stage, attr in STAGES.items()]
with torch.no_grad():
    model(torch.randn(1, 3, 224, 224))
for h in hooks:
    h.remove()
shapes

# %% tags=["remove-input"]
def stage_modules(model: nn.Module) -> dict[str, list[nn.Module]]:
    return {"conv1": [model.conv1, model.bn1], "pool": [], "conv2_x": [model.layer1], "conv3_x": [model.layer2],
            "conv4_x": [model.layer3], "conv5_x": [model.layer4], "pool + fc": [model.fc]}


rows, per_stage = [], {}
for stage, mods in stage_modules(model).items():
    params = sum(count_params(m) for m in mods)
    if stage in ("conv2_x", "conv3_x", "conv4_x", "conv5_x"):
        flops = count_flops(mods[0], inputs[stage])
    elif stage == "conv1":
        flops = count_flops(nn.Sequential(*mods), (3, 224, 224))
    elif stage == "pool + fc":
        flops = model.fc.in_features * model.fc.out_features
    else:
        flops = 0
    out = shapes[stage]
    elements = 1
    for s in out:
        elements *= s
    per_stage[stage] = (params, flops, elements)
    rows.append([stage, " × ".join(map(str, out)), f"{params / 1e6:.2f} M", f"{flops / 1e6:,.0f} M",
                 f"{4 * elements / 2**20:.2f} MiB"])
display(Markdown(markdown_table(["stage", "output (one image)", "parameters", "multiply-adds", "output size (fp32)"],
                                rows, align="lrrrr")))
assert {s: shapes[s][-1] for s in ("conv2_x", "conv3_x", "conv4_x", "conv5_x")} == \
    {s: reference.TABLE1["stage_output"][s] for s in ("conv2_x", "conv3_x", "conv4_x", "conv5_x")}
total_p = sum(p for p, _, _ in per_stage.values())
glue("c6_conv5_params_pct", 100 * per_stage["conv5_x"][0] / total_p, display=False)
glue("c6_conv2_params_pct", 100 * per_stage["conv2_x"][0] / total_p, display=False)
glue("c6_out_channels", shapes["conv5_x"][0], display=False)
glue("c6_out_map", shapes["conv5_x"][-1], display=False)
glue("c6_downsample", 224 // shapes["conv5_x"][-1], display=False)
glue("c6_classes", model.fc.out_features, display=False)
RES_STAGES = {"conv2_x": model.layer1, "conv3_x": model.layer2, "conv4_x": model.layer3, "conv5_x": model.layer4}
per_block = [per_stage[s][1] / len(layer) for s, layer in RES_STAGES.items()]
glue("c6_blocks", Markdown(", ".join(str(len(layer)) for layer in RES_STAGES.values())), display=False)
glue("c6_block_macs_spread", max(per_block) / min(per_block), display=False)
glue("c6_block_macs_m", sum(per_block) / len(per_block) / 1e6, display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Where ResNet-50's parameters, arithmetic and memory go, stage by stage (shares of the whole network, for one 224×224 image): parameters, multiply-adds and the size of each stage's output.", "name": "fig-05-stages"}}
labels = list(per_stage)
fig, axes = plt.subplots(1, 3, figsize=(9, 2.8), sharey=True)
for ax, k, title, color in ((axes[0], 0, "parameters", "C0"), (axes[1], 1, "multiply-adds", "C1"),
                            (axes[2], 2, "output size", "C2")):
    total = sum(v[k] for v in per_stage.values())
    ax.barh(labels, [100 * per_stage[s][k] / total for s in labels], color=color)
    ax.set(title=title, xlabel="% of the network")
    ax.grid(axis="x", alpha=0.3)
axes[0].invert_yaxis()
fig.tight_layout()
stamp(fig, text="Computed from resnet_book.models.resnet50 (forward hooks, count_params, count_flops); "
                "architecture of He et al. 2015, Table 1.")
plt.show()

# %% [markdown]
# The image leaves conv5_x as {glue:text}`c6_out_channels` channels on a
# {glue:text}`c6_out_map`×{glue:text}`c6_out_map` map, {glue:text}`c6_downsample`× smaller than
# the input on each side: the stem halves the map twice, then conv3_1, conv4_1 and conv5_1 halve it
# once each, and a bottleneck ends four times wider than its 3×3 layer. Global average pooling
# turns the map into one vector for the {glue:text}`c6_classes`-way classifier. conv5_x holds
# {glue:text}`c6_conv5_params_pct:.0f`% of the parameters, conv2_x only
# {glue:text}`c6_conv2_params_pct:.0f`% ({numref}`fig-05-stages`).
#
# ### Cost per block
#
# ```{slide}
# - halve the map, double the filters
# ```

# %% tags=["remove-input"]
quiz("05_imagenet", ["q9"])

# %% [markdown]
# By {eq}`eq-05-macs`, halving $h$ and $w$ while doubling $c_\text{in}$ and $c_\text{out}$ leaves a
# layer's cost unchanged, the rule the paper took from VGG (Sec. 3.3). So the stages differ in
# multiply-adds mostly because they have {glue:md}`c6_blocks` blocks: *per block* they cost about
# {glue:text}`c6_block_macs_m:.0f` M multiply-adds each, the most and the least expensive within a
# factor {glue:text}`c6_block_macs_spread:.2f`.
#
# ## Beyond classification: Tables 7 and 8
#
# ```{slide}
# - Faster R-CNN: VGG-16 → ResNet-101 (Sec. 4.3)
# - PASCAL VOC and COCO
# - what does swapping only the network show?
# ```
#
# Sec. 4.3 puts ResNet-101 in place of VGG-16 into an object detector, Faster R-CNN
# {cite:p}`ren2015faster`, on PASCAL VOC {cite:p}`everingham2010pascal` and COCO
# {cite:p}`lin2014microsoft`.

# %% tags=["remove-input"]
quiz("05_imagenet", ["q10"])

# %% tags=["remove-input"]
T7, T8 = reference.TABLE7, reference.TABLE8
t7 = [[test, T7[test][0]] + [f"{T7[test][1][b]:.1f}" for b in ("VGG-16", "ResNet-101")]
      + [f"{T7[test][1]['ResNet-101'] - T7[test][1]['VGG-16']:+.1f}"] for test in T7 if test != "source"]
t8 = [[metric] + [f"{T8[metric][b]:.1f}" for b in ("VGG-16", "ResNet-101")]
      + [f"{T8[metric]['ResNet-101'] - T8[metric]['VGG-16']:+.1f}"] for metric in T8 if metric != "source"]
display(Markdown(markdown_table(["test set", "training data", "VGG-16", "ResNet-101", "gain"], t7, align="llrrr")
                 + f"\n\n{short(T7['source'])}.\n\n"
                 + markdown_table(["COCO metric", "VGG-16", "ResNet-101", "gain"], t8, align="lrrr")
                 + f"\n\n{short(T8['source'])}."))
coco = T8["mAP@[.5, .95]"]
glue("c6_coco_gain", coco["ResNet-101"] - coco["VGG-16"], display=False)
glue("c6_coco_rel", 100 * (coco["ResNet-101"] - coco["VGG-16"]) / coco["VGG-16"], display=False)

# %% [markdown]
# The detector, its training and its evaluation are the same in both columns; only the network
# that computes the features changes (Sec. 4.3):
#
# > The detection implementation (see appendix) of using both models is the same, so the gains can
# > only be attributed to better networks.
#
# On COCO's standard metric, mAP averaged over overlap thresholds from 0.5 to 0.95, the gain is
# {glue:text}`c6_coco_gain:.1f` points, {glue:text}`c6_coco_rel:.0f`% relative: the "relative
# improvement" of the abstract. Residual networks make better *features*, which is why they became
# the default backbone of detection.

# %% [markdown]
# ## Interview round 🎤

# %% tags=["remove-input"]
quiz("05_imagenet", ["q11"])

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-05-2
#
# Table 2's comparison is fair because plain-34 and ResNet-34 (option A) have the same parameters.
# Check the same for the 18-layer pair, then count what option B adds to ResNet-18 and to ResNet-34.
# Which part of the network do the extra parameters sit in?
# ```
#
# ````{solution} ex-05-2
# :class: dropdown
#
# ```python
# from resnet_book.analysis import count_params
# from resnet_book.models import get_model
# count_params(get_model("plain18")) == count_params(get_model("resnet18", shortcut="A"))   # True
# {d: count_params(get_model(f"resnet{d}", shortcut="B")) - count_params(get_model(f"resnet{d}", shortcut="A"))
#  for d in (18, 34)}
# ```
#
# The difference is the same for both depths: option B adds a 1×1 projection (plus its BN) at each
# of the three stage transitions (64→128, 128→256, 256→512 channels), and both networks have the
# same three transitions. The 256→512 projection of conv5_1 is the largest by far.
# ````
#
# ```{exercise}
# :label: ex-05-3
#
# Use `cost()` from this page to compute the multiply-adds of ResNet-50 with torchvision's stride
# placement (`stride_at="3x3"`, Chapter 3) and of a plain-34 and a ResNet-34 with option A. By
# {eq}`eq-05-macs`, why are the last two almost equal, and what exactly makes them differ?
# ```
#
# ````{solution} ex-05-3
# :class: dropdown
#
# ```python
# cost("resnet50", stride_at="3x3"), cost("plain34"), cost("resnet34", shortcut="A")
# ```
#
# Plain-34 and ResNet-34 (A) have the same convolutions, so the same multiply-adds: the identity
# and zero-padding shortcuts do no multiplication at all. `count_flops` counts multiply-adds of
# convolutions and linear layers only, so it reports the same number for both; the ResNet's
# element-wise additions (one per element of each block's output) are the "negligible" extra cost
# of Sec. 3.2. V1.5 costs more because the first 1×1 convolution of each downsampling block now
# runs on the larger map; the 3×3, which took over the stride, keeps its cost (counted on its
# output map).
# ````
#
# ```{exercise}
# :label: ex-05-4
#
# The paper's ensemble combines networks "of different depth". Two networks that make the same
# mistakes gain nothing from being averaged. Argue from Table 3 why averaging ResNet-101 and
# ResNet-152 can still help, and name what you would have to measure to be sure.
# ```
#
# ```{solution} ex-05-4
# :class: dropdown
#
# The two networks have similar errors but different depths and random initialisations, so their
# mistakes are only partly the same images. Averaging their scores helps on the images where one
# is wrong with low confidence and the other right with high confidence. To be sure you would
# measure how *correlated* their errors are on the validation set (how often both are wrong on the
# same image): the less correlated, the more the ensemble gains over its best member.
# ```

# %% [markdown]
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: the ImageNet evidence
# :class: tip
#
# | | |
# |---|---|
# | **Symptom** | plain-34 worse than plain-18 (Table 2), with higher *training* error throughout (Fig. 4): the {term}`degradation problem · 退化问题` at ImageNet scale. |
# | **Fix** | the same net with identity shortcuts: ResNet-34 beats ResNet-18 by {glue:text}`c6_r34_vs_r18:.2f` and plain-34 by {glue:text}`c6_r34_vs_p34:.2f` points of {term}`top-1 error · top-1 错误率`, at equal parameters. |
# | **Design** | options A/B/C within {glue:text}`c6_abc_spread:.2f` points (Table 3), so B; {term}`bottleneck · 瓶颈结构` blocks take depth to 152 layers at {glue:text}`c6_r152_gflops:.1f` ×10⁹ multiply-adds, below VGG-19. |
# | **Results** | single ResNet-152 {glue:text}`c6_t4_r152_top5:.2f`% {term}`top-5 error · top-5 错误率` (Table 4, multi-scale testing); an {term}`ensemble · 模型集成` of six nets {glue:text}`c6_t5_ensemble:.2f`% on the test set (Table 5), 1st in ILSVRC 2015. |
# | **Transfer** | {term}`object detection · 目标检测` with the same Faster R-CNN: +{glue:text}`c6_coco_gain:.1f` points of COCO {term}`mAP · 平均精度均值` (Table 8). |
# | **Cost** | multiply-adds {eq}`eq-05-macs`: the same widths as VGG on smaller maps; the time of a step: {doc}`10_speed`. |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`top-1 error · top-1 错误率` ·
# {term}`top-5 error · top-5 错误率` · {term}`10-crop testing · 十裁剪测试` ·
# {term}`ensemble · 模型集成` · {term}`object detection · 目标检测` · {term}`mAP · 平均精度均值`
#
# **In one sentence:** on ImageNet as on CIFAR-10, the plain net gets worse with depth and the
# residual net gets better. 🏔️
# ```
