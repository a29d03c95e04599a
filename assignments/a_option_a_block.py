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
# name: a_option_a_block
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
# # Assignment A: the basic block with an option-A shortcut, and the 6n+2 network
#
# **Paper:** He, Zhang, Ren, Sun (2015), *Deep Residual Learning for Image Recognition*,
# arXiv:1512.03385. **Read first:** Sec. 3.2 (Eq. 1 and Fig. 2), Sec. 3.3 (the shortcut options
# and Fig. 5, left) and Sec. 4.2 (the CIFAR-10 networks and Table 6).
#
# You will write, from the paper's description, the networks the paper trains on CIFAR-10, and
# check them three ways: the shapes of their outputs, their parameter counts against Table 6, and,
# given the same weights, their outputs against an independent implementation (the course
# package's). At the end your own ResNet-20 classifies CIFAR-10 test images with weights that
# someone else trained.
#
# **How this notebook is graded.** Each question lists its points. The check cells
# (`grader.check("q1")`) run a few *public* tests so that you can see where you stand; more tests
# (hidden) run when your notebook is graded. Every test is worth points, so partial work earns
# partial credit, and passing the public tests does not guarantee full marks.
#
# - Keep the names the questions ask for (functions, classes, attributes, variables).
# - Write the networks yourself with `torch` and `torch.nn`. The course package (`resnet_book`) is
#   imported below only to compare your work with a reference; don't build your answers from it.
# - Before you submit: *Kernel → Restart & Run All*, then run the export cell at the end and submit
#   the zip file it writes.

# %%
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)

# %%
# Everything this notebook takes from the course package, in one place: the paper's numbers, the
# package's own models (for comparisons only) and the released trained weights.
from resnet_book import reference
from resnet_book.models import BasicBlock as PackageBlock
from resnet_book.models import ZeroPadShortcut
from resnet_book.models import get_model as package_model
from resnet_book.analysis import released_inputs
from resnet_book.models import get_model as _get_released


def released_model(name):
    """The package's model `name` (e.g. "resnet20") with the weights trained and released by
    akamaster/pytorch_resnet_cifar10 (200 epochs of the paper's recipe), in eval mode."""
    return _get_released(name, weights="akamaster")


# %% [markdown]
# To compare your model with the package's, you will copy the package's weights into yours with the
# function below. It matches tensors **by name** when your model uses the names this notebook asks
# for (the same names as torchvision's ResNets: `conv1`, `bn1`, `layer1`, …, `fc`) and otherwise
# **by order**: the *n*-th tensor of the package's `state_dict()` goes to the *n*-th tensor of
# yours, which works when you create your modules in the order the questions list them.

# %%
def load_package_weights(yours, theirs):
    """Copy the weights and BN statistics of `theirs` (a package model) into `yours`.

    Returns "by name" or "by order" (see above); raises ValueError if neither fits.
    """
    a, b = theirs.state_dict(), yours.state_dict()
    if set(a) == set(b):
        yours.load_state_dict(a)
        return "by name"
    a = [(k, v) for k, v in a.items() if not k.endswith("num_batches_tracked")]
    b = [(k, v) for k, v in b.items() if not k.endswith("num_batches_tracked")]
    if len(a) != len(b):
        raise ValueError(f"the package's model holds {len(a)} tensors, yours {len(b)}")
    for (ka, va), (kb, vb) in zip(a, b):
        if va.shape != vb.shape:
            raise ValueError(f"in creation order, the package's {ka} {tuple(va.shape)} meets your {kb} {tuple(vb.shape)}")
    yours.load_state_dict({kb: va.clone() for (_, va), (kb, _) in zip(a, b)}, strict=False)
    return "by order"


# %% [markdown]
# ## Part 1. The option-A shortcut (Sec. 3.3)
#
# A residual block computes $y = \mathcal{F}(x, \{W_i\}) + x$ (Eq. 1), which needs $\mathcal{F}(x)$
# and $x$ to have the same shape. At the start of stages 2 and 3 of the CIFAR networks, the block
# halves the feature map and doubles the number of filters, so the shapes differ. The paper gives
# two ways out (Sec. 3.3):
#
# > (A) The shortcut still performs identity mapping, with extra zero entries padded for increasing
# > dimensions. This option introduces no extra parameter; (B) The projection shortcut in Eqn.(2)
# > is used to match dimensions (done by 1×1 convolutions).
#
# and for the spatial size:
#
# > …when the shortcuts go across feature maps of two sizes, they are performed with a stride of 2.
#
# The CIFAR-10 networks of Sec. 4.2 use option A everywhere.

# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: 3

# %% [markdown]
# **Question 1.** Write `option_a_shortcut(x, out_channels, stride)` for an input `x` of shape
# `(N, C, H, W)`:
#
# 1. **subsample** with stride `stride`: keep every `stride`-th pixel in each direction, starting with
#    the first (for `stride=1` nothing changes);
# 2. **pad channels with zeros**: the result has `out_channels` channels, `x`'s `C` channels first and
#    then `out_channels - C` channels of zeros.
#
# The result has shape `(N, out_channels, ceil(H / stride), ceil(W / stride))`. (Some reproductions
# put the zero channels on both sides instead; that is the same kind of function up to an order of
# the channels, but your outputs will be compared with the package's, which appends them.) The
# shortcut has no parameters: write it as a function.

# %% [raw]
# # BEGIN SOLUTION

# %%
def option_a_shortcut(x, out_channels, stride):
    # BEGIN SOLUTION
    if stride > 1:
        x = x[:, :, ::stride, ::stride]
    extra = out_channels - x.shape[1]
    if extra < 0:
        raise ValueError("option A can only keep or increase the number of channels")
    if extra:
        x = torch.cat([x, x.new_zeros(x.shape[0], extra, x.shape[2], x.shape[3])], dim=1)
    return x
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_shortcut_shape(option_a_shortcut):
    import torch
    y = option_a_shortcut(torch.randn(2, 16, 32, 32), 32, 2)
    assert tuple(y.shape) == (2, 32, 16, 16), f"expected shape (2, 32, 16, 16), got {tuple(y.shape)}"

# %%
""" # BEGIN TEST CONFIG
points: 0.5
""" # END TEST CONFIG
def test_shortcut_identity(option_a_shortcut):
    import torch
    x = torch.randn(2, 16, 8, 8)
    assert torch.equal(option_a_shortcut(x, 16, 1), x), "with stride 1 and as many channels, the shortcut is the identity"

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_shortcut_values(option_a_shortcut):
    import torch
    x = torch.randn(3, 32, 16, 16)
    y = option_a_shortcut(x, 64, 2)
    assert torch.equal(y[:, :32], x[:, :, ::2, ::2]), "the first C channels must be x subsampled from its first pixel"
    assert torch.count_nonzero(y[:, 32:]) == 0, "the added channels must be zeros"

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_shortcut_odd_size(option_a_shortcut):
    import torch
    x = torch.randn(1, 4, 7, 7)
    y = option_a_shortcut(x, 8, 2)
    assert tuple(y.shape) == (1, 8, 4, 4) and torch.equal(y[:, :4], x[:, :, ::2, ::2])

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Part 2. The basic block (Eq. 1, Fig. 2, Fig. 5 left)
#
# The building block of the CIFAR networks is two 3×3 convolutional layers, each followed by batch
# normalization (BN), with a ReLU between them, then the addition of the shortcut and a ReLU after
# the addition (Fig. 2). Sec. 3.2 explains why the identity shortcut matters for the comparisons:
#
# > The shortcut connections in Eqn.(1) introduce neither extra parameter nor computation
# > complexity. This is not only attractive in practice but also important in our comparisons
# > between plain and residual networks.

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: 4

# %% [markdown]
# **Question 2.** Write the module `BasicBlock(in_planes, planes, stride=1, shortcut=True)`.
#
# - Create, **in this order and with these names**: `conv1` (3×3, `in_planes` → `planes`, stride
#   `stride`, padding 1, no bias: BN follows), `bn1`, `conv2` (3×3, `planes` → `planes`, stride 1,
#   padding 1, no bias), `bn2`. No other parameters.
# - `forward(x)`: $\mathcal{F}(x) = \mathrm{BN}_2(\mathrm{conv}_2(\mathrm{ReLU}(\mathrm{BN}_1(\mathrm{conv}_1(x)))))$,
#   then $y = \mathrm{ReLU}(\mathcal{F}(x) + \text{shortcut}(x))$ with your option-A shortcut
#   (`option_a_shortcut(x, planes, stride)`, which is the identity when the shapes already match).
# - With `shortcut=False` the block is the *plain* block of the paper's plain nets:
#   $y = \mathrm{ReLU}(\mathcal{F}(x))$.

