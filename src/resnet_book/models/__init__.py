"""Models of the course: the paper's CIFAR and ImageNet ResNets, and a registry.

>>> from resnet_book.models import get_model, list_models
>>> get_model("resnet20")            # option A, the paper's CIFAR choice   # doctest: +SKIP
>>> get_model("resnet56", shortcut="B")                                     # doctest: +SKIP
"""

from __future__ import annotations

from typing import Callable

from torch import nn

from . import resnet as _resnet
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
from .resnet import CifarResNet, ResNet, cifar_depths, cifar_resnet

__all__ = [
    "SHORTCUT_OPTIONS", "BasicBlock", "Bottleneck", "ZeroPadShortcut", "conv1x1", "conv3x3",
    "init_weights", "make_shortcut", "CifarResNet", "ResNet", "cifar_depths", "cifar_resnet",
    "get_model", "list_models", "register_model", "UnknownModelError",
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


def get_model(name: str, **kw) -> nn.Module:
    """Build a registered model by name, e.g. ``get_model("resnet56", shortcut="B")``."""
    try:
        builder = _REGISTRY[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown model {name!r}; known models: {', '.join(list_models())}"
        ) from None
    return builder(**kw)


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
