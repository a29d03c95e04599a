"""Models of the course: the paper's CIFAR and ImageNet ResNets, the variants after it, and a registry.

>>> from resnet_book.models import get_model, list_models
>>> get_model("resnet20")            # option A, the paper's CIFAR choice   # doctest: +SKIP
>>> get_model("resnet56", shortcut="B")                                     # doctest: +SKIP
>>> get_model("preact_resnet164")    # Identity Mappings (He et al. 2016)   # doctest: +SKIP
>>> get_model("resnet110", stochastic_depth=0.5)  # Huang et al. 2016       # doctest: +SKIP
"""

from __future__ import annotations

from typing import Callable

from torch import nn

from . import preact as _preact
from . import resnet as _resnet
from . import variants as _variants
from .blocks import (
    SHORTCUT_OPTIONS,
    BasicBlock,
    Bottleneck,
    ZeroPadShortcut,
    conv1x1,
    conv3x3,
    init_weights,
    make_shortcut,
)
from .preact import PLACEMENTS, SHORTCUT_VARIANTS, PreActBasicBlock, PreActBottleneck, PreActResNet, ResidualUnit
from .resnet import CifarResNet, ResNet, cifar_depths, cifar_resnet
from .variants import (
    CifarResNeXt,
    DenseNetBC,
    ResNeXtBottleneck,
    SEBasicBlock,
    SEResNet,
    SqueezeExcitation,
    StochasticDepth,
    WideResNet,
    add_stochastic_depth,
)

__all__ = [
    "SHORTCUT_OPTIONS", "BasicBlock", "Bottleneck", "ZeroPadShortcut", "conv1x1", "conv3x3",
    "init_weights", "make_shortcut", "CifarResNet", "ResNet", "cifar_depths", "cifar_resnet",
    "get_model", "list_models", "register_model", "UnknownModelError",
    "PLACEMENTS", "SHORTCUT_VARIANTS", "PreActBasicBlock", "PreActBottleneck", "PreActResNet", "ResidualUnit",
    "CifarResNeXt", "DenseNetBC", "ResNeXtBottleneck", "SEBasicBlock", "SEResNet", "SqueezeExcitation",
    "StochasticDepth", "WideResNet", "add_stochastic_depth", "VARIANT_MODELS",
]

_REGISTRY: dict[str, Callable[..., nn.Module]] = {}


class UnknownModelError(ValueError):
    """Raised by :func:`get_model` for a name that is not registered."""


def register_model(fn: Callable[..., nn.Module], name: str | None = None) -> Callable[..., nn.Module]:
    """Add a builder to the registry (usable as a decorator)."""
    _REGISTRY[name or fn.__name__] = fn
    return fn


def list_models(prefix: str = "") -> list[str]:
    """Names of all registered builders (optionally only those starting with ``prefix``)."""
    return sorted((n for n in _REGISTRY if n.startswith(prefix)), key=_natural)


def get_model(name: str, stochastic_depth: float | None = None, **kw) -> nn.Module:
    """Build a registered model by name, e.g. ``get_model("resnet56", shortcut="B")``.

    ``stochastic_depth=p_L`` trains any residual model with stochastic depth (Huang et al. 2016,
    linear decay from 1 to p_L; see :func:`add_stochastic_depth`).
    """
    try:
        builder = _REGISTRY[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown model {name!r}; known models: {', '.join(list_models())}"
        ) from None
    model = builder(**kw)
    return model if stochastic_depth is None else add_stochastic_depth(model, stochastic_depth)


def _natural(name: str):
    head = name.rstrip("0123456789")
    tail = name[len(head):]
    return (head, int(tail) if tail else -1, name)


for _name in (
    "resnet20", "resnet32", "resnet44", "resnet56", "resnet110", "resnet1202",
    "plain20", "plain32", "plain44", "plain56", "plain110",
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "plain18", "plain34",
):
    register_model(getattr(_resnet, _name))

#: The variants after the paper (chapter 5), all CIFAR networks (32x32 input, 10 classes).
VARIANT_MODELS = (
    "preact_resnet20", "preact_resnet56", "preact_resnet110", "preact_resnet164", "preact_resnet1001",
    "wrn16_2", "wrn16_4", "wrn16_8", "wrn28_10", "wrn40_4",
    "resnext29_8x4d_narrow", "resnext29_8x64d", "resnext29_16x64d",
    "densenet_bc28_12", "densenet_bc100_12",
    "se_resnet20", "se_resnet56", "se_resnet110",
    "sd_resnet56", "sd_resnet110",
)
for _name in VARIANT_MODELS:
    register_model(getattr(_preact if _name.startswith("preact") else _variants, _name))