# %% [raw]
# # BEGIN SOLUTION

# %%
class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride=1, shortcut=True):
        super().__init__()
        # BEGIN SOLUTION
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.planes, self.stride, self.use_shortcut = planes, stride, shortcut
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.use_shortcut:
            out = out + option_a_shortcut(x, self.planes, self.stride)
        return F.relu(out)
        # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [markdown]
# Check yourself (not graded): copy the weights of the package's block into yours and compare the
# two outputs. The difference should be zero up to float rounding (about 1e-6).

# %%
theirs = PackageBlock(16, 32, 2, ZeroPadShortcut(16, 32, 2)).eval()
yours = BasicBlock(16, 32, 2).eval()
print(load_package_weights(yours, theirs))
x = torch.randn(4, 16, 32, 32)
with torch.no_grad():
    print("largest difference:", (yours(x) - theirs(x)).abs().max().item())

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_block_shapes(BasicBlock):
    import torch
    assert tuple(BasicBlock(16, 16, 1)(torch.randn(2, 16, 32, 32)).shape) == (2, 16, 32, 32)
    assert tuple(BasicBlock(16, 32, 2)(torch.randn(2, 16, 32, 32)).shape) == (2, 32, 16, 16)

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_block_params(BasicBlock):
    n = sum(p.numel() for p in BasicBlock(16, 32, 2).parameters())
    assert n == 16 * 32 * 9 + 32 * 32 * 9 + 4 * 32, f"BasicBlock(16, 32, 2) has {n:,} parameters; expected 13,952"

# %%
""" # BEGIN TEST CONFIG
points: 1.5
hidden: true
""" # END TEST CONFIG
def test_block_equals_package(BasicBlock):
    import torch
    from autograder_support import package_block, randomize, same_outputs, transfer
    for cin, cout, s in [(16, 32, 2), (32, 32, 1)]:
        theirs, ours = randomize(package_block(cin, cout, s), seed=cin + s), BasicBlock(cin, cout, s)
        transfer(theirs, ours)
        x = torch.randn(4, cin, 16, 16)
        assert same_outputs(ours, theirs, x, train=False), f"BasicBlock({cin}, {cout}, {s}) differs in eval mode"
        assert same_outputs(ours, theirs, x, train=True), f"BasicBlock({cin}, {cout}, {s}) differs in train mode"

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_plain_block_equals_package(BasicBlock):
    import torch
    from autograder_support import package_block, randomize, same_outputs, transfer
    theirs, ours = randomize(package_block(16, 32, 2, plain=True), seed=3), BasicBlock(16, 32, 2, shortcut=False)
    transfer(theirs, ours)
    assert same_outputs(ours, theirs, torch.randn(4, 16, 16, 16))

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Part 3. The CIFAR-10 network of depth 6n+2 (Sec. 4.2)
#
# Sec. 4.2 describes the network (paraphrased here): the input is a 32×32 image (per-pixel mean
# subtracted). The first layer is a 3×3 convolution with 16 filters (followed by BN and ReLU, like
# every convolution). Then comes a stack of 6n layers with 3×3 convolutions on feature maps of sizes 32,
# 16 and 8, 2n layers for each size, with 16, 32 and 64 filters. The subsampling is done by
# convolutions with a stride of 2 (the first convolution of stages 2 and 3). The network ends with
# global average pooling, a 10-way fully connected layer and softmax. The paper counts the layers:
#
# > There are totally 6n+2 stacked weighted layers.
#
# The shortcuts connect pairs of 3×3 layers (3n shortcuts) and are all identities, with option A
# where the shape changes. Table 6 lists n = 3, 5, 7, 9, 18 and 200: ResNet-20, 32, 44, 56, 110
# and 1202.

# %% [raw]
# # BEGIN QUESTION
# name: q3
# points: 6

