"""What the residual idea became: wide, aggregated, dense, squeeze-and-excitation, stochastic depth.

Every network here is a CIFAR network (32x32 input, 3x3 stem, three stages on 32/16/8 maps,
global average pooling, one FC) so that they compare with the paper's ResNet-20...1202 and with
the pre-activation ResNets of :mod:`.preact`. All but DenseNet are the package's one CIFAR
skeleton, :class:`~.resnet.CifarResNet`, with another block: a variant is a block (or a few
options) plus a one-line builder. Blocks keep the package's conventions: torchvision names, one
module per activation, and the taps ``residual``/``shortcut`` before a literal
``out = residual + shortcut`` where the block adds.

Legend
------
* ``wrnD_K`` = ``wide_resnet(D, K)`` -- Wide ResNet WRN-D-K (Zagoruyko & Komodakis 2016):
  pre-activation basic units, depth D = 6n+4, stage widths 16K/32K/64K; ``dropout=`` between the
  two 3x3 convolutions ("wide-dropout", the paper uses 0.3). Paper configs:
  WRN-16-4/16-8/28-10/40-4; ``wrn16_2`` is a small member of the family for quick runs (about
  ResNet-56's cost).
* ``resnext29_CxDd`` = ``cifar_resnext(29, C, D)`` -- ResNeXt-29 (Xie et al. 2017, CIFAR template
  of Sec. 5 / Table 7): 3x3 stem with 64 filters, three stages of 3 bottleneck blocks whose 3x3
  convolution has cardinality C (groups) of width D in stage 1 (doubled per stage); block outputs
  256/512/1024. ``resnext29_8x4d_narrow`` keeps the template and the cardinality of 8x64d at a
  quarter of the width (16-filter stem, block outputs 64/128/256, group width 4): it trains
  about as fast as ResNet-56 on a CPU, for quick runs. It is ours, not a configuration of the
  paper.
* ``densenet_bcL_K`` = ``DenseNetBC(L, K)`` -- DenseNet-BC (Huang et al. 2017): three dense
  blocks of (L-4)/6 bottleneck layers (BN-ReLU-1x1 conv 4K, BN-ReLU-3x3 conv K) joined by
  concatenation, transitions with compression 0.5, growth rate K. ``densenet_bc100_12`` is the
  paper's; ``densenet_bc28_12`` a small member for quick runs. Its own class: its layers
  concatenate instead of adding, so it is not the residual skeleton.
* ``se_resnetD`` = ``se_resnet(D)`` -- SE-ResNet (Hu et al. 2018): the paper's CIFAR ResNet-D
  (option A) with a squeeze-and-excitation module (reduction 16) on every residual branch, before
  the addition.
* ``sd_resnetD`` -- the paper's CIFAR ResNet-D trained with stochastic depth (Huang et al.
  2016, linear decay to p_L = 0.5). Any residual model gets it with
  :func:`add_stochastic_depth` (or ``get_model(name, stochastic_depth=0.5)``).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..errors import ConfigError
from .blocks import BasicBlock, Bottleneck, conv1x1, conv3x3, init_weights
from .preact import preact_resnet
from .registry import CIFAR, CIFAR_OPTIONS, register_model
from .resnet import CifarResNet, cifar_resnet


# --- Wide ResNet (Zagoruyko & Komodakis 2016) ----------------------------------------------------
def wide_resnet(depth: int, widen_factor: int, dropout: float = 0.0, num_classes: int = 10) -> CifarResNet:
    """Wide ResNet WRN-d-k, Zagoruyko & Komodakis (2016), Sec. 2 and Table 1.

    A pre-activation ResNet (:func:`~.preact.preact_resnet`) with k times wider stages: ``conv1``
    (3x3, 16) -> ``layer1..3`` of n = (d-4)/6 :class:`~.preact.PreActBasicBlock` units with
    16k/32k/64k filters (stride 2 at the start of stages 2 and 3; a 1x1 projection of the
    pre-activated input wherever the width or size changes) -> ``bn_final`` + ``relu_final`` ->
    ``avgpool`` -> ``fc``. ``dropout`` sits between the two convolutions of each unit, Fig. 1(d).
    The paper counts depth d = 6n + 4.
    """
    if not isinstance(widen_factor, int) or widen_factor < 1:
        raise ConfigError(f"WRN widen factor k must be a positive integer; got {widen_factor!r}")
    k = widen_factor
    return preact_resnet(depth, "basic", widths=(16 * k, 32 * k, 64 * k), dropout=dropout, depth_rule=(6, 4),
                         num_classes=num_classes)


# --- ResNeXt (Xie et al. 2017) ---------------------------------------------------------------------
class ResNeXtBottleneck(Bottleneck):
    """Aggregated residual transformation, Xie et al. (2017), Eq. (3) in the form of Fig. 3(c).

    ``y = x + sum_{i=1}^{C} T_i(x)``: C parallel paths of 1x1 (reduce to d) -> 3x3 -> 1x1, summed.
    Fig. 3 shows that the C paths are exactly one bottleneck block with a grouped 3x3 convolution:
    the 2015 :class:`~.blocks.Bottleneck` with ``conv1`` (1x1, to C*d channels) -> ``conv2`` (3x3,
    ``groups=C``) -> ``conv3`` (1x1, to the block's output). Post-activation, as the 2015
    bottleneck: ``relu_out`` after the addition. The stride sits in the 3x3 convolution and the
    shortcut is a 1x1 projection + BN where the shape changes (the authors' code). Each path has
    d = ``group_width`` channels in blocks of ``base_planes`` base width (stage 1), doubling with
    the width of each later stage.
    """

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
                 plain: bool = False, cardinality: int = 8, group_width: int = 64, base_planes: int = 64) -> None:
        width = cardinality * group_width * planes // base_planes  # C paths of d channels, as C groups
        super().__init__(inplanes, planes, stride, downsample, plain, stride_at="3x3", groups=cardinality, width=width)


def cifar_resnext(depth: int = 29, cardinality: int = 8, group_width: int = 64, stem: int = 64,
                  num_classes: int = 10) -> CifarResNet:
    """ResNeXt-29 for CIFAR, Xie et al. (2017), Sec. 5 ("CIFAR") and Table 7.

    ``conv1`` (3x3, ``stem``) + ``bn1`` + ``relu`` -> ``layer1..3`` of (depth-2)/9 blocks; stage s
    (s = 0, 1, 2) has cardinality C, group width ``group_width * 2**s`` and block output
    ``4 * stem * 2**s`` (256/512/1024 for the paper's stem of 64) -> ``avgpool`` -> ``fc``.
    """
    for name, v in (("cardinality", cardinality), ("group_width", group_width), ("stem", stem)):
        if not isinstance(v, int) or v < 1:
            raise ConfigError(f"{name} must be a positive integer; got {v!r}")
    return CifarResNet(depth, shortcut="B", num_classes=num_classes, widths=(stem, 2 * stem, 4 * stem),
                       block=ResNeXtBottleneck, cardinality=cardinality, group_width=group_width, base_planes=stem)


# --- DenseNet-BC (Huang et al. 2017) ---------------------------------------------------------------
class DenseLayer(nn.Module):
    """One layer of a dense block, Huang et al. (2017), Eq. (2) with the "B" bottleneck (Sec. 3).

    ``x_l = H_l([x_0, x_1, ..., x_{l-1}])``: the layer sees the concatenation of ALL earlier
    feature maps of its block and adds k (the growth rate) new ones. H = BN-ReLU-1x1 conv (4k)
    -BN-ReLU-3x3 conv (k). Concatenation instead of addition: earlier features are passed on
    unchanged (not summed into one tensor), and every layer has a direct path to the loss.
    """

    def __init__(self, inplanes: int, growth_rate: int, bn_size: int = 4) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(inplanes)
        self.relu1 = nn.ReLU(inplace=False)
        self.conv1 = conv1x1(inplanes, bn_size * growth_rate)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=False)
        self.conv2 = conv3x3(bn_size * growth_rate, growth_rate)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        new_features = self.conv1(self.relu1(self.norm1(x)))
        new_features = self.conv2(self.relu2(self.norm2(new_features)))
        out = torch.cat([x, new_features], dim=1)  # [x_0, ..., x_{l-1}] -> [x_0, ..., x_l]
        return out


class Transition(nn.Module):
    """Transition layer between dense blocks, Huang et al. (2017), Sec. 3 ("DenseNet-C").

    BN-ReLU-1x1 conv that keeps ``floor(theta * m)`` of the m channels (compression theta = 0.5),
    then 2x2 average pooling halves the map.
    """

    def __init__(self, inplanes: int, outplanes: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(inplanes)
        self.relu = nn.ReLU(inplace=False)
        self.conv = conv1x1(inplanes, outplanes)
        self.pool = nn.AvgPool2d(2, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(self.conv(self.relu(self.norm(x))))


class DenseNetBC(nn.Module):
    """DenseNet-BC for CIFAR, Huang et al. (2017), Sec. 3-4 and Table 2.

    ``features``: ``conv0`` (3x3, 2k filters) -> ``denseblock1`` -> ``transition1`` ->
    ``denseblock2`` -> ``transition2`` -> ``denseblock3`` -> ``norm_final`` + ``relu_final``;
    then global average pooling and ``classifier`` (names as torchvision's DenseNet). Each dense
    block has (L-4)/6 :class:`DenseLayer` s (two convolutions each).
    """

    def __init__(self, depth: int = 100, growth_rate: int = 12, compression: float = 0.5,
                 num_classes: int = 10) -> None:
        super().__init__()
        if not isinstance(depth, int) or depth < 10 or (depth - 4) % 6:
            raise ConfigError(f"DenseNet-BC depth L must be 6n+4 (10, 40, 100, 190, 250, ...); got {depth!r}")
        if not isinstance(growth_rate, int) or growth_rate < 1:
            raise ConfigError(f"growth rate k must be a positive integer; got {growth_rate!r}")
        if not 0.0 < compression <= 1.0:
            raise ConfigError(f"compression theta must be in (0, 1]; got {compression!r}")
        self.depth, self.growth_rate, self.n = depth, growth_rate, (depth - 4) // 6
        channels = 2 * growth_rate
        features = [("conv0", conv3x3(3, channels))]
        for b in range(3):
            layers = []
            for _ in range(self.n):
                layers.append(DenseLayer(channels, growth_rate))
                channels += growth_rate
            features.append((f"denseblock{b + 1}", nn.Sequential(*layers)))
            if b < 2:
                out = int(math.floor(compression * channels))
                features.append((f"transition{b + 1}", Transition(channels, out)))
                channels = out
        features += [("norm_final", nn.BatchNorm2d(channels)), ("relu_final", nn.ReLU(inplace=False))]
        self.features = nn.Sequential()
        for name, module in features:
            self.features.add_module(name, module)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(channels, num_classes)
        init_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


# --- Squeeze-and-excitation (Hu et al. 2018) ---------------------------------------------------------
class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation module, Hu et al. (2018), Sec. 3, Eqs. (2)-(4) and Fig. 3.

    Squeeze: ``z_c = mean over the map of u_c`` (global average pooling, Eq. 2). Excitation:
    ``s = sigmoid(W_2 relu(W_1 z))`` with ``W_1`` reducing C to C/r channels (Eq. 3). Scale:
    every channel of u is multiplied by its s_c (Eq. 4). The two FC layers keep biases, as in
    torchvision's ``SqueezeExcitation`` and timm's ``SEModule`` (Eq. 3 writes none).
    """

    def __init__(self, channels: int, reduction: int = 16) -> None:
        super().__init__()
        if not isinstance(reduction, int) or reduction < 1:
            raise ConfigError(f"SE reduction ratio r must be a positive integer; got {reduction!r}")
        hidden = max(1, channels // reduction)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Linear(channels, hidden)
        self.relu = nn.ReLU(inplace=False)
        self.fc2 = nn.Linear(hidden, channels)
        self.sigmoid = nn.Sigmoid()

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        z = torch.flatten(self.avgpool(u), 1)  # squeeze
        s = self.sigmoid(self.fc2(self.relu(self.fc1(z))))  # excitation
        return u * s[:, :, None, None]  # scale: channel-wise attention


class SEBasicBlock(BasicBlock):
    """SE-ResNet basic block, Hu et al. (2018), Fig. 3 (right, "SE-ResNet module").

    The 2015 :class:`~.blocks.BasicBlock` with :class:`SqueezeExcitation` applied to the
    residual F(x) before the addition: ``y = relu(se(F(x)) + shortcut(x))``. The shortcut path
    is untouched, so the identity argument of Identity Mappings still holds.
    """

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
                 plain: bool = False, reduction: int = 16) -> None:
        super().__init__(inplanes, planes, stride, downsample, plain=plain)
        self.se = SqueezeExcitation(planes, reduction)  # into BasicBlock's hook point, before the residual tap


def se_resnet(depth: int, reduction: int = 16, **kw) -> CifarResNet:
    """CIFAR SE-ResNet: the paper's CIFAR ResNet (He et al. 2015, Sec. 4.2, option A) with an
    :class:`SEBasicBlock` in place of every block; same layout and names otherwise."""
    return CifarResNet(depth, block=SEBasicBlock, reduction=reduction, **kw)


# --- Stochastic depth (Huang et al. 2016) ------------------------------------------------------------
class StochasticDepth(nn.Module):
    """Stochastic depth on a residual branch, Huang et al. (2016), Sec. 3, Eqs. (2) and (5).

    Training: ``H_l = relu(b_l f_l(H_{l-1}) + id(H_{l-1}))`` with ``b_l ~ Bernoulli(p_l)``, drawn
    once per mini-batch (``mode="batch"``, the paper) or per example (``mode="row"``, as
    torchvision's ``StochasticDepth`` and timm's ``DropPath``). Test: the paper's rule,
    ``H_l = relu(p_l f_l(H_{l-1}) + H_{l-1})``, i.e. the branch is scaled by its survival
    probability at TEST time (Eq. 5). ``inverted=True`` instead divides by p_l during training
    and leaves test time alone (the "inverted dropout" convention of torchvision/timm); both give
    the same expected output. A dropped branch is multiplied by zero here, so it still costs its
    compute (the paper skips it, which is where its training speed-up comes from).
    """

    def __init__(self, survival_prob: float, mode: str = "batch", inverted: bool = False) -> None:
        super().__init__()
        if not 0.0 < survival_prob <= 1.0:
            raise ConfigError(f"survival probability must be in (0, 1]; got {survival_prob!r}")
        if mode not in ("batch", "row"):
            raise ConfigError(f"mode must be 'batch' (the paper: one draw per mini-batch) or 'row'; got {mode!r}")
        self.p, self.mode, self.inverted = float(survival_prob), mode, inverted

    def forward(self, residual: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return residual if self.inverted else residual * self.p  # Eq. (5)
        shape = (1,) * residual.dim() if self.mode == "batch" else (residual.shape[0],) + (1,) * (residual.dim() - 1)
        keep = (torch.rand(shape, device=residual.device) < self.p).to(residual.dtype)  # b_l
        return residual * (keep / self.p if self.inverted else keep)

    def extra_repr(self) -> str:
        scaling = "inverted (train-time) scaling" if self.inverted else "test-time scaling (paper)"
        return f"p={self.p:.3f}, mode={self.mode}, {scaling}"


def residual_blocks(model: nn.Module) -> list[nn.Module]:
    """Blocks whose residual branch goes through a ``residual`` tap, in forward order (not plain blocks)."""
    return [m for m in model.modules()
            if isinstance(getattr(m, "residual", None), (nn.Identity, StochasticDepth))
            and not getattr(m, "plain", False)]


def add_stochastic_depth(model: nn.Module, p_last: float = 0.5, mode: str = "batch",
                         inverted: bool = False) -> nn.Module:
    """Give every residual block of ``model`` stochastic depth with the linear decay rule.

    Huang et al. (2016), Eq. (4): ``p_l = 1 - l/L (1 - p_L)`` for the l-th of L blocks, so the
    first block is almost always kept and the last one with probability ``p_last`` (0.5 in the
    paper). The ``residual`` tap of each block becomes a :class:`StochasticDepth`; everything
    else, and the parameter count, is unchanged. Returns the model.
    """
    if not 0.0 < p_last <= 1.0:
        raise ConfigError(f"p_last (p_L) must be in (0, 1]; got {p_last!r}")
    blocks = residual_blocks(model)
    if not blocks:
        raise ConfigError(f"{type(model).__name__} has no residual blocks (no `residual` tap): stochastic depth "
                         "drops residual branches, so it needs a residual network")
    L = len(blocks)
    for l, block in enumerate(blocks, 1):
        block.residual = StochasticDepth(1 - l / L * (1 - p_last), mode=mode, inverted=inverted)
    return model


# --- one line each ---------------------------------------------------------------------------------
# Wide ResNet: WRN-d-k (Zagoruyko & Komodakis 2016, Tables 4-5); wrn16_2 for quick runs.
@register_model("WRN-16-2", **CIFAR, options=("dropout", "num_classes"))
def wrn16_2(**kw): return wide_resnet(16, 2, **kw)  # noqa: E704
@register_model("WRN-16-4", **CIFAR, options=("dropout", "num_classes"))
def wrn16_4(**kw): return wide_resnet(16, 4, **kw)  # noqa: E704
@register_model("WRN-16-8", **CIFAR, options=("dropout", "num_classes"))
def wrn16_8(**kw): return wide_resnet(16, 8, **kw)  # noqa: E704
@register_model("WRN-28-10", **CIFAR, options=("dropout", "num_classes"))
def wrn28_10(**kw): return wide_resnet(28, 10, **kw)  # noqa: E704
@register_model("WRN-40-4", **CIFAR, options=("dropout", "num_classes"))
def wrn40_4(**kw): return wide_resnet(40, 4, **kw)  # noqa: E704


# ResNeXt-29 (Xie et al. 2017, Table 7); the narrow one is ours, for quick runs.
@register_model("ResNeXt-29 8×64d", **CIFAR, options=("num_classes",))
def resnext29_8x64d(**kw): return cifar_resnext(29, cardinality=8, group_width=64, **kw)  # noqa: E704
@register_model("ResNeXt-29 16×64d", **CIFAR, options=("num_classes",))
def resnext29_16x64d(**kw): return cifar_resnext(29, cardinality=16, group_width=64, **kw)  # noqa: E704
@register_model("ResNeXt-29 8×4d narrow", **CIFAR, options=("num_classes",))
def resnext29_8x4d_narrow(**kw): return cifar_resnext(29, cardinality=8, group_width=4, stem=16, **kw)  # noqa: E704


# DenseNet-BC (Huang et al. 2017, Table 2); L=28 for quick runs.
@register_model("DenseNet-BC-100 (k=12)", **CIFAR, options=("compression", "num_classes"))
def densenet_bc100_12(**kw): return DenseNetBC(100, 12, **kw)  # noqa: E704
@register_model("DenseNet-BC-28 (k=12)", **CIFAR, options=("compression", "num_classes"))
def densenet_bc28_12(**kw): return DenseNetBC(28, 12, **kw)  # noqa: E704


# SE-ResNet: the paper's CIFAR ResNets with SE blocks (Hu et al. 2018).
@register_model("SE-ResNet-20", **CIFAR, options=("reduction",) + CIFAR_OPTIONS)
def se_resnet20(**kw): return se_resnet(20, **kw)  # noqa: E704
@register_model("SE-ResNet-56", **CIFAR, options=("reduction",) + CIFAR_OPTIONS)
def se_resnet56(**kw): return se_resnet(56, **kw)  # noqa: E704
@register_model("SE-ResNet-110", **CIFAR, options=("reduction",) + CIFAR_OPTIONS)
def se_resnet110(**kw): return se_resnet(110, **kw)  # noqa: E704


# Stochastic depth (Huang et al. 2016): the paper's CIFAR ResNets, linear decay to p_last = 0.5.
@register_model("ResNet-56 + stochastic depth", **CIFAR, options=("p_last",) + CIFAR_OPTIONS)
def sd_resnet56(p_last=0.5, **kw): return add_stochastic_depth(cifar_resnet(56, **kw), p_last)  # noqa: E704
@register_model("ResNet-110 + stochastic depth", **CIFAR, options=("p_last",) + CIFAR_OPTIONS)
def sd_resnet110(p_last=0.5, **kw): return add_stochastic_depth(cifar_resnet(110, **kw), p_last)  # noqa: E704
