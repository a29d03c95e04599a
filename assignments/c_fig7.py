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

# %% [raw]
# # ASSIGNMENT CONFIG
# name: c_fig7
# init_cell: true
# check_all_cell: true
# show_question_points: true
# export_cell:
#   pdf: false
#   run_tests: false
# generate:
#   pdf: false
#   show_stdout: false
#   show_hidden: false
# tests:
#   ok_format: false
# autograder_files:
#   - autograder_support.py

# %% [markdown]
# # Assignment C: Fig. 7, the layer responses of trained ResNets
#
# **Paper:** He, Zhang, Ren, Sun (2015), *Deep Residual Learning for Image Recognition*,
# arXiv:1512.03385. **Read first:** Sec. 3.1 (the motivation of residual learning) and Sec. 4.2,
# "Analysis of Layer Responses", with Fig. 7.
#
# Fig. 7 measures how strongly each layer of a trained network responds. You will write that
# measurement yourself with PyTorch *forward hooks*, run it on a ResNet-20 and a ResNet-56 trained
# to the end of the paper's schedule, compare your numbers with the course package's own
# measurement, and say in a few sentences what they show.
#
# **How this notebook is graded.** Each question lists its points. The check cells
# (`grader.check("q1")`) run a few *public* tests; more tests (hidden) run when your notebook is
# graded, and every test is worth points, so partial work earns partial credit. Question 4 is a
# written answer, marked by hand against a rubric.
#
# - Keep the names the questions ask for.
# - Before you submit: *Kernel → Restart & Run All*, then run the export cell at the end and submit
#   the zip file it writes.

# %%
import matplotlib.pyplot as plt
import torch
from torch import nn

# %%
# Everything this notebook takes from the course package, in one place: the released trained
# weights, the test images they expect, and the package's own Fig. 7 measurement (to compare).
from resnet_book.analysis import layer_response_std
from resnet_book.analysis import released_inputs
from resnet_book.models import get_model as _get_released


def released_model(name):
    """The package's model `name` (e.g. "resnet56") with the weights trained and released by
    akamaster/pytorch_resnet_cifar10 (200 epochs of the paper's recipe), in eval mode."""
    return _get_released(name, weights="akamaster")


resnet20 = released_model("resnet20")
resnet56 = released_model("resnet56")
# 200 test images of CIFAR-10 (original pixels, all classes equally), normalised as these weights
# expect. (Both networks use the same normalisation.) The first run downloads what it needs.
x, _ = released_inputs("resnet20", "test_lossless1k", eval_subset=200)
x.shape

# %% [markdown]
# ## What Fig. 7 measures
#
# The paper defines the quantity (Sec. 4.2):
#
# > The responses are the outputs of each 3×3 layer, after BN and before other nonlinearity
# > (ReLU/addition). For ResNets, this analysis reveals the response strength of the residual
# > functions.
#
# Fig. 7 plots, for every 3×3 layer of a network in order, the standard deviation of that layer's
# response over the test images. These networks are the course package's `CifarResNet`s (with
# weights released by Yerlan Idelbayev, `akamaster/pytorch_resnet_cifar10`, BSD-2-Clause): print
# one to see its modules. Each 3×3 convolution `...conv1` / `...conv2` is followed by its BN,
# `...bn1` / `...bn2`, in the same block (the first layer of the network, `conv1`, by `bn1`).

# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: 2

# %% [markdown]
# **Question 1.** Write `response_layers(model)`: the list of `(name, module)` pairs, one per 3×3
# convolution of `model` in the order of `model.named_modules()`, where `module` is the
# `nn.BatchNorm2d` that follows that convolution and `name` is the BN's name in
# `model.named_modules()`. The first layer of the network counts: ResNet-20 has 19 such layers
# (6n+1: all its weighted layers but the final fully connected one).

# %% [raw]
# # BEGIN SOLUTION

# %%
def response_layers(model):
    # BEGIN SOLUTION
    modules = dict(model.named_modules())
    layers = []
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3):
            prefix, _, conv = name.rpartition(".")
            bn_name = (prefix + "." if prefix else "") + conv.replace("conv", "bn")
            layers.append((bn_name, modules[bn_name]))
    return layers
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_layers_resnet20(response_layers, resnet20):
    from torch import nn
    layers = response_layers(resnet20)
    assert len(layers) == 19, f"ResNet-20 has 19 3x3 layers, found {len(layers)}"
    assert all(isinstance(m, nn.BatchNorm2d) for _, m in layers), "each entry's module must be the BN after the conv"

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_layers_match_package(response_layers):
    from resnet_book.analysis import response_taps
    from autograder_support import package_model
    for name in ("resnet56", "plain20", "resnet110"):
        model = package_model(name)
        ours, theirs = response_layers(model), response_taps(model)
        assert [n for n, _ in ours] == [n for n, _ in theirs], f"{name}: other layers or another order"
        assert all(a is b for (_, a), (_, b) in zip(ours, theirs))

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## The measurement, with forward hooks
#
# A *forward hook* is a function that PyTorch calls each time a module has computed its output:
# `handle = module.register_forward_hook(hook)`, where `hook(module, inputs, output)` sees the
# output; `handle.remove()` takes it off again. A hook on a layer's BN therefore sees exactly the
# response the paper defines: after BN, before the ReLU and (in a ResNet) before the addition.

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: 4

