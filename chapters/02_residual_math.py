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
# This chapter is about the one-line fix, and about the mathematics that makes it work.
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
# 3. derive the gradient through one residual block and through many, and say *which term* keeps it
#    from vanishing;
# 4. check that derivation with a NumPy network whose backward pass you can read line by line, and
#    with autograd;
# 5. read two measurements like a researcher: gradient norms of plain-56 vs ResNet-56 at
#    initialisation, and a lesion test that deletes blocks from a fully trained ResNet-56 and from
#    plain nets.
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
from resnet_book.experiments import run_experiment, trained_model
from resnet_book.experiments.measures import LESION_IMAGES
from resnet_book.models import SHORTCUT_OPTIONS, BasicBlock, get_model

PLAIN_C, RES_C = "tab:red", "tab:blue"  # the same two colours on every figure of this page

# %% [markdown]
# ## The reformulation: $\mathcal{H}(x) = \mathcal{F}(x) + x$
#
# Call $\mathcal{H}(x)$ the mapping that a few stacked layers *should* compute. First, a prediction.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q8"])

# %% [markdown]
# A plain network asks
# those layers to produce $\mathcal{H}(x)$ from scratch. A residual network keeps a copy of the input
# and asks the layers only for the *difference*:
#
# ```{math}
# :label: eq-02-recast
# \mathcal{F}(x) := \mathcal{H}(x) - x
# \qquad\Longrightarrow\qquad
# \mathcal{H}(x) = \mathcal{F}(x) + x .
# ```
#
# Nothing is gained in *expressive power*: any $\mathcal{H}$ can be written either way. What changes
# is **where the easy answers sit**. Think of an editor with "track changes": if a paragraph is
# already right, the editor simply changes nothing ($\mathcal{F} = 0$). A plain layer is an editor
# who must retype the whole paragraph, perfectly, just to leave it as it was.
#
# In weight space, which is what the question asked (did you predict the zero mapping for the plain
# stack, and the identity for the residual block?):
#
# * **Residual block.** With all weights of $\mathcal{F}$ at zero the block is *exactly* the identity.
#   Weight decay, small initial weights, any pull toward zero: all of it pulls toward "do nothing".
# * **Plain stack.** Zero weights give the *zero* mapping, not the identity. To pass $x$ through
#   unchanged, every nonlinear layer must cooperate: ReLUs must keep negative values alive (e.g. by
#   splitting $x$ into $\mathrm{relu}(x) - \mathrm{relu}(-x)$), tanh layers must stay in their linear
#   region with weights scaled just right, and one layer's error is passed on to the next.
#
# The paper states it as a hypothesis, then as a "preconditioning" argument ({cite:p}`he2016deep`,
# Sec. 1 and Sec. 3.1):
#
# > "To the extreme, if an identity mapping were optimal, it would be easier to push the residual to
# > zero than to fit an identity mapping by a stack of nonlinear layers."
#
# > "In real cases, it is unlikely that identity mappings are optimal, but our reformulation may help
# > to precondition the problem. If the optimal function is closer to an identity mapping than to a
# > zero mapping, it should be easier for the solver to find the perturbations with reference to an
# > identity mapping, than to learn the function as a new one."
#
# In one line: **learn the correction, not the whole answer.** We will *see* this in a small demo
# once we have a network whose gradients we wrote ourselves ({numref}`fig-02-identity-fit`). Now
# check the idea from the other side.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q1"])

# %% [markdown]
# ## Two shortcuts, two equations
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
# a block halves the feature map and doubles the channels, they do not. That happens in the first
# block of the second and of the third stage, as you may have predicted (the first stage starts at
# the stem's 16 channels on 32×32 and keeps them). The paper:
#
# > "The dimensions of x and F must be equal in Eqn.(1). If this is not the case (e.g., when changing
# > the input/output channels), we can perform a linear projection Ws by the shortcut connections to
# > match the dimensions" ({cite:p}`he2016deep`, Sec. 3.2)
#
# which gives the **projection shortcut** (Eqn. 2)
#
# ```{math}
# :label: eq-02-projection
# y = \mathcal{F}(x, \{W_i\}) + W_s\, x .
# ```
#
# The paper uses $W_s$ (a 1×1 convolution) only where shapes change, because the identity is
# free: {eq}`eq-02-identity` adds no parameter. For the shape changes of its CIFAR networks it uses
# an even cheaper trick, the identity with **zero-padded** extra channels (and a stride-2 subsampling
# of the map). The package names the three options A, B and C:

# %%
for option, meaning in SHORTCUT_OPTIONS.items():
    print(f"option {option}: {meaning}")

# %% [markdown]
# Here is the package's block. Note the two parameter-free taps, `self.residual` and
# `self.shortcut`, right before the literal `out = residual + shortcut`:
#
# ```{literalinclude} ../src/resnet_book/models/blocks.py
# :pyobject: BasicBlock
# ```
#
# Let us check that it does what {eq}`eq-02-identity` says. Forward hooks on the two taps catch
# $\mathcal{F}(x)$ and the shortcut on their way to the addition:

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
# $\mathcal{F}$ to zero (its shift $\beta$ is already zero at initialisation). Then $\mathcal{F}(x)=0$
# and, since a block's input comes out of a ReLU and is non-negative, the block is *exactly* the
# identity. (Starting every block like this is a later trick, "zero-init residual", not the paper's
# recipe.)

# %%
with torch.no_grad():
    block.bn2.weight.zero_()  # F(x) = 0
x_pos = torch.relu(torch.randn(2, 16, 8, 8))  # what a previous block's ReLU hands over
assert torch.equal(block(x_pos), x_pos)
print("block(x) == x exactly:", torch.equal(block(x_pos), x_pos))

