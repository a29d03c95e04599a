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
# 1. tell an optimisation failure from a generalisation gap, and say what would test the paper's
#    reading of its ResNet-1202 result;
# 2. explain why the gradient of a 1202-layer ResNet grows toward the input without exploding.
# ```
#
# The paper ends its CIFAR-10 experiments with 200 blocks per stage instead of ResNet-110's 18, at
# the same widths {cite:p}`he2016deep` (Sec. 4.2). The package builds it from the same code:

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import reference
from resnet_book.analysis import count_flops, count_params
from resnet_book.book import pages, quiz, stamp
from resnet_book.models import get_model

# %%
torch.manual_seed(0)
model = get_model("resnet1202").train()
blocks = [b for layer in (model.layer1, model.layer2, model.layer3) for b in layer]
count_params(model), len(blocks)

# %% tags=["remove-input"]
T6, AKA = reference.TABLE6["resnet"], reference.AKAMASTER_CIFAR10["error"]
with torch.device("meta"):
    macs_110 = count_flops(get_model("resnet110"))
    macs_1202 = count_flops(get_model("resnet1202"))
glue("c4f_params_m", count_params(model) / 1e6, display=False)
glue("c4f_params_printed", T6[1202]["params_m"], display=False)
glue("c4f_macs_ratio", macs_1202 / macs_110, display=False)
glue("c4f_paper_1202", T6[1202]["error"], display=False)
glue("c4f_paper_110", T6[110]["error"], display=False)
glue("c4f_aka_1202", AKA[1202], display=False)
glue("c4f_aka_110", AKA[110], display=False)

# %% [markdown]
# It has {glue:text}`c4f_params_m:.1f` million parameters (the paper prints
# {glue:text}`c4f_params_printed`M) and {glue:text}`c4f_macs_ratio:.1f`× ResNet-110's multiply-adds
# per image, about the ratio of their blocks, 600 to 54.
#
# ## Trains, but tests worse
#
# ```{slide}
# - ResNet-1202: 600 blocks, the same recipe as ResNet-110
# - its test error is worse than ResNet-110's
# - an optimisation failure, or a generalisation gap?
# ```
#
# The paper trained it with the same recipe as its other CIFAR-10 nets.

# %% tags=["remove-input"]
quiz("04f_resnet1202", ["q1"])

# %% [markdown]
# The paper reports both errors (Sec. 4.2):
#
# > Our method shows no optimization difficulty, and this 10³-layer network is able to achieve
# > training error <0.1% (Fig. 6, right).
#
# > The testing result of this 1202-layer network is worse than that of our 110-layer network,
# > although both have similar training error. We argue that this is because of overfitting. The
# > 1202-layer network may be unnecessarily large (19.4M) for this small dataset.
#
# Similar training error rules out an optimisation failure: the gap, {glue:text}`c4f_paper_1202:.2f`%
# against {glue:text}`c4f_paper_110:.2f`% test error (Table 6), is one of generalisation. Overfitting
# is the paper's reading, not a result: it leaves "combining with stronger regularization" to
# future work. Stochastic depth, a regulariser, later tested it at 1202 layers (Chapter 6); a
# reproduction with a longer schedule, one run each and its best epoch picked on the test set, has
# ResNet-1202 at {glue:text}`c4f_aka_1202:.2f`% and ResNet-110 at {glue:text}`c4f_aka_110:.2f`%
# ({doc}`04b_table6`).

# %% tags=["remove-input"]
display(Markdown(pages.paper_scale_note("resnet1202")))

# %% [markdown]
# ## The gradient at step zero
#
# ```{slide}
# - one backward pass through the fresh net, 4 random images
# - the weight gradient of each block's first convolution
# - where is it largest, and why?
# ```
#
# One backward pass through the fresh network, on 4 random images, gives the weight gradient of
# every block's first convolution. Predict its profile.

# %% tags=["remove-input"]
quiz("04f_resnet1202", ["q2"])

# %%
seen = []  # per block: the std of its input, and its output (whose gradient we keep)


def keep(block, inputs, out):
    out.retain_grad()
    seen.append((inputs[0].detach().std().item(), out))


hooks = [b.register_forward_hook(keep) for b in blocks]
x, y = torch.randn(4, 3, 32, 32), torch.randint(0, 10, (4,))
torch.nn.functional.cross_entropy(model(x), y).backward()
for h in hooks:
    h.remove()
