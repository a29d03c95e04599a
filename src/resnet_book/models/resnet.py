"""The two network families of the paper: CIFAR-10 (Sec. 4.2) and ImageNet (Table 1).

Variants are data: every builder is one line naming ``block=``, ``layers=`` and ``shortcut=``.

Legend
------
* ``shortcut``: ``"A"`` zero-padding identity (paper's CIFAR choice), ``"B"`` projection where
  dimensions change (torchvision, paper's ImageNet ResNet-50/101/152), ``"C"`` all projections.
* ``plain=True``: the same layers without any shortcut (paper's "plain" baselines).
* ``stride_at`` (bottleneck only): ``"1x1"`` paper / V1, ``"3x3"`` torchvision / V1.5.
* CIFAR depth = 6n + 2: a 3x3 stem, three stages of n basic blocks (2n layers) on 32/16/8 maps
  with 16/32/64 filters, global average pooling, a 10-way FC.
"""

from __future__ import annotations

from typing import Type

import torch
from torch import nn

from .blocks import BasicBlock, Bottleneck, check_shortcut, conv3x3, init_weights, make_shortcut


def _make_layer(
    block: Type[nn.Module],
    inplanes: int,
    planes: int,
    blocks: int,
    stride: int,
    shortcut: str,
    plain: bool,
    **block_kw,
) -> tuple[nn.Sequential, int]:
    """One stage: ``blocks`` blocks, the first one changing stride/width. Returns (stage, outplanes)."""
    outplanes = planes * block.expansion
    layers = []
    for i in range(blocks):
        s = stride if i == 0 else 1
        down = None if plain else make_shortcut(shortcut, inplanes, outplanes, s)
        layers.append(block(inplanes, planes, s, down, plain=plain, **block_kw))
        inplanes = outplanes
    return nn.Sequential(*layers), outplanes


def cifar_depths(limit: int = 1202) -> list[int]:
    """Valid CIFAR depths 6n+2 up to ``limit``."""
    return list(range(8, limit + 1, 6))


class CifarResNet(nn.Module):
    """CIFAR-10 ResNet / plain net of paper Sec. 4.2 (Fig. 6, Table 6). Depth = 6n + 2.

    Stem ``conv1`` (3x3, 16) + ``bn1`` + ``relu``; ``layer1..3`` of n basic blocks with 16/32/64
    filters on 32x32/16x16/8x8 maps (stride 2 in the first conv of stages 2 and 3); ``avgpool``;
    ``fc``. With option A the ResNet has exactly the parameters of its plain counterpart.
    """

    def __init__(
        self,
        depth: int,
        shortcut: str = "A",
        plain: bool = False,
        num_classes: int = 10,
        zero_init_residual: bool = False,
        widths: tuple[int, int, int] = (16, 32, 64),
    ) -> None:
        super().__init__()
        if not isinstance(depth, int) or depth < 8 or (depth - 2) % 6:
            raise ValueError(
                f"CIFAR ResNet depth must be 6n+2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, 1202, ...); got {depth!r}"
            )
        shortcut = check_shortcut(shortcut)
        if plain and shortcut != "A":
            raise ValueError("a plain net has no shortcuts; leave shortcut at its default with plain=True")
        self.depth, self.n, self.shortcut_option, self.plain = depth, (depth - 2) // 6, shortcut, plain
        self.conv1 = conv3x3(3, widths[0])
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=False)
        inplanes = widths[0]
        self.layer1, inplanes = _make_layer(BasicBlock, inplanes, widths[0], self.n, 1, shortcut, plain)
        self.layer2, inplanes = _make_layer(BasicBlock, inplanes, widths[1], self.n, 2, shortcut, plain)
        self.layer3, inplanes = _make_layer(BasicBlock, inplanes, widths[2], self.n, 2, shortcut, plain)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(inplanes, num_classes)
        init_weights(self, zero_init_residual)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class ResNet(nn.Module):
    """ImageNet ResNet of paper Table 1; parameter names identical to torchvision's.

    Stem ``conv1`` 7x7/2 + ``bn1`` + ``relu`` + ``maxpool`` 3x3/2; ``layer1..4`` = conv2_x..conv5_x
    with 64/128/256/512 base widths (stride 2 at the start of conv3_x..conv5_x); ``avgpool``; ``fc``.
    """

    def __init__(
        self,
        block: Type[nn.Module],
        layers: list[int],
        shortcut: str = "B",
        plain: bool = False,
        num_classes: int = 1000,
        stride_at: str = "1x1",
        zero_init_residual: bool = False,
    ) -> None:
        super().__init__()
        shortcut = check_shortcut(shortcut)
        if plain and shortcut != "B":
            raise ValueError("a plain net has no shortcuts; leave shortcut at its default with plain=True")
        block_kw = {"stride_at": stride_at} if block is Bottleneck else {}
        self.shortcut_option, self.plain = shortcut, plain
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=False)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        inplanes = 64
        for i, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
            stage, inplanes = _make_layer(block, inplanes, planes, n, 1 if i == 0 else 2, shortcut, plain, **block_kw)
            self.add_module(f"layer{i + 1}", stage)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(inplanes, num_classes)
        init_weights(self, zero_init_residual)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def cifar_resnet(depth: int, shortcut: str = "A", plain: bool = False, num_classes: int = 10, **kw) -> CifarResNet:
    """CIFAR-10 ResNet (``plain=False``) or plain net (``plain=True``) of depth 6n+2, paper Sec. 4.2."""
    return CifarResNet(depth, shortcut=shortcut, plain=plain, num_classes=num_classes, **kw)


