"""Residual building blocks (paper Sec. 3.2-3.3, Fig. 2, Fig. 5) and the three shortcut options.

Layout follows torchvision's ``models/resnet.py`` so that state_dicts and a student's later
reading carry over: ``conv1/bn1/conv2/bn2(/conv3/bn3)`` on the residual branch and
``downsample`` for a shortcut that has to change shape.

Unlike torchvision, every block

* keeps each activation as its own module (``relu1``, ``relu2``, ``relu_out``), and
* passes both branches through parameter-free taps, ``residual`` and ``shortcut``
  (``nn.Identity``), right before the literal ``out = residual + shortcut``.

The taps add no parameters, so parameter names stay torchvision's, while a forward hook on
``block.residual`` sees F(x), one on ``block.shortcut`` sees the shortcut, and hooks on
``bn1``/``bn2`` see each 3x3 layer's response after BN and before the nonlinearity (paper
Fig. 7).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import ConfigError

#: Shortcut options of paper Sec. 3.3 / Sec. 4.1 ("Identity vs. Projection Shortcuts").
SHORTCUT_OPTIONS = {
    "A": "identity; zero-padded channels (and stride-2 subsampling) where dimensions increase; no parameters",
    "B": "identity where shapes match; 1x1 projection (conv + BN) where dimensions change",
    "C": "1x1 projection (conv + BN) on every shortcut",
}


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1) -> nn.Conv2d:
    """3x3 convolution with padding 1 and no bias (BN follows, paper Sec. 3.4)."""
    return nn.Conv2d(in_planes, out_planes, 3, stride=stride, padding=1, groups=groups, bias=False)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution without bias."""
    return nn.Conv2d(in_planes, out_planes, 1, stride=stride, bias=False)


def check_shortcut(shortcut: str) -> str:
    """Return ``shortcut`` upper-cased, or raise a ValueError naming the valid options."""
    key = str(shortcut).upper()
    if key not in SHORTCUT_OPTIONS:
        options = "; ".join(f"{k} = {v}" for k, v in SHORTCUT_OPTIONS.items())
        raise ConfigError(f"unknown shortcut option {shortcut!r}; valid options: {options}")
    return key


class ZeroPadShortcut(nn.Module):
    """Option A shortcut (paper Sec. 3.3 and 4.2): identity with extra zero channels.

    "The shortcut still performs identity mapping, with extra zero entries padded for increasing
    dimensions ... when the shortcuts go across feature maps of two sizes, they are performed
    with a stride of 2." Spatial subsampling takes every ``stride``-th pixel; the new channels
    are appended as zeros (some reproductions pad symmetrically on both sides; the function
    class is the same). No parameters, so a ResNet has exactly its plain net's parameters.
    """

    def __init__(self, in_planes: int, out_planes: int, stride: int) -> None:
        super().__init__()
        if out_planes < in_planes:
            raise ConfigError("option A can only keep or increase the number of channels")
        self.in_planes, self.out_planes, self.stride = in_planes, out_planes, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride > 1:
            x = x[:, :, :: self.stride, :: self.stride]
        extra = self.out_planes - self.in_planes
        return F.pad(x, (0, 0, 0, 0, 0, extra)) if extra else x

    def extra_repr(self) -> str:
        return f"{self.in_planes}->{self.out_planes}, stride={self.stride}"


def make_shortcut(shortcut: str, in_planes: int, out_planes: int, stride: int) -> nn.Module | None:
    """The ``downsample`` module of a block for shortcut option A, B or C (None = plain identity).

    Paper Sec. 3.3: "(A) The shortcut still performs identity mapping, with extra zero entries
    padded for increasing dimensions. This option introduces no extra parameter; (B) The projection
    shortcut in Eqn.(2) is used to match dimensions (done by 1×1 convolutions)." Sec. 4.1 adds
    (C), "all shortcuts are projections".
    """
    shortcut = check_shortcut(shortcut)
    changes = stride != 1 or in_planes != out_planes
    if shortcut == "C" or (shortcut == "B" and changes):
        # Projection shortcut, Eq. (2): y = F(x) + W_s x, with BN as in torchvision.
        return nn.Sequential(conv1x1(in_planes, out_planes, stride), nn.BatchNorm2d(out_planes))
    if changes:  # option A at a dimension change
        return ZeroPadShortcut(in_planes, out_planes, stride)
    return None  # identity, Eq. (1): y = F(x) + x


