"""Helpers for the assignments' hidden tests: shipped in each autograder zip only, never to students.

At grading time otter copies this file beside the submission, and the hidden tests import it. It
is the ONE place where the tests reach into the course package for reference models and released
weights (`resnet_book.models.get_model(name, weights="akamaster")`).
"""

from __future__ import annotations

import torch
from torch import nn

from resnet_book.analysis import released_inputs as analysis_released_inputs
from resnet_book.models import get_model


def package_model(name: str, **kw) -> nn.Module:
    """The course package's own (untrained) model ``name``, e.g. ``"resnet20"`` or ``"plain56"``."""
    return get_model(name, **kw)


def package_block(in_planes: int, planes: int, stride: int, plain: bool = False) -> nn.Module:
    """The package's basic block with an option-A shortcut (or its plain version)."""
    from resnet_book.models import BasicBlock, ZeroPadShortcut

    if plain:
        return BasicBlock(in_planes, planes, stride, None, plain=True)
    changes = stride != 1 or in_planes != planes
    return BasicBlock(in_planes, planes, stride, ZeroPadShortcut(in_planes, planes, stride) if changes else None)


def released_model(name: str) -> nn.Module:
    """The package's ``name`` with the weights released by akamaster/pytorch_resnet_cifar10 (eval mode)."""
    return get_model(name, weights="akamaster")


def released_inputs(name: str = "resnet20", n: int = 200) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, labels): ``n`` stratified lossless CIFAR-10 test images, normalised as the released
    weights expect (the same images the notebooks use)."""
    return analysis_released_inputs(name, "test_lossless1k", eval_subset=n)


def randomize(model: nn.Module, seed: int = 0) -> nn.Module:
    """Random BN statistics and affine parameters (and fresh random weights elsewhere), so that a
    comparison in eval mode exercises every parameter and buffer, not just freshly initialised ones."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.2)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            elif isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / m.weight[0].numel()) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
    return model


def transfer(src: nn.Module, dst: nn.Module) -> str:
    """Copy ``src``'s weights and buffers into ``dst``: by name when the state_dict keys are the same
    (the naming convention the notebook documents), otherwise by order (same number of tensors, same
    shapes, in registration order). Returns ``"by name"`` or ``"by order"``; raises ValueError when
    neither fits."""
    theirs, ours = src.state_dict(), dst.state_dict()
    if set(theirs) == set(ours):
        dst.load_state_dict(theirs)
        return "by name"
    a = [(k, v) for k, v in theirs.items() if not k.endswith("num_batches_tracked")]
    b = [(k, v) for k, v in ours.items() if not k.endswith("num_batches_tracked")]
    if len(a) != len(b):
        raise ValueError(f"the two models hold {len(a)} and {len(b)} tensors")
    for (ka, va), (kb, vb) in zip(a, b):
        if va.shape != vb.shape:
            raise ValueError(f"in registration order, {ka} {tuple(va.shape)} meets {kb} {tuple(vb.shape)}")
    dst.load_state_dict({kb: va.clone() for (_, va), (kb, _) in zip(a, b)}, strict=False)
    return "by order"


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def same_outputs(ours: nn.Module, theirs: nn.Module, x: torch.Tensor, train: bool = False, atol: float = 1e-4) -> bool:
    """Do the two models give the same outputs on ``x`` (eval mode, or train mode: batch statistics)?"""
    ours.train(train)
    theirs.train(train)
    with torch.no_grad():
        a, b = ours(x), theirs(x)
    return a.shape == b.shape and torch.allclose(a, b, atol=atol, rtol=1e-4)