# --- the paper's models, one line each -----------------------------------------------------
# CIFAR-10, paper Table 6 / Fig. 6 (option A by default).
def resnet20(**kw): return cifar_resnet(20, **kw)  # noqa: E704
def resnet32(**kw): return cifar_resnet(32, **kw)  # noqa: E704
def resnet44(**kw): return cifar_resnet(44, **kw)  # noqa: E704
def resnet56(**kw): return cifar_resnet(56, **kw)  # noqa: E704
def resnet110(**kw): return cifar_resnet(110, **kw)  # noqa: E704
def resnet1202(**kw): return cifar_resnet(1202, **kw)  # noqa: E704
def plain20(**kw): return cifar_resnet(20, plain=True, **kw)  # noqa: E704
def plain32(**kw): return cifar_resnet(32, plain=True, **kw)  # noqa: E704
def plain44(**kw): return cifar_resnet(44, plain=True, **kw)  # noqa: E704
def plain56(**kw): return cifar_resnet(56, plain=True, **kw)  # noqa: E704
def plain110(**kw): return cifar_resnet(110, plain=True, **kw)  # noqa: E704


# ImageNet, paper Table 1 (option B by default, as torchvision; Table 3 compares A/B/C on 34).
def resnet18(**kw): return ResNet(BasicBlock, [2, 2, 2, 2], **kw)  # noqa: E704
def resnet34(**kw): return ResNet(BasicBlock, [3, 4, 6, 3], **kw)  # noqa: E704
def resnet50(**kw): return ResNet(Bottleneck, [3, 4, 6, 3], **kw)  # noqa: E704
def resnet101(**kw): return ResNet(Bottleneck, [3, 4, 23, 3], **kw)  # noqa: E704
def resnet152(**kw): return ResNet(Bottleneck, [3, 8, 36, 3], **kw)  # noqa: E704
def plain18(**kw): return ResNet(BasicBlock, [2, 2, 2, 2], plain=True, **kw)  # noqa: E704  (Table 2)
def plain34(**kw): return ResNet(BasicBlock, [3, 4, 6, 3], plain=True, **kw)  # noqa: E704  (Table 2)
