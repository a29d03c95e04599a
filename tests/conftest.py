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
    from resnet_book.data import load_cifar10

    return load_cifar10(download=False)