# %% [markdown]
# **Question 2.** Write `response_stds(model, x)`: run `model` once on the batch `x` and return the
# list of the standard deviations of the responses of `response_layers(model)`, as Python floats, in
# that order. Each is `output.std()` of the whole BN output (over the images, channels and
# positions at once).
#
# - Use forward hooks on the BN modules, and remove every hook before you return, also if the
#   forward pass fails (`try` / `finally`): leave the model as you found it.
# - Measure in **eval mode** (BN normalises with its running statistics, as at test time), under
#   `torch.no_grad()`, and put the model back in the mode it was in.

# %% [raw]
# # BEGIN SOLUTION

# %%
def response_stds(model, x):
    # BEGIN SOLUTION
    layers = response_layers(model)
    stds = {}

    def hook_for(name):
        def hook(module, inputs, output):
            stds[name] = output.float().std().item()
        return hook

    handles = [m.register_forward_hook(hook_for(name)) for name, m in layers]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(x)
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return [stds[name] for name, _ in layers]
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_stds_shape(response_stds, resnet20, x):
    values = response_stds(resnet20, x[:8])
    assert isinstance(values, list) and len(values) == 19, "one std per 3x3 layer: 19 for ResNet-20"
    assert all(isinstance(v, float) and v > 0 for v in values), "each std is a positive Python float"

# %%
""" # BEGIN TEST CONFIG
points: 2
hidden: true
""" # END TEST CONFIG
def test_stds_equal_package(response_stds):
    import math
    from resnet_book.analysis import layer_response_std
    from autograder_support import package_model, randomize, released_inputs, released_model
    x, _ = released_inputs("resnet56", 64)
    for model in (released_model("resnet56"), randomize(package_model("plain20"), seed=7)):
        ours = response_stds(model, x)
        theirs = [s for _, s in layer_response_std(model, x)]
        assert len(ours) == len(theirs)
        assert all(math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6) for a, b in zip(ours, theirs))

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_stds_leave_model_alone(response_stds):
    import math
    from resnet_book.analysis import layer_response_std
    from autograder_support import released_inputs, released_model
    x, _ = released_inputs("resnet20", 32)
    model = released_model("resnet20").train()  # in training mode: the measurement must use eval mode
    ours = response_stds(model, x)
    assert model.training, "the model was left in eval mode"
    assert all(len(m._forward_hooks) == 0 for m in model.modules()), "hooks were left on the model"
    theirs = [s for _, s in layer_response_std(model, x)]
    assert all(math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6) for a, b in zip(ours, theirs)), \
        "not measured in eval mode"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Fig. 7 for ResNet-20 and ResNet-56

# %% [raw]
# # BEGIN QUESTION
# name: q3
# points: 3

# %% [markdown]
# **Question 3.** On the 200 test images `x`, set
#
# - `stds20` and `stds56` to your `response_stds` of `resnet20` and `resnet56`;
# - `mean20` and `mean56` to their means, and `sorted56` to `stds56` sorted in descending order
#   (the bottom panel of Fig. 7);
# - `deeper_is_smaller` to `True` if ResNet-56's mean response is smaller than ResNet-20's;
# - `max_difference_56` to the largest absolute difference between your `stds56` and the package's
#   own measurement of the same network on the same images,
#   `[s for _, s in layer_response_std(resnet56, x)]`.

# %% [raw]
# # BEGIN SOLUTION

# %%
# BEGIN SOLUTION
stds20 = response_stds(resnet20, x)
stds56 = response_stds(resnet56, x)
mean20 = sum(stds20) / len(stds20)
mean56 = sum(stds56) / len(stds56)
sorted56 = sorted(stds56, reverse=True)
deeper_is_smaller = mean56 < mean20
package56 = [s for _, s in layer_response_std(resnet56, x)]
max_difference_56 = max(abs(a - b) for a, b in zip(stds56, package56))
# END SOLUTION
print(f"mean response std: ResNet-20 {mean20:.3f}, ResNet-56 {mean56:.3f}; "
      f"largest difference from the package's measurement {max_difference_56:.1e}")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 0.5
