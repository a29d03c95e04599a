"""The registry: every builder is registered where it is defined, with the name pages print, what
it is built for (input size, classes) and the keyword arguments it takes -- variants as data.

>>> @register_model("ResNet-20", **CIFAR)              # doctest: +SKIP
... def resnet20(**kw): return cifar_resnet(20, **kw)
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Callable

from torch import nn

from ..errors import ConfigError


@dataclass(frozen=True)
class ModelConfig:
    """What a registered model is (a small version of timm's ``pretrained_cfg``): its name, the name
    pages print, the input it is built for (C, H, W), its default number of classes, and the
    keyword arguments its builder accepts (beyond ``get_model``'s own ``weights`` and
    ``stochastic_depth``)."""

    name: str
    display: str
    input_size: tuple[int, int, int]
    num_classes: int
    options: tuple[str, ...]


_REGISTRY: dict[str, Callable[..., nn.Module]] = {}
_CONFIGS: dict[str, ModelConfig] = {}
_BY_DISPLAY: dict[str, str] = {}  # a display name, normalised (_key) -> the registry name


class UnknownModelError(ConfigError):
    """Raised by :func:`~resnet_book.models.get_model` for a name that is not registered."""


def _key(name: str) -> str:
    """``"ResNet-56"``, ``"resnet56"`` and ``"RESNET_56"`` are one key: lower case, no separators."""
    return re.sub(r"[\s_\-]", "", name.lower())


def register_model(display: str, input_size: tuple[int, int, int] = (3, 32, 32), num_classes: int = 10,
                   options: tuple[str, ...] = ()) -> Callable[[Callable[..., nn.Module]], Callable[..., nn.Module]]:
    """Decorator: register a builder under its function name, printed on pages as ``display``."""
    def add(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        name = fn.__name__
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} is registered twice")
        for alias in {_key(name), _key(display)}:
            if _BY_DISPLAY.get(alias, name) != name:
                raise ValueError(f"{display!r} ({name}) reads like {_BY_DISPLAY[alias]!r}: names must differ")
            _BY_DISPLAY[alias] = name
        _REGISTRY[name] = fn
        _CONFIGS[name] = ModelConfig(name, display, tuple(input_size), num_classes, tuple(options))
        return fn
    return add


def list_models(filter: str = "") -> list[str]:
    """Names of all registered builders; ``filter`` is a glob (``"*resnet*"``, ``"wrn*"``) as in
    torchvision and timm, or a plain prefix (``"resnet"``)."""
    if filter and not any(c in filter for c in "*?["):
        filter += "*"
    return sorted((n for n in _REGISTRY if not filter or fnmatch.fnmatchcase(n, filter)), key=_natural)


def resolve_name(name: str) -> str:
    """The registry name of ``name``: a registry name, or the name a page prints (``"ResNet-56"``)."""
    if name in _REGISTRY:
        return name
    found = _BY_DISPLAY.get(_key(str(name)))
    if found is None:
        raise UnknownModelError(f"unknown model {name!r}; known models: {', '.join(list_models())}")
    return found


def model_config(name: str) -> ModelConfig:
    """The :class:`ModelConfig` of a registered model (no model is built)."""
    return _CONFIGS[resolve_name(name)]


def display_name(name: str) -> str:
    """The printed name of a model or run label: ``wrn16_2`` -> ``WRN-16-2``, ``plain56`` -> ``plain-56``.

    A run label ``<model>-<suffix>`` keeps its suffix (``resnet110-warmup`` -> ``ResNet-110-warmup``);
    anything else comes back unchanged.
    """
    model, dash, suffix = name.partition("-")
    return _CONFIGS[model].display + dash + suffix if model in _CONFIGS else name


def builder(name: str) -> Callable[..., nn.Module]:
    return _REGISTRY[resolve_name(name)]


def _natural(name: str):
    head = name.rstrip("0123456789")
    tail = name[len(head):]
    return (head, int(tail) if tail else -1, name)


# What the families of builders take (their modules declare them with register_model):
CIFAR_OPTIONS = ("shortcut", "num_classes", "zero_init_residual", "widths")
PLAIN_CIFAR_OPTIONS = ("num_classes", "zero_init_residual", "widths")
IMAGENET_OPTIONS = ("shortcut", "num_classes", "stride_at", "zero_init_residual")
PLAIN_IMAGENET_OPTIONS = ("num_classes", "zero_init_residual")
CIFAR = dict(input_size=(3, 32, 32), num_classes=10)
IMAGENET = dict(input_size=(3, 224, 224), num_classes=1000)
