"""Counting and measuring models: parameters, multiply-adds, and layer responses (paper Fig. 7)."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (BN affine parameters included, buffers such as running means excluded)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def count_flops(model: nn.Module, input_size: tuple[int, ...] = (3, 32, 32)) -> int:
    """Forward multiply-adds for ONE image of ``input_size`` (C, H, W), the way the paper counts.

    The paper's "FLOPs" (Table 1: ResNet-50 "3.8 x 10^9") are multiply-adds of the convolutions
    and the FC layer. ``torch.utils.flop_counter.FlopCounterMode`` counts 2 FLOPs per
    multiply-add for those ops (and ignores BN, ReLU, additions, pooling), so we halve its total.
    """
    was_training = model.training
    model.eval()
    try:
        p = next(model.parameters(), None)
        x = torch.zeros(1, *input_size, device=p.device if p is not None else "cpu")
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(x)
    finally:
        model.train(was_training)
    return counter.get_total_flops() // 2


def response_taps(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The paper's Fig. 7 "responses": every 3x3 conv's BN, in layer order.

    Returns ``(name, bn_module)`` pairs; a forward hook on the BN sees the layer's output after
    BN and before the nonlinearity (and before the addition, in a ResNet).
    """
    taps = []
    modules = dict(model.named_modules())
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3):
            bn_name = name[: -len("conv1")] + "bn" + name.rsplit("conv", 1)[1]
            if bn_name in modules and isinstance(modules[bn_name], nn.BatchNorm2d):
                taps.append((bn_name, modules[bn_name]))
    return taps


@torch.no_grad()
def layer_response_std(model: nn.Module, x: torch.Tensor) -> list[tuple[str, float]]:
    """Standard deviation of each 3x3 layer's response (paper Fig. 7), in layer order.

    The model is run in eval mode (BN uses its running statistics, as at test time in the paper).
    The std is taken over the batch, the spatial positions and the channels of each layer's output.
    """
    stds: dict[str, float] = {}
    handles = [
        m.register_forward_hook(lambda _m, _i, out, n=name: stds.__setitem__(n, out.float().std().item()))
        for name, m in response_taps(model)
    ]
    was_training = model.training
    model.eval()
    try:
        model(x)
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return [(n, stds[n]) for n, _ in response_taps(model)]
