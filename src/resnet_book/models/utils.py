"""Small helpers shared by whoever runs a model: evaluation mode for a block of code."""

from __future__ import annotations

import contextlib

from torch import nn


@contextlib.contextmanager
def eval_mode(model: nn.Module):
    """Run the body with ``model`` in eval mode (BatchNorm uses its running statistics), then put
    it back in the mode it was in."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)
