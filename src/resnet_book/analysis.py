"""Measuring networks: parameters, multiply-adds, layer responses (paper Fig. 7), and what a
trained network does: predictions, top-k, confusion matrices, block lesions (Veit et al. 2016),
and the released pretrained ResNets evaluated on CIFAR-10's test images (:func:`evaluate_released`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .engine.data import (
    CLASSES, load_cifar10, lossless1k_in_jpeg_copy, make_split, stratified_indices,
)
from .errors import ConfigError
from .models import ZeroPadShortcut, get_model
from .models.utils import eval_mode
from .models.weights import Weights, get_weights


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (BN affine parameters included, buffers such as running means excluded)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)




def count_flops(model: nn.Module, input_size: tuple[int, ...] = (3, 32, 32)) -> int:
    """Forward multiply-adds for ONE image of ``input_size`` (C, H, W), the way the paper counts.

    The paper's "FLOPs" (Table 1: ResNet-50 "3.8 x 10^9") are multiply-adds of the convolutions
    and the FC layer. ``torch.utils.flop_counter.FlopCounterMode`` counts 2 FLOPs per
    multiply-add for those ops (and ignores BN, ReLU, additions, pooling), so we halve its total.
    """
    p = next(model.parameters(), None)
    x = torch.zeros(1, *input_size, device=p.device if p is not None else "cpu")
    with eval_mode(model), torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
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
    try:
        with eval_mode(model):
            model(x)
    finally:
        for h in handles:
            h.remove()
    return [(n, stds[n]) for n, _ in response_taps(model)]


# --- trained networks: predictions, confusions, lesions ---------------------------------------------
@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 500, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Logits of ``model`` (eval mode) on normalised inputs ``x`` (N, C, H, W), in batches, on the CPU.

    ``dtype=torch.bfloat16`` runs under bf16 autocast (faster where the CPU has native bf16, slightly
    different numbers); the default is fp32. The model's own train/eval state is restored after.
    """
    dev = next(model.parameters()).device
    out = []
    with eval_mode(model), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
        for i in range(0, len(x), batch_size):
            xb = x[i:i + batch_size].to(dev).contiguous(memory_format=torch.channels_last)
            out.append(model(xb).float().cpu())
    return torch.cat(out) if out else torch.empty(0)


