"""Test set-up: point the loader at the shared developer copy of CIFAR-10 when it is there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "cifar10"

os.environ.setdefault("RESNET_BOOK_QUIET", "1")
if "RESNET_BOOK_DATA" not in os.environ and (SHARED / "cifar10_test.npz").exists():
    os.environ["RESNET_BOOK_DATA"] = str(SHARED)


@pytest.fixture(scope="session")
def cifar():
    """The real CIFAR-10 (from $RESNET_BOOK_DATA). Tests that need it fail loudly if it is missing."""
    from resnet_book.data import load_cifar10

    return load_cifar10(download=False)
