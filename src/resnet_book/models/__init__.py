"""Models of the course: the paper's CIFAR and ImageNet ResNets, the variants after it, and a registry.

>>> from resnet_book.models import get_model, list_models
>>> get_model("resnet20")            # option A, the paper's CIFAR choice   # doctest: +SKIP
>>> get_model("resnet56", shortcut="B")                                     # doctest: +SKIP
>>> get_model("preact_resnet164")    # Identity Mappings (He et al. 2016)   # doctest: +SKIP
>>> get_model("resnet110", stochastic_depth=0.5)  # Huang et al. 2016       # doctest: +SKIP

Every CIFAR network except DenseNet is one skeleton, :class:`CifarResNet`, with a ``block=``;
every builder is registered where it is defined (``@register_model("ResNet-56")``), and
:func:`display_name` gives the name pages print.
"""

from __future__ import annotations

from torch import nn

from . import preact as _preact
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
from .preact import (
    PLACEMENTS,
    SHORTCUT_VARIANTS,
    PreActBasicBlock,
    PreActBottleneck,
    ResidualUnit,
    preact_resnet,
    preact_shortcut,
)
from .registry import UnknownModelError, builder, display_name, list_models, register_model
from .resnet import CifarResNet, ResNet, cifar_depths, cifar_resnet
from .variants import (
    DenseNetBC,
    ResNeXtBottleneck,
    SEBasicBlock,
    SqueezeExcitation,
    StochasticDepth,
    add_stochastic_depth,
    cifar_resnext,
    se_resnet,
    wide_resnet,
)

__all__ = [
    "SHORTCUT_OPTIONS", "BasicBlock", "Bottleneck", "ZeroPadShortcut", "conv1x1", "conv3x3",
    "init_weights", "make_shortcut", "CifarResNet", "ResNet", "cifar_depths", "cifar_resnet",
    "get_model", "list_models", "register_model", "display_name", "UnknownModelError",
    "PLACEMENTS", "SHORTCUT_VARIANTS", "PreActBasicBlock", "PreActBottleneck", "ResidualUnit",
    "preact_resnet", "preact_shortcut", "DenseNetBC", "ResNeXtBottleneck", "SEBasicBlock", "SqueezeExcitation",
    "StochasticDepth", "add_stochastic_depth", "cifar_resnext", "se_resnet", "wide_resnet", "VARIANT_MODELS",
]


def get_model(name: str, stochastic_depth: float | None = None, **kw) -> nn.Module:
    """Build a registered model by name, e.g. ``get_model("resnet56", shortcut="B")``.

    ``stochastic_depth=p_L`` trains any residual model with stochastic depth (Huang et al. 2016,
    linear decay from 1 to p_L; see :func:`add_stochastic_depth`).
    """
    model = builder(name)(**kw)
    return model if stochastic_depth is None else add_stochastic_depth(model, stochastic_depth)


#: The variants after the paper (chapter 5), all CIFAR networks (32x32 input, 10 classes): every
#: builder registered in :mod:`.preact` and :mod:`.variants`.
VARIANT_MODELS = tuple(n for n in list_models() if builder(n).__module__ in (_preact.__name__, _variants.__name__))