# %% [markdown]
# The first block of the second stage changes the shape: 16 channels on 32×32 in, 32 channels on
# 16×16 out. With option A the shortcut subsamples and appends zero channels; with option B it is
# the 1×1 projection $W_s$ of {eq}`eq-02-projection` (a strided 1×1 convolution plus BN):

# %%
x = torch.randn(2, 16, 32, 32)
for option in "AB":
    down_block = get_model("resnet20", shortcut=option).layer2[0].eval()
    s = down_block.downsample(x)
    print(f"option {option}: x {tuple(x.shape)} -> shortcut {tuple(s.shape)}, block output "
          f"{tuple(down_block(x).shape)}, shortcut = {down_block.downsample}")
    if option == "A":
        assert s[:, 16:].abs().max() == 0 and torch.equal(s[:, :16], x[:, :, ::2, ::2])

# %% tags=["remove-input"]
n_params = {name: count_params(get_model(name)) for name in ("plain20", "resnet20")}
n_params["resnet20_B"] = count_params(get_model("resnet20", shortcut="B"))
assert n_params["plain20"] == n_params["resnet20"]
glue("c2_params_plain20", n_params["plain20"], display=False)
glue("c2_params_resnet20", n_params["resnet20"], display=False)
glue("c2_params_resnet20_B", n_params["resnet20_B"], display=False)
glue("c2_params_B_extra", n_params["resnet20_B"] - n_params["resnet20"], display=False)

# %% [markdown]
# Counting parameters makes the "free" in "free identity" concrete: plain-20 has
# {glue:text}`c2_params_plain20:,` parameters, ResNet-20 with option A exactly as many,
# {glue:text}`c2_params_resnet20:,`. Option B adds {glue:text}`c2_params_B_extra:,` for its two
# projections. The only extra computation of the identity shortcut is one element-wise addition per
# block.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q2", "q3", "q4"])

# %% [markdown]
# ## The gradient through one block, and through many
#
# Now the mathematical heart: what does the shortcut do to the gradient? Predict it before the algebra.

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
# (Gradients are row vectors here, $I$ is the identity matrix.) Did you predict the sum? The
# derivative of the shortcut, $x \mapsto x$, is $I$, so the incoming gradient is handed down
# *itself*, and the part that went through $\mathcal{F}$ is added to it. For a plain layer $y = \mathcal{F}(x)$
# the first term is missing, and through $n$ plain layers the gradient is a **product** of $n$
# Jacobians,
#
# $$
# \frac{\partial L}{\partial x_0} = \frac{\partial L}{\partial x_n}\,
# \frac{\partial \mathcal{F}_{n-1}}{\partial x_{n-1}} \cdots \frac{\partial \mathcal{F}_0}{\partial x_0},
# $$
#
# which shrinks or grows geometrically unless every factor is tuned to have "size one". That is the
# {term}`vanishing / exploding gradients · 梯度消失 / 梯度爆炸` problem of Chapter 1.
#
# **Through many blocks.** Stack blocks $x_{i+1} = x_i + \mathcal{F}(x_i, W_i)$ and unroll the
# recursion from a shallow block $l$ to a deep block $L$ (the follow-up paper *Identity Mappings in
# Deep Residual Networks*, {cite:p}`he2016identity`, Sec. 2):
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
# The gradient at block $l$ contains $\partial L / \partial x_L$ itself, **added**, not multiplied by
# anything: a direct line from the loss to every block. For the whole bracket to cancel it, the sum's
# Jacobian would have to be exactly $-I$ (in the direction of the gradient), for every example of the
# mini-batch at once, which is not what random or trained weights do. And small weights make the
# $\mathcal{F}$ terms small, so the bracket goes to $I$, not to zero:
#
# > "It also implies that the gradient of a layer does not vanish even when the weights are
# > arbitrarily small." (*Identity Mappings*, {cite:p}`he2016identity`, Sec. 2)
#
# ```{admonition} Precise print: the ReLU after the addition
# :class: warning
#
# {eq}`eq-02-unrolled` is exact only if nothing sits on the path between blocks. In the original
# block of {cite:p}`he2016deep` a ReLU follows the addition, $y = \mathrm{relu}(\mathcal{F}(x) + x)$,
# so the shortcut term is masked: $\partial L/\partial x = (\partial L/\partial y \odot
# \mathbb{1}[\mathcal{F}(x)+x>0])\,(I + \partial \mathcal{F}/\partial x)$. The gradient still passes
# unchanged wherever the sum is positive, which is where the signal is. The *Identity Mappings* paper
# ({cite:p}`he2016identity`) moves the ReLU into $\mathcal{F}$ ("pre-activation") to make the path a clean identity; a later
# chapter covers that.
# ```

# %% tags=["remove-input"]
quiz("02_residual_math", ["q5"])

# %% [markdown]
# ## Make the math visible: a NumPy network with a hand-written backward pass
#
# Enough symbols: a deep network small enough to read, plain or residual. Predict its gradients first.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q11"])

# %% [markdown]
# Here it is: 50 layers of width 16,
# $h_{i+1} = s\,h_i + \tanh(h_i W_i + b_i)$. With $s = 0$ it is a **plain** network, with $s = 1$ a
# **residual** one; everything else (weights, data, loss) is shared. The weights use the default
# initialisation of PyTorch's `nn.Linear` (uniform in $\pm 1/\sqrt{16}$). No normalisation layers:
# this is the bare math of {eq}`eq-02-grad-one`.

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
# Read `backward` once more: the only difference between the two networks is the line
# `g = s * g + g_F`. With the shortcut, the gradient that arrived at layer $i+1$ goes on down
# *unchanged* and the layer's own contribution is added to it; that line **is** {eq}`eq-02-grad-one`.
#
# A hand-written backward pass deserves suspicion, so let autograd redo it with the very same weights
# (float64) and compare every gradient, weights, biases and the input:

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

