"""Measurements stored in a run's record beside its curves, taken on its final weights: each
experiment names one (``Experiment.measure``), e.g. Fig. 7's layer responses or a lesion curve."""

from __future__ import annotations

from pathlib import Path

import torch

from ..analysis import layer_response_std, lesion_blocks
from ..engine.checkpoints import load_checkpoint_file
from ..engine.data import DeviceData, stratified_indices
from ..errors import ConfigError
from ..models import get_model


def _layer_response_std(model, data: DeviceData) -> list:
    idx = torch.from_numpy(stratified_indices(data.y_eval.cpu().numpy(), min(500, len(data.y_eval)), 7))
    x = data.to_input(data.x_eval[idx.to(data.device)])
    return [[name, std] for name, std in layer_response_std(model, x)]


LESION_IMAGES = 200  # enough to see which blocks matter, small enough for seconds (a 56-layer net)


def _lesion(model, data: DeviceData) -> dict:
    """Delete each block in turn (analysis.lesion_blocks) on a stratified sample of the eval set: the
    same images as make_split(eval_subset=LESION_IMAGES, subset_seed=0). Stored in the record so
    that a page can show a trained net's lesion curve where its weights are not at hand."""
    idx = torch.from_numpy(stratified_indices(data.y_eval.cpu().numpy(), min(LESION_IMAGES, len(data.y_eval)), 1))
    dev_idx = idx.to(data.device)
    return lesion_blocks(model, data.to_input(data.x_eval[dev_idx]), data.y_eval[dev_idx], dtype=torch.bfloat16).to_dict()


MEASURES = {"layer_response_std": _layer_response_std, "lesion": _lesion}


def check_measure(measure: str) -> str:
    if measure not in MEASURES:
        raise ConfigError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}")
    return measure


def take(measure: str, model, data: DeviceData):
    """``measure`` on ``model`` (its final weights) over ``data``'s eval split."""
    return MEASURES[check_measure(measure)](model, data)


def load_trained(record: dict, weights: Path, device) -> torch.nn.Module:
    """The model of ``record`` with the final weights saved at ``weights`` (eval mode)."""
    model = get_model(record["model"], **record["model_kwargs"])
    fix = (f"restore it from a backup, or delete it with its record {Path(weights).name.replace('.weights.pt', '.json')} "
           "and train the run again")
    model.load_state_dict(load_checkpoint_file(weights, "cpu", what="saved weights", fix=fix))
    return model.to(device).eval()
