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
# # Residual math: learn the change, not the whole mapping
#
# {doc}`01_background` ended on a puzzle: a deeper *plain* network reaches a higher *training* error
# than a shallower one, although it could copy the shallow net and make its extra layers the identity.
# This chapter is about the one-line fix, and about the mathematics around it.
#
# ```{admonition} Learning goals
# :class: note
#
# After this chapter you can
#
# 1. write the residual reformulation $\mathcal{H}(x) = \mathcal{F}(x) + x$ and explain why driving
#    $\mathcal{F}$ to zero is easier than fitting an identity with nonlinear layers;
# 2. tell the two shortcut forms apart (identity, Eqn. 1; projection $W_s$, Eqn. 2) and find both in
#    the package's `BasicBlock`;
# 3. derive the gradient through one residual block and through many (the follow-up paper's
#    formula), and say where that formula is exact;
# 4. check the derivation with a NumPy network whose backward pass you can read line by line, and
#    with autograd;
# 5. read two measurements like a researcher: gradient norms of plain-56 and ResNet-56 at
#    initialisation, and what deleting one block does to a trained ResNet and to a plain net.
# ```
#
# The idea in the authors' words ({cite:p}`he2016deep`, Sec. 1):
#
# > "Instead of hoping each few stacked layers directly fit a desired underlying mapping, we explicitly
# > let these layers fit a residual mapping."
# >
# > "Formally, denoting the desired underlying mapping as H(x), we let the stacked nonlinear layers fit
# > another mapping of F(x) := H(x) − x. The original mapping is recast into F(x)+x."

# %% tags=["remove-input"]

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import reference
from resnet_book.analysis import count_params
from resnet_book.book import provenance, quiz, stamp
from resnet_book.engine.data import DeviceData, load_cifar10, make_split
from resnet_book.experiments.measures import LESION_IMAGES
from resnet_book.models import SHORTCUT_OPTIONS, BasicBlock, get_model
from resnet_book.tables import markdown_table

PLAIN_C, RES_C = "tab:red", "tab:blue"  # the same two colours on every figure of this page

# %% [markdown]
# ## The reformulation: $\mathcal{H}(x) = \mathcal{F}(x) + x$
#
# ```{slide}
# :show: eq-02-recast
# - the layers learn the change $\mathcal{F}(x) = \mathcal{H}(x) - x$
# - what do zero weights compute, plain vs residual?
# - the paper's reason: easier optimisation, "preconditioning" (Sec. 3.1)
# ```
#
# Call $\mathcal{H}(x)$ the mapping that a few stacked layers *should* compute. First, a prediction.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q8"])

# %% [markdown]
# A plain network asks those layers to produce $\mathcal{H}(x)$ from scratch. A residual network
# keeps a copy of the input and asks the layers only for the *difference*:
#
# ```{math}
# :label: eq-02-recast
# \mathcal{F}(x) := \mathcal{H}(x) - x
# \qquad\Longrightarrow\qquad
# \mathcal{H}(x) = \mathcal{F}(x) + x .
# ```
#
# Nothing is gained in *expressive power*, at least asymptotically, as Sec. 3.1 puts it: "both forms
# should be able to asymptotically approximate the desired functions". What changes is **where the
# easy answers sit**. Think of an editor with "track changes": if a paragraph is already right, the
# editor changes nothing ($\mathcal{F} = 0$). A plain layer is an editor who must retype the whole
# paragraph, perfectly, just to leave it as it was. In weight space, which is what the question
# asked:
#
# * **Residual block.** With all weights of $\mathcal{F}$ at zero the block is *exactly* the identity.
#   Weight decay, small initial weights, any pull toward zero: all of it pulls toward "do nothing".
# * **Plain stack.** Zero weights give the *zero* mapping. A plain block *can* be the identity
#   (Chapter 1 built one: centre taps of 1, BN set to pass through, ReLUs that see only non-negative
#   inputs), but SGD must find exactly those weights among all others.
#
# This is the paper's reason, and it is about optimisation: a hypothesis in Sec. 1, then a
# "preconditioning" argument in Sec. 3.1 ({cite:p}`he2016deep`):
#
# > "To the extreme, if an identity mapping were optimal, it would be easier to push the residual to
# > zero than to fit an identity mapping by a stack of nonlinear layers."
#
# > "In real cases, it is unlikely that identity mappings are optimal, but our reformulation may help
# > to precondition the problem. If the optimal function is closer to an identity mapping than to a
# > zero mapping, it should be easier for the solver to find the perturbations with reference to an
# > identity mapping, than to learn the function as a new one."
#
# Its evidence is indirect: the trained residual functions have small responses (Sec. 3.1, shown in
# Fig. 7, which Chapter 4 re-measures). In one line: **learn the correction, not the whole answer.**

# %% [markdown]
# ## Two shortcuts, two equations
#
# ```{slide}
# :show: eq-02-identity
# - identity shortcut: $y = \mathcal{F}(x) + x$, no parameters
# - adding needs equal shapes: where do they differ?
# ```
#
# The identity shortcut adds a block's input to its output, and adding needs equal shapes.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q9"])

# %% [markdown]
# A residual block with an **identity shortcut** computes ({cite:p}`he2016deep`, Sec. 3.2, Eqn. 1)
#
# ```{math}
# :label: eq-02-identity
# y = \mathcal{F}(x, \{W_i\}) + x ,
# ```
#
# where $\mathcal{F}$ is a small stack of layers, for the CIFAR networks two 3×3 convolutions:
# $\mathcal{F} = \mathrm{BN}(W_2 * \mathrm{relu}(\mathrm{BN}(W_1 * x)))$, and a ReLU follows the
# addition. The addition is element-wise, so $\mathcal{F}(x)$ and $x$ must have the same shape. When
# a block halves the feature map and doubles the channels, they do not: in the first block of the
# second and of the third stage (the first stage keeps the stem's 16 channels on 32×32). Here is the
# package's block; its two parameter-free taps, `self.residual` and `self.shortcut`, meet at
# `out = residual + shortcut`:
#
# ```{literalinclude} ../src/resnet_book/models/blocks.py
# :pyobject: BasicBlock
# ```
#
# A check that it computes {eq}`eq-02-identity`, with forward hooks on the two taps:

