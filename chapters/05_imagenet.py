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
# 1. tell the story of the paper's Fig. 4 from its Table 2: plain-34 is *worse* than plain-18,
#    ResNet-34 is *better* than ResNet-18, and the comparison is fair because the two 34-layer nets
#    have the same parameters;
# 2. read Table 3 (shortcut options A, B, C; the 50-, 101- and 152-layer bottleneck nets) and
#    Tables 4 and 5 (single models, the ensemble, top-1 and top-5 error, 10-crop and multi-scale
#    testing, validation set and test server);
# 3. compute the parameters and multiply-adds of every ImageNet ResNet from the package, and
#    measure what one training step of ResNet-18, 34 and 50 costs on the computer in front of you;
# 4. follow a 224×224 image through ResNet-50 stage by stage and explain where its parameters,
#    its arithmetic and its memory go;
# 5. say what the detection results (Tables 7 and 8) add to the argument, and how to train the
#    ImageNet networks yourself on GPUs.
# ```
#
# Chapters 1 to 5 re-ran the paper's CIFAR-10 evidence on a CPU. But the paper's *headline*
# evidence is on ImageNet {cite:p}`he2016deep` (Sec. 4.1):
#
# > We evaluate our method on the ImageNet 2012 classification dataset [36] that consists of 1000
# > classes.
#
# Training one of these networks takes a multi-GPU machine for days, so this chapter does what a
# CPU can do honestly: it shows the paper's tables (every number read from
# `resnet_book.reference`, which names the table it comes from), recomputes everything about the
# networks that needs no training (parameters, multiply-adds, shapes), and times one real training
# step of each network, live.

# %% tags=["remove-input"]
import statistics
import time

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
# Before you read on, commit to an answer:

# %% tags=["remove-input"]
quiz("05_imagenet", ["q1"])

# %% [markdown]
# The paper's Fig. 4 plots training and validation error during training of plain-18 and
# plain-34 (left) and of ResNet-18 and ResNet-34 (right); Table 2 gives the final top-1 validation
# errors (10-crop testing). We cannot redraw the curves without training, but the end points tell
# the story ({numref}`fig-05-table2`):

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
# The deeper plain net ends {glue:text}`c6_p34_vs_p18:.2f` points *worse* than the shallower one.
# On its own, a higher validation error could be overfitting; what settles it is the observation
# behind the question above, the one only Fig. 4 shows (Sec. 4.1):
#
# > We have observed the degradation problem - the 34-layer plain net has higher training error
# > throughout the whole training procedure, even though the solution space of the 18-layer plain
# > network is a subspace of that of the 34-layer one.
#
# That is Chapter 1's Fig. 1 again, on ImageNet's training set instead of CIFAR-10's. And it is
# not vanishing gradients either: the plain nets are trained with batch normalization, and the authors
# checked that "the backward propagated gradients exhibit healthy norms with BN".
#
# With shortcuts, the situation is reversed: ResNet-34 is {glue:text}`c6_r34_vs_r18:.2f` points
# better than ResNet-18, and {glue:text}`c6_r34_vs_p34:.2f` points better than plain-34. The
# comparison is fair because Table 2's ResNets use option A (identity shortcuts, zero-padding
# where the channels increase): they have exactly the parameters of their plain counterparts. The
# package agrees:

# %%
p_plain, p_res = count_params(get_model("plain34")), count_params(get_model("resnet34", shortcut="A"))
p_plain, p_res, p_plain == p_res

# %% [markdown]
# Check your reading of the 18-layer row:

# %% tags=["remove-input"]
quiz("05_imagenet", ["q2"])

# %% [markdown]
# ## Table 3: shortcut options, and 50 to 152 layers
#
# Table 3 has two halves: ResNet-34 with the three shortcut options of Chapter 3 (A zero-padding,
# B projections where the shape changes, C projections everywhere), and the deeper bottleneck nets
# (option B). Before you look at it:

# %% tags=["remove-input"]
quiz("05_imagenet", ["q3"])

# %% [markdown]
# Here is the table, with two columns the paper does not print: the parameters and the
# multiply-adds per 224×224 image of each network, counted from the course's models. Building
# ResNet-152 takes memory and time, so the models are built on PyTorch's `meta` device, which
# tracks shapes without allocating any memory or computing anything:

# %%
def cost(model_name: str, **kw) -> tuple[int, int]:
    """(parameters, multiply-adds per 224×224 image) of a model built on the meta device."""
    with torch.device("meta"):
        model = get_model(model_name, **kw)
    return count_params(model), count_flops(model, (3, 224, 224))


cost("resnet152")

# %% tags=["remove-input"]
T3_MODELS = {"plain34": ("plain34", {}), "resnet34_A": ("resnet34", {"shortcut": "A"}),
             "resnet34_B": ("resnet34", {"shortcut": "B"}), "resnet34_C": ("resnet34", {"shortcut": "C"}),
             "resnet50": ("resnet50", {}), "resnet101": ("resnet101", {}), "resnet152": ("resnet152", {})}
costs = {key: cost(m, **kw) for key, (m, kw) in T3_MODELS.items()}
rows = [[name(k), f"{T3[k][0]:.2f}", f"{T3[k][1]:.2f}", f"{costs[k][0] / 1e6:.1f} M", f"{costs[k][1] / 1e9:.2f}"]
        for k in T3_MODELS]
display(Markdown(markdown_table(["network", "top-1 err. (%)", "top-5 err. (%)", "parameters (code)",
                                 "multiply-adds ×10⁹ (code)"], rows, align="lrrrr")
                 + f"\n\nErrors: {short(T3['source'])}. Parameters and multiply-adds: counted from `resnet_book.models` "
                   "(ResNet-50/101/152 with option B, as in the paper)."))
tv_ok = all(costs[f"resnet{d}"][0] == reference.IMAGENET_PARAMS[d] for d in (50, 101, 152)) and \
    costs["resnet34_B"][0] == reference.IMAGENET_PARAMS[34]
glue("c6_tv_ok", Markdown("match torchvision's published counts exactly" if tv_ok else
                          "**do not** match torchvision's published counts"), display=False)
glue("c6_tv_ok_zh", Markdown("与 torchvision 公布的数值完全一致" if tv_ok else
                             "与 torchvision 公布的数值**不**一致"), display=False)