# %% [markdown]
# The hand-written gradients match autograd to a maximum absolute difference of
# {glue:text}`c2_agree_abs:.1e` and a maximum relative difference of {glue:text}`c2_agree_rel:.1e`
# (float64 round-off): the derivation is right. Now {numref}`fig-02-numpy-grads`, and your
# prediction:
#
# * **Plain (red).** Each layer multiplies the backward signal by $W_i^\top$ and by $\tanh' \le 1$.
#   With this initialisation a weight matrix shrinks a vector by roughly
#   {glue:text}`c2_np_linear_factor:.2f` on average, so over {glue:text}`c2_np_layers` layers the
#   signal at the input is {glue:text}`c2_np_plain_ratio:.1e` times the one at the output: it has
#   **vanished**. The weight gradients are no better (the largest is
#   {glue:text}`c2_np_plain_wmax:.1e`): the forward signal has died on the way up as well, so
#   no layer gets a useful update.
# * **Residual (blue).** The same weights, plus `g = g + g_F`. The signal at the input is
#   {glue:text}`c2_np_residual_ratio:.1f` times the one at the output: it does not vanish; if
#   anything it grows mildly, because $I + \partial\mathcal{F}/\partial x$ can be a little
#   larger than $I$. (In the real ResNets, BN inside $\mathcal{F}$ keeps that growth in check; see
#   the next section.)
#
# What would have falsified the argument? A blue curve falling as steeply as the red one. It
# cannot, as long as the `+ g` is there.
#
# ### Pushing the residual to zero: a tiny demo
#
# Back to Sec. 1's claim. With the same `forward`/`backward`, train a 10-layer net of width 8 to be
# the **identity** ($\text{target} = x$) by plain gradient descent, as a plain stack and as a
# residual stack, from two common initialisations. It is a toy, not a proof, but the flavour is
# exactly the paper's.

# %%
def fit_identity(s, init, depth=10, width=8, steps=500, lr=0.03, seed=0):
    rng = np.random.default_rng(seed)
    if init == "PyTorch default":  # uniform in +-1/sqrt(fan_in), biases too
        kk = 1 / np.sqrt(width)
        net = [(rng.uniform(-kk, kk, (width, width)), rng.uniform(-kk, kk, width)) for _ in range(depth)]
    else:  # Glorot/Xavier normal: std 1/sqrt(width), zero biases
        net = [(rng.normal(0, 1 / np.sqrt(width), (width, width)), np.zeros(width)) for _ in range(depth)]
    x = np.random.default_rng(1).normal(0, 0.5, (256, width))
    losses = []
    for _ in range(steps):
        out, cache = forward(net, x, s)
        loss, g = loss_and_grad(out, x)  # the target is the input itself
        grads, _ = backward(net, cache, g, s)
        for (W, b), (gW, gb) in zip(net, grads):  # plain gradient descent, in place
            W -= lr * gW
            b -= lr * gb
        losses.append(loss)
    return np.array(losses), 0.5 * (x**2).sum(1).mean()


inits = ("PyTorch default", "Glorot normal")
fits = {(init, name): fit_identity(s, init) for init in inits for name, s in nets.items()}
for (init, name), (losses, _) in fits.items():
    print(f"{init:16s} {name:8s} loss at step 0: {losses[0]:7.3f}   after 500 steps: {losses[-1]:.3f}")

# %% tags=["remove-input"]
for (init, name), (losses, zero_loss) in fits.items():
    tag = "pt" if init.startswith("PyTorch") else "gl"
    glue(f"c2_fit_{tag}_{name}_end", float(losses[-1]), display=False)
    glue(f"c2_fit_{tag}_{name}_start", float(losses[0]), display=False)