# %%
torch.manual_seed(0)
block = BasicBlock(16, 16).eval()  # 16 -> 16 channels, stride 1: Eqn. (1)
seen = {}
block.residual.register_forward_hook(lambda m, inp, out: seen.__setitem__("F(x)", out))
block.shortcut.register_forward_hook(lambda m, inp, out: seen.__setitem__("shortcut", out))

x = torch.randn(2, 16, 8, 8)
y = block(x)
assert torch.equal(seen["shortcut"], x)  # the identity shortcut hands x over untouched
assert torch.equal(y, torch.relu(seen["F(x)"] + seen["shortcut"]))  # y = relu(F(x) + x)
print("x", tuple(x.shape), "| F(x)", tuple(seen["F(x)"].shape), "| y", tuple(y.shape))

# %% [markdown]
# And "push the residual to zero" in practice: set the scale $\gamma$ of the last BN of
# $\mathcal{F}$ to zero (its shift $\beta$ is already zero at initialisation). Then
# $\mathcal{F}(x)=0$ and, since a block's input comes out of a ReLU and is non-negative, the block
# is *exactly* the identity. (Starting every block like this is a later trick, "zero-init
# residual" {cite:p}`goyal2017accurate`, not the paper's recipe.)

# %%
with torch.no_grad():
    block.bn2.weight.zero_()  # F(x) = 0
x_pos = torch.relu(torch.randn(2, 16, 8, 8))  # what a previous block's ReLU hands over
assert torch.equal(block(x_pos), x_pos)
print("block(x) == x exactly:", torch.equal(block(x_pos), x_pos))

# %% [markdown]
# ### When the shapes differ
#
# ```{slide}
# :show: eq-02-projection
# - option A: subsample, pad the new channels with zeros (no parameters)
# - option B: a 1×1 projection $W_s$ where the shape changes
# ```
#
# The first block of the second stage takes 16 channels on 32×32 and returns 32 channels on 16×16.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q2"])

# %% [markdown]
# The paper:
#
# > "The dimensions of x and F must be equal in Eqn.(1). If this is not the case (e.g., when changing
# > the input/output channels), we can perform a linear projection Ws by the shortcut connections to
# > match the dimensions" ({cite:p}`he2016deep`, Sec. 3.2)
#
# which gives the **projection** $W_s$ (Eqn. 2)
#
# ```{math}
# :label: eq-02-projection
# y = \mathcal{F}(x, \{W_i\}) + W_s\, x .
# ```
#
# The paper uses $W_s$ (a 1×1 convolution) only where shapes change, because the identity is free.
# For its CIFAR networks it uses an even cheaper trick there: the identity with **zero-padded** extra
# channels, after a stride-2 subsampling of the map. The package names the three options A, B and C:

# %%
for option, meaning in SHORTCUT_OPTIONS.items():
    print(f"option {option}: {meaning}")

# %% [markdown]
# Options A and B on the first block of stage 2:

# %%
x = torch.randn(2, 16, 32, 32)
for option in "AB":
    down_block = get_model("resnet20", shortcut=option).layer2[0].eval()
    s = down_block.downsample(x)
    print(f"option {option}: x {tuple(x.shape)} -> shortcut {tuple(s.shape)}, block output "
          f"{tuple(down_block(x).shape)}, shortcut = {down_block.downsample}")
    if option == "A":
        assert s[:, 16:].abs().max() == 0 and torch.equal(s[:, :16], x[:, :, ::2, ::2])

# %% [markdown]
# ### What the shortcut costs
#
# ```{slide}
# - count the parameters: plain-20, ResNet-20 (option A), option B
# - the identity's only computation: one addition per block
# ```
#
# Counting parameters makes the "free" in "free identity" concrete.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q4"])

# %% tags=["remove-input"]
n_params = {name: count_params(get_model(name)) for name in ("plain20", "resnet20")}
n_params["resnet20_B"] = count_params(get_model("resnet20", shortcut="B"))
assert n_params["plain20"] == n_params["resnet20"]
glue("c2_params_plain20", n_params["plain20"], display=False)
glue("c2_params_resnet20", n_params["resnet20"], display=False)
glue("c2_params_resnet20_B", n_params["resnet20_B"], display=False)
glue("c2_params_B_extra", n_params["resnet20_B"] - n_params["resnet20"], display=False)

# %% [markdown]
# Plain-20 has {glue:text}`c2_params_plain20:,` parameters, ResNet-20 with option A exactly as many,
# {glue:text}`c2_params_resnet20:,`. Option B adds {glue:text}`c2_params_B_extra:,` for its two
# projections. The only extra computation of the identity shortcut is one element-wise addition per
# block.
#
# ### Why $\mathcal{F}$ has two layers
#
# ```{slide}
# - what if $\mathcal{F}$ were a single layer $W_1 x$?
# - Sec. 3.2: $\mathcal{F}$ has two or three layers
# ```
#
# $\mathcal{F}$ could be a single layer.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q3"])

# %% [markdown]
# With one layer, $y = W_1 x + x = (W_1 + I)\,x$: a linear layer again, with shifted weights, and the
# paper saw no advantage in it (Sec. 3.2). The nonlinearity inside $\mathcal{F}$ is what gives the
# residual its meaning.