class BasicBlock(nn.Module):
    """Basic residual block, paper Fig. 5 (left) and Eq. (1)/(2): two 3x3 layers.

    ``y = relu(F(x) + shortcut(x))`` with ``F(x) = bn2(conv2(relu(bn1(conv1(x)))))``. The stride
    (if any) sits in ``conv1``. With ``plain=True`` the block has no shortcut at all:
    ``y = relu(F(x))`` (the paper's "plain" counterpart, Fig. 3 middle). ``se`` is a hook point
    for a later idea: :class:`~.variants.SEBasicBlock` puts a squeeze-and-excitation module there.
    """

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
                 plain: bool = False) -> None:
        super().__init__()
        self.plain = plain
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu1 = nn.ReLU(inplace=False)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.se = None  # hook point: a module that re-weights F(x) before the addition (SE-ResNet)
        self.downsample = None if plain else downsample
        self.residual = nn.Identity()  # tap: F(x)
        self.shortcut = nn.Identity()  # tap: x, or its zero-padded / projected version
        self.relu_out = nn.ReLU(inplace=False)  # the ReLU after the addition, Fig. 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = self.relu1(self.bn1(self.conv1(x)))
        residual = self.bn2(self.conv2(residual))
        if self.se is not None:
            residual = self.se(residual)
        residual = self.residual(residual)
        if self.plain:
            return self.relu_out(residual)
        shortcut = self.shortcut(x if self.downsample is None else self.downsample(x))
        out = residual + shortcut
        return self.relu_out(out)


class Bottleneck(nn.Module):
    """Bottleneck residual block, paper Fig. 5 (right): 1x1 reduce, 3x3, 1x1 restore (x4).

    ``stride_at`` says where the stride-2 of a down-sampling block sits:

    * ``"1x1"`` -- the paper (and the original Torch/Caffe models, "ResNet V1"): in ``conv1``.
    * ``"3x3"`` -- torchvision ("ResNet V1.5", from Goyal et al. 2017, "Accurate, Large Minibatch
      SGD"): in ``conv2``; about 0.5 pp more top-1 on ImageNet at ~5% more FLOPs. Not the paper.

    ``width`` (default ``planes``) is the number of channels inside the bottleneck and ``groups``
    splits its 3x3 convolution into parallel paths: ResNeXt (:class:`~.variants.ResNeXtBottleneck`).
    """

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
                 plain: bool = False, stride_at: str = "1x1", groups: int = 1, width: int | None = None) -> None:
        super().__init__()
        if stride_at not in ("1x1", "3x3"):
            raise ConfigError(f"stride_at must be '1x1' (paper) or '3x3' (torchvision V1.5), got {stride_at!r}")
        self.plain = plain
        s1, s3 = (stride, 1) if stride_at == "1x1" else (1, stride)
        width = width or planes
        self.conv1 = conv1x1(inplanes, width, s1)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu1 = nn.ReLU(inplace=False)
        self.conv2 = conv3x3(width, width, s3, groups=groups)
        self.bn2 = nn.BatchNorm2d(width)
        self.relu2 = nn.ReLU(inplace=False)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.downsample = None if plain else downsample
        self.residual = nn.Identity()
        self.shortcut = nn.Identity()
        self.relu_out = nn.ReLU(inplace=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = self.relu1(self.bn1(self.conv1(x)))
        residual = self.relu2(self.bn2(self.conv2(residual)))
        residual = self.residual(self.bn3(self.conv3(residual)))
        if self.plain:
            return self.relu_out(residual)
        shortcut = self.shortcut(x if self.downsample is None else self.downsample(x))
        out = residual + shortcut
        return self.relu_out(out)


def init_weights(model: nn.Module, zero_init_residual: bool = False) -> nn.Module:
    """He initialisation, the paper's choice (Sec. 3.4, citing He et al. 2015 [13]).

    Convolutions: zero-mean Gaussian with std sqrt(2 / (k*k*c_out)) (``fan_out``, the backward
    form of [13], as in the original fb.resnet.torch and torchvision; [13] shows the forward form
    ``fan_in`` works equally). BN: gamma 1, beta 0. The final FC keeps PyTorch's default init.

    ``zero_init_residual`` (opt-in, NOT the paper; Goyal et al. 2017, Sec. 5.1) sets the last
    BN gamma of each residual branch to 0 so that every block starts as the identity.
    """
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    if zero_init_residual:
        for m in model.modules():
            if isinstance(m, Bottleneck):
                nn.init.zeros_(m.bn3.weight)
            elif isinstance(m, BasicBlock):
                nn.init.zeros_(m.bn2.weight)
    return model
