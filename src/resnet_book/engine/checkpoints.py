"""Checkpoints: ``torch.save`` written atomically, read back with a clear error when damaged."""

from __future__ import annotations

import os

import torch

from ..errors import RecordError
from ..files import atomic_write

#: What a training checkpoint holds (engine.train writes it; a resume needs every key).
CHECKPOINT_KEYS = ("config", "model", "optimizer", "schedule", "history")


def save_checkpoint(path: str | os.PathLike, state: dict) -> None:
    """``torch.save`` to ``path`` atomically."""
    atomic_write(path, lambda f: torch.save(state, f))


def load_checkpoint_file(path: str | os.PathLike, device: torch.device | str = "cpu", what: str = "checkpoint",
                         fix: str = "delete it to start the run over"):
    """``torch.load`` (tensors only) with one clear line for a missing, truncated or corrupt file;
    ``what`` names the file, ``fix`` says what to do about a bad one."""
    try:
        return torch.load(path, map_location=device, weights_only=True)
    except FileNotFoundError:
        raise RecordError(f"no {what} at {path}") from None
    except Exception as e:
        # (torch's own message is many lines about weights_only; the type says enough)
        raise RecordError(f"cannot read {what} {path} ({type(e).__name__}): the file is truncated or corrupt; {fix}") from None


def load_checkpoint(path: str | os.PathLike, device: torch.device | str = "cpu") -> dict:
    """A training checkpoint (every key of :data:`CHECKPOINT_KEYS`), checked."""
    state = load_checkpoint_file(path, device)
    missing = set(CHECKPOINT_KEYS) - set(state) if isinstance(state, dict) else set(CHECKPOINT_KEYS)
    if missing:
        raise RecordError(f"checkpoint {path} lacks {sorted(missing)}; delete it to start the run over")
    return state