# %% [markdown]
# ## The gradient through one block, and through many
#
# ```{slide}
# :show: eq-02-grad-one, eq-02-grad-many
# - 2015: the reason is optimisation; plain gradients do not vanish
# - one block: the incoming gradient is handed down and added to
# - 2016 (*Identity Mappings*): $\partial L/\partial x_L$ reaches every block, exactly only for pre-activation units
# ```
#
# The 2015 paper argues from optimisation, not from gradients; a year later its authors added a
# backward-pass picture ({cite:t}`he2016identity`). Predict the one-block case first.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q10"])

# %% [markdown]
# Take a loss $L$ and one block $y = \mathcal{F}(x) + x$. The chain rule gives
#
# ```{math}
# :label: eq-02-grad-one
# \frac{\partial L}{\partial x}
# = \frac{\partial L}{\partial y}\,\frac{\partial y}{\partial x}
# = \frac{\partial L}{\partial y}\left(I + \frac{\partial \mathcal{F}}{\partial x}\right)
# = \underbrace{\frac{\partial L}{\partial y}}_{\text{shortcut: handed down as is}}
# + \underbrace{\frac{\partial L}{\partial y}\,\frac{\partial \mathcal{F}}{\partial x}}_{\text{through the layers}} .
# ```
#
# (Gradients are row vectors here, $I$ is the identity matrix.) The derivative of the shortcut,
# $x \mapsto x$, is $I$, so the incoming gradient is handed down *itself*, and the part that went
# through $\mathcal{F}$ is added to it. For a plain layer $y = \mathcal{F}(x)$ the first term is
# missing, and through $n$ plain layers the gradient is a **product** of $n$ Jacobians,
#
# $$
# \frac{\partial L}{\partial x_0} = \frac{\partial L}{\partial x_n}\,
# \frac{\partial \mathcal{F}_{n-1}}{\partial x_{n-1}} \cdots \frac{\partial \mathcal{F}_0}{\partial x_0},
# $$
#
# which shrinks or grows geometrically unless every factor has "size one": the
# {term}`vanishing / exploding gradients · 梯度消失 / 梯度爆炸` of Chapter 1. The 2015 paper does not
# argue this way: its plain nets' gradients do not vanish (Sec. 4.1), and its reason for residual
# learning is the preconditioning above.
#
# **Through many blocks: the follow-up paper's picture.** *Identity Mappings in Deep Residual
# Networks* ({cite:p}`he2016identity`, Sec. 2) stacks units $x_{i+1} = x_i + \mathcal{F}(x_i, W_i)$
# with *nothing* after the addition and unrolls the recursion from a shallow unit $l$ to a deep unit
# $L$:
#
# ```{math}
# :label: eq-02-unrolled
# x_L = x_l + \sum_{i=l}^{L-1} \mathcal{F}(x_i, W_i) .
# ```
#
# Differentiate with the chain rule through $x_L$:
#
# ```{math}
# :label: eq-02-grad-many
# \frac{\partial L}{\partial x_l}
# = \frac{\partial L}{\partial x_L}\,\frac{\partial x_L}{\partial x_l}
# = \frac{\partial L}{\partial x_L}\left(I + \frac{\partial}{\partial x_l}\sum_{i=l}^{L-1}\mathcal{F}(x_i, W_i)\right) .
# ```
#
# The gradient at unit $l$ contains $\partial L / \partial x_L$ itself, **added**, not multiplied by
# anything: a direct line from the loss to every unit. In the follow-up paper's words (it writes
# $\mathcal{E}$ for the loss):
#
# > "Eqn.(5) also suggests that it is unlikely for the gradient $\partial\mathcal{E}/\partial x_l$ to
# > be canceled out for a mini-batch, because in general the term
# > $\frac{\partial}{\partial x_l}\sum_{i=l}^{L-1}\mathcal{F}$ cannot be always -1 for all samples in a
# > mini-batch. This implies that the gradient of a layer does not vanish even when the weights are
# > arbitrarily small." (*Identity Mappings*, {cite:p}`he2016identity`, Sec. 2)
#
# ### The 2015 block: a ReLU after the addition
#
# ```{slide}
# - 2015 block: $y = \mathrm{relu}(\mathcal{F}(x) + x)$
# - the gradient passes the shortcut where the sum is positive
# - so the 2016 formula is approximate for it, exact for pre-activation
# ```
#
# In the paper's block a ReLU sits on the path from one block to the next.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q5"])

# %% [markdown]
# With $y = \mathrm{relu}(\mathcal{F}(x) + x)$ the chain rule masks the shortcut term:
# $\partial L/\partial x = (\partial L/\partial y \odot \mathbb{1}[\mathcal{F}(x)+x>0])\,(I +
# \partial \mathcal{F}/\partial x)$. The gradient passes unchanged wherever the sum is positive;
# since $x$ comes out of the previous block's ReLU ($x \ge 0$), the gate closes only where
# $\mathcal{F}(x)$ is negative enough to outweigh $x$. The block from above, with $\mathcal{F} = 0$,
# shows the gate:

# %%
x_signed = torch.randn(2, 16, 8, 8, requires_grad=True)  # entries of both signs
block(x_signed).sum().backward()  # the block above, with F = 0: it computes relu(x)
assert torch.equal(x_signed.grad, (x_signed > 0).float())  # 1 where the sum is positive, 0 elsewhere
x_signed.grad.mean().item()  # the share of entries the gradient passes

# %% [markdown]
# So {eq}`eq-02-grad-many` is exact only with nothing on the path between blocks; for the 2015
# block its authors call it approximate ({cite:p}`he2016identity`, Sec. 4):
#
# > "But in the above experiments $f$ is ReLU as designed in [1], so Eqn.(5) and (8) are
# > approximate in the above experiments."
#
# *Identity Mappings* moves BN and ReLU in front of the convolutions ("pre-activation") to make
# the path a clean identity; Chapter 6 takes that up.