weight_grad = [b.conv1.weight.grad.norm().item() for b in blocks]  # the figure
arriving = [out.grad.norm().item() for _, out in seen]  # the gradient reaching each block's output
input_std = [s for s, _ in seen]
seen.clear()  # frees the kept outputs and their gradients
f"first block / last block weight gradient: {weight_grad[0] / weight_grad[-1]:.0f}"

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Gradient norm of the first convolution of each of ResNet-1202's 600 blocks after one backward pass at initialisation (log scale). Dotted lines: the two stage transitions.", "name": "fig-04f-grads"}}
fig, ax = plt.subplots(figsize=(7.5, 3))
ax.semilogy(np.arange(1, len(weight_grad) + 1), weight_grad, lw=0.8, color="C0")
for b in (len(blocks) // 3, 2 * len(blocks) // 3):
    ax.axvline(b + 0.5, color="0.6", ls=":", lw=0.8)
ax.set(xlabel="block (input side → output side)", ylabel="‖∂L/∂W‖ of conv1")
ax.grid(alpha=0.3)
fig.tight_layout()
stamp(fig, text="One forward/backward pass of resnet_book.models resnet1202 at initialisation (seed 0, 4 random images).")
plt.show()

# %% [markdown]
# The first block's weight gradient is {glue:text}`c4f_grad_ratio:.0f`× the last block's
# ({numref}`fig-04f-grads`). Two facts explain it.
#
# The gradient that reaches a block grows toward the input. Every block adds its branch to the
# signal, so the signal grows along a stage. Going down, each block passes the gradient through its
# shortcut and adds its branch's term,
# $\partial L/\partial x_l = \partial L/\partial x_{l+1}\,(1 + \partial \mathcal{F}_l/\partial x_l)$
# (ReLU aside); the branch's BN divides by the size of its input, so that term is about
# $1/\operatorname{std}(x_l)$, largest where the signal is smallest. The growth per block is small:
# a power of the depth, not an exponential.
#
# BN passes this on to the weights: $\mathrm{BN}(W * cx) = \mathrm{BN}(W * x)$, so the weight
# gradient of a convolution followed by BN does not depend on the size of its input (scaling the
# *weights* by $c$ divides it by $c$); it follows the gradient arriving at the block. The cell
# checks both.

# %%
conv, bn = torch.nn.Conv2d(16, 16, 3, padding=1, bias=False), torch.nn.BatchNorm2d(16)
x16, target = torch.randn(8, 16, 8, 8), torch.randn(8, 16, 8, 8)


def conv_weight_grad(c):
    """|dL/dW| of conv -> BN with the input scaled by c."""
    conv.zero_grad()
    ((bn(conv(c * x16)) - target) ** 2).mean().backward()
    return round(conv.weight.grad.norm().item(), 4)


n = len(blocks) // 3  # blocks per stage: stage 1, block 2 against block 200
print("input scaled by 0.1, 1, 10:", [conv_weight_grad(c) for c in (0.1, 1, 10)])
print(f"stage 1, block 2 -> block {n}: input std x{input_std[n - 1] / input_std[1]:.1f}, "
      f"gradient reaching the block ÷{arriving[1] / arriving[n - 1]:.0f}, weight gradient ÷{weight_grad[1] / weight_grad[n - 1]:.0f}")

# %% tags=["remove-input"]
glue("c4f_grad_ratio", weight_grad[0] / weight_grad[-1], display=False)
glue("c4f_in_growth", input_std[n - 1] / input_std[1], display=False)
glue("c4f_arr_fall", arriving[1] / arriving[n - 1], display=False)
glue("c4f_w_fall", weight_grad[1] / weight_grad[n - 1], display=False)
glue("c4f_per_block", (arriving[1] / arriving[n - 1]) ** (1 / (n - 2)), display=False)

# %% [markdown]
# Along stage 1, from block 2 to block 200, the block's input grows {glue:text}`c4f_in_growth:.0f`×,
# while the gradient reaching the block falls {glue:text}`c4f_arr_fall:.0f`× and the weight gradient
# {glue:text}`c4f_w_fall:.0f`×: toward the input, {glue:text}`c4f_per_block:.3f`× per block on
# average. The jumps at blocks 200 and 400 are the stage transitions.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-04f-1
#
# Repeat the gradient measurement for a *plain* 1202-layer network,
# `resnet_book.models.cifar_resnet(1202, plain=True)`. What happens toward the input?
# ```
#
# ````{solution} ex-04f-1
# :class: dropdown
#
# ```python
# from resnet_book.models import cifar_resnet
# plain = cifar_resnet(1202, plain=True).train()
# torch.nn.functional.cross_entropy(plain(x), y).backward()
# norms = [b.conv1.weight.grad.norm().item() for l in (plain.layer1, plain.layer2, plain.layer3) for b in l]
# norms[::50]
# ```
#
# Expect the norms to grow by orders of magnitude toward the input until they overflow float32
# (`inf`, then `nan`): without a shortcut each block *multiplies* the gradient by its Jacobian, so
# the growth compounds exponentially.
# ````
#
# ```{exercise}
# :label: ex-04f-2
#
# Name two experiments that would test the paper's overfitting reading of ResNet-1202, and the
# result of each that would support it.
# ```
#
# ```{solution} ex-04f-2
# :class: dropdown
#
# (1) Regularise ResNet-1202 (dropout, stochastic depth): its test error should fall toward or below
# ResNet-110's. (2) Train both nets on growing subsets of the data: the gap should shrink with more
# data.
# ```
#
# ```{admonition} 🧠 Knowledge card: ResNet-1202
# :class: tip
#
# **Trains:** training error < 0.1% with {term}`identity mapping · 恒等映射` shortcuts. **Tests:**
# worse than ResNet-110; the paper's reading, overfitting, is untested there. **Gradient:** grows
# toward the input by a small factor per block; BN makes each weight gradient follow it.
# **Sequel:** stochastic depth, the {term}`pre-activation · 预激活` ResNet-1001 (Chapter 6).
# ({doc}`glossary <../book/glossary>`)
# ```