glue("c2_fit_zero_loss", float(fits[(inits[0], "plain")][1]), display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Training a 10-layer tanh network of width 8 to be the identity with gradient descent (lr 0.03), plain vs residual, from two initialisations. Dotted: the loss of a network that outputs zeros. Log scale.", "name": "fig-02-identity-fit"}}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
for ax, init in zip(axes, inits):
    for name, color in (("plain", PLAIN_C), ("residual", RES_C)):
        losses, zero_loss = fits[(init, name)]
        ax.semilogy(losses, color=color, label=name)
    ax.axhline(zero_loss, color="0.5", ls=":", label="output = 0")
    ax.set(title=f"init: {init}", xlabel="gradient step", ylabel="loss 0.5 ||h_L - x||^2")
    ax.grid(True, alpha=0.3)
axes[0].legend()
fig.tight_layout()
stamp(fig, text="Computed on this page: NumPy toy, 256 Gaussian inputs (std 0.5), hand-written backward pass, "
      "500 steps of full-batch gradient descent.")
plt.show()

# %% [markdown]
# In {numref}`fig-02-identity-fit` the residual stack *starts* worse (its random
# $\mathcal{F}$'s add noise to $x$: loss {glue:text}`c2_fit_pt_residual_start:.1f` at step 0 with
# the PyTorch init), yet it drops fast, to {glue:text}`c2_fit_pt_residual_end:.3f` after 500 steps:
# the solver only has to *shrink* the residual branches. The plain stack with the same init stays
# at {glue:text}`c2_fit_pt_plain_end:.2f`, next to the dotted line
# ({glue:text}`c2_fit_zero_loss:.2f`) of a network that outputs nothing at all: its gradients
# vanished before it could find the identity. With the larger Glorot init, the plain stack does make
# progress ({glue:text}`c2_fit_gl_plain_end:.2f`) but still ends above the residual one
# ({glue:text}`c2_fit_gl_residual_end:.2f`). Two honest caveats: the plain failure with the small init
# is largely the vanishing gradient of {numref}`fig-02-numpy-grads`, and the paper's networks have
# BN, which fixes *that* (next section). The degradation problem is what remains after it is fixed.

# %% [markdown]
# ## Real networks: gradient norms of plain-56 and ResNet-56 at initialisation
#
# Our toy had no BN. The paper's plain nets do: what happens to their gradients?

# %% tags=["remove-input"]
quiz("02_residual_math", ["q12"])

# %% [markdown]
# Sec. 4.1 of the paper makes a precise claim about them:
#
# > "We argue that this optimization difficulty is unlikely to be caused by vanishing gradients. These
# > plain networks are trained with BN [16], which ensures forward propagated signals to have non-zero
# > variances. We also verify that the backward propagated gradients exhibit healthy norms with BN. So
# > neither forward nor backward signals vanish." ({cite:p}`he2016deep`, Sec. 4.1)
#
# Let us look for ourselves: the package's `plain56` and `resnet56`, freshly initialised (He init,
# as in the paper), one batch of 64 real CIFAR-10 training images, one backward pass of the
# cross-entropy loss. We record the gradient norm of every 3×3 convolution's weights and of every
# block's output. Two initialisation seeds per network.

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

# %% tags=["remove-input"]
for m in ("plain56", "resnet56"):
    conv_ratios = [norms[(m, s)][0][0] / norms[(m, s)][0][-1] for s in SEEDS]
    block_ratios = [norms[(m, s)][1][0] / norms[(m, s)][1][-1] for s in SEEDS]
    glue(f"c2_{m}_conv_lo", float(min(conv_ratios)), display=False)
    glue(f"c2_{m}_conv_hi", float(max(conv_ratios)), display=False)
    glue(f"c2_{m}_block_lo", float(min(block_ratios)), display=False)
    glue(f"c2_{m}_block_hi", float(max(block_ratios)), display=False)
    glue(f"c2_{m}_conv_min", float(min(norms[(m, s)][0].min() for s in SEEDS)), display=False)
glue("c2_n_seeds", len(SEEDS), display=False)

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

# %% [markdown]
# **Reading {numref}`fig-02-cifar-grads` like a researcher.** The x-axes run from the input (left) to
# the output (right); gradients flow from right to left. The grey lines mark the three stages.
#
# 1. *Does anything vanish?* No, and if you predicted "much larger toward the input", you were
#    right. The smallest weight gradient of plain-56 is
#    {glue:text}`c2_plain56_conv_min:.2f`, and its gradients get **larger**, not smaller, toward the
#    input. So the paper's "neither forward nor backward signals vanish" holds for plain-56 with BN,
#    here too.
# 2. *Are the norms "healthy"?* That depends on what healthy means. In plain-56 the first conv's
#    weight gradient is {glue:text}`c2_plain56_conv_lo:.0f` to {glue:text}`c2_plain56_conv_hi:.0f`
#    times the last one's (over {glue:text}`c2_n_seeds` seeds), and the gradient at the first block's
#    output is {glue:text}`c2_plain56_block_lo:.0f` to {glue:text}`c2_plain56_block_hi:.0f` times the
#    one at the last block: an **explosion** toward the input, not a vanishing. In ResNet-56 the same
#    ratios are only {glue:text}`c2_resnet56_conv_lo:.0f` to {glue:text}`c2_resnet56_conv_hi:.0f` and
#    {glue:text}`c2_resnet56_block_lo:.0f` to {glue:text}`c2_resnet56_block_hi:.0f`. (Layer sizes
#    differ between stages by at most a factor of 4 in norm, far too little to explain the ratios
#    above.) Growth of gradients with depth at initialisation is a known side effect of batch
#    normalisation in deep plain networks, analysed by {cite:t}`yang2019mean`.
# 3. *What does this change?* Not the paper's conclusion that the plain nets' trouble is not
#    *vanishing* gradients; it refines it: the plain net's gradients are badly **unbalanced** across
#    depth, which is one concrete way for optimisation to be hard (one learning rate cannot suit
#    layers whose gradients differ by such factors). The paper's own guess is different ("exponentially
#    low convergence rates"), and neither is proven by one batch at initialisation.
# 4. *Limits.* This is one batch at step 0, on CIFAR-10 with 56 layers; the paper's sentence is
#    about its ImageNet plain nets (18 and 34 layers) during training. Gradients change quickly once
#    training starts.
#
# The residual net's `+ g` keeps the gradients in a far narrower range: every block sees a copy of
# the signal from above, plus its own correction.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q6"])

# %% [markdown]
# ## The unrolled view: many paths, and a lesion test
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
# skips it: $n$ blocks give $2^n$ paths, most of them of medium length. Three plain layers have one,
# the last term. {cite:t}`veit2016residual` read a ResNet as an implicit *ensemble* of these paths,
# and tested it with a **lesion**: delete one block from a trained network and measure the test
# error {cite:p}`veit2016residual`. A plain network has one single path, so deleting any block should
# break it. A ResNet loses only the paths through that block, half of them but mostly not the ones
# that carry the most, so it should degrade gracefully.
#
# Deleting a block means deleting its residual branch $\mathcal{F}$: what is left is the shortcut.
# That is the identity, except in the first block of stages 2 and 3, where the option-A shortcut
# subsamples the map and appends zero channels. A plain block has no shortcut: deleting it leaves
# the identity, or that same parameter-free option-A mapping where the shape changes, so that both
# kinds of network lose exactly one block and the shapes still fit:
#
# ```{literalinclude} ../src/resnet_book/analysis.py
# :pyobject: DeletedBlock
# ```
#
# The test needs a *trained* network, and the better trained the better. No run of this book reaches
# the paper's length, so we borrow one: a ResNet-56 trained with the paper's recipe by an independent
# reproduction, whose released weights the package loads into its own ResNet-56. We delete each of
# its 27 blocks in turn, on a stratified sample of the original (lossless) CIFAR-10 test images, in
# bfloat16 to keep it fast.

# %%
from resnet_book.analysis import Lesion, lesion_blocks, released_inputs
from resnet_book.models.weights import WEIGHTS
from resnet_book.book.figures import plot_lesion
from resnet_book.book.pages import cpu_records, cpu_scale_note, label

N_RELEASED = LESION_IMAGES  # test images for the 27-block nets (200): enough to see which blocks matter, in seconds
resnet56 = get_model("resnet56", weights="akamaster")
w56 = WEIGHTS["resnet56.akamaster"]
x56, y56 = released_inputs("resnet56", "test_lossless1k", data=cifar, eval_subset=N_RELEASED)
lesion56 = lesion_blocks(resnet56, x56, y56, dtype=torch.bfloat16)
print(f"{w56.name}: {w56.source}; licence {w56.licence}")
print(f"intact: {lesion56.base_error:.1f}% test error on {lesion56.n} lossless test images; "
      f"{len(lesion56.blocks)} deletions in {lesion56.seconds:.0f} s ({lesion56.dtype})")

# %% [markdown]
# The same deletion in plain networks. No plain net was released, so the plain side comes from this
# book's own runs: the cpu-scale plain-56 (the paper's recipe on all 50,000 training images, for a
# fraction of its length), whose record carries the lesion curve taken on its final weights, and the
# quick-scale plain-20
# and ResNet-20 (trained, or reused if another page already trained them), deleted on a stratified
# sample of the test images they were evaluated on:

# %% tags=["remove-input"]
display(Markdown(cpu_scale_note("fig6")))

# %%
N_QUICK = 1_000  # test images for the quick-scale nets (a stratified half of their evaluation set)
records = run_experiment("fig6", runs=["plain20", "resnet20"], progress=False)
cpu_56 = [r for r in cpu_records("fig6") if r["label"] in ("plain56", "resnet56")]  # the same budget, both kinds
cpu_plain56 = [r for r in cpu_56 if r["label"] == "plain56"]
# a record carries its lesion curve, measured on the run's final weights (records are committed
# without weights; `python -m resnet_book measure` adds it to a record whose weights are at hand)
cpu_les = [r for r in cpu_56 if "lesion" in r.get("extra", {})]


def lesion_of_record(rec, n):
    """Lesion test of a run of this book on n stratified images of the test set it was evaluated on."""
    c = rec["config"]
    split = make_split(cifar, c["split"], c["train_subset"], min(n, c["eval_subset"] or n), c["subset_seed"])
    data = DeviceData(split, normalize=c["normalize"])
    return lesion_blocks(trained_model(rec), data.to_input(data.x_eval), data.y_eval, dtype=torch.bfloat16)


lesion_quick = {rec["label"]: lesion_of_record(rec, N_QUICK) for rec in records}
lesion_cpu = {rec["label"]: Lesion.from_dict(rec["extra"]["lesion"]) for rec in cpu_les}
for name, les in {"resnet56 (released)": lesion56, **lesion_quick, **{f"{k} (cpu)": v for k, v in lesion_cpu.items()}}.items():
    print(f"{name:20s} intact {les.base_error:5.1f}%  one block deleted: {les.errors.min():5.1f}% to "
          f"{les.errors.max():5.1f}%  ({les.n} images, {les.seconds:.0f} s)")

# %% tags=["remove-input"]
def ordinal(k):
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"


rise56 = lesion56.errors - lesion56.base_error
ordinary56 = ~lesion56.changes_shape
down_names = [b for b, c in zip(lesion56.blocks, lesion56.changes_shape) if c]
rank56 = {b: 1 + int((lesion56.errors > e).sum()) for b, e in zip(lesion56.blocks, lesion56.errors)}  # 1 = costliest
worst_ord = int(np.argmax(np.where(ordinary56, lesion56.errors, -np.inf)))
glue("c2_les56_n", lesion56.n, display=False)
glue("c2_les56_blocks", len(lesion56.blocks), display=False)
glue("c2_les56_seconds", float(lesion56.seconds), display=False)
glue("c2_les56_base", float(lesion56.base_error), display=False)
glue("c2_les56_n_ordinary", int(ordinary56.sum()), display=False)
glue("c2_les56_median_rise", float(np.median(rise56[ordinary56])), display=False)
glue("c2_les56_within3", int((rise56[ordinary56] <= 3.0).sum()), display=False)
glue("c2_les56_worst_ord", Markdown(f"`{lesion56.blocks[worst_ord]}`"), display=False)
glue("c2_les56_worst_ord_rise", float(rise56[worst_ord]), display=False)
glue("c2_les56_down", Markdown(" and ".join(f"`{b}` (+{rise56[lesion56.blocks.index(b)]:.1f} points)"
                                          for b in down_names)), display=False)
glue("c2_les56_down_zh", Markdown(" 和 ".join(f"`{b}`（+{rise56[lesion56.blocks.index(b)]:.1f} 个百分点）"
                                             for b in down_names)), display=False)
glue("c2_les56_down_ranks", Markdown(" and ".join(ordinal(rank56[b]) for b in down_names)), display=False)
glue("c2_les56_down_ranks_zh", Markdown("和".join(f"第 {rank56[b]} 位" for b in down_names)), display=False)
glue("c2_les56_max_down_rise", float(rise56[lesion56.changes_shape].max()), display=False)
down_min, ord_rises = rise56[lesion56.changes_shape].min(), rise56[ordinary56]
verdict = ("more than any ordinary block" if down_min > ord_rises.max() else
           "more than most ordinary blocks" if down_min > np.median(ord_rises) else "no more than a typical ordinary block")
glue("c2_les56_down_verdict", Markdown(verdict), display=False)
verdict_zh = ("比任何一个常规块都大" if down_min > ord_rises.max() else
              "比大多数常规块都大" if down_min > np.median(ord_rises) else "并不比一个典型的常规块大")
glue("c2_les56_down_verdict_zh", Markdown(verdict_zh), display=False)
glue("c2_w_source", Markdown(f"`{w56.source}`"), display=False)
glue("c2_w_licence", Markdown(w56.licence.split(" (")[0]), display=False)
glue("c2_w_trained", Markdown(w56.trained), display=False)
glue("c2_w_reported", float(w56.reported_error), display=False)

for lab, tag in (("resnet20", "res"), ("plain20", "plain")):
    les = lesion_quick[lab]
    glue(f"c2_les_{tag}_base", float(les.base_error), display=False)
    glue(f"c2_les_{tag}_mean", float(les.errors.mean()), display=False)
    glue(f"c2_les_{tag}_min", float(les.errors.min()), display=False)
    glue(f"c2_les_{tag}_max", float(les.errors.max()), display=False)
    glue(f"c2_les_{tag}_worst", Markdown(f"`{les.blocks[int(les.errors.argmax())]}`"), display=False)
    glue(f"c2_les_{tag}_rise_mean", float(les.errors.mean() - les.base_error), display=False)
    glue(f"c2_les_{tag}_within10", int((les.errors - les.base_error < 10).sum()), display=False)
    glue(f"c2_les_{tag}_min_rise", float(les.errors.min() - les.base_error), display=False)
glue("c2_les_n", len(lesion_quick["resnet20"].blocks), display=False)
glue("c2_les_eval_n", lesion_quick["resnet20"].n, display=False)
qcfg = records[0]["config"]
glue("c2_les_iters", records[0]["final"]["iterations"], display=False)
glue("c2_les_batch", qcfg["batch_size"], display=False)
glue("c2_les_subset", qcfg["train_subset"], display=False)
if "plain56" in lesion_cpu:  # a short phrase for the prose, whichever records exist
    p56, rec56 = lesion_cpu["plain56"], next(r for r in cpu_les if r["label"] == "plain56")
    epochs = rec56["final"]["iterations"] * rec56["config"]["batch_size"] / 50_000
    glue("c2_les_p56", Markdown(f"at {p56.errors.min():.1f}% to {p56.errors.max():.1f}% after one deletion, from "
                                f"{p56.base_error:.1f}% intact ({rec56['final']['iterations']:,} iterations, about "
                                f"{epochs:.0f} epochs)"), display=False)
    glue("c2_les_p56_zh", Markdown(f"删除一个块后误差为 {p56.errors.min():.1f}% 至 {p56.errors.max():.1f}%，完整时为 "
                                   f"{p56.base_error:.1f}%（{rec56['final']['iterations']:,} 次迭代，约 "
                                   f"{epochs:.0f} 轮）"), display=False)
elif cpu_plain56:  # committed, but its weights are not on this machine
    glue("c2_les_p56", Markdown("not at hand in this build: its record is committed, but records carry no weights "
                                "(`python -m resnet_book run fig6 --scale cpu --runs plain56` trains it and keeps "
                                "them), so the left panel has no plain net"), display=False)
    glue("c2_les_p56_zh", Markdown("在本次构建中不可用：它的记录已提交，但记录不带权重（运行 "
                                   "`python -m resnet_book run fig6 --scale cpu --runs plain56` 会训练它并保留权重），"
                                   "因此左图中没有普通网络"), display=False)
else:
    glue("c2_les_p56", Markdown("not trained yet (no committed cpu-scale record), so the left panel has no plain net"),
         display=False)
    glue("c2_les_p56_zh", Markdown("尚未训练（还没有已提交的 cpu 规模记录），因此左图中没有普通网络"),
         display=False)


def within10(les):
    """How many single deletions stay within 10 points of the intact network's error."""
    return int((les.errors - les.base_error < 10).sum())


if {"plain56", "resnet56"} <= set(lesion_cpu):  # the same budget, both kinds of network
    r56, p56 = lesion_cpu["resnet56"], lesion_cpu["plain56"]
    glue("c2_les_r56", Markdown(
        f"at {r56.base_error:.1f}% intact and {r56.errors.min():.1f}% to {r56.errors.max():.1f}% after one "
        f"deletion: {within10(r56)} of its {len(r56.blocks)} deletions stay within 10 points of intact "
        f"(plain-56: {within10(p56)})"), display=False)
    glue("c2_les_r56_zh", Markdown(
        f"完整时为 {r56.base_error:.1f}%，删除一个块后为 {r56.errors.min():.1f}% 至 {r56.errors.max():.1f}%："
        f"它的 {len(r56.blocks)} 次删除中有 {within10(r56)} 次与完整网络相差不到 10 个百分点"
        f"（plain-56：{within10(p56)} 次）"), display=False)
else:
    glue("c2_les_r56", Markdown("not trained yet (no committed cpu-scale record with its lesion curve)"), display=False)
    glue("c2_les_r56_zh", Markdown("尚未训练（还没有带损伤曲线的已提交 cpu 规模记录）"), display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Lesion test: test error after deleting one block (its residual branch; what is left is the shortcut), for every block in forward order. Open circles: the downsampling blocks (first of stages 2 and 3). Dashed: the intact networks; dotted: chance (90%). Left: the released, fully trained ResNet-56 on lossless test images, and this book's cpu-scale plain-56 and ResNet-56, trained alike (on test images of their own evaluation set). Right: this book's quick-scale plain-20 and ResNet-20, trained with the same short budget.", "name": "fig-02-lesion"}}
fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), sharey=True, gridspec_kw={"width_ratios": [3, 1.4]})
left = {f"{label('resnet56')} (released)": lesion56}
left.update({f"{label(k)} (cpu scale)": v for k, v in lesion_cpu.items()})
plot_lesion(axes[0], left, colors=[RES_C] + [{"plain56": PLAIN_C, "resnet56": "tab:cyan"}[k] for k in lesion_cpu])
plot_lesion(axes[1], {f"{label(k)} (quick)": lesion_quick[k] for k in ("plain20", "resnet20")}, colors=[PLAIN_C, RES_C])
axes[0].set_title(f"27 blocks: released ResNet-56 ({lesion56.n} lossless test images)"
                  + (f", cpu scale ({next(iter(lesion_cpu.values())).n})" if lesion_cpu else ""), fontsize=9)
