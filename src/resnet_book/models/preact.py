"""Pre-activation ResNets: He, Zhang, Ren, Sun (2016), "Identity Mappings in Deep Residual Networks".

The follow-up paper writes a residual unit as ``x_{l+1} = f(h(x_l) + F(x_l))`` and argues
(Sec. 3, Eqs. 4-5) that both the shortcut ``h`` and the after-addition function ``f`` should be
identities: then ``x_L = x_l + sum_{i=l}^{L-1} F(x_i)`` holds between ANY two units and the
gradient ``dE/dx_l = dE/dx_L (1 + d/dx_l sum F)`` always contains the undamped ``dE/dx_L``. The
"full pre-activation" unit (Fig. 4(e)) gets there by moving BN and ReLU in front of each
convolution, so nothing sits on the path between two units.

The clean blocks (what the chapter shows) are :class:`PreActBasicBlock` and
:class:`PreActBottleneck`. :class:`ResidualUnit` is the ablation playground of the paper: every
activation placement of Table 2 / Fig. 4 and the cheap shortcut variants of Table 1 / Fig. 2, as
named options. The network is the package's one CIFAR skeleton, :class:`~.resnet.CifarResNet`,
with these units (:func:`preact_resnet`).

Legend
------
* ``preact_resnet20/56/110``: basic units (two 3x3), depth 6n+2, stages of 16/32/64 channels.
* ``preact_resnet164/1001``: bottleneck units (1x1, 3x3, 1x1 x4), depth 9n+2, stage outputs
  64/128/256 (as in the authors' code, ``KaimingHe/resnet-1k-layers``).
* ``placement=`` (Table 2, Fig. 4): ``"original"`` (a), ``"bn_after_add"`` (b),
  ``"relu_before_add"`` (c), ``"relu_preact"`` (d), ``"full_preact"`` (e, the default).
* ``shortcut_variant=`` (Table 1, Fig. 2): ``"identity"`` (a), ``"constant_scaling"`` (b),
  ``"exclusive_gating"`` (c), ``"shortcut_only_gating"`` (d), ``"conv1x1"`` (e), ``"dropout"`` (f).
* Where a unit changes the shape (stride 2 or more channels), the shortcut is a 1x1 convolution
  (no BN) applied to the *pre-activated* input, exactly as in the authors' code; all other
  shortcuts are identities.
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import ConfigError
from .blocks import conv1x1, conv3x3
from .registry import CIFAR, register_model
from .resnet import CifarResNet

PREACT_OPTIONS = ("placement", "shortcut_variant", "num_classes", "widths", "dropout")  # what preact_resnet takes

#: Table 2 / Fig. 4 of the paper: where BN and ReLU sit relative to the addition.
PLACEMENTS = {
    "original": "Fig. 4(a): conv-BN-ReLU-conv-BN, add, ReLU (the 2015 unit)",
    "bn_after_add": "Fig. 4(b): conv-BN-ReLU-conv, add, BN, ReLU",
    "relu_before_add": "Fig. 4(c): conv-BN-ReLU-conv-BN-ReLU, add (F(x) can only be >= 0)",
    "relu_preact": "Fig. 4(d): ReLU-conv-BN-ReLU-conv-BN, add (ReLU-only pre-activation)",
    "full_preact": "Fig. 4(e): BN-ReLU-conv-BN-ReLU-conv, add (full pre-activation)",
}
PRE_ACTIVATION = ("relu_preact", "full_preact")  # no stem BN-ReLU; a final BN-ReLU before pooling

#: Table 1 / Fig. 2 of the paper: what multiplies the shortcut h(x) and the residual F(x).
SHORTCUT_VARIANTS = {
    "identity": "Fig. 2(a): h(x) = x (the original)",
    "constant_scaling": "Fig. 2(b): 0.5 * x + 0.5 * F(x) (lambda = 0.5 on both)",
    "exclusive_gating": "Fig. 2(c): (1 - g(x)) * x + g(x) * F(x), g = sigmoid(1x1 conv), bias init -6",
    "shortcut_only_gating": "Fig. 2(d): (1 - g(x)) * x + F(x)",
    "conv1x1": "Fig. 2(e): a 1x1 convolution on every shortcut",
    "dropout": "Fig. 2(f): dropout (p = 0.5) on the shortcut",
}


def _check(value: str, options: dict, what: str) -> str:
    if value not in options:
        valid = "; ".join(f"{k!r} = {v}" for k, v in options.items())
        raise ConfigError(f"unknown {what} {value!r}; valid: {valid}")
    return value


class PreActBasicBlock(nn.Module):
    """Full pre-activation basic unit, Identity Mappings Fig. 1(b) / Fig. 4(e), Eq. (3).

    ``x_{l+1} = x_l + F(x_l)`` with ``F(x) = conv2(relu2(bn2(conv1(relu1(bn1(x))))))``: BN and
    ReLU come *before* each convolution and nothing follows the addition, so the shortcut path
    between units is a clean identity. Where the shape changes, ``downsample`` (a strided 1x1
    convolution) takes the pre-activated input, as in the authors' code. ``dropout`` between the
    two convolutions is the "wide-dropout" block of Zagoruyko & Komodakis (2016), Fig. 1(d).
    """

    expansion = 1
    preact = True  # the network around it: no BN-ReLU after the stem, a final BN-ReLU before pooling

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.relu1 = nn.ReLU(inplace=False)
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu2 = nn.ReLU(inplace=False)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.conv2 = conv3x3(planes, planes)
        self.downsample = downsample
        self.residual = nn.Identity()  # tap: F(x)
        self.shortcut = nn.Identity()  # tap: x, or the projection of the pre-activated x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        preact = self.relu1(self.bn1(x))
        residual = self.conv1(preact)
        residual = self.conv2(self.dropout(self.relu2(self.bn2(residual))))
        residual = self.residual(residual)
        shortcut = self.shortcut(x if self.downsample is None else self.downsample(preact))
        out = residual + shortcut  # nothing after the addition: x_{l+1} = x_l + F(x_l)
        return out


class PreActBottleneck(nn.Module):
    """Full pre-activation bottleneck unit, Identity Mappings Fig. 4(e) and Sec. 4 (ResNet-164/1001).

    ``F(x) = conv3(relu3(bn3(conv2(relu2(bn2(conv1(relu1(bn1(x)))))))))``: 1x1 reduce, 3x3, 1x1
    restore (x4), each preceded by BN and ReLU; the stride sits in ``conv1`` as in the authors'
    code. Output = ``F(x) + shortcut``, with no activation after the addition.
    """

    expansion = 4
    preact = True

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.relu1 = nn.ReLU(inplace=False)
        self.conv1 = conv1x1(inplanes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu2 = nn.ReLU(inplace=False)
        self.conv2 = conv3x3(planes, planes)
        self.bn3 = nn.BatchNorm2d(planes)
        self.relu3 = nn.ReLU(inplace=False)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.downsample = downsample
        self.residual = nn.Identity()
        self.shortcut = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        preact = self.relu1(self.bn1(x))
        residual = self.conv1(preact)
        residual = self.conv2(self.relu2(self.bn2(residual)))
        residual = self.residual(self.conv3(self.relu3(self.bn3(residual))))
        shortcut = self.shortcut(x if self.downsample is None else self.downsample(preact))
        out = residual + shortcut
        return out


def _unit_order(placement: str, k: int) -> tuple[list[str], list[str]]:
    """(layers of F in order, layers after the addition) for a unit of ``k`` convolutions (Fig. 4)."""
    c, b, r = ([f"{t}{i}" for i in range(1, k + 1)] for t in ("conv", "bn", "relu"))
    if placement == "original":  # (a) conv-BN-ReLU ... conv-BN | add | ReLU
        return [m for i in range(k) for m in (c[i], b[i], r[i])][:-1], ["relu_out"]
    if placement == "bn_after_add":  # (b) conv-BN-ReLU ... conv | add | BN-ReLU
        return [m for i in range(k) for m in (c[i], b[i], r[i])][:-2], [b[-1], "relu_out"]
    if placement == "relu_before_add":  # (c) conv-BN-ReLU ... conv-BN-ReLU | add
        return [m for i in range(k) for m in (c[i], b[i], r[i])], []
    if placement == "relu_preact":  # (d) ReLU-conv-BN ... ReLU-conv-BN | add
        return [m for i in range(k) for m in (r[i], c[i], b[i])], []
    return [m for i in range(k) for m in (b[i], r[i], c[i])], []  # (e) BN-ReLU-conv ... | add


class ResidualUnit(nn.Module):
    """The ablation unit of Identity Mappings: any placement of Table 2 x any shortcut of Table 1.

    ``placement`` (Fig. 4) orders conv/BN/ReLU around the addition (see :data:`PLACEMENTS`);
    ``shortcut_variant`` (Fig. 2) changes what multiplies the shortcut and the residual (see
    :data:`SHORTCUT_VARIANTS`). ``bottleneck=True`` gives the 1x1-3x3-1x1 (x4) unit of ResNet-164.
    Layer names follow the other blocks (``convK``/``bnK``/``reluK``, ``relu_out`` after the
    addition; in ``"bn_after_add"`` the last BN, ``bnK``, sits after the addition). Layers before
    ``conv1`` are the unit's pre-activation, shared with a projection shortcut as in
    :class:`PreActBasicBlock`. With ``placement="full_preact", shortcut_variant="identity"`` it
    computes exactly what :class:`PreActBasicBlock` / :class:`PreActBottleneck` compute.
    """

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
                 bottleneck: bool = False, placement: str = "full_preact", shortcut_variant: str = "identity",
                 scale: float = 0.5, gate_bias: float = -6.0) -> None:
        super().__init__()
        self.placement = _check(placement, PLACEMENTS, "placement")
        self.variant = _check(shortcut_variant, SHORTCUT_VARIANTS, "shortcut_variant")
        self.expansion = 4 if bottleneck else 1
        outplanes = planes * self.expansion
        if bottleneck:  # (in, out, kernel, stride) of each convolution; stride in the first, as the authors
            convs = [(inplanes, planes, 1, stride), (planes, planes, 3, 1), (planes, outplanes, 1, 1)]
        else:
            convs = [(inplanes, planes, 3, stride), (planes, planes, 3, 1)]
        self.branch, self.after = _unit_order(placement, len(convs))
        order = self.branch + self.after
        for i, (cin, cout, k, s) in enumerate(convs, 1):
            conv = conv3x3(cin, cout, s) if k == 3 else conv1x1(cin, cout, s)
            self.add_module(f"conv{i}", conv)
            if f"bn{i}" in order:  # a BN before its conv normalises the conv's input, after it its output
                before = order.index(f"bn{i}") < order.index(f"conv{i}")
                self.add_module(f"bn{i}", nn.BatchNorm2d(cin if before else cout))
            if f"relu{i}" in order:
                self.add_module(f"relu{i}", nn.ReLU(inplace=False))
        if "relu_out" in order:
            self.relu_out = nn.ReLU(inplace=False)
        self.lead = self.branch[: self.branch.index("conv1")]  # pre-activation of the unit's input
        if self.variant == "conv1x1" and downsample is None:
            downsample = conv1x1(inplanes, outplanes, stride)
        self.downsample = downsample
        self.scale = scale
        if self.variant in ("exclusive_gating", "shortcut_only_gating"):
            self.gate = nn.Conv2d(inplanes, outplanes, 1, stride=stride, bias=True)  # g(x) = sigmoid(W_g x + b_g)
            nn.init.constant_(self.gate.bias, gate_bias)  # Table 1: b_g = -6, gates start almost closed
        self.shortcut_dropout = nn.Dropout(0.5) if self.variant == "dropout" else nn.Identity()
        self.residual = nn.Identity()
        self.shortcut = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for name in self.lead:
            h = getattr(self, name)(h)
        pre = h
        for name in self.branch[len(self.lead):]:
            h = getattr(self, name)(h)
        shortcut = x if self.downsample is None else self.downsample(pre)
        if self.variant == "constant_scaling":
            h, shortcut = (1 - self.scale) * h, self.scale * shortcut
        elif self.variant in ("exclusive_gating", "shortcut_only_gating"):
            g = torch.sigmoid(self.gate(x))
            shortcut = (1 - g) * shortcut
            if self.variant == "exclusive_gating":
                h = g * h
        residual = self.residual(h)
        shortcut = self.shortcut(self.shortcut_dropout(shortcut))
        out = residual + shortcut
        for name in self.after:
            out = getattr(self, name)(out)
        return out


def preact_shortcut(inplanes: int, outplanes: int, stride: int) -> nn.Module | None:
    """``downsample`` of a pre-activation unit: where the shape changes, a strided 1x1 convolution
    (no BN) of the *pre-activated* input, as in the authors' code; elsewhere the identity (None)."""
    return conv1x1(inplanes, outplanes, stride) if (stride != 1 or inplanes != outplanes) else None


