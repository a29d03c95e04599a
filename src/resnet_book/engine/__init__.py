"""The training engine: CIFAR-10 (and any ImageFolder) on the device, the paper's recipe as one
config and one loop, checkpoints, and the torchrun world. What a student reads to see how the
paper's networks are trained (``train.py`` from top to bottom).

* :mod:`.data` -- CIFAR-10: the cache format, splits, augmentation as batched tensor ops;
* :mod:`.imagenet` -- an ImageFolder (ImageNet, Tiny-ImageNet...) with the paper's Sec. 3.4 input;
* :mod:`.train` -- :class:`TrainConfig` (the recipe's defaults) and :func:`train`, the loop;
* :mod:`.device` -- where and how a run computes (device, bf16, compile, threads);
* :mod:`.checkpoints` -- atomic ``torch.save`` and checked loads;
* :mod:`.distributed` -- this process's place in a torchrun job (:class:`World`).
"""

from .data import CLASSES, DeviceData, Split, load_cifar10, make_split, stratified_indices
from .device import resolve_compile, resolve_device, resolve_dtype
from .train import History, LRSchedule, TrainConfig, evaluate, train, train_step

__all__ = ["CLASSES", "DeviceData", "Split", "load_cifar10", "make_split", "stratified_indices", "resolve_compile",
           "resolve_device", "resolve_dtype", "History", "LRSchedule", "TrainConfig", "evaluate", "train", "train_step"]