def top_k(probs, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(classes, probabilities), each (N, k), of the ``k`` most probable classes per row of ``probs``."""
    p = torch.as_tensor(np.asarray(probs))
    values, idx = p.topk(k, dim=1)
    return idx.numpy(), values.numpy()


def confusion_matrix(labels, predictions, num_classes: int = 10) -> np.ndarray:
    """Counts (num_classes x num_classes): row = true class, column = predicted class."""
    labels, predictions = np.asarray(labels, np.int64), np.asarray(predictions, np.int64)
    if labels.shape != predictions.shape:
        raise ValueError(f"labels {labels.shape} and predictions {predictions.shape} differ in shape")
    return np.bincount(labels * num_classes + predictions, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def per_class_accuracy(labels, predictions, num_classes: int = 10) -> np.ndarray:
    """Accuracy (%) of each true class (NaN for a class with no images)."""
    cm = confusion_matrix(labels, predictions, num_classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * np.diag(cm) / cm.sum(1)


def most_confused(cm: np.ndarray, classes=None, n: int = 3) -> list[tuple[object, object, int]]:
    """The ``n`` largest off-diagonal entries as (true, predicted, count), largest first."""
    off = np.array(cm, copy=True)
    np.fill_diagonal(off, -1)
    flat = np.argsort(off, axis=None, kind="stable")[::-1][:n]
    names = classes if classes is not None else range(len(cm))
    return [(names[i], names[j], int(cm[i, j])) for i, j in (divmod(int(f), len(cm)) for f in flat)]


def residual_blocks(model: nn.Module) -> list[str]:
    """Names of the blocks of a staged network (``layer1.0``, ``layer1.1``, ...), in forward order."""
    names = []
    for stage_name, stage in model.named_children():
        if re.fullmatch(r"layer\d+", stage_name) and isinstance(stage, nn.Sequential):
            names += [f"{stage_name}.{i}" for i in range(len(stage))]
    if not names:
        raise ValueError(f"{type(model).__name__} has no layerN stages of blocks to delete")
    return names


class DeletedBlock(nn.Module):
    """What is left of a block once its residual branch is deleted: ``relu(shortcut(x))``.

    For a residual block ``y = relu(F(x) + s(x))`` that is ``relu(s(x))`` (Veit et al. 2016
    delete ``F``); since ``x`` is itself a ReLU output and option A only subsamples and pads
    zeros, this is just ``s(x)``. A plain block has no shortcut, ``y = relu(F(x))``: deleting it
    leaves the identity where the shape is unchanged, and where the block changes the shape
    (stride 2, more channels) the parameter-free option-A mapping (subsample, append zero
    channels), so that the rest of the network still gets a tensor of the right shape.
    """

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        convs = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
        bns = [m for m in block.modules() if isinstance(m, nn.BatchNorm2d)]
        in_c, out_c = convs[0].in_channels, bns[-1].num_features
        stride = max(c.stride[0] for c in convs)
        self.changes_shape = stride != 1 or in_c != out_c
        down = getattr(block, "downsample", None)
        if getattr(block, "plain", False) or down is None:
            down = ZeroPadShortcut(in_c, out_c, stride) if self.changes_shape else nn.Identity()
        self.shortcut = down

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.shortcut(x))


class _Cached(nn.Module):
    """Stands in for a block: returns a precomputed output (its input is ignored)."""

    def __init__(self, out: torch.Tensor) -> None:
        super().__init__()
        self.out = out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out


@dataclass
class Lesion:
    """Test error after deleting each block in turn (Veit et al. 2016, Fig. 3)."""

    blocks: list[str]  # block names, forward order
    errors: np.ndarray  # error (%) with that one block deleted
    base_error: float  # error (%) of the intact network
    changes_shape: np.ndarray  # bool: the block changes the shape (downsampling blocks)
    n: int  # images evaluated
    seconds: float
    dtype: str = "float32"  # "bfloat16" when run under bf16 autocast

    def to_dict(self) -> dict:
        """Plain JSON types, as a record's ``extra["lesion"]`` stores it."""
        return {"blocks": list(self.blocks), "errors": [float(e) for e in self.errors],
                "base_error": float(self.base_error), "changes_shape": [bool(c) for c in self.changes_shape],
                "n": int(self.n), "seconds": float(self.seconds), "dtype": self.dtype}

    @classmethod
    def from_dict(cls, d: dict) -> "Lesion":
        return cls(list(d["blocks"]), np.asarray(d["errors"], dtype=float), float(d["base_error"]),
                   np.asarray(d["changes_shape"], dtype=bool), int(d["n"]), float(d["seconds"]), d["dtype"])


@torch.no_grad()
def lesion_blocks(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 500,
                  dtype: torch.dtype = torch.float32, progress: bool = False) -> Lesion:
    """Delete each block in turn (:class:`DeletedBlock`) and measure the error on ``(x, y)``.

    Veit, Wilber, Belongie (2016), "Residual Networks Behave Like Ensembles of Relatively Shallow
    Networks", Sec. 4: deleting one block of a trained ResNet barely changes its test error, while
    deleting one layer of a plain (VGG-style) net destroys it. Works for any network whose blocks
    sit in ``layerN`` ``nn.Sequential`` stages (our CIFAR and ImageNet ResNets and plain nets).

    Cost: the intact pass stores each block's output, and the run with block ``k`` deleted starts
    from the stored output of block ``k - 1`` (earlier blocks are swapped for cheap stand-ins), so
    the whole curve costs about half a forward pass per block instead of a full one. Memory: every
    block's output for ``batch_size`` images (ResNet-56, 500 images: about 0.5 GB, fp32); lower
    ``batch_size`` for very deep nets. ``dtype=torch.bfloat16`` (autocast) is about twice as fast
    on a CPU with native bf16.
    ``x``: normalised inputs as the model expects them; ``y``: labels. The model is left unchanged.
    """
    t0 = time.perf_counter()
    names = residual_blocks(model)
    modules = dict(model.named_modules())
    y = torch.as_tensor(y)
    wrong = torch.zeros(len(names), dtype=torch.long)
    wrong_base = 0
    deleted = {n: DeletedBlock(modules[n]) for n in names}

    def swap(name: str, new: nn.Module) -> None:
        stage, idx = name.rsplit(".", 1)
        modules[stage][int(idx)] = new

    with eval_mode(model):
        try:
            for start in range(0, len(x), batch_size):
                xb = x[start:start + batch_size].contiguous(memory_format=torch.channels_last)
                yb = y[start:start + batch_size]
                outs: dict[str, torch.Tensor] = {}
                hooks = [modules[n].register_forward_hook(lambda _m, _i, o, n=n: outs.__setitem__(n, o)) for n in names]
                try:
                    with torch.autocast(xb.device.type, dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
                        wrong_base += int((model(xb).argmax(1) != yb).sum())
                finally:
                    for h in hooks:
                        h.remove()
                for k, name in enumerate(names):
                    try:
                        for j in range(k - 1):
                            swap(names[j], nn.Identity())
                        if k:
                            swap(names[k - 1], _Cached(outs[names[k - 1]]))
                        swap(name, deleted[name])
                        with torch.autocast(xb.device.type, dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
                            wrong[k] += int((model(xb).argmax(1) != yb).sum())
                    finally:
                        for j in range(k + 1):
                            swap(names[j], modules[names[j]])
                if progress:
                    print(f"lesion: {min(start + batch_size, len(x))}/{len(x)} images", flush=True)
        finally:
            for n in names:  # whatever happened, every original block is back in place
                swap(n, modules[n])
    n = len(x)
    return Lesion(names, 100.0 * wrong.numpy() / n, 100.0 * wrong_base / n,
                  np.array([deleted[nm].changes_shape for nm in names]), n, time.perf_counter() - t0,
                  str(dtype).removeprefix("torch."))


# --- evaluation -------------------------------------------------------------------------------------
#: Evaluation splits: the data.SPLITS names whose eval part is a test set, an alias, and the paired JPEG 1k.
_EVAL_SPLITS = {"test_lossless1k": "test_lossless1k", "full": "full", "test": "full", "test_jpeg1k": "test_jpeg1k"}


@dataclass
class Evaluation:
    """Released weights evaluated on one split: per-image predictions and probabilities."""

    weights: Weights
    split: str  # "test_lossless1k" or "full" (the folder's test set)
    eval_name: str  # what was evaluated on: "test_lossless1k" (1,000 lossless) or "test"
    labels: np.ndarray  # (N,) int64
    predictions: np.ndarray  # (N,) int64, the arg-max class
    probs: np.ndarray  # (N, 10) float32 softmax
    images: np.ndarray = field(repr=False)  # (N, 32, 32, 3) uint8, the evaluated images (for figures)
    original_pixels: bool  # True: original CIFAR-10 pixels; False: the JPEG-derived copy
    data_fingerprint: str
    seconds: float
    dtype: str

    @property
    def n(self) -> int:
        return len(self.labels)

    @property
    def accuracy(self) -> float:
        """Top-1 accuracy in %."""
        return 100.0 * float((self.predictions == self.labels).mean())

    @property
    def error(self) -> float:
        """Top-1 error in %."""
        return 100.0 - self.accuracy

    def per_class_accuracy(self) -> dict[str, float]:
        """Accuracy (%) of each class, by class name."""
        return dict(zip(CLASSES, per_class_accuracy(self.labels, self.predictions, len(CLASSES)).tolist()))

    def confusion(self) -> np.ndarray:
        """Confusion matrix (rows: true class, columns: predicted), counts."""
        return confusion_matrix(self.labels, self.predictions, len(CLASSES))

    def top_k(self, k: int = 3, index=None) -> tuple[np.ndarray, np.ndarray]:
        """(classes, probabilities) of the ``k`` most probable classes, per image (optionally a subset)."""
        return top_k(self.probs if index is None else self.probs[index], k)

    def describe(self) -> str:
        pixels = "original pixels" if self.original_pixels else "JPEG-derived pixels"
        return (f"{self.weights.name} on {self.n:,} {self.eval_name} images ({pixels}): accuracy {self.accuracy:.2f}% "
                f"(file's best_prec1 {self.weights.best_prec1 if self.weights.best_prec1 is not None else '?'}%, "
                f"reported error {self.weights.reported_error}%), {self.seconds:.1f} s ({self.dtype})")


_EVALS: dict[tuple, Evaluation] = {}


def eval_arrays(split: str = "test_lossless1k", data=None, eval_subset: int | None = None,
                subset_seed: int = 0):
    """(images uint8 NHWC, labels, eval_name, data) of the eval part of ``split`` (see ``data.make_split``).

    ``test_jpeg1k`` (JPEG-derived copy only): the same 1,000 photos as ``test_lossless1k``, in the same
    order, with the copy's JPEG-degraded pixels (``data.lossless1k_in_jpeg_copy``): a paired comparison.
    """
    if split not in _EVAL_SPLITS:
        raise ConfigError(f"unknown evaluation split {split!r}; known: {', '.join(_EVAL_SPLITS)}")
    data = load_cifar10() if data is None else data
    if split == "test_jpeg1k":
        idx = lossless1k_in_jpeg_copy(data)
        if eval_subset is not None and eval_subset < len(idx):  # the same subset as test_lossless1k's
            idx = idx[stratified_indices(data.y_test[idx], eval_subset, subset_seed + 1)]
        return data.x_test[idx], data.y_test[idx], "test_jpeg1k", data
    s = make_split(data, _EVAL_SPLITS[split], eval_subset=eval_subset, subset_seed=subset_seed)
    return s.x_eval, s.y_eval, s.eval_name, data


def evaluate_released(name: str, split: str = "test_lossless1k", weights: str | Weights = "akamaster", data=None,
                      eval_subset: int | None = None, batch_size: int = 500, dtype: torch.dtype = torch.float32,
                      model: nn.Module | None = None) -> Evaluation:
    """Evaluate ``name``'s released ``weights`` on ``split``: per-image predictions and accuracy.

    ``split``: ``"test_lossless1k"`` (original pixels: the 1,000 lossless canonical test images,
    or the full test set where the original CIFAR-10 is installed), ``"full"``/``"test"`` (the
    folder's 10,000 test images: here the JPEG-derived copy) or ``"test_jpeg1k"`` (the JPEG copy's
    versions of the same 1,000 images, same order: per-image comparisons). ``eval_subset``: a stratified seeded
    subset. Input normalisation is theirs (``Weights.transform``). Results are kept per process, so
    a second call with the same arguments is free.
    """
    w = get_weights(name, weights)
    x, y, eval_name, data = eval_arrays(split, data, eval_subset)
    key = (w.name, _EVAL_SPLITS[split], str(data.folder), data.fingerprint, eval_subset, str(dtype))
    if key in _EVALS and model is None:
        return _EVALS[key]
    t0 = time.perf_counter()
    model = get_model(name, weights=w) if model is None else model
    xt = torch.from_numpy(np.ascontiguousarray(x)).permute(0, 3, 1, 2)
    logits = predict(model, w.transform(xt), batch_size=batch_size, dtype=dtype)
    probs = torch.softmax(logits.float(), 1).numpy()
    ev = Evaluation(w, _EVAL_SPLITS[split], eval_name, np.asarray(y, np.int64), probs.argmax(1), probs, x,
                    original_pixels=eval_name == "test_lossless1k" or (eval_name == "test" and bool(data.lossless_test)),
                    data_fingerprint=data.fingerprint, seconds=time.perf_counter() - t0,
                    dtype=str(dtype).removeprefix("torch."))
    _EVALS[key] = ev
    return ev


def released_inputs(name: str, split: str = "test_lossless1k", weights: str | Weights = "akamaster", data=None,
                    eval_subset: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(normalised float NCHW inputs, labels) of ``split`` for ``name``'s released weights.

    What the analysis helpers take, e.g. ``analysis.lesion_blocks(get_model(name, weights=...), *released_inputs(name))``
    or ``analysis.layer_response_std(model, released_inputs(name)[0])``.
    """
    w = get_weights(name, weights)
    x, y, _, _ = eval_arrays(split, data, eval_subset)
    return w.transform(torch.from_numpy(np.ascontiguousarray(x)).permute(0, 3, 1, 2)), torch.from_numpy(y)