def preact_resnet(depth: int, block: str | None = None, placement: str = "full_preact",
                  shortcut_variant: str = "identity", num_classes: int = 10,
                  widths: tuple[int, int, int] = (16, 32, 64), dropout: float = 0.0,
                  depth_rule: tuple[int, int] | None = None, **unit_kw) -> CifarResNet:
    """CIFAR pre-activation ResNet of Identity Mappings (Sec. 4, Tables 2-3), and its ablations.

    The CIFAR skeleton with pre-activation units: ``conv1`` (3x3, 16) -> ``layer1..3`` (stride 2 at
    the start of stages 2 and 3) -> ``bn_final`` + ``relu_final`` -> ``avgpool`` -> ``fc``.
    ``block="basic"``: depth 6n+2, stage widths 16/32/64; ``"bottleneck"``: depth 9n+2, stage
    outputs 64/128/256 (authors' code); default basic below 164 layers. With a post-activation
    ``placement`` ("original", "bn_after_add", "relu_before_add") the stem is conv-BN-ReLU (``bn1``,
    ``relu``) and there is no final BN-ReLU, as in the 2015 network. ``unit_kw`` (``scale``,
    ``gate_bias``) go to :class:`ResidualUnit`.
    """
    if block is None:
        block = "bottleneck" if (isinstance(depth, int) and depth >= 164 and (depth - 2) % 9 == 0) else "basic"
    if block not in ("basic", "bottleneck"):
        raise ConfigError(f"block must be 'basic' or 'bottleneck', got {block!r}")
    _check(placement, PLACEMENTS, "placement")
    _check(shortcut_variant, SHORTCUT_VARIANTS, "shortcut_variant")
    if not 0.0 <= dropout < 1.0:
        raise ConfigError(f"dropout must be in [0, 1); got {dropout!r}")
    if dropout and (block != "basic" or placement != "full_preact" or shortcut_variant != "identity"):
        raise ConfigError("dropout is an option of the full pre-activation basic unit (wide-dropout) only")
    bottleneck = block == "bottleneck"
    if placement == "full_preact" and shortcut_variant == "identity" and not unit_kw:  # the clean units
        unit, unit_kw = (PreActBottleneck, {}) if bottleneck else (PreActBasicBlock, {"dropout": dropout})
    else:
        unit, unit_kw = ResidualUnit, dict(unit_kw, bottleneck=bottleneck, placement=placement,
                                           shortcut_variant=shortcut_variant)
    return CifarResNet(depth, shortcut=preact_shortcut, num_classes=num_classes, widths=widths, block=unit, stem=16,
                       preact=placement in PRE_ACTIVATION, depth_rule=depth_rule, expansion=4 if bottleneck else 1,
                       **unit_kw)


# --- one line each (Identity Mappings Tables 2-3; 20/56 for quick runs) ---------------------------
@register_model("pre-act ResNet-20", **CIFAR, options=PREACT_OPTIONS)
def preact_resnet20(**kw): return preact_resnet(20, "basic", **kw)  # noqa: E704
@register_model("pre-act ResNet-56", **CIFAR, options=PREACT_OPTIONS)
def preact_resnet56(**kw): return preact_resnet(56, "basic", **kw)  # noqa: E704
@register_model("pre-act ResNet-110", **CIFAR, options=PREACT_OPTIONS)
def preact_resnet110(**kw): return preact_resnet(110, "basic", **kw)  # noqa: E704
@register_model("pre-act ResNet-164", **CIFAR, options=PREACT_OPTIONS)
def preact_resnet164(**kw): return preact_resnet(164, "bottleneck", **kw)  # noqa: E704
@register_model("pre-act ResNet-1001", **CIFAR, options=PREACT_OPTIONS)
def preact_resnet1001(**kw): return preact_resnet(1001, "bottleneck", **kw)  # noqa: E704