# %% [markdown]
# ## Make the math visible: a NumPy network with a hand-written backward pass
#
# ```{slide}
# - 50 tanh layers, the same weights, with and without shortcuts
# - plain and residual differ in one line: `g = s * g + g_F`
# - checked against autograd
# ```
#
# Enough symbols. Predict the gradients of a deep network small enough to read, plain or residual.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q11"])

# %% [markdown]
# Here it is: 50 layers of width 16, $h_{i+1} = s\,h_i + \tanh(h_i W_i + b_i)$. With $s = 0$ it is a
# **plain** network, with $s = 1$ a **residual** one; everything else (weights, data, loss) is shared.
# The weights use the default initialisation of PyTorch's `nn.Linear` (uniform in $\pm 1/\sqrt{16}$).
# No normalisation layers: this is the bare math of {eq}`eq-02-grad-one`.

# %%
L_LAYERS, WIDTH, BATCH = 50, 16, 64
rng = np.random.default_rng(0)
k = 1 / np.sqrt(WIDTH)  # PyTorch's default nn.Linear init: uniform in +-1/sqrt(fan_in)
params = [(rng.uniform(-k, k, (WIDTH, WIDTH)), rng.uniform(-k, k, WIDTH)) for _ in range(L_LAYERS)]
x0 = rng.normal(size=(BATCH, WIDTH))
target = rng.normal(size=(BATCH, WIDTH))


def forward(params, h, s):
    """h_{i+1} = s * h_i + tanh(h_i W_i + b_i). s=1: residual net, s=0: plain net."""
    cache = []
    for W, b in params:
        a = h @ W + b
        cache.append((h, a))
        h = s * h + np.tanh(a)
    return h, cache


def loss_and_grad(out, target):
    """L = 0.5 * (mean over the batch of ||out - target||^2), and dL/d(out)."""
    diff = out - target
    return 0.5 * (diff**2).sum(1).mean(), diff / len(diff)


def backward(params, cache, g, s):
    """From g = dL/dh_L down to dL/dh_0. Returns the weight gradients and [dL/dh_0, ..., dL/dh_L]."""
    grads, g_h = [None] * len(params), [g]
    for i in reversed(range(len(params))):
        W, b = params[i]
        h, a = cache[i]
        g_a = g * (1 - np.tanh(a) ** 2)  # back through tanh
        grads[i] = (h.T @ g_a, g_a.sum(0))  # dL/dW_i, dL/db_i
        g_F = g_a @ W.T  # the part that went back through the layer: g dF/dh
        g = s * g + g_F  # <- THE SHORTCUT: dL/dh_{i+1} is handed down and ADDED (s=1), or lost (s=0)
        g_h.append(g)
    return grads, g_h[::-1]


nets = {"plain": 0.0, "residual": 1.0}
numpy_grads = {}
for name, s in nets.items():
    out, cache = forward(params, x0, s)
    loss, g_out = loss_and_grad(out, target)
    numpy_grads[name] = (loss, *backward(params, cache, g_out, s))
    print(f"{name:8s} loss {loss:.4f}  |dL/dh_L| {np.linalg.norm(g_out):.2e}  "
          f"|dL/dh_0| {np.linalg.norm(numpy_grads[name][2][0]):.2e}")

# %% [markdown]
# The only difference between the two networks is the line `g = s * g + g_F` of `backward`: with the
# shortcut, the gradient that arrived at layer $i+1$ goes on down *unchanged* and the layer's own
# contribution is added to it. That line **is** {eq}`eq-02-grad-one`. A hand-written backward pass
# deserves suspicion, so let autograd redo it with the very same weights (float64) and compare every
# gradient, weights, biases and the input:

# %%
def autograd_grads(params, x, target, s):
    Ws = [torch.tensor(W, requires_grad=True) for W, _ in params]  # float64, same numbers
    bs = [torch.tensor(b, requires_grad=True) for _, b in params]
    h0 = torch.tensor(x, requires_grad=True)
    h = h0
    for W, b in zip(Ws, bs):
        h = s * h + torch.tanh(h @ W + b)
    loss = 0.5 * ((h - torch.tensor(target)) ** 2).sum(1).mean()
    loss.backward()
    return loss.item(), [W.grad.numpy() for W in Ws], [b.grad.numpy() for b in bs], h0.grad.numpy()


agreement = {}
for name, s in nets.items():
    loss_np, grads_np, g_h_np = numpy_grads[name]
    loss_t, gW_t, gb_t, gx_t = autograd_grads(params, x0, target, s)
    pairs = [(gw, gwt) for (gw, _), gwt in zip(grads_np, gW_t)]
    pairs += [(gb, gbt) for (_, gb), gbt in zip(grads_np, gb_t)]
    pairs += [(g_h_np[0], gx_t), (np.array(loss_np), np.array(loss_t))]
    abs_diff = max(np.abs(a - b).max() for a, b in pairs)
    rel_diff = max(np.abs(a - b).max() / np.abs(b).max() for a, b in pairs)  # relative to each tensor's size
    assert abs_diff < 1e-6 and rel_diff < 1e-6, (name, abs_diff, rel_diff)
    agreement[name] = (abs_diff, rel_diff)
    print(f"{name:8s} NumPy vs autograd over {len(pairs)} tensors: max abs diff {abs_diff:.1e}, "
          f"max relative diff {rel_diff:.1e}")

# %% tags=["remove-input"]
glue("c2_agree_abs", float(max(a for a, _ in agreement.values())), display=False)
glue("c2_agree_rel", float(max(r for _, r in agreement.values())), display=False)
gh_norm = {name: np.array([np.linalg.norm(g) for g in numpy_grads[name][2]]) for name in nets}
gw_norm = {name: np.array([np.linalg.norm(gw) for gw, _ in numpy_grads[name][1]]) for name in nets}
for name in nets:
    glue(f"c2_np_{name}_ratio", float(gh_norm[name][0] / gh_norm[name][-1]), display=False)
    glue(f"c2_np_{name}_wmax", float(gw_norm[name].max()), display=False)
