"""What runs cost and what they found: time estimates, and tables of records beside the paper.

* :func:`estimate_gpu_hours` -- a rough GPU time for the paper scale (an estimate, not measured);
* :func:`estimate_cpu_seconds` -- per-run CPU time at a scale, from a short probe on this machine;
* :func:`summarize` and :func:`report` -- records as rows (mean and std over seeds) and as a
  Markdown table beside the paper's numbers, with their provenance.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from .. import reference
from ..analysis import count_flops
from ..engine.device import resolve_device, resolve_dtype
from ..engine.train import TrainConfig, train_step
from ..models import get_model
from ..tables import markdown_table
from .records import commits_of
from .registry import RunSpec, get_experiment, run_config

# --- what a paper-scale run costs -------------------------------------------------------------------
# An ESTIMATE, not a measurement (no GPU was available to the authors of this function): training
# costs about 3x the forward multiply-adds (forward + two backward products), 2 FLOPs each; we
# assume a sustained 10 TFLOP/s, a conservative figure for small CIFAR convolutions at batch 128
# on a recent data-centre GPU with bf16 autocast (they use a small fraction of its peak).
ASSUMED_GPU_TFLOPS = 10.0
# ImageNet at 224x224: larger convolutions keep a GPU busier. Assumed: 40 TFLOP/s sustained per GPU
# with bf16 autocast and channels_last on a recent data-centre GPU whose input pipeline keeps up
# (an assumption, not a measurement; for ResNet-18/34 the JPEG decoding on the CPUs often limits).
ASSUMED_IMAGENET_GPU_TFLOPS = 40.0


def _forward_macs(run: RunSpec) -> int:
    depth = int("".join(c for c in run.model if c.isdigit()) or 0)
    if run.model.startswith(("resnet", "plain")) and depth in reference.CIFAR_PARAMS_OPTION_A and not run.model_kwargs:
        return reference.cifar_macs(depth)
    return count_flops(get_model(run.model, **run.model_kwargs))


def _imagenet_macs(run: RunSpec) -> float:
    """Forward multiply-adds per 224x224 image: Table 1 of the paper (a plain net has its ResNet's layers)."""
    return reference.TABLE1["flops"][int("".join(c for c in run.model if c.isdigit()))]


def estimate_gpu_hours(name: str, seeds: int = 1) -> tuple[float, str]:
    """(hours, basis) -- a rough GPU time for experiment ``name`` at the paper scale (``imagenet``
    for the ImageNet experiments: GPU-hours, to divide by the number of GPUs), ``seeds`` seeds each."""
    exp = get_experiment(name)
    imagenet = exp.dataset == "imagenet"
    scale, macs, tflops = ("imagenet", _imagenet_macs, ASSUMED_IMAGENET_GPU_TFLOPS) if imagenet else \
        ("paper", _forward_macs, ASSUMED_GPU_TFLOPS)
    runs = exp.runs_at(scale)
    cfg = run_config(exp, runs[0], scale, 0, "cpu")
    images = cfg.max_iters * cfg.batch_size
    hours = sum(6 * macs(r) * images for r in runs) * seeds / (tflops * 1e12) / 3600
    basis = (f"estimate: {len(runs)} run(s) x {seeds} seed(s) x {cfg.max_iters:,} iterations of "
             f"{cfg.batch_size} {'224x224 ' if imagenet else ''}images, 3x forward multiply-adds at an assumed "
             f"{tflops:g} TFLOP/s{' per GPU (GPU-hours)' if imagenet else ''}; not measured")
    return hours, basis


# --- what a run costs on this CPU ------------------------------------------------------------------
def probe_img_per_s(device: str = "cpu", dtype: str | None = None, steps: int = 3) -> float:
    """Training images per second of ResNet-20 at batch 128 here (eager; ``steps`` timed steps)."""
    dev = resolve_device(device)
    amp = (dtype or resolve_dtype(TrainConfig(), dev)) == "bf16"
    torch.manual_seed(0)
    model = get_model("resnet20").to(dev, memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.randn(128, 3, 32, 32, device=dev).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (128,), device=dev)
    train_step(model, opt, x, y, amp)  # warm-up (oneDNN primitives)
    t = time.perf_counter()
    for _ in range(steps):
        train_step(model, opt, x, y, amp)
    return steps * 128 / (time.perf_counter() - t)


def estimate_cpu_seconds(name: str, scale: str, img_per_s_resnet20: float) -> dict[str, float]:
    """Seconds per run of ``name`` at ``scale``: its training images at ResNet-20's measured rate,
    scaled by forward multiply-adds (a ResNet-56 step costs ~3x ResNet-20's, measured 3.0x), plus
    the evaluations. Eager, one run at a time: compile and ``--jobs`` make it faster."""
    exp = get_experiment(name)
    base = reference.cifar_macs(20)
    out = {}
    for run in exp.runs_at(scale):
        cfg = run_config(exp, run, scale, 0, "cpu")
        evals = len(range(cfg.eval_every, cfg.max_iters + 1, cfg.eval_every)) + 1
        n_eval = cfg.eval_subset or (5_000 if cfg.split == "val45k" else 10_000)
        images = cfg.max_iters * cfg.batch_size + evals * n_eval / 3  # an eval image costs ~1/3 of a training one
        out[run.name] = images * _forward_macs(run) / base / img_per_s_resnet20
    return out


# --- report --------------------------------------------------------------------------------------------
def paper_number(model: str) -> tuple[str, str]:
    """(value, source) of the paper's test error for a CIFAR model name, or ("-", "")."""
    depth = int("".join(c for c in model if c.isdigit()) or 0)
    if model.startswith("resnet") and depth in reference.TABLE6["resnet"]:
        return f"{reference.TABLE6['resnet'][depth]['error']:.2f}", "Table 6"
    if model.startswith("plain") and depth in reference.FIG6["plain_test_error_read_from_plot"]:
        return f"≈{reference.FIG6['plain_test_error_read_from_plot'][depth]:.1f}", "Fig. 6, read from plot"
    return "-", ""


def imagenet_paper_number(experiment: str, label: str) -> tuple[str, str]:
    """(value, source) of the paper's 10-crop val error for a run of table2/table3: top-1 (Table 2)
    or top-1 / top-5 (Table 3); ("-", "") where the paper has none."""
    if experiment == "table2" and label in reference.TABLE2:
        return f"{reference.TABLE2[label]:.2f}", "Table 2"
    key = label.replace("-", "_")
    if experiment == "table3" and key in reference.TABLE3:
        return "{:.2f} / {:.2f}".format(*reference.TABLE3[key]), "Table 3"
    return "-", ""


def summarize(records: list[dict]) -> list[dict]:
    """One row per run label: mean and std over seeds of the final errors (in %)."""
    rows: dict[str, list[dict]] = {}
    for r in records:
        rows.setdefault(r["label"], []).append(r)
    out = []
    for label, recs in rows.items():
        tr = np.array([r["final"]["train_error"] for r in recs]) * 100
        ev = np.array([r["final"]["eval_error"] for r in recs]) * 100
        out.append({
            "label": label, "model": recs[0]["model"], "seeds": sorted(r["seed"] for r in recs),
            "train_error": float(tr.mean()), "train_error_std": float(tr.std()),
            "eval_error": float(ev.mean()), "eval_error_std": float(ev.std()),
            "eval_name": recs[0]["final"]["eval_name"], "params": recs[0]["final"]["params"],
            "iterations": recs[0]["final"]["iterations"], "stopped": [r["seed"] for r in recs if r["status"] != "complete"],
        })
        for key in ("top5_error", "center_crop_error"):  # ImageNet records: 10-crop top-5, centre-crop top-1
            if all(key in r["final"] for r in recs):
                out[-1][key] = float(np.mean([r["final"][key] for r in recs]) * 100)
    return out


def report(name: str, records: list[dict]) -> str:
    """A Markdown table: the paper's number beside this book's runs, with provenance."""
    exp = get_experiment(name)
    if not records:
        return f"No records for {name}. Run `python -m resnet_book run {name}` first."
    imagenet = exp.dataset == "imagenet"
    rows = []
    for row in summarize(records):
        if imagenet:
            value, src = imagenet_paper_number(name, row["label"])
        else:
            value, src = paper_number(row["model"]) if not row["label"].endswith(("-B", "-C")) else ("-", "")
        pm = lambda m, s: f"{m:.2f} ± {s:.2f}" if len(row["seeds"]) > 1 else f"{m:.2f}"  # noqa: E731
        stopped = f" (stopped: seeds {row['stopped']})" if row["stopped"] else ""
        extra = [f"{row[k]:.2f}" if k in row else "-" for k in ("top5_error", "center_crop_error")] if imagenet else []
        rows.append([f"{row['label']}{stopped}", f"{row['params']:,}", f"{row['iterations']:,}",
                     ",".join(map(str, row["seeds"])), pm(row["train_error"], row["train_error_std"]),
                     f"{pm(row['eval_error'], row['eval_error_std'])} ({row['eval_name']})", *extra, value, src])
    head = ["top-5 error %", "centre-crop top-1 %", "paper val error % (10-crop, top-1" + (" / top-5)" if name == "table3" else ")")] \
        if imagenet else ["paper test error %"]
    lines = [f"### {exp.title} ({exp.source})", "",
             markdown_table(["run", "params", "iterations", "seeds", "train error %", "test/val error %", *head,
                             "paper source"], rows, align="lrrlrr" + "r" * len(head) + "l")]
    keys = ("device", "dtype", "torch", "git_commit", "data_fingerprint") + (("world_size", "global_batch") if imagenet else ())
    prov = {k: sorted({str(r["provenance"].get(k, "fp32" if k == "dtype" else "?")) for r in records}) for k in keys}
    prov["git_commit"] = sorted({c for r in records for c in commits_of(r)})  # a resumed run: every commit that trained
    scales = sorted({r["scale"] for r in records})
    spread = f"; world size {', '.join(prov['world_size'])}; global batch {', '.join(prov['global_batch'])}" if imagenet else ""
    lines += ["", f"This book's runs: scale {', '.join(scales)}; device {'; '.join(prov['device'])}{spread}; "
              f"dtype {', '.join(prov['dtype'])}; torch {', '.join(prov['torch'])}; "
              f"commit {', '.join(c[:12] for c in prov['git_commit'])}; "
              f"data fingerprint {', '.join(f[:12] for f in prov['data_fingerprint'])}.",
              f"Paper: {reference.HE2015}. Train error = mean over the last 10% of iterations "
              "(augmented mini-batches, as plotted in the paper)."]
    if not imagenet and any(r["provenance"].get("data_note") for r in records):
        lines.append("Data: the JPEG-derived developer copy of CIFAR-10 (exact labels and split, lossy pixels; "
                     "costs about 2-3 points of accuracy) -- not for accuracy claims.")
    if imagenet:
        lines.append("ImageNet: test/val error = top-1 error on val/ by 10-crop testing (the paper's Tables 2-3; "
                     "softmax averaged over the crops); centre crop = the single centre crop (224 of the image resized to 256 at "
                     "the imagenet scale).")
        notes = sorted({r["provenance"]["data_note"] for r in records if r["provenance"].get("data_note")})
        if notes or "imagenet-small" in scales:
            lines.append("Data: " + "; ".join(notes or ["ImageNet"]) + (" -- imagenet-small scale: the recipe at a quarter "
                         "of the resolution, not the paper's setting" if "imagenet-small" in scales else "")
                         + ". Not comparable with the paper's numbers.")
    if "quick" in scales:
        lines.append("Quick scale: a short CPU run on a training subset -- shows trends, not the paper's accuracy.")
    if "cpu" in scales:
        iters = sorted({r["final"]["iterations"] for r in records if r["scale"] == "cpu"})
        lines.append(f"CPU scale: the paper's recipe on all 50k training images, {', '.join(f'{i:,}' for i in iters)} "
                     "iterations instead of 64,000 -- a compressed schedule, so errors stay above the paper's.")
    return "\n".join(lines)

