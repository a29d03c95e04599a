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
#     experiments: [resnet1202]
# ---

# %% [markdown]
# # ResNet-1202: more than a thousand layers
#
# ```{admonition} Learning goals
# :class: tip
#
# After this page you can
#
# 1. build the paper's 1202-layer network from the same code as ResNet-20 and count what it holds;
# 2. measure what one training step of it costs (time and activation memory) and scale that to the
#    paper's recipe;
# 3. read a gradient-norm plot over 600 blocks and explain, with BN, why it is largest near the input;
# 4. tell an optimisation failure from overfitting, using the paper's own ResNet-1202 result.
# ```
#
# The paper ends its CIFAR-10 section with a deliberately extreme model {cite:p}`he2016deep`
# (Sec. 4.2, "Exploring Over 1000 layers"):
#
# > We set n = 200 that leads to a 1202-layer network, which is trained as described above. Our
# > method shows no optimization difficulty, and this 10³-layer network is able to achieve training
# > error <0.1% (Fig. 6, right).
#
# and then, honestly:
#
# > The testing result of this 1202-layer network is worse than that of our 110-layer network,
# > although both have similar training error. We argue that this is because of overfitting.
#
# A CPU cannot train it in a lecture. This page builds it, runs one real forward/backward pass,
# measures what a training step costs, and estimates what the paper-scale run needs. The full run is
# one command on a GPU.

# %% tags=["remove-input"]
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book.experiments.report import estimate_gpu_hours
from resnet_book import experiments, reference
from resnet_book.book import pages
from resnet_book.analysis import count_params
from resnet_book.book import quiz, stamp
from resnet_book.models import get_model
from resnet_book.tables import markdown_table

# %%
torch.manual_seed(0)
model = get_model("resnet1202")
n_blocks = sum(len(getattr(model, f"layer{i}")) for i in (1, 2, 3))
count_params(model), n_blocks

# %% [markdown]
# One training step on a small batch: forward, loss, backward. Does the gradient reach the first
# layer, 1202 layers down, in a sensible size? We record the gradient norm of every block's first
# convolution. Before the numbers, a prediction:

# %% tags=["remove-input"]
quiz("04f_resnet1202", ["q1"])

# %%
def step_cost(model, batch: int = 8, repeats: int = 3):
    """Median seconds of one forward+backward on ``batch`` images, bytes of module outputs kept for backward."""
    model.train()
    x, y = torch.randn(batch, 3, 32, 32), torch.randint(0, 10, (batch,))
    kept = []
    hooks = [m.register_forward_hook(lambda m, i, o: kept.append(o.numel() * o.element_size()))
             for m in model.modules() if not list(m.children())]
    times = []
    for r in range(repeats):
        model.zero_grad(set_to_none=True)
        kept.clear()
        t = time.perf_counter()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        times.append(time.perf_counter() - t)
        if r == 0:
            for h in hooks:
                h.remove()
            act_bytes = sum(kept)
    return float(np.median(times)), act_bytes


sec_1202, act_1202 = step_cost(model)
grad_norms = [blk.conv1.weight.grad.norm().item() for layer in (model.layer1, model.layer2, model.layer3) for blk in layer]
f"{sec_1202:.2f} s per step of 8 images; first-block / last-block gradient norm: {grad_norms[0]:.3g} / {grad_norms[-1]:.3g}"

# %% tags=["remove-input"]
sec_110, act_110 = step_cost(get_model("resnet110"))
paper_batch = reference.CIFAR_RECIPE["batch_size"]
paper_iters = reference.CIFAR_RECIPE["max_iters"]
params_1202 = count_params(model)
cpu_days = sec_1202 / 8 * paper_batch * paper_iters / 86400
gpu_hours, gpu_basis = estimate_gpu_hours("resnet1202")
glue("c4f_params_m", params_1202 / 1e6, display=False)
glue("c4f_sec", sec_1202, display=False)
glue("c4f_ratio", sec_1202 / sec_110, display=False)
depth_ratio = (1202 - 2) / (110 - 2)  # residual blocks, 600 vs 54: the part of the cost that grows with depth
glue("c4f_ratio_text", Markdown(
    f"close to the ratio of their numbers of blocks ({depth_ratio:.1f})" if 0.67 < sec_1202 / sec_110 / depth_ratio < 1.5
    else f"{'well below' if sec_1202 / sec_110 < depth_ratio else 'well above'} the ratio of their numbers of blocks "
         f"({depth_ratio:.1f}): timing noise on a busy CPU, or fixed costs per step"), display=False)
