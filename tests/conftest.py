"""Test set-up: point the loaders at the shared developer copies of CIFAR-10 and the released weights."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "cifar10"
SHARED_WEIGHTS = ROOT.parent / "shared" / "weights"

os.environ.setdefault("RESNET_BOOK_QUIET", "1")
if "RESNET_BOOK_DATA" not in os.environ and (SHARED / "cifar10_test.npz").exists():
    os.environ["RESNET_BOOK_DATA"] = str(SHARED)
if "RESNET_BOOK_WEIGHTS" not in os.environ and (SHARED_WEIGHTS / "akamaster").is_dir():
    os.environ["RESNET_BOOK_WEIGHTS"] = str(SHARED_WEIGHTS)  # released weights (resnet_book.weights)


@pytest.fixture(scope="session")
def cifar():
    """The real CIFAR-10 (from $RESNET_BOOK_DATA). Tests that need it fail loudly if it is missing."""
    from resnet_book.engine.data import load_cifar10

    return load_cifar10(download=False)


def write_synthetic_cifar(folder: Path) -> Path:
    """A CIFAR-10 folder in the cache format with the real sizes (50,000 + 10,000) but synthetic
    images -- each one flat colour, so the files compress to kilobytes -- and balanced labels: for
    tests of the engine's plumbing, which need no real photographs and should not read and hash 180 MB."""
    import numpy as np

    def images(n, offset):
        shade = ((np.arange(n) * 37 + offset) % 256).astype(np.uint8)
        return np.broadcast_to(shade[:, None, None, None], (n, 32, 32, 3)).copy()

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(5):
        np.savez_compressed(folder / f"cifar10_train_{i}.npz", images=images(10_000, i),
                            labels=(np.arange(10_000) % 10).astype(np.uint8))
    np.savez_compressed(folder / "cifar10_test.npz", images=images(10_000, 7), labels=(np.arange(10_000) % 10).astype(np.uint8))
    return folder


@pytest.fixture(scope="session")
def synthetic_cifar(tmp_path_factory) -> Path:
    """The folder of :func:`write_synthetic_cifar`."""
    return write_synthetic_cifar(tmp_path_factory.mktemp("synthetic-cifar"))
