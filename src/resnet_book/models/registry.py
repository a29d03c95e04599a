"""The registry: every builder is registered where it is defined, with the name pages print.

>>> @register_model("ResNet-20")                      # doctest: +SKIP
... def resnet20(**kw): return cifar_resnet(20, **kw)
"""

from __future__ import annotations

from typing import Callable

from torch import nn

_REGISTRY: dict[str, Callable[..., nn.Module]] = {}
_DISPLAY: dict[str, str] = {}  # registry name -> the name a page prints (the one table of display names)


class UnknownModelError(ValueError):
    """Raised by :func:`~resnet_book.models.get_model` for a name that is not registered."""


def register_model(display: str) -> Callable[[Callable[..., nn.Module]], Callable[..., nn.Module]]:
    """Decorator: register a builder under its function name, printed on pages as ``display``."""
    def add(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        if fn.__name__ in _REGISTRY:
            raise ValueError(f"model {fn.__name__!r} is registered twice")
        _REGISTRY[fn.__name__], _DISPLAY[fn.__name__] = fn, display
        return fn
    return add


def list_models(prefix: str = "") -> list[str]:
    """Names of all registered builders (optionally only those starting with ``prefix``)."""
    return sorted((n for n in _REGISTRY if n.startswith(prefix)), key=_natural)


def display_name(name: str) -> str:
    """The printed name of a model or run label: ``wrn16_2`` -> ``WRN-16-2``, ``plain56`` -> ``plain-56``.

    A run label ``<model>-<suffix>`` keeps its suffix (``resnet110-warmup`` -> ``ResNet-110-warmup``);
    anything else comes back unchanged.
    """
    model, dash, suffix = name.partition("-")
    return _DISPLAY[model] + dash + suffix if model in _DISPLAY else name


def builder(name: str) -> Callable[..., nn.Module]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownModelError(f"unknown model {name!r}; known models: {', '.join(list_models())}") from None


def _natural(name: str):
    head = name.rstrip("0123456789")
    tail = name[len(head):]
    return (head, int(tail) if tail else -1, name)