glue("c4f_ratio_text_zh", Markdown(
    f"接近两者残差块数量之比（{depth_ratio:.1f}）" if 0.67 < sec_1202 / sec_110 / depth_ratio < 1.5
    else f"{'远低于' if sec_1202 / sec_110 < depth_ratio else '远高于'}两者残差块数量之比"
         f"（{depth_ratio:.1f}）：原因可能是繁忙 CPU 上的计时噪声，或每一步的固定开销"), display=False)
glue("c4f_cpu_days", cpu_days, display=False)
glue("c4f_gpu_hours", gpu_hours, display=False)
glue("c4f_act_gb", act_1202 / 8 * paper_batch / 1e9, display=False)
glue("c4f_grad_ratio", grad_norms[0] / grad_norms[-1], display=False)
glue("c4f_paper_1202", reference.TABLE6["resnet"][1202]["error"], display=False)
glue("c4f_paper_110", reference.TABLE6["resnet"][110]["error"], display=False)
glue("c4f_params_printed", reference.TABLE6["resnet"][1202]["params_m"], display=False)
cpu_iters = experiments.CPU_SCALE["max_iters"]
glue("c4f_cpu_iters", cpu_iters, display=False)
glue("c4f_cpu_scale_days", sec_1202 / 8 * paper_batch * cpu_iters / 86400, display=False)
display(Markdown(markdown_table(
    ["", "ResNet-110", "ResNet-1202"],
    [["parameters", f"{count_params(get_model('resnet110')):,}", f"{params_1202:,}"],
     ["one forward+backward, 8 images, this CPU", f"{sec_110:.2f} s", f"{sec_1202:.2f} s"],
     ["module outputs kept for backward, per image", f"{act_110 / 8 / 1e6:.1f} MB", f"{act_1202 / 8 / 1e6:.1f} MB"],
     [f"the same at the paper's batch of {paper_batch}", f"{act_110 / 8 * paper_batch / 1e9:.1f} GB",
      f"{act_1202 / 8 * paper_batch / 1e9:.1f} GB"],
     ["paper test error (Table 6)", f"{reference.TABLE6['resnet'][110]['error']:.2f}%",
      f"{reference.TABLE6['resnet'][1202]['error']:.2f}%"]],
    align="lrr")
    + "\n\nMeasured when this page was built (fp32, random images, seed 0); the paper's errors from its Table 6."))

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Gradient norm of the first convolution of each of ResNet-1202's 600 blocks after one backward pass at initialisation (log scale). The gradient reaches the first block without vanishing: the identity shortcuts carry it down through all three stages.", "name": "fig-04f-grads"}}
fig, ax = plt.subplots(figsize=(7.5, 3))
ax.semilogy(np.arange(1, len(grad_norms) + 1), grad_norms, lw=0.8, color="C0")
for b in (n_blocks // 3, 2 * n_blocks // 3):
    ax.axvline(b + 0.5, color="0.6", ls=":", lw=0.8)
ax.set(xlabel="block (input side → output side)", ylabel="‖∂L/∂W‖ of conv1")
ax.grid(alpha=0.3)
fig.tight_layout()
stamp(fig, text="One forward/backward pass of resnet_book.models.resnet1202 at initialisation (seed 0, 8 random images), this CPU.")
plt.show()

# %% [markdown]
# ## What the measurement says
#
# First the figure's surprise: the gradient is *largest* near the input.

# %% tags=["remove-input"]
quiz("04f_resnet1202", ["q2"])

# %% [markdown]
# ResNet-1202 has {glue:text}`c4f_params_m:.1f` million parameters (the paper prints
# {glue:text}`c4f_params_printed`M). One forward/backward pass on 8 images takes
# {glue:text}`c4f_sec:.2f` s on this CPU, {glue:text}`c4f_ratio:.1f`× ResNet-110's,
# {glue:md}`c4f_ratio_text`: compare with your prediction before the table. At initialisation the
# gradient of the first block's convolution is {glue:text}`c4f_grad_ratio:.0f`× that of the last
# block's ({numref}`fig-04f-grads`): far from
# vanishing, it is largest near the input. The reason is BN: a convolution followed by BN gets a
# weight gradient inversely proportional to the scale of its input, and along a stage the signal's
# scale grows block by block, since every block adds its branch to it. Did you pick BN rather than
# an exploding gradient? (The jumps at blocks 200 and
# 400 are the stage transitions.) Nothing here stops the signal or its gradient on the way down,
# which is the "no optimization difficulty" of the quote, seen at step zero.
#
# At the paper's recipe that CPU speed would mean about {glue:text}`c4f_cpu_days:.0f` days of
# training, so the run belongs on a GPU: about {glue:text}`c4f_gpu_hours:.1f` h by our rough
# estimate. Memory matters too: the module outputs that autograd keeps for the backward pass add up
# to about {glue:text}`c4f_act_gb:.0f` GB at batch 128 (an upper bound: some outputs share storage),
# which is why the paper trained it on two GPUs and why `TrainConfig(amp=True)` (bf16, half the
# activation memory) is the practical default on one.
#
# That is also why this book's cpu scale, which trains the other CIFAR networks of Table 6 on this
# CPU, stops at ResNet-110: its {glue:text}`c4f_cpu_iters:,` iterations at batch 128 would take
# ResNet-1202 about {glue:text}`c4f_cpu_scale_days:.0f` days at the speed measured above.

# %% tags=["remove-input"]
display(Markdown(pages.paper_scale_note("resnet1202")))

# %% [markdown]
# ## Overfitting, not optimisation
#
# The paper's result for the trained network, and what it means.

# %% tags=["remove-input"]
quiz("04f_resnet1202", ["q3"])

# %% [markdown]
# Once trained, ResNet-1202 reaches a training error as low as ResNet-110's, but a test error of
# {glue:text}`c4f_paper_1202:.2f`% against {glue:text}`c4f_paper_110:.2f`% (Table 6). Both nets fit
# the training set, so the gap is generalisation (did you avoid the trap of reading "higher error"
# as "trained worse"?): a model eleven times larger than ResNet-110,
# trained on 50k images with no dropout or other strong regularisation, overfits. The paper names
# this an open problem and suggests stronger regularisation; the Identity Mappings follow-up
# {cite:p}`he2016identity` trains a 1001-layer *pre-activation* ResNet that beats its shallower
# siblings (Chapter 6).

# %% tags=["remove-input"]
quiz("04_experiments", ["q9", "q10"])

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-04f-1
#
# Repeat the gradient measurement for a *plain* 1202-layer network. The registry has no
# `plain1202`, but `resnet_book.models.cifar_resnet(1202, plain=True)` builds one. What happens to
# the gradient norm of the first block, and what does that say about whether the plain net could be
# trained at all?
# ```
#
# ````{solution} ex-04f-1
# :class: dropdown
#
# ```python
# from resnet_book.models import cifar_resnet
# plain = cifar_resnet(1202, plain=True)
# step_cost(plain, batch=8, repeats=1)
# norms = [b.conv1.weight.grad.norm().item() for l in (plain.layer1, plain.layer2, plain.layer3) for b in l]
# norms[0], norms[-1]
# ```
#
# With BN the forward signal stays normalised, but the gradient reaching the first blocks of a
# 1202-layer plain stack is many orders of magnitude off from the last block's (Chapter 2 measured
# the same effect at 56 layers). SGD with one learning rate for all layers cannot make progress in
# both ends at once.
# ````
#
# ```{exercise}
# :label: ex-04f-2
#
# Estimate how much memory activation checkpointing would save for ResNet-1202:
# `torch.utils.checkpoint.checkpoint_sequential` keeps only the inputs of $k$ segments and
# recomputes the rest during the backward pass. With the per-image numbers above, what is the
# activation memory at batch 128 with $k = 30$ segments, and what does it cost in time?
# ```
#
# ```{solution} ex-04f-2
# :class: dropdown
#
# Roughly: the kept memory becomes the 30 segment inputs plus one segment's activations during its
# recomputation, about $1/30$ of the full activations plus 30 block-input tensors. The price is one
# extra forward pass (about a third more compute per step). For this model the weights
# are small next to the activations, so this is the trade to make on a single small GPU.
# ```
#
# ```{admonition} 🧠 Knowledge card: ResNet-1202
# :class: tip
#
# **Trains:** yes, training error < 0.1%: no optimisation difficulty with
# {term}`identity mapping · 恒等映射` shortcuts. **Generalises:** worse than ResNet-110 (overfitting
# of a {glue:text}`c4f_params_m:.1f`M-parameter net on 50k images). **Cost:** {glue:text}`c4f_ratio:.0f`× ResNet-110 per
# step; about {glue:text}`c4f_gpu_hours:.0f` h of GPU by our estimate. **Sequel:** pre-activation
# ResNet-1001 ({term}`pre-activation · 预激活`). ({doc}`glossary <../book/glossary>`)
# ```