""" # END TEST CONFIG
def test_fig7_lengths(stds20, stds56):
    assert len(stds20) == 19 and len(stds56) == 55, "ResNet-20 has 19 3x3 layers, ResNet-56 55"

# %%
""" # BEGIN TEST CONFIG
points: 1.5
hidden: true
""" # END TEST CONFIG
def test_fig7_equals_package(stds20, stds56, max_difference_56):
    import math
    from resnet_book.analysis import layer_response_std
    from autograder_support import released_inputs, released_model
    x, _ = released_inputs("resnet20", 200)
    for name, ours in (("resnet20", stds20), ("resnet56", stds56)):
        theirs = [s for _, s in layer_response_std(released_model(name), x)]
        assert len(ours) == len(theirs)
        assert all(math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6) for a, b in zip(ours, theirs)), name
        if name == "resnet56":
            expected = max(abs(a - b) for a, b in zip(ours, theirs))
            assert 0 <= max_difference_56 < 1e-3 and abs(max_difference_56 - expected) < 1e-5

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_fig7_summaries(stds20, stds56, mean20, mean56, sorted56):
    import math
    assert math.isclose(mean20, sum(stds20) / len(stds20), rel_tol=1e-9)
    assert math.isclose(mean56, sum(stds56) / len(stds56), rel_tol=1e-9)
    assert list(sorted56) == sorted(stds56, reverse=True)

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_fig7_direction(deeper_is_smaller, mean20, mean56):
    assert isinstance(deeper_is_smaller, bool) and deeper_is_smaller == (mean56 < mean20)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# Your Fig. 7: each 3×3 layer's response std in layer order (top) and sorted by magnitude (bottom).

# %%
fig, axes = plt.subplots(2, 1, figsize=(8, 5.4), sharey=True)
for label, stds, color in (("ResNet-20", stds20, "C0"), ("ResNet-56", stds56, "C3")):
    axes[0].plot(range(1, len(stds) + 1), stds, color=color, label=label)
    axes[1].plot(range(1, len(stds) + 1), sorted(stds, reverse=True), color=color, label=label)
axes[0].set(xlabel="layer index (original order)", ylabel="std")
axes[1].set(xlabel="layer index (sorted by magnitude)", ylabel="std")
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What the paper reads in Fig. 7
#
# The paper draws two observations from the figure (Sec. 4.2):
#
# > ResNets have generally smaller responses than their plain counterparts. These results support
# > our basic motivation (Sec.3.1) that the residual functions might be generally closer to zero than
# > the non-residual functions.
#
# > When there are more layers, an individual layer of ResNets tends to modify the signal less.

# %% [raw]
# # BEGIN QUESTION
# name: q4
# manual: true
# points: 4

# %% [markdown]
# **Question 4 (written, marked by hand).** Answer in 5 to 8 sentences, in the cell below, using
# your own numbers:
#
# 1. What do your measurements say about the second observation? Give your two means.
# 2. Why is the std of a block's second BN output, taken *before* the addition, a measure of the
#    residual function $\mathcal{F}(x)$ rather than of the block's output, and why is that the
#    quantity the motivation of Sec. 3.1 is about?
# 3. Can these released weights test the *first* observation? If not, what would you need?
# 4. Name one limitation of the measurement as you made it here, and why it matters.

# %% [raw]
# # BEGIN SOLUTION

# %% [markdown]
# **Model answer.** On these 200 test images the mean response std is 0.74 for ResNet-20 and 0.46
# for ResNet-56 (the values printed above): the 56-layer net's layers respond more weakly, as the
# second observation says. A block outputs $\mathrm{ReLU}(x + \mathcal{F}(x))$, and its second
# BN output is the last step of $\mathcal{F}(x)$, taken before $x$ is added: its std is the size of
# the change the block makes to the signal. Small values mean that the block stays close to the
# identity, which is the motivation of Sec. 3.1 (if the optimal function is close to an identity
# mapping, it is easier to learn a small residual than the whole mapping). The released weights
# cannot test the first observation: no plain nets were released, and the comparison needs a plain
# counterpart of the same depth trained with the same recipe on the same data (for example the
# course's own runs of plain-56 and ResNet-56). Limitations: one trained network per depth (no
# seeds) and only 200 images; these weights were trained with a per-channel input normalisation
# unlike the paper's per-pixel mean, so the absolute values are not the paper's; the std pools all
# channels of a layer.
#
# **Rubric (4 points; half points allowed).**
#
# - **R1 (1 point), numbers:** gives the two means from the notebook (matching its printed values)
#   and states the direction that follows from them (smaller for ResNet-56 if `deeper_is_smaller`).
#   Half a point if the direction is right but the numbers are missing or do not match the notebook.
# - **R2 (1 point), mechanism:** says that the block's second BN output before the addition is
#   $\mathcal{F}(x)$, the change added to $x$, so a small std means a block close to the identity;
#   and links it to Sec. 3.1 (residual functions closer to zero / perturbations of an identity).
#   Half a point for one of the two parts.
# - **R3 (1 point), scope:** says the released weights cannot test the first observation because
#   there is no plain counterpart, and names what is needed (a plain net of the same depth trained
#   with the same recipe and data). No credit for "yes".
# - **R4 (1 point), limitation:** names a real limitation with its reason: a single trained network
#   per depth or few images (noise of the estimate); another input normalisation than the paper's
#   (absolute values not comparable with Fig. 7); BN's learned scale and weight decay shape the std;
#   pooling over channels hides per-channel differences. Half a point for a limitation without a
#   reason.

# %% [raw]
# # END SOLUTION

# %% [raw]
# # END QUESTION
