"""The two network families of the paper: CIFAR-10 (Sec. 4.2) and ImageNet (Table 1).

:class:`CifarResNet` is the one CIFAR skeleton of the package: the paper's nets and every variant
after it (chapter 6) are this skeleton with another ``block=``. Variants are data: every builder is
one line naming ``block=``/``layers=``/``shortcut=``, registered where it is defined, with the name
pages print (``@register_model("ResNet-56")``).

Legend
------
* ``resnetD`` / ``plainD`` with D = 20, 32, 44, 56, 110 (1202): the CIFAR-10 ResNet / plain net of
  Sec. 4.2, Table 6. CIFAR depth = 6n + 2: a 3x3 stem, three stages of n basic blocks (2n layers)
  on 32/16/8 maps with 16/32/64 filters, global average pooling, a 10-way FC.
* ``resnetD`` / ``plainD`` with D = 18, 34, 50, 101, 152: the ImageNet networks of Table 1.
* ``shortcut``: ``"A"`` zero-padding identity (paper's CIFAR choice), ``"B"`` projection where
  dimensions change (torchvision, paper's ImageNet ResNet-50/101/152), ``"C"`` all projections.
* ``plain=True``: the same layers without any shortcut (paper's "plain" baselines).
* ``stride_at`` (bottleneck only): ``"1x1"`` paper / V1, ``"3x3"`` torchvision / V1.5.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, Type, Union

import torch
from torch import nn

from ..errors import ConfigError
from .blocks import BasicBlock, Bottleneck, check_shortcut, conv3x3, init_weights, make_shortcut
from .registry import CIFAR, CIFAR_OPTIONS, IMAGENET, IMAGENET_OPTIONS, PLAIN_CIFAR_OPTIONS, PLAIN_IMAGENET_OPTIONS, register_model

#: A shortcut option letter of :data:`~.blocks.SHORTCUT_OPTIONS`, or a function
#: ``(inplanes, outplanes, stride) -> downsample module or None`` (the pre-activation units' own).
Shortcut = Union[str, Callable[[int, int, int], Union[nn.Module, None]]]


def _make_layer(block: Type[nn.Module], inplanes: int, planes: int, blocks: int, stride: int, shortcut: Shortcut,
                plain: bool = False, expansion: int | None = None, **block_kw) -> tuple[nn.Sequential, int]:
    """One stage: ``blocks`` blocks, the first one changing stride/width. Returns (stage, outplanes).

    ``expansion`` (default ``block.expansion``) is for a block that sets its output width per
    instance (:class:`~.preact.ResidualUnit`).
    """
    outplanes = planes * (expansion or block.expansion)
    downsample = shortcut if callable(shortcut) else partial(make_shortcut, shortcut)
    if plain:
        block_kw["plain"] = True
    layers = []
    for i in range(blocks):
        s = stride if i == 0 else 1
        down = None if plain else downsample(inplanes, outplanes, s)
        layers.append(block(inplanes, planes, s, down, **block_kw))
        inplanes = outplanes
    return nn.Sequential(*layers), outplanes


def cifar_depths(limit: int = 1202) -> list[int]:
    """Valid CIFAR depths 6n+2 up to ``limit``."""
    return list(range(8, limit + 1, 6))


class CifarResNet(nn.Module):
    """CIFAR-10 network of paper Sec. 4.2 (Fig. 6, Table 6), and the skeleton of every variant.

    Stem ``conv1`` (3x3, ``stem`` filters, default ``widths[0]``) + ``bn1`` + ``relu``;
    ``layer1..3`` of n blocks with base widths ``widths`` on 32x32/16x16/8x8 maps (stride 2 at the
    start of stages 2 and 3); ``avgpool``; ``fc``. The defaults are the paper's: basic blocks,
    16/32/64 filters, depth 6n + 2, option A (then the ResNet has exactly the parameters of its
    plain counterpart).

    Legend (what a variant changes; its builder is one line)
    ------
    * ``block``: :class:`~.blocks.BasicBlock` (the paper), :class:`~.blocks.Bottleneck`,
      :class:`~.variants.SEBasicBlock` (SE-ResNet), :class:`~.variants.ResNeXtBottleneck`,
      :class:`~.preact.PreActBasicBlock` / :class:`~.preact.PreActBottleneck` (pre-activation,
      Wide ResNet) or :class:`~.preact.ResidualUnit` (the Identity Mappings ablations).
    * ``**block_kw``: passed to every block (``reduction=`` of SE, ``cardinality=`` of ResNeXt,
      ``dropout=`` of a wide unit, ...).
    * ``depth_rule=(per, extra)``: depth = per * n + extra; default 6n+2 for blocks of two layers,
      9n+2 for bottlenecks (three); the Wide ResNet paper counts 6n+4.
    * ``preact``: a pre-activation network: no BN-ReLU after the stem, instead ``bn_final`` +
      ``relu_final`` before the pooling (default: the block's own ``preact``).
    * ``shortcut``: an option letter (A/B/C) or a function making each ``downsample``.
    * ``expansion``: output width / base width of a block (default: the block's ``expansion``).
    """

    def __init__(self, depth: int, shortcut: Shortcut = "A", plain: bool = False, num_classes: int = 10,
                 zero_init_residual: bool = False, widths: tuple[int, int, int] = (16, 32, 64), *,
                 block: Type[nn.Module] = BasicBlock, stem: int | None = None, preact: bool | None = None,
                 depth_rule: tuple[int, int] | None = None, expansion: int | None = None, **block_kw) -> None:
        super().__init__()
        expansion = expansion or block.expansion
        # depth = 3 stages x n blocks x 2 layers (basic) or 3 (bottleneck), + the stem and the fc
        per, extra = depth_rule or ((6, 2) if expansion == 1 else (9, 2))
        if not isinstance(depth, int) or depth < per + extra or (depth - extra) % per:
            examples = ", ".join(str(per * n + extra) for n in (1, 2, 3, 5, 7, 9, 18, 200))
            raise ConfigError(f"CIFAR ResNet depth must be {per}n+{extra} with n >= 1 ({examples}, ...) for "
                             f"{block.__name__} units; got {depth!r}")
        if isinstance(shortcut, str):
            shortcut = check_shortcut(shortcut)
        if plain and shortcut != "A":
            raise ConfigError("a plain net has no shortcuts; leave shortcut at its default with plain=True")
        self.preact = getattr(block, "preact", False) if preact is None else preact
        self.depth, self.n, self.shortcut_option, self.plain = depth, (depth - extra) // per, shortcut, plain
        stem = stem or widths[0]
        self.conv1 = conv3x3(3, stem)
        if not self.preact:
            self.bn1 = nn.BatchNorm2d(stem)
            self.relu = nn.ReLU(inplace=False)
        inplanes = stem
        for i, planes in enumerate(widths):
            stage, inplanes = _make_layer(block, inplanes, planes, self.n, 1 if i == 0 else 2, shortcut, plain,
                                          expansion, **block_kw)
            self.add_module(f"layer{i + 1}", stage)
        if self.preact:
            self.bn_final = nn.BatchNorm2d(inplanes)
            self.relu_final = nn.ReLU(inplace=False)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(inplanes, num_classes)
        init_weights(self, zero_init_residual)  # He init of conv weights, BN to (1, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)
        if not self.preact:
            x = self.relu(self.bn1(x))
        x = self.layer3(self.layer2(self.layer1(x)))
        if self.preact:
            x = self.relu_final(self.bn_final(x))
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
            raise ConfigError("a plain net has no shortcuts; leave shortcut at its default with plain=True")
        block_kw = {"stride_at": stride_at} if block is Bottleneck else {}
        self.shortcut_option, self.plain = shortcut, plain
        # Where a bottleneck's stride sits is not in the weights' shapes: a state_dict says it in
        # its metadata (see _load_from_state_dict).
        self.stride_at = stride_at if block is Bottleneck else None
        self._register_state_dict_hook(_note_stride_at)
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

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs) -> None:
        """Refuse weights trained with the stride elsewhere. torchvision's ResNet-50/101/152 (and any
        state_dict that does not say) put it in the 3x3 conv; the paper's, in the first 1x1: the
        shapes are the same, the network is not (outputs differ by several logits)."""
        theirs = local_metadata.get("stride_at", "3x3")  # torchvision's, when the state_dict does not say
        if self.stride_at is not None and theirs != self.stride_at:
            raise ConfigError(
                f"this state_dict has the stride of each bottleneck in its {theirs} conv ("
                + ("torchvision's ResNet v1.5 placement, or it does not say" if theirs == "3x3" else "the paper's placement")
                + f"); this network has it in the {self.stride_at}: build get_model("
                + ("'tv_resnetNN'), torchvision's placement" if theirs == "3x3" else "'resnetNN'), the paper's placement")
                + ", to load it")
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def _note_stride_at(module: "ResNet", state_dict, prefix, local_metadata) -> None:
    """A state_dict hook: the network's stride placement goes into the state_dict's metadata."""
    if module.stride_at is not None:
        local_metadata["stride_at"] = module.stride_at


def cifar_resnet(depth: int, shortcut: str = "A", plain: bool = False, num_classes: int = 10, **kw) -> CifarResNet:
    """CIFAR-10 ResNet (``plain=False``) or plain net (``plain=True``) of depth 6n+2, paper Sec. 4.2:
    "There are totally 6n+2 stacked weighted layers." (the stem, 2n per stage, the classifier)."""
    return CifarResNet(depth, shortcut=shortcut, plain=plain, num_classes=num_classes, **kw)


# --- the paper's models, one line each -----------------------------------------------------
# CIFAR-10, paper Table 6 / Fig. 6 (option A by default).
@register_model("ResNet-20", **CIFAR, options=CIFAR_OPTIONS)
def resnet20(**kw): return cifar_resnet(20, **kw)  # noqa: E704
@register_model("ResNet-32", **CIFAR, options=CIFAR_OPTIONS)
def resnet32(**kw): return cifar_resnet(32, **kw)  # noqa: E704
@register_model("ResNet-44", **CIFAR, options=CIFAR_OPTIONS)
def resnet44(**kw): return cifar_resnet(44, **kw)  # noqa: E704
@register_model("ResNet-56", **CIFAR, options=CIFAR_OPTIONS)
def resnet56(**kw): return cifar_resnet(56, **kw)  # noqa: E704
@register_model("ResNet-110", **CIFAR, options=CIFAR_OPTIONS)
def resnet110(**kw): return cifar_resnet(110, **kw)  # noqa: E704
@register_model("ResNet-1202", **CIFAR, options=CIFAR_OPTIONS)
def resnet1202(**kw): return cifar_resnet(1202, **kw)  # noqa: E704
@register_model("plain-20", **CIFAR, options=PLAIN_CIFAR_OPTIONS)
def plain20(**kw): return cifar_resnet(20, plain=True, **kw)  # noqa: E704
@register_model("plain-32", **CIFAR, options=PLAIN_CIFAR_OPTIONS)
def plain32(**kw): return cifar_resnet(32, plain=True, **kw)  # noqa: E704
@register_model("plain-44", **CIFAR, options=PLAIN_CIFAR_OPTIONS)
def plain44(**kw): return cifar_resnet(44, plain=True, **kw)  # noqa: E704
@register_model("plain-56", **CIFAR, options=PLAIN_CIFAR_OPTIONS)
def plain56(**kw): return cifar_resnet(56, plain=True, **kw)  # noqa: E704
@register_model("plain-110", **CIFAR, options=PLAIN_CIFAR_OPTIONS)
def plain110(**kw): return cifar_resnet(110, plain=True, **kw)  # noqa: E704


# ImageNet, paper Table 1 (option B by default, as torchvision; Table 3 compares A/B/C on 34).
@register_model("ResNet-18", **IMAGENET, options=IMAGENET_OPTIONS)
def resnet18(**kw): return ResNet(BasicBlock, [2, 2, 2, 2], **kw)  # noqa: E704
@register_model("ResNet-34", **IMAGENET, options=IMAGENET_OPTIONS)
def resnet34(**kw): return ResNet(BasicBlock, [3, 4, 6, 3], **kw)  # noqa: E704
@register_model("ResNet-50", **IMAGENET, options=IMAGENET_OPTIONS)
def resnet50(**kw): return ResNet(Bottleneck, [3, 4, 6, 3], **kw)  # noqa: E704
@register_model("ResNet-101", **IMAGENET, options=IMAGENET_OPTIONS)
def resnet101(**kw): return ResNet(Bottleneck, [3, 4, 23, 3], **kw)  # noqa: E704
@register_model("ResNet-152", **IMAGENET, options=IMAGENET_OPTIONS)
def resnet152(**kw): return ResNet(Bottleneck, [3, 8, 36, 3], **kw)  # noqa: E704
@register_model("plain-18", **IMAGENET, options=PLAIN_IMAGENET_OPTIONS)
def plain18(**kw): return ResNet(BasicBlock, [2, 2, 2, 2], plain=True, **kw)  # noqa: E704  (Table 2)
@register_model("plain-34", **IMAGENET, options=PLAIN_IMAGENET_OPTIONS)
def plain34(**kw): return ResNet(BasicBlock, [3, 4, 6, 3], plain=True, **kw)  # noqa: E704  (Table 2)


# torchvision's ResNets ("ResNet v1.5": the stride of a bottleneck in its 3x3 conv, as Facebook's
# fb.resnet.torch placed it; option B shortcuts). Same parameter names and shapes as the paper's
# nets above, so a torchvision state_dict loads into either: load it into these (the paper's
# ResNet-50/101/152 refuse it, see ResNet._load_from_state_dict). For 18 and 34 (basic blocks)
# the two placements are the same network.
@register_model("ResNet-18 (torchvision)", **IMAGENET, options=PLAIN_IMAGENET_OPTIONS)
def tv_resnet18(**kw): return ResNet(BasicBlock, [2, 2, 2, 2], stride_at="3x3", **kw)  # noqa: E704
@register_model("ResNet-34 (torchvision)", **IMAGENET, options=PLAIN_IMAGENET_OPTIONS)
def tv_resnet34(**kw): return ResNet(BasicBlock, [3, 4, 6, 3], stride_at="3x3", **kw)  # noqa: E704
@register_model("ResNet-50 (torchvision)", **IMAGENET, options=PLAIN_IMAGENET_OPTIONS)
def tv_resnet50(**kw): return ResNet(Bottleneck, [3, 4, 6, 3], stride_at="3x3", **kw)  # noqa: E704
@register_model("ResNet-101 (torchvision)", **IMAGENET, options=PLAIN_IMAGENET_OPTIONS)
def tv_resnet101(**kw): return ResNet(Bottleneck, [3, 4, 23, 3], stride_at="3x3", **kw)  # noqa: E704
@register_model("ResNet-152 (torchvision)", **IMAGENET, options=PLAIN_IMAGENET_OPTIONS)
def tv_resnet152(**kw): return ResNet(Bottleneck, [3, 8, 36, 3], stride_at="3x3", **kw)  # noqa: E704