# %% [markdown]
# **Question 3.** Write the module `CifarResNet(depth, shortcut=True, num_classes=10)`.
#
# - Raise a `ValueError` if `depth` is not 6n+2 with n ≥ 1 (8, 14, 20, …).
# - Create, **in this order and with these names**: `conv1` (3×3, 3 → 16, padding 1, no bias),
#   `bn1`, then `layer1`, `layer2`, `layer3`, each an `nn.Sequential` of n of your `BasicBlock`s
#   (16, 32 and 64 filters; the first block of `layer2` and of `layer3` has stride 2; pass
#   `shortcut` on to every block), and finally `fc` (`nn.Linear(64, num_classes)`).
# - `forward(x)`: `conv1` → `bn1` → ReLU → `layer1` → `layer2` → `layer3` → global average pooling
#   → `fc`. Return the logits: the softmax belongs to the loss (`F.cross_entropy`).

# %% [raw]
# # BEGIN SOLUTION

# %%
class CifarResNet(nn.Module):
    def __init__(self, depth, shortcut=True, num_classes=10):
        super().__init__()
        # BEGIN SOLUTION
        if not isinstance(depth, int) or depth < 8 or (depth - 2) % 6:
            raise ValueError(f"depth must be 6n+2 with n >= 1, got {depth!r}")
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        in_planes = 16
        for i, planes in enumerate((16, 32, 64)):
            blocks = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                blocks.append(BasicBlock(in_planes, planes, stride, shortcut))
                in_planes = planes
            self.add_module(f"layer{i + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(64, num_classes)
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(x.mean(dim=(2, 3)))
        # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [markdown]
# Check yourself (not graded): your parameter counts beside Table 6's (the paper prints them
# rounded: 0.27M for ResNet-20, …) and the exact counts; then your ResNet-20 against the package's,
# with the same weights.

# %%
for depth in (20, 32, 44, 56, 110):
    ours = sum(p.numel() for p in CifarResNet(depth).parameters())
    print(f"ResNet-{depth}: yours {ours:,}, exact {reference.CIFAR_PARAMS_OPTION_A[depth]:,}, "
          f"Table 6 {reference.TABLE6['resnet'][depth]['params_m']}M")
theirs, yours = package_model("resnet20").eval(), CifarResNet(20).eval()
print(load_package_weights(yours, theirs))
x = torch.randn(4, 3, 32, 32)
with torch.no_grad():
    print("largest difference:", (yours(x) - theirs(x)).abs().max().item())

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_net_shape(CifarResNet):
    import torch
    y = CifarResNet(20)(torch.randn(2, 3, 32, 32))
    assert tuple(y.shape) == (2, 10), f"expected logits of shape (2, 10), got {tuple(y.shape)}"

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_net_params_resnet20(CifarResNet):
    n = sum(p.numel() for p in CifarResNet(20).parameters())
    assert n == 269_722, f"ResNet-20 has {n:,} parameters; the paper's architecture has 269,722 (Table 6: 0.27M)"

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_net_params_table6(CifarResNet):
    from resnet_book import reference
    for depth in (32, 44, 56, 110):
        n = sum(p.numel() for p in CifarResNet(depth).parameters())
        assert n == reference.CIFAR_PARAMS_OPTION_A[depth], f"ResNet-{depth}: {n:,} parameters"
        assert round(n / 1e6, 2 if depth < 100 else 1) == reference.TABLE6["resnet"][depth]["params_m"]

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_net_params_resnet1202(CifarResNet):
    from resnet_book import reference
    n = sum(p.numel() for p in CifarResNet(1202).parameters())
    assert n == reference.CIFAR_PARAMS_OPTION_A[1202] and round(n / 1e6, 1) == 19.4

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_net_depth_rule(CifarResNet):
    from torch import nn
    for bad in (21, 22, 2, 0):
        try:
            CifarResNet(bad)
        except ValueError:
            continue
        raise AssertionError(f"CifarResNet({bad}) should raise a ValueError")
    for depth in (8, 20, 56):
        net = CifarResNet(depth)
        weighted = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        assert len(weighted) == depth, f"CifarResNet({depth}) has {len(weighted)} weighted layers"

# %%
""" # BEGIN TEST CONFIG
points: 2
hidden: true
""" # END TEST CONFIG
def test_net_equals_package(CifarResNet):
    import torch
    from autograder_support import package_model, randomize, same_outputs, transfer
    torch.manual_seed(1)
    x = torch.randn(4, 3, 32, 32)
    for depth in (20, 56):
        theirs, ours = randomize(package_model(f"resnet{depth}"), seed=depth), CifarResNet(depth)
        transfer(theirs, ours)
        assert same_outputs(ours, theirs, x, train=False), f"ResNet-{depth} differs from the package's in eval mode"
        assert same_outputs(ours, theirs, x, train=True), f"ResNet-{depth} differs from the package's in train mode"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Part 4. The plain counterpart
#
# The paper's plain nets are the same stacks of layers without the shortcuts (Fig. 3, middle; Sec.
# 4.2 trains plain-20 … plain-110 beside the ResNets).

# %% [raw]
# # BEGIN QUESTION
# name: q4
# points: 2

# %% [markdown]
# **Question 4.** Using your `CifarResNet`, set `params_resnet56` and `params_plain56` to the numbers
# of parameters of your ResNet-56 and of your plain-56 (`shortcut=False`). Does option A keep the
# promise of the Sec. 3.2 quote above?

# %% [raw]
# # BEGIN SOLUTION

# %%
params_resnet56 = sum(p.numel() for p in CifarResNet(56).parameters())  # SOLUTION
params_plain56 = sum(p.numel() for p in CifarResNet(56, shortcut=False).parameters())  # SOLUTION
params_resnet56, params_plain56

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_plain_params(params_resnet56, params_plain56):
    assert isinstance(params_resnet56, int) and isinstance(params_plain56, int), "set both to whole numbers"
    assert params_resnet56 == params_plain56 == 853_018, "ResNet-56 and plain-56 both have 853,018 parameters"

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_plain_net_equals_package(CifarResNet):
    import torch
    from autograder_support import package_model, randomize, same_outputs, transfer
    theirs, ours = randomize(package_model("plain20"), seed=5), CifarResNet(20, shortcut=False)
    transfer(theirs, ours)
    assert same_outputs(ours, theirs, torch.randn(4, 3, 32, 32))

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Part 5. Your network, trained weights
#
# Training ResNet-20 the paper's way takes hours on a GPU. Someone did it and released the weights
# (Yerlan Idelbayev, `akamaster/pytorch_resnet_cifar10`, BSD-2-Clause licence): `released_model`
# (set up at the top) returns the package's ResNet-20 with those weights. Copy them into **your**
# ResNet-20 and classify 200 CIFAR-10 test images (the original test pixels, normalised as those
# weights expect). The first run downloads what it needs.

# %%
my_resnet20 = CifarResNet(20)
print(load_package_weights(my_resnet20, released_model("resnet20")))
x_test, y_test = released_inputs("resnet20", "test_lossless1k", eval_subset=200)
x_test.shape, y_test.shape

# %% [raw]
# # BEGIN QUESTION
# name: q5
# points: 2

# %% [markdown]
# **Question 5.** Put `my_resnet20` in eval mode (BN then uses its running statistics, as at test
# time) and set `my_predictions` to its predicted class for each image of `x_test` (a tensor of 200
# class indices) and `my_accuracy` to its accuracy on them in percent. The authors report 91.7%
# on the full test set for these weights.

# %% [raw]
# # BEGIN SOLUTION

# %%
# BEGIN SOLUTION
my_resnet20.eval()
with torch.no_grad():
    my_predictions = my_resnet20(x_test).argmax(dim=1)
my_accuracy = 100.0 * (my_predictions == y_test).float().mean().item()
# END SOLUTION
my_accuracy

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_accuracy(my_predictions, my_accuracy, y_test):
    import torch
    assert torch.is_tensor(my_predictions) and tuple(my_predictions.shape) == (200,), "my_predictions: 200 class indices"
    assert abs(my_accuracy - 100.0 * (my_predictions == y_test).float().mean().item()) < 1e-6, \
        "my_accuracy is not the accuracy of my_predictions (in percent)"
    assert my_accuracy > 80, f"{my_accuracy:.1f}% is far below what these weights reach"

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_predictions_equal_package(CifarResNet, my_predictions):
    import torch
    from autograder_support import released_inputs, released_model, transfer
    x, y = released_inputs("resnet20", 200)
    theirs, ours = released_model("resnet20"), CifarResNet(20)
    transfer(theirs, ours)
    ours.eval()
    with torch.no_grad():
        expected = theirs(x).argmax(1)
        assert torch.equal(ours(x).argmax(1), expected)
    assert torch.equal(torch.as_tensor(my_predictions), expected)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION
