"""Training throughput of ResNet-20: this engine vs the conventional torchvision pipeline.

(a) engine        -- ``resnet_book``: uint8 data on the device, batched crop/flip, randperm,
                     channels_last (the engine's default), the engine's ``train_step``.
(b) conventional  -- a torchvision ``CIFAR10``-style dataset (PIL image per sample) with
                     ``transforms`` RandomCrop(32, padding=4), RandomHorizontalFlip, ToTensor,
                     Normalize, and a ``DataLoader`` (shuffle, batch 128, ``--workers`` workers);
                     the model in the default NCHW layout -- what most tutorials run.

Same model, batch size, optimizer and machine; the variants are interleaved in one process and
each repeat times ``--steps`` steady-state steps; we print the median of ``--repeats`` repeats.
Also printed: achieved GFLOP/s (3x the forward multiply-adds per image, 2 FLOPs each, i.e. the
FLOPs of a direct convolution; oneDNN may use Winograd-type algorithms that need fewer, so the
"effective" figure can pass 100%) against this machine's measured fp32 matmul peak.

    python benchmarks/throughput.py            # or: make bench
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from resnet_book.analysis import count_flops
from resnet_book.engine.data import DeviceData, load_cifar10, make_split
from resnet_book.models import get_model
from resnet_book.engine.train import train_step


class ArrayCIFAR10(Dataset):
    """What ``torchvision.datasets.CIFAR10.__getitem__`` does: a PIL image per sample, then transforms."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, transform) -> None:
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i):
        from PIL import Image

        return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])


def matmul_peak_gflops(n: int = 2048, reps: int = 10) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(2):
        a @ b
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t)
    return 2 * n**3 / min(times) / 1e9


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="resnet20")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=15, help="timed steps per repeat")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--workers", type=int, default=2, help="DataLoader workers of the conventional pipeline")
    p.add_argument("--train-subset", type=int, default=10_000)
    p.add_argument("--compile", action="store_true", help="also time the engine with torch.compile")
    p.add_argument("--amp", action="store_true", help="also time the engine with bf16 autocast")
    args = p.parse_args()

    import torchvision.transforms as T

    torch.manual_seed(0)
    data = load_cifar10()
    split = make_split(data, "full", args.train_subset, 1_000)
    mean = split.x_train.reshape(-1, 3).mean(0) / 255
    std = split.x_train.reshape(-1, 3).std(0) / 255

    variants = {}

    def engine(name, channels_last=True, amp=False, compile=False):
        dd = DeviceData(split, "cpu", "pixel", channels_last=channels_last)
        model = get_model(args.model)
        if channels_last:
            model = model.to(memory_format=torch.channels_last)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
        step_model = torch.compile(model) if compile else model
        counter = iter(range(10**9))

        def step():
            x, y = dd.batch(0, next(counter), args.batch)
            train_step(step_model, opt, x, y, amp)
        variants[name] = step

    def conventional(name):
        tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                        T.Normalize(mean.tolist(), std.tolist())])
        loader = DataLoader(ArrayCIFAR10(split.x_train, split.y_train, tf), batch_size=args.batch, shuffle=True,
                            num_workers=args.workers, drop_last=True, persistent_workers=args.workers > 0)
        model = get_model(args.model)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
        state = {"it": iter(loader)}

        def step():
            try:
                x, y = next(state["it"])
            except StopIteration:
                state["it"] = iter(loader)
                x, y = next(state["it"])
            train_step(model, opt, x, y)
        variants[name] = step

    engine("engine")
    conventional("conventional")
    if args.compile:
        engine("engine+compile", compile=True)
    if args.amp:
        engine("engine+bf16", amp=True)

    for step in variants.values():  # warm-up: allocator, oneDNN primitives, worker start, compile
        for _ in range(3):
            step()
    rates = {k: [] for k in variants}
    for _ in range(args.repeats):
        for name, step in variants.items():
            t = time.perf_counter()
            for _ in range(args.steps):
                step()
            rates[name].append(args.steps * args.batch / (time.perf_counter() - t))

    macs = count_flops(get_model(args.model), (3, 32, 32))
    train_flops = 3 * 2 * macs  # forward + backward ~ 3x forward; 2 FLOPs per multiply-add
    peak = matmul_peak_gflops()
    print(f"{args.model}, batch {args.batch}, {torch.get_num_threads()} threads, {args.repeats} repeats x "
          f"{args.steps} steps, conventional DataLoader workers={args.workers}")
    print(f"fp32 matmul peak (2048^3): {peak:.0f} GFLOP/s")
    med = {k: statistics.median(v) for k, v in rates.items()}
    for name, m in med.items():
        spread = ", ".join(f"{r:.0f}" for r in rates[name])
        print(f"{name:16s} median {m:6.0f} img/s  ({spread})  {m * train_flops / 1e9:5.1f} GFLOP/s "
              f"= {100 * m * train_flops / 1e9 / peak:4.1f}% of the fp32 matmul peak")
    print(f"ratio engine / conventional: {med['engine'] / med['conventional']:.2f}x")
    for extra in ("engine+compile", "engine+bf16"):
        if extra in med:
            print(f"ratio {extra} / conventional: {med[extra] / med['conventional']:.2f}x")


if __name__ == "__main__":
    main()
