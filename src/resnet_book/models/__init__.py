"""The networks: the paper's CIFAR and ImageNet ResNets, the variants after it, a registry, and the
released pretrained CIFAR ResNets. What a student reads to see the paper's architectures.

>>> from resnet_book.models import get_model, list_models
>>> get_model("resnet20")            # option A, the paper's CIFAR choice   # doctest: +SKIP
>>> get_model("ResNet-56", shortcut="B")   # the name a page prints works too  # doctest: +SKIP
>>> get_model("resnet56", weights="akamaster")   # released trained weights  # doctest: +SKIP
>>> get_model("preact_resnet164")    # Identity Mappings (He et al. 2016)   # doctest: +SKIP
>>> get_model("resnet110", stochastic_depth=0.5)  # Huang et al. 2016       # doctest: +SKIP
>>> get_model("tv_resnet50")         # torchvision's ResNet-50 (its state_dicts load here)  # doctest: +SKIP
>>> list_models("*resnet5*")         # a glob, as torchvision and timm      # doctest: +SKIP

Every CIFAR network except DenseNet is one skeleton, :class:`CifarResNet`, with a ``block=``;
every builder is registered where it is defined (``@register_model("ResNet-56", ...)``) with its
:class:`ModelConfig` (input size, classes, keyword arguments); :func:`display_name` gives the name
pages print.
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
from .registry import (
    ModelConfig,
    UnknownModelError,
    builder,
    display_name,
    list_models,
    model_config,
    register_model,
    resolve_name,
)
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
from .utils import eval_mode
from .weights import UnknownWeightsError, Weights, get_weights, list_weights, load_released, convert_state_dict
from ..errors import ConfigError

__all__ = [
    "SHORTCUT_OPTIONS", "BasicBlock", "Bottleneck", "ZeroPadShortcut", "conv1x1", "conv3x3",
    "init_weights", "make_shortcut", "CifarResNet", "ResNet", "cifar_depths", "cifar_resnet",
    "get_model", "list_models", "register_model", "display_name", "UnknownModelError", "ModelConfig", "model_config",
    "resolve_name", "eval_mode", "Weights", "get_weights", "list_weights", "UnknownWeightsError",
    "PLACEMENTS", "SHORTCUT_VARIANTS", "PreActBasicBlock", "PreActBottleneck", "ResidualUnit",
    "preact_resnet", "preact_shortcut", "DenseNetBC", "ResNeXtBottleneck", "SEBasicBlock", "SqueezeExcitation",
    "StochasticDepth", "add_stochastic_depth", "cifar_resnext", "se_resnet", "wide_resnet", "VARIANT_MODELS",
]


def get_model(name: str, weights: str | Weights | None = None, stochastic_depth: float | None = None,
              **kw) -> nn.Module:
    """Build a registered model by name, as torchvision's ``get_model``.

    ``name``: a registry name (``"resnet56"``) or the name a page prints (``"ResNet-56"``).
    ``weights``: released trained weights for it (``"akamaster"``, or a :class:`Weights` entry):
    they fix the architecture, so no other keyword goes with them; the model comes back in eval
    mode, and its input must go through ``model.released_weights.transform``.
    ``stochastic_depth=p_L`` trains any residual model with stochastic depth (Huang et al. 2016,
    linear decay from 1 to p_L; see :func:`add_stochastic_depth`). Other keywords go to the
    builder (``shortcut="B"``...): those it does not take are refused in one line naming the ones
    it does (``model_config(name).options``). The model carries its :class:`ModelConfig` as
    ``model.model_config``.
    """
    cfg = model_config(name)
    unknown = sorted(set(kw) - set(cfg.options))
    if unknown:
        raise ConfigError(f"get_model({name!r}) takes no {', '.join(unknown)}; its keyword arguments: "
                          + ", ".join(cfg.options + ("weights", "stochastic_depth")))
    if weights is not None:
        w = get_weights(cfg.name, weights)
        if kw or stochastic_depth is not None:
            extra = list(kw) + (["stochastic_depth"] if stochastic_depth is not None else [])
            raise ConfigError(f"{w.name} fixes the architecture (option-A {cfg.name}); drop {', '.join(f'{k}=' for k in extra)}")
        model = builder(cfg.name)()
        theirs, _ = load_released(w)
        model.load_state_dict(convert_state_dict(theirs, model), strict=True)
        model.released_weights = w
        model.eval()
    else:
        model = builder(cfg.name)(**kw)
        if stochastic_depth is not None:
            model = add_stochastic_depth(model, stochastic_depth)
    model.model_config = cfg
    return model


#: The variants after the paper (chapter 6), all CIFAR networks (32x32 input, 10 classes): every
#: builder registered in :mod:`.preact` and :mod:`.variants`.
VARIANT_MODELS = tuple(n for n in list_models() if builder(n).__module__ in (_preact.__name__, _variants.__name__))