glue("c2_np_layers", L_LAYERS, display=False)
glue("c2_np_linear_factor", float(k / np.sqrt(3) * np.sqrt(WIDTH)), display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Gradient norms layer by layer in the 50-layer tanh network of this page, same weights, plain (no shortcut) vs residual (identity shortcut). Left: the backward signal ||dL/dh_i|| arriving at each layer's input; right: the weight gradients ||dL/dW_i||. Log scale: every grid line is a factor of 10.", "name": "fig-02-numpy-grads"}}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
for name, color in (("plain", PLAIN_C), ("residual", RES_C)):
    axes[0].semilogy(range(L_LAYERS + 1), gh_norm[name], color=color, label=name)
    axes[1].semilogy(range(L_LAYERS), gw_norm[name], color=color, label=name)
axes[0].set(xlabel="layer i (0 = input, 50 = output)", ylabel="||dL/dh_i||", title="backward signal")
axes[1].set(xlabel="layer i", ylabel="||dL/dW_i||", title="weight gradients")
for ax in axes:
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
fig.tight_layout()
stamp(fig, text="Computed on this page: NumPy, hand-written backward pass (checked against autograd); "
      "50 tanh layers of width 16, PyTorch's default nn.Linear init, one batch of 64 Gaussian inputs.")
plt.show()

# %% tags=["remove-input"]
out_plain, _ = forward(params, x0, 0.0)
glue("c2_np_plain_w_first", float(gw_norm["plain"][0]), display=False)
glue("c2_np_plain_w_last", float(gw_norm["plain"][-1]), display=False)
glue("c2_np_plain_spread", float(out_plain.std(0).max()), display=False)

# %% [markdown]
# The hand-written gradients match autograd to a maximum absolute difference of
# {glue:text}`c2_agree_abs:.1e` and a relative one of {glue:text}`c2_agree_rel:.1e` (float64
# round-off): the derivation is right. Now {numref}`fig-02-numpy-grads` and your prediction.
# {eq}`eq-02-grad-one` predicts a product of factors below 1 for the plain net (each layer
# multiplies the backward signal by $W_i^\top$, which shrinks a vector by about
# {glue:text}`c2_np_linear_factor:.2f` on average, and by $\tanh' \le 1$), and no such product for
# the residual one. Measured over {glue:text}`c2_np_layers` layers, the gradient at the input is
# {glue:text}`c2_np_plain_ratio:.1e` times the one at the output in the plain net, and
# {glue:text}`c2_np_residual_ratio:.1f` times in the residual net.
#
# The plain net's weight gradients are {glue:text}`c2_np_plain_w_first:.1e` at the first layer and
# {glue:text}`c2_np_plain_w_last:.1e` at the last. The last layers' updates cannot help much either:
# the forward signal has died on the way up, and across the batch the plain net's outputs differ by
# at most {glue:text}`c2_np_plain_spread:.1e` (the biases keep a constant signal alive).
#
# What would have falsified the argument? A residual curve falling as steeply as the plain one. It
# could in principle: $I + \partial\mathcal{F}/\partial x$ shrinks any direction in which
# $\partial\mathcal{F}/\partial x$ is negative. But it would have to do so at every layer; the plain
# net needs no such coincidence to vanish.

# %% [markdown]
# ## Real networks: gradient norms of plain-56 and ResNet-56 at initialisation
#
# ```{slide}
# - plain-56 and ResNet-56: He init, BN, one CIFAR-10 batch
# - the paper: with BN, "neither forward nor backward signals vanish"
# - "healthy" means not vanishing, not balanced
# ```
#
# Our toy had no BN; the paper's plain nets do. What happens to their gradients?

# %% tags=["remove-input"]
quiz("02_residual_math", ["q12"])

# %% [markdown]
# The paper's claim (Sec. 4.1, quoted in Chapter 1): with BN "neither forward nor backward signals
# vanish", and the backward gradients "exhibit healthy norms". Let us look for ourselves: the
# package's `plain56` and `resnet56`, freshly initialised (He init, as in the paper), one batch of 64
# real CIFAR-10 training images, one backward pass of the cross-entropy loss. We record the gradient
# norm of every 3×3 convolution's weights and of every block's output, for two initialisation seeds.

# %%
cifar = load_cifar10()
batch_data = DeviceData(make_split(cifar, "full", train_subset=10_000))  # a 10k subset: cheap mean image
xb, yb = batch_data.batch(seed=0, iteration=0, batch_size=64, augment=False)


def gradient_norms(model_name, seed):
    """||dL/dW|| of every 3x3 conv (input to output) and ||dL/d(block output)|| of every block."""
    torch.manual_seed(seed)
    model = get_model(model_name).train()  # train mode: BN normalises with the batch statistics
    outputs = []

    def keep(module, inp, out):  # a forward hook must return None (else it replaces the output)
        out.retain_grad()
        outputs.append(out)

    blocks = [blk for stage in (model.layer1, model.layer2, model.layer3) for blk in stage]
    hooks = [blk.register_forward_hook(keep) for blk in blocks]
    F.cross_entropy(model(xb), yb).backward()
    for h in hooks:
        h.remove()
    conv = [p.grad.norm().item() for n, p in model.named_parameters() if p.ndim == 4 and "downsample" not in n]
    return np.array(conv), np.array([o.grad.norm().item() for o in outputs])


SEEDS = (0, 1)
norms = {(m, seed): gradient_norms(m, seed) for m in ("plain56", "resnet56") for seed in SEEDS}
for (m, seed), (conv, blocks) in norms.items():
    print(f"{m} seed {seed}: conv weight grad, first layer / last layer = {conv[0] / conv[-1]:8.1f};"
          f"  block output grad, first block / last block = {blocks[0] / blocks[-1]:8.1f}")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Gradient norms of the package's plain-56 and ResNet-56 at initialisation, one batch of 64 CIFAR-10 training images, two initialisation seeds each (thin lines). Left: weight gradient of each 3x3 convolution, from the stem (left) to the last layer (right); right: gradient arriving at each of the 27 block outputs. Log scale.", "name": "fig-02-cifar-grads"}}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
for m, color in (("plain56", PLAIN_C), ("resnet56", RES_C)):
    for j, seed in enumerate(SEEDS):
        conv, blocks = norms[(m, seed)]
        axes[0].semilogy(range(1, len(conv) + 1), conv, color=color, lw=1, alpha=0.8, label=m if j == 0 else None)
        axes[1].semilogy(range(1, len(blocks) + 1), blocks, color=color, lw=1, alpha=0.8, label=m if j == 0 else None)
axes[0].set(xlabel="3x3 conv layer (1 = stem)", ylabel="||dL/dW||", title="weight gradients")
axes[1].set(xlabel="block (1 = first)", ylabel="||dL/d block output||", title="backward signal")
for ax in axes:
    for edge in (9.5, 18.5) if ax is axes[1] else (19.5, 37.5):  # stage boundaries (32x32 | 16x16 | 8x8)
        ax.axvline(edge, color="0.8", lw=0.8)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
fig.tight_layout()
stamp(fig, text=f"Computed on this page at initialisation (no training): seeds {', '.join(map(str, SEEDS))}, "
      f"He init as in the paper, BN in train mode, CIFAR-10 data {cifar.fingerprint[:12]}"
      + (" (JPEG-derived developer copy)" if cifar.jpeg_copy else "") + ".")
plt.show()

# %% tags=["remove-input"]
display(Markdown(markdown_table(
    ["network", "seed", "weight gradient, first conv / last conv", "backward signal, first block / last block",
     "smallest weight gradient"],
    [[m, seed, f"{conv[0] / conv[-1]:.1f}", f"{blocks[0] / blocks[-1]:.1f}", f"{conv.min():.2g}"]
     for (m, seed), (conv, blocks) in norms.items()], align="lrrrr")))

# %% [markdown]
# A vanishing gradient would show as ratios far below 1 and a smallest weight gradient near zero;
# read the table with that in mind (layer sizes differ between stages by at most a factor of 4 in
# norm). Gradients that grow toward the input at initialisation are a known effect of batch
# normalization in deep plain networks {cite:p}`yang2019mean`. So "healthy", in the paper's sense,
# means *not vanishing*; it need not mean *balanced*. Compare the two networks' rows: the `+ g` of
# {eq}`eq-02-grad-one` predicts narrower ratios for the ResNet. One limit: this is one batch at step
# 0, and the paper's sentence is about its ImageNet plain nets during training.

# %% [markdown]
# ## The unrolled view: many paths
#
# ```{slide}
# :show: eq-02-paths
# - unroll three blocks and multiply out: count the terms
# - each term is a path; how many in a plain stack?
# ```
#
# Unroll three blocks and multiply out: how many ways through the network does the signal have?

# %% tags=["remove-input"]
quiz("02_residual_math", ["q13"])

# %% [markdown]
# Write $\mathcal{F}_i$ for block $i$'s residual function, as if it were linear, to see the
# structure:
#
# ```{math}
# :label: eq-02-paths
# x_3 = (I + \mathcal{F}_2)(I + \mathcal{F}_1)(I + \mathcal{F}_0)\,x_0
# = x_0 + \mathcal{F}_0 x_0 + \mathcal{F}_1 x_0 + \mathcal{F}_2 x_0
# + \mathcal{F}_1\mathcal{F}_0 x_0 + \mathcal{F}_2\mathcal{F}_0 x_0 + \mathcal{F}_2\mathcal{F}_1 x_0
# + \mathcal{F}_2\mathcal{F}_1\mathcal{F}_0 x_0 .
# ```
#
# Did you count eight? Each term is a **path** through the network that either enters a block or
# skips it: $n$ blocks give $2^n$ paths, with lengths spread binomially around $n/2$. Three plain
# layers have one, the last term. {cite:t}`veit2016residual` read a ResNet as an implicit
# *ensemble* of these paths.
#
# ### A lesion test
#
# ```{slide}
# - delete one block of a trained net: its $\mathcal{F}$ goes, its shortcut stays
# - predict: a ResNet vs a plain net, one block deleted
# - the downsampling blocks are special
# ```
#
# Their test of it is a **lesion**: delete one block from a trained network and measure the test
# error.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q7"])

# %% [markdown]
# A plain network has one single path, so deleting any block should break it. A ResNet loses only
# the paths that enter that block: half of all paths, but few of the short ones (a path of length $k$
# enters a given one of $n$ blocks with probability $k/n$), and short paths carry most of the
# gradient in trained ResNets {cite:p}`veit2016residual`.
#
# Deleting a block means deleting its residual branch $\mathcal{F}$: what is left is the shortcut.
# That is the identity, except in the first block of stages 2 and 3, where the option-A shortcut
# subsamples the map and appends zero channels. A plain block has no shortcut: deleting it leaves
# the same parameter-free mapping, so that both kinds of network lose exactly one block:
#
# ```{literalinclude} ../src/resnet_book/analysis.py
# :pyobject: DeletedBlock
# ```
#
# The test needs trained networks. This book's cpu-scale plain-56 and ResNet-56 were trained alike
# (the paper's recipe on all 50,000 images, for a fraction of its length); each record carries the
# lesion curve of the run's final weights. As a reference we also delete the blocks of a fully
# trained ResNet-56 released by an independent reproduction (the paper's hyper-parameters, but its
# own schedule: 200 epochs, the best epoch picked on the test set).

# %%
from resnet_book.analysis import Lesion, lesion_blocks, released_inputs
from resnet_book.book.figures import plot_lesion
from resnet_book.book.pages import cpu_records, label
from resnet_book.models.weights import WEIGHTS

resnet56 = get_model("resnet56", weights="akamaster")
w56 = WEIGHTS["resnet56.akamaster"]
x56, y56 = released_inputs("resnet56", "test_lossless1k", data=cifar, eval_subset=LESION_IMAGES)
lesion56 = lesion_blocks(resnet56, x56, y56, dtype=torch.bfloat16)
cpu_les = [r for r in cpu_records("fig6") if r["label"] in ("plain56", "resnet56") and "lesion" in r.get("extra", {})]
lesion_cpu = {rec["label"]: Lesion.from_dict(rec["extra"]["lesion"]) for rec in cpu_les}
for name, les in {"resnet56 (released)": lesion56, **{f"{k} (cpu scale)": v for k, v in lesion_cpu.items()}}.items():
    print(f"{name:22s} intact {les.base_error:5.1f}%  one block deleted: {les.errors.min():5.1f}% to "
          f"{les.errors.max():5.1f}%  ({les.n} test images)")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Lesion test: test error after deleting one block (its residual branch; what is left is the shortcut), for every block in forward order. Open circles: the downsampling blocks (first of stages 2 and 3). Dashed: the intact networks; dotted: chance (90%). This book's cpu-scale plain-56 and ResNet-56, trained alike, on test images of their own evaluation set, and a fully trained ResNet-56 released by an independent reproduction, on original (lossless) test images.", "name": "fig-02-lesion"}}
fig, ax = plt.subplots(figsize=(8, 4.2))
curves = {f"{label(k)} (cpu scale)": v for k, v in lesion_cpu.items()}
curves[f"{label('resnet56')} (released)"] = lesion56
plot_lesion(ax, curves, colors=[{"plain56": PLAIN_C, "resnet56": RES_C}[k] for k in lesion_cpu] + ["tab:cyan"])
ax.axhline(90, color="0.4", ls=":", lw=1)
ax.grid(True, axis="y", alpha=0.3)
ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
fig.tight_layout()
stamp(fig, cpu_les, text=(
    f"ResNet-56 (released): weights of {w56.source}, {w56.licence.split(' (')[0]} licence ({w56.trained}); "
    f"evaluated here, bf16. " + provenance(cpu_les)))
plt.show()


# %% tags=["remove-input"]
def lesion_row(name, les):
    """One network's lesion curve in numbers: rises over the intact error, ordinary vs downsampling blocks."""
    rise = les.errors - les.base_error
    rank = [1 + int((les.errors > e).sum()) for e in les.errors]  # 1 = the costliest deletion
    ordinary = ~les.changes_shape
    down = ", ".join(f"{rise[i]:+.1f} ({rank[i]} of {len(rise)})" for i in np.flatnonzero(les.changes_shape))
    return [name, f"{les.base_error:.1f}", f"{np.median(rise[ordinary]):+.1f}", f"{rise[ordinary].max():+.1f}", down, les.n]


rows = [lesion_row(f"{label(k)} (cpu scale)", v) for k, v in lesion_cpu.items()]
rows.append(lesion_row(f"{label('resnet56')} (released)", lesion56))
display(Markdown(markdown_table(
    ["network", "intact error (%)", "ordinary blocks: median rise", "ordinary blocks: largest rise",
     "downsampling blocks: rise (rank by cost)", "test images"], rows, align="lrrrlr")
    + "\n\nRises in percentage points of test error after deleting one block; chance is 90%."))

# %% [markdown]
# The unrolled view predicts small rises for the ordinary blocks of a ResNet, and a plain net near
# chance after any deletion. The downsampling blocks are special: without $\mathcal{F}$, the option-A
# shortcut fills the stage's new channels with zeros, and no other path fills them. Read the table
# and {numref}`fig-02-lesion` with those predictions. The cpu-scale pair is the controlled
# comparison (same recipe, same budget); the released network, trained far longer, shows the
# pattern in a fully trained ResNet.

# %% tags=["remove-input"]
im1 = reference.IDENTITY_MAPPINGS["table1_resnet110_shortcuts"]
glue("c2_im_original", float(im1["original"]), display=False)
glue("c2_im_scale05", float(im1["constant scaling, 0.5 on the shortcut and on F"]), display=False)
glue("c2_im_conv1x1", float(im1["1x1 conv shortcut"]), display=False)

# exercise 2, measured: the NumPy net with every shortcut scaled by 0.5
out, cache = forward(params, x0, 0.5)
_, g_out = loss_and_grad(out, target)
_, g_h_half = backward(params, cache, g_out, 0.5)
glue("c2_half_ratio", float(np.linalg.norm(g_h_half[0]) / np.linalg.norm(g_h_half[-1])), display=False)
glue("c2_half_pure", float(0.5**L_LAYERS), display=False)
glue("c2_np_residual_ratio_again", float(gh_norm["residual"][0] / gh_norm["residual"][-1]), display=False)

# exercise 3: paths through ResNet-20's 9 blocks
glue("c2_paths_9", 2**9, display=False)
glue("c2_paths_9_half", 2**8, display=False)

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-02-1
#
# **The gradient of a projection shortcut.** Derive $\partial L/\partial x$ for Eqn. 2,
# $y = \mathcal{F}(x) + W_s x$ ({eq}`eq-02-projection`). Then stack $n$ such blocks and write the
# part of $\partial L/\partial x_0$ that does *not* go through any $\mathcal{F}$. Why might the paper
# prefer identity shortcuts wherever the shapes allow?
# ```
#
# ```{solution} ex-02-1
# :class: dropdown
#
# One block: $\partial L/\partial x = \partial L/\partial y\,(W_s + \partial\mathcal{F}/\partial x)$.
# The "free" term is now $\partial L/\partial y\, W_s$ instead of $\partial L/\partial y$ itself.
# Through $n$ blocks the direct path gives $\partial L/\partial x_n\, W_s^{(n-1)} \cdots W_s^{(0)}$:
# a **product** of matrices again, just like a plain network, so it can shrink or grow
# geometrically. With identities the product is $I$. That is the argument of *Identity Mappings*
# ({cite:p}`he2016identity`), and its Table 1 measures it on ResNet-110: 1×1-convolution shortcuts
# everywhere gave {glue:text}`c2_im_conv1x1:.2f`% test error against
# {glue:text}`c2_im_original:.2f`% for identity shortcuts. (Option B projects only in the few
# blocks that change the shape, so the direct path stays an identity almost everywhere.)
# ```
#
# ```{exercise}
# :label: ex-02-2
#
# **Scale the shortcut.** In the NumPy network, replace the identity shortcut by
# $h_{i+1} = 0.5\,h_i + \tanh(h_i W_i + b_i)$, i.e. call `forward` and `backward` with `s=0.5`.
# Predict first: what happens to the part of the gradient that travels along the shortcuts over 50
# layers? Then run it and compare $\|\partial L/\partial h_0\| / \|\partial L/\partial h_{50}\|$
# with the residual net.
# ```
#
# ```{solution} ex-02-2
# :class: dropdown
#
# The shortcut line becomes `g = 0.5 * g + g_F`, so the direct path multiplies the gradient by
# $0.5$ per layer: $0.5^{50} \approx$ {glue:text}`c2_half_pure:.1e` over 50 layers. Nothing is
# handed down unchanged any more: we are back to a product of factors. Running it gives a ratio of
# {glue:text}`c2_half_ratio:.1e`; the residual net's is {glue:text}`c2_np_residual_ratio_again:.1f`.
# *Identity Mappings* ({cite:p}`he2016identity`, Table 1) tried this on ResNet-110: with only the
# shortcuts scaled by 0.5 the network "does not converge well" (reported as failing, above 20%
# error); scaling $\mathcal{F}$ by 0.5 as well (a frozen gate) converges, to
# {glue:text}`c2_im_scale05:.2f`% test error instead of {glue:text}`c2_im_original:.2f`%.
# ```
#
# ```{exercise}
# :label: ex-02-3
#
# **Count the paths.** ResNet-20 has 9 residual blocks. How many paths does the unrolled view
# ({eq}`eq-02-paths`) give? How many of them have length $k$? What fraction of the paths does the
# deletion of one block remove, and how can a ResNet still lose little from a single deletion?
# ```
#
# ```{solution} ex-02-3
# :class: dropdown
#
# Each block is either entered or skipped: $2^9 =$ {glue:text}`c2_paths_9` paths, of which
# $\binom{9}{k}$ have length $k$: the commonest lengths are 4 and 5, 126 paths each, about half of
# all. Deleting block $i$ removes every path that *enters* block $i$: {glue:text}`c2_paths_9_half`
# of them, half. The paths do not all carry the same weight: the remaining half includes the
# shortcut-only path and most of the short paths, and {cite:t}`veit2016residual` find that most of
# the gradient in trained ResNets comes from relatively short paths. A plain network has $1$ path,
# and any deletion removes it.
# ```

# %% [markdown]
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: residual math
# :class: tip
#
# | | |
# |---|---|
# | **Symptom** | Deeper plain nets reach *higher training error* ({term}`degradation problem · 退化问题`); with BN their gradients do not vanish (Sec. 4.1), and {numref}`fig-02-cifar-grads` shows how they vary with depth. |
# | **Key formula** | $y = \mathcal{F}(x) + x$ (Eqn. 1). *Identity Mappings* (2016), exact for pre-activation units: $\dfrac{\partial L}{\partial x_l} = \dfrac{\partial L}{\partial x_L}\Big(1 + \dfrac{\partial}{\partial x_l}\sum_{i=l}^{L-1}\mathcal{F}(x_i)\Big)$; approximate for the 2015 block, whose ReLU follows the addition. |
# | **Why it trains (2015)** | Preconditioning (Sec. 3.1): the solver looks for a small change of the identity instead of a new function; the trained residual functions are small (Fig. 7). |
# | **Design choice** | {term}`identity mapping · 恒等映射` shortcuts (no parameters) wherever shapes match; zero-padding (option A) or a projection $W_s x$ (option B) where they do not. $\mathcal{F}$ has at least two layers. |
# | **Evidence** | Hand-written and autograd gradients agree ({glue:text}`c2_agree_rel:.0e` relative); 50-layer toy: input/output gradient ratio plain {glue:text}`c2_np_plain_ratio:.0e`, residual {glue:text}`c2_np_residual_ratio:.1f` ({numref}`fig-02-numpy-grads`); lesion test: {numref}`fig-02-lesion` and its table. |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`residual learning · 残差学习` · {term}`shortcut connection · 快捷连接 / 跳跃连接` ·
# {term}`identity mapping · 恒等映射` · {term}`plain network · 普通网络 / 平原网络` ·
# {term}`vanishing / exploding gradients · 梯度消失 / 梯度爆炸` · {term}`batch normalization · 批归一化` ·
# {term}`degradation problem · 退化问题`
#
# **In one sentence:** learn the change, not the whole mapping: "do nothing" is $\mathcal{F} = 0$,
# the easiest point for a solver to reach. ✨
# ```