axes[1].set_title(f"9 blocks: quick scale ({lesion_quick['resnet20'].n} test images)", fontsize=9)
for ax in axes:
    ax.axhline(90, color="0.4", ls=":", lw=1)
    ax.grid(True, axis="y", alpha=0.3)
axes[1].set_ylabel("")
fig.tight_layout(rect=(0, 0.12, 1, 1))  # room below for the left panel's legend
# legends away from the curves: under the crowded left panel, low on the right
axes[0].legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
axes[1].legend(fontsize=7, loc="lower left")
stamp(fig, records + cpu_les, text=(
    f"ResNet-56: released weights of {w56.source}, {w56.licence.split(' (')[0]}; evaluated here, bf16. "
    + provenance(records + cpu_les)))
plt.show()

# %% [markdown]
# **Reading {numref}`fig-02-lesion`, left first.** The weights are the ResNet-56 of
# {glue:md}`c2_w_source`, released under the {glue:md}`c2_w_licence` licence (the licence file travels
# with every copy of them): {glue:md}`c2_w_trained`. Its authors report
# {glue:text}`c2_w_reported:.2f`% test error on the full test set; intact, it errs here on
# {glue:text}`c2_les56_base:.1f`% of our {glue:text}`c2_les56_n:d` images (a sample this small moves
# such a number by a couple of points).
#
# * **Ordinary blocks.** Deleting one of the {glue:text}`c2_les56_n_ordinary:d` blocks that keep the
#   shape costs a median of {glue:text}`c2_les56_median_rise:.1f` points;
#   {glue:text}`c2_les56_within3:d` of them stay within 3 points of the intact network. The costliest
#   of them is {glue:md}`c2_les56_worst_ord` (+{glue:text}`c2_les56_worst_ord_rise:.1f` points).
#   Nowhere near chance: the other paths carry on.
# * **Downsampling blocks.** Deleting {glue:md}`c2_les56_down` costs
#   {glue:md}`c2_les56_down_verdict`: they rank {glue:md}`c2_les56_down_ranks` of the
#   {glue:text}`c2_les56_blocks:d` deletions by cost. {cite:t}`veit2016residual` also single these
#   blocks out, and the reason is in `DeletedBlock`: without $\mathcal{F}$, the option-A shortcut
#   fills the stage's new channels with zeros, so every later block of the stage sees half of its
#   input channels empty, and no other path fills them.
# * **The plain side.** This book's cpu-scale plain-56 is {glue:md}`c2_les_p56`.
# * **The same budget, both kinds.** This book's cpu-scale ResNet-56, trained exactly like that
#   plain-56, is {glue:md}`c2_les_r56`. Far from the released network's accuracy: compare the pattern, not the level.
#
# **Right: the same deletion at the quick scale.** Both nets trained for only
# {glue:text}`c2_les_iters:d` iterations of batch {glue:text}`c2_les_batch:d` on
# {glue:text}`c2_les_subset:,` training images, far from the paper's accuracy: intact test errors of
# {glue:text}`c2_les_plain_base:.1f`% (plain-20) and {glue:text}`c2_les_res_base:.1f`% (ResNet-20) on
# {glue:text}`c2_les_eval_n:,` test images. Weak, but not at chance, so the test can still speak.
#
# * **Plain-20** after one deletion: between {glue:text}`c2_les_plain_min:.1f`% and
#   {glue:text}`c2_les_plain_max:.1f`% error; even its mildest lesion costs
#   {glue:text}`c2_les_plain_min_rise:.1f` points. Its one path is cut.
# * **ResNet-20** stays within 10 points of its intact error in {glue:text}`c2_les_res_within10` of
#   the {glue:text}`c2_les_n` lesions (plain-20: {glue:text}`c2_les_plain_within10`); on average a
#   deletion costs it {glue:text}`c2_les_res_rise_mean:.1f` points (mean error
#   {glue:text}`c2_les_res_mean:.1f`%). Its costliest deletion is {glue:md}`c2_les_res_worst`
#   ({glue:text}`c2_les_res_max:.1f`%). A single short training run is one sample, and it may lean
#   on a few blocks more than a fully trained network does: read the *pattern*, not each bar.
#
# The direction is the one the unrolled view predicts. What would have falsified it? A ResNet that
# collapses to chance like the plain net after every single deletion.