glue("c6_r152_gflops", costs["resnet152"][1] / 1e9, display=False)
glue("c6_vgg19_gflops", reference.TABLE1["vgg19_flops"] / 1e9, display=False)
glue("c6_r152_vs_r34", T3["resnet34_B"][0] - T3["resnet152"][0], display=False)
glue("c6_abc_spread", max(T3[f"resnet34_{o}"][0] for o in "ABC") - min(T3[f"resnet34_{o}"][0] for o in "ABC"), display=False)
glue("c6_a_vs_plain", T3["plain34"][0] - T3["resnet34_A"][0], display=False)
glue("c6_c_extra_params_m", (costs["resnet34_C"][0] - costs["resnet34_A"][0]) / 1e6, display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Table 3 against cost: top-1 validation error (10-crop) of each network against its multiply-adds per image, counted from the course's models. Depth buys accuracy at a modest cost once the blocks are bottlenecks; the three shortcut options of ResNet-34 (A, B, C) sit almost on top of each other, far below plain-34.", "name": "fig-05-table3"}}
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
# Reading it against the question: ResNet-152 is {glue:text}`c6_r152_vs_r34:.2f` points better
# than ResNet-34 (B) in top-1 error, and at {glue:text}`c6_r152_gflops:.1f` ×10⁹ multiply-adds it
# still costs less than VGG-19 ({glue:text}`c6_vgg19_gflops:.1f` ×10⁹). No degradation in sight:
#
# > The 50/101/152-layer ResNets are more accurate than the 34-layer ones by considerable margins
# > (Table 3 and 4).
#
# The shortcut options matter much less. All three ResNet-34s beat plain-34 (option A by
# {glue:text}`c6_a_vs_plain:.2f` points), and they differ among themselves by
# {glue:text}`c6_abc_spread:.2f` points, although C carries {glue:text}`c6_c_extra_params_m:.1f` M
# more parameters than A. This is why the deeper nets use B: projections only where the shape
# changes, identity everywhere else. The counted parameters of the option-B networks
# {glue:md}`c6_tv_ok` (`reference.IMAGENET_PARAMS`).

# %% tags=["remove-input"]
quiz("05_imagenet", ["q4"])

# %% [markdown]
# ## Tables 4 and 5: single models, an ensemble, and the test server
#
# Tables 4 and 5 compare with the state of the art of 2015. Some of the networks of Table 3
# reappear in Table 4 with *lower* errors. Why? Decide first:

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
# The networks are the same; the *testing* differs. Table 3 uses the standard 10-crop testing (ten
# 224×224 crops per image, their scores averaged), the protocol the paper keeps for comparison
# studies. Table 4 uses the paper's best protocol (Sec. 3.4):
#
# > For best results, we adopt the fully-convolutional form as in [41, 13], and average the scores
# > at multiple scales
#
# So compare a row of Table 3 only with rows of Table 3. Table 4's ResNet-152 reaches
# {glue:text}`c6_t4_r152_top1:.2f`% top-1 and {glue:text}`c6_t4_r152_top5:.2f`% top-5 error.
# **Top-5 error** counts an image as wrong only if the true class is not among the network's five
# highest scores (ImageNet has many near-duplicate classes, dog breeds for instance); **top-1** asks
# for the single best guess.
#
# Table 5 combines models. The paper's ensemble of six networks of different depths reached
# {glue:text}`c6_t5_ensemble:.2f`% top-5 error on the ImageNet *test* set, scored by the
# challenge's server (the test labels are not public), and won ILSVRC 2015. The paper also notes
# that its single ResNet-152 of Table 4 "outperforms all previous ensemble results".

# %% tags=["remove-input"]
quiz("05_imagenet", ["q6"])

# %% [markdown]
# ## What a CPU can show: one training step of ResNet-18, 34 and 50
#
# Table 1 of the paper measures cost in multiply-adds ("FLOPs"): for a convolution with a $k\times k$
# kernel, $c_\text{in}$ input and $c_\text{out}$ output channels and an output map of
# $h \times w$,
#
# ```{math}
# :label: eq-05-macs
# \text{multiply-adds} = k^2 \, c_\text{in} \, c_\text{out} \, h \, w .
# ```
#
# ResNet-50 and ResNet-34 are nearly equal by this count. Is a multiply-add count the whole cost of
# a training step? Commit first:

# %% tags=["remove-input"]
quiz("05_imagenet", ["q7"])

# %% [markdown]
# Let's measure. One training step is a forward pass, the loss, a backward pass and an SGD update,
# here on a small batch of random 224×224 images (the cost of a step does not depend on what the
# pixels show). The first step of a fresh model is slower (memory is allocated, kernels are
# chosen), so it is run once untimed; then the median of a few timed steps.

# %%
BATCH, REPEATS = 2, 2  # small on purpose: the ratios between the networks are the point, and a laptop finishes in seconds


def time_step(model: nn.Module, batch: int = BATCH, repeats: int = REPEATS) -> float:
    """Median wall time (s) of one SGD step (forward, loss, backward, update) on random 224×224 images."""
    x, y = torch.randn(batch, 3, 224, 224), torch.randint(0, 1000, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    times = []
    for i in range(repeats + 1):
        t0 = time.perf_counter()
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if i:  # the first step is the warm-up
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


torch.manual_seed(0)
step = {}
for net in ("resnet18", "resnet34", "resnet50"):
    model = get_model(net).train()
    step[net] = time_step(model)
    grads_ok = all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    print(f"{net}: {step[net]:.2f} s per step of {BATCH} images; every parameter got a finite gradient: {grads_ok}")
del model

# %% tags=["remove-input"]
macs = {net: cost(net)[1] for net in step}
ratio_time = step["resnet50"] / step["resnet34"]
ratio_macs = macs["resnet50"] / macs["resnet34"]
glue("c6_batch", BATCH, display=False)
glue("c6_threads", torch.get_num_threads(), display=False)
glue("c6_t18", step["resnet18"], display=False)
glue("c6_t34", step["resnet34"], display=False)
glue("c6_t50", step["resnet50"], display=False)
glue("c6_ratio_time", ratio_time, display=False)
glue("c6_ratio_macs", ratio_macs, display=False)
glue("c6_time_vs_macs", Markdown(
    "more than its share of multiply-adds: the arithmetic count misses part of the cost" if ratio_time > ratio_macs * 1.1 else
    ("less than its share of multiply-adds: on this machine ResNet-50's operations ran faster per multiply-add"
     if ratio_time < ratio_macs / 1.1 else "about its share of multiply-adds")), display=False)
glue("c6_time_vs_macs_zh", Markdown(
    "耗时的增长超过了乘加运算量的增长：乘加计数漏掉了一部分代价" if ratio_time > ratio_macs * 1.1 else
    ("耗时的增长低于乘加运算量的增长：在这台机器上，ResNet-50 的每次乘加运算跑得更快"
     if ratio_time < ratio_macs / 1.1 else "耗时的增长与乘加运算量的增长大致相当")), display=False)
# the paper's training: 60x10^4 iterations of 256 images (Sec. 3.4)
R = reference.IMAGENET_RECIPE
images_seen = R["max_iters"] * R["batch_size"]
years50 = images_seen * step["resnet50"] / BATCH / (365 * 24 * 3600)
glue("c6_paper_iters", R["max_iters"], display=False)
glue("c6_paper_batch", R["batch_size"], display=False)
glue("c6_images_seen_m", images_seen / 1e6, display=False)
glue("c6_years50", years50, display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "One training step on this build's CPU, measured live (left), against the multiply-adds of the forward pass counted from the models (right), both relative to ResNet-18. Timings depend on the machine and on whatever else runs on it; the ratios between the networks are the informative part.", "name": "fig-05-step-time"}}
nets = list(step)
fig, axes = plt.subplots(1, 2, figsize=(7, 2.6), sharey=True)
panels = (("measured step time", [step[n] / step["resnet18"] for n in nets]),
          ("counted multiply-adds", [macs[n] / macs["resnet18"] for n in nets]))
for ax, (title, values) in zip(axes, panels):
    bars = ax.bar([name(n) for n in nets], values, color=["C2", "C0", "C4"])
    ax.bar_label(bars, fmt="%.2f×", fontsize=8)
    ax.set(title=title, ylim=(0, 1.2 * max(max(v) for _, v in panels)))
    ax.grid(axis="y", alpha=0.3)
axes[0].set_ylabel("relative to ResNet-18")
fig.tight_layout()
stamp(fig, text=f"Measured in this build: batch {BATCH}, fp32, {torch.get_num_threads()} threads, "
                f"median of {REPEATS} steps after one warm-up; torch {torch.__version__}.")
plt.show()

# %% [markdown]
# On this build's CPU ({glue:text}`c6_threads` threads, batch of {glue:text}`c6_batch`), one step
# took {glue:text}`c6_t18:.2f` s for ResNet-18, {glue:text}`c6_t34:.2f` s for ResNet-34 and
# {glue:text}`c6_t50:.2f` s for ResNet-50 ({numref}`fig-05-step-time`). ResNet-50's step cost
# {glue:text}`c6_ratio_time:.2f`× ResNet-34's, for {glue:text}`c6_ratio_macs:.2f`× the
# multiply-adds: {glue:md}`c6_time_vs_macs`. Back to the question: the count covers the
# convolutions and the FC layer of the *forward* pass. A bottleneck network writes four times wider
# feature maps after each block's last 1×1 convolution, and every BN, ReLU and addition reads and
# writes such a map: little arithmetic, much memory traffic. The backward pass does roughly twice
# the forward arithmetic on top.
#
# And the paper's training? {glue:text}`c6_paper_iters:,` iterations of
# {glue:text}`c6_paper_batch` images are {glue:text}`c6_images_seen_m:.1f` million images
# processed. At the speed just measured, ResNet-50 would need about
# {glue:text}`c6_years50:.1f` years on this CPU. The same code runs on GPUs:

# %% [markdown]
# ````{admonition} Training on ImageNet yourself
# :class: note
#
# The ImageNet experiments run with the same engine as the CIFAR ones, on one or several GPUs
# (PyTorch's `torchrun` starts one process per GPU). With the ImageNet training and validation
# images in `DIR`, on a machine with `N` GPUs:
#
# ```bash
# torchrun --nproc-per-node=N -m resnet_book run table2 --scale imagenet --data DIR
# ```
#
# The README's "Re-running" section documents the command, the expected layout of `DIR` and what
# each run costs.
# ````

# %% [markdown]
# ## ResNet-50, stage by stage
#
# Follow one image through ResNet-50. First a prediction:

# %% tags=["remove-input"]
quiz("05_imagenet", ["q8"])

# %% [markdown]
# A forward hook on each stage records what leaves it. The names are torchvision's (and the
# course's): `conv1` … `maxpool` is the stem, `layer1` … `layer4` are the paper's conv2_x …
# conv5_x.

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

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Where ResNet-50's parameters, arithmetic and memory go, stage by stage (shares of the whole network, for one 224×224 image): the parameters pile up in the last stages, the multiply-adds follow the number of blocks per stage (each block costs about the same), and the largest feature maps are in the first stages.", "name": "fig-05-stages"}}
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
# the input on each side: the stem halves the map twice (its stride-2 convolution and its max
# pooling), then conv3_1, conv4_1 and conv5_1 halve it once each; and a bottleneck ends four times
# wider than its 3×3 layer. Global average pooling turns the map into one vector for the
# {glue:text}`c6_classes`-way classifier.
#
# The three panels of {numref}`fig-05-stages` read like the paper's design rules. conv5_x holds
# {glue:text}`c6_conv5_params_pct:.0f`% of the parameters and conv2_x only
# {glue:text}`c6_conv2_params_pct:.0f`%. The multiply-adds differ between stages mostly because the
# stages have {glue:md}`c6_blocks` blocks: *per block*, every stage costs about the same (about
# {glue:text}`c6_block_macs_m:.0f` M multiply-adds, the most and the least expensive within a
# factor {glue:text}`c6_block_macs_spread:.2f`). By {eq}`eq-05-macs`, halving $h$ and $w$ while
# doubling $c_\text{in}$ and $c_\text{out}$ leaves a layer's cost unchanged, the rule the paper
# took from VGG (Sec. 3.3). Check it:

# %% tags=["remove-input"]
quiz("05_imagenet", ["q9"])

# %% [markdown]
# ## Beyond classification: Tables 7 and 8
#
# Section 4.3 of the paper puts ResNet-101 into an object detector, Faster R-CNN
# {cite:p}`ren2015faster`, in place of VGG-16, on PASCAL VOC {cite:p}`everingham2010pascal` and
# COCO {cite:p}`lin2014microsoft`. What does such an experiment tell us? Decide first:

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
# improvement" of the abstract, computed here from Table 8. This is the evidence that residual
# networks are not a CIFAR or ImageNet trick but better *features*, the reason they became the
# default backbone of detection and segmentation (the paper's appendix, and its wins at ILSVRC and
# COCO 2015, go further with the same networks).

# %% [markdown]
# ## Interview round 🎤
#
# A question for someone who has read Table 2 carefully:

# %% tags=["remove-input"]
quiz("05_imagenet", ["q11"])

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-05-1
#
# Time one step at a larger batch (`time_step(get_model("resnet50").train(), batch=16)`) and
# compute the time *per image* at this page's batch size and at batch 16. Does a bigger batch make each image
# cheaper on this CPU? What would you expect on a GPU, and why?
# ```
#
# ````{solution} ex-05-1
# :class: dropdown
#
# ```python
# m = get_model("resnet50").train()
# {b: time_step(m, batch=b) / b for b in (BATCH, 16)}   # seconds per image
# ```
#
# Compare your two numbers. On a CPU the time per image usually changes much less than on a GPU:
# the convolutions of a single 224×224 image are already large enough to keep a few cores busy,
# so a bigger batch mostly makes the step longer. A GPU has thousands of arithmetic units, and a
# batch of a few images leaves most of them idle: there the time per image falls steeply with the
# batch size, until the GPU is saturated (or its memory is full). This is one reason the paper
# trains with mini-batches of a few hundred images spread over several GPUs.
# ````
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
# of Sec. 3.2. V1.5 costs more because its stride-2 3×3 convolutions now run on the larger map.
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
# | **Cost** | multiply-adds {eq}`eq-05-macs` are not the whole step: memory traffic and the backward pass add to it; measured here, ResNet-50 took {glue:text}`c6_ratio_time:.2f`× ResNet-34's step. |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`top-1 error · top-1 错误率` ·
# {term}`top-5 error · top-5 错误率` · {term}`10-crop testing · 十裁剪测试` ·
# {term}`ensemble · 模型集成` · {term}`object detection · 目标检测` · {term}`mAP · 平均精度均值`
#
# **In one sentence:** on ImageNet as on CIFAR-10, the plain net gets worse with depth and the
# residual net gets better. 🏔️
# ```