# %% tags=["remove-input"]
quiz("02_residual_math", ["q7"])

# %% tags=["remove-input"]
im1 = reference.IDENTITY_MAPPINGS["table1_resnet110_shortcuts"]
glue("c2_im_original", float(im1["original"]), display=False)
glue("c2_im_scale05", float(im1["constant scaling 0.5"]), display=False)
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
# geometrically. With identities the product is $I$. That is the argument of
# the *Identity Mappings* paper ({cite:p}`he2016identity`), and its Table 1 measures it on ResNet-110: 1×1-convolution shortcuts
# everywhere gave {glue:text}`c2_im_conv1x1:.2f`% test error against {glue:text}`c2_im_original:.2f`%
# for identity shortcuts. (Option B of the original paper projects only in the few blocks that change
# the shape, so the direct path stays an identity almost everywhere.)
# ```
#
# ```{exercise}
# :label: ex-02-2
#
# **Scale the shortcut.** In the NumPy network, replace the identity shortcut by
# $h_{i+1} = 0.5\,h_i + \tanh(h_i W_i + b_i)$, i.e. call `forward` and `backward` with `s=0.5`. Predict first: what
# happens to the part of the gradient that travels along the shortcuts over 50 layers? Then run it
# and compare $\|\partial L/\partial h_0\| / \|\partial L/\partial h_{50}\|$ with the residual net.
# ```
#
# ```{solution} ex-02-2
# :class: dropdown
#
# The shortcut line becomes `g = 0.5 * g + g_F`, so the direct path multiplies the gradient by
# $0.5$ per layer: $0.5^{50} \approx$ {glue:text}`c2_half_pure:.1e` over 50 layers. Nothing is
# handed down unchanged any more, and we are back to a product of factors. Running it gives a
# ratio of {glue:text}`c2_half_ratio:.1e` (the residual net: {glue:text}`c2_np_residual_ratio_again:.1f`).
# The $\mathcal{F}$ terms rescue a little, not enough. The *Identity Mappings* paper ({cite:p}`he2016identity`, Table 1) tried
# exactly this, constant scaling 0.5 on the shortcuts of ResNet-110: {glue:text}`c2_im_scale05:.2f`%
# test error instead of {glue:text}`c2_im_original:.2f`%.
# ```
#
# ```{exercise}
# :label: ex-02-3
#
# **Count the paths.** ResNet-20 has 9 residual blocks. How many paths does the unrolled view
# ({eq}`eq-02-paths`) give? How many of them have length $k$? What fraction of the paths does the
# deletion of one block remove, and why is it still consistent that ResNet-20 survives most
# single deletions in {numref}`fig-02-lesion`?
# ```
#
# ```{solution} ex-02-3
# :class: dropdown
#
# Each block is either entered or skipped: $2^9 =$ {glue:text}`c2_paths_9` paths, of which
# $\binom{9}{k}$ have length $k$ (binomial, most of them of length 4 or 5). Deleting block $i$
# removes every path that *enters* block $i$: {glue:text}`c2_paths_9_half` of them, half. Yet the
# error rises only a little, because the paths do not all carry the same weight: the remaining half
# includes the shortcut-only path and many short paths, and {cite:t}`veit2016residual` find that
# most of the gradient in trained ResNets comes from relatively short paths. A plain network has
# $1$ path, and any deletion removes it.
# ```
#
# ```{exercise}
# :label: ex-02-4
#
# **The ReLU after the addition.** For the paper's block $y = \mathrm{relu}(\mathcal{F}(x) + x)$,
# write $\partial L/\partial x$. Where does the gradient pass the shortcut unchanged, and where is it
# blocked? Test your answer on the `BasicBlock` from above: with $\mathcal{F}=0$ ($\gamma = 0$),
# what is the gradient of `block(x).sum()` with respect to an input `x` that has negative entries?
# ```
#
# ```{solution} ex-02-4
# :class: dropdown
#
# $\partial L/\partial x = (\partial L/\partial y \odot m)\,(I + \partial\mathcal{F}/\partial x)$ with
# the mask $m = \mathbb{1}[\mathcal{F}(x) + x > 0]$. With $\mathcal{F} = 0$ the block computes
# $\mathrm{relu}(x)$, so the gradient is $1$ where $x > 0$ and $0$ where $x < 0$:
#
# ~~~python
# x = torch.randn(2, 16, 8, 8, requires_grad=True)
# block(x).sum().backward()
# assert torch.equal(x.grad, (x > 0).float())
# ~~~
#
# Inside a network this is harmless where the signal is positive, which after a ReLU it always is
# for $x$; only a negative $\mathcal{F}(x)$ that outweighs $x$ closes the gate. Pre-activation blocks
# (*Identity Mappings*, {cite:p}`he2016identity`) remove the gate altogether.
# ```
#
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: residual math
# :class: tip
#
# | | |
# |---|---|
# | **Symptom** | Deeper plain nets reach *higher training error* ({term}`degradation problem · 退化问题`); with BN their gradients do not vanish, but in our plain-56 they are badly unbalanced across depth ({numref}`fig-02-cifar-grads`). |
# | **Key formula** | $y = \mathcal{F}(x) + x$; $\;\dfrac{\partial L}{\partial x_l} = \dfrac{\partial L}{\partial x_L}\Big(1 + \dfrac{\partial}{\partial x_l}\sum_{i=l}^{L-1}\mathcal{F}(x_i)\Big)$: the "1" is a direct line from the loss to every block. |
# | **Design choice** | {term}`identity mapping · 恒等映射` shortcuts (no parameters) wherever shapes match; zero-padding (option A) or a {term}`projection shortcut · 投影捷径` $W_s x$ (option B) where they do not. $\mathcal{F}$ has at least two layers. |
# | **Evidence** | Hand-written and autograd gradients agree ({glue:text}`c2_agree_rel:.0e` relative); 50-layer toy: plain gradient shrinks to {glue:text}`c2_np_plain_ratio:.0e` of its size, residual does not ({numref}`fig-02-numpy-grads`); lesion ({numref}`fig-02-lesion`): deleting one ordinary block of the fully trained ResNet-56 costs a median of {glue:text}`c2_les56_median_rise:.1f` points, a downsampling block up to {glue:text}`c2_les56_max_down_rise:.1f`; at the quick scale ResNet-20 loses {glue:text}`c2_les_res_rise_mean:.1f` points on average, plain-20 drops to {glue:text}`c2_les_plain_mean:.0f`%. |
#
# **Key terms** ({doc}`glossary <../book/glossary>`): {term}`residual learning · 残差学习` · {term}`shortcut connection · 快捷连接 / 跳跃连接` ·
# {term}`identity mapping · 恒等映射` · {term}`projection shortcut · 投影捷径` ·
# {term}`plain network · 普通网络 / 平原网络` · {term}`vanishing / exploding gradients · 梯度消失 / 梯度爆炸` ·
# {term}`batch normalization · 批归一化` · {term}`degradation problem · 退化问题`
#
# **In one sentence:** learn the change, not the whole mapping: $\mathcal{F}(x) = \mathcal{H}(x) - x$,
# and the shortcut carries both the signal and its gradient through untouched. ✨
# ```
