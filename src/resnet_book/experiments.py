"""The paper's CIFAR-10 experiments, each defined once and run at a named scale.

An :class:`Experiment` is a list of runs (a model name plus, rarely, a recipe change such as
ResNet-110's warm-up). A *scale* is data: TrainConfig overrides for sizes only (iterations,
training subset, evaluation cadence). ``paper`` is the exact recipe of Sec. 4.2; ``quick`` fits
a chapter's budget on a 2-core CPU. No code path depends on the scale.

A run is identified by everything that determines its result (model, config, seed, data
fingerprint); a finished run is never trained twice: its record is reused, also by other
experiments that contain the same run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from . import reference
from .analysis import count_params, layer_response_std
from .data import DeviceData, load_cifar10, make_split, stratified_indices
from .models import get_model
from .results import (
    SCHEMA_VERSION, device_name, git_commit, load_checkpoint_file, load_record, now_iso, package_hash, results_root,
    save_checkpoint, write_json_atomic,
)
from .train import TrainConfig, resolve_device, train

# --- scales ------------------------------------------------------------------------------------------
PAPER_SCALE: dict = {
    # Sec. 4.2 exactly: 64k iterations, lr /10 at 32k and 48k, batch 128, all 50k training images,
    # evaluated on the 10k test images (the paper chose 64k on a 45k/5k split; use split="val45k"
    # to redo that choice).
    "log_every": 100, "eval_every": 1_000, "checkpoint_every": 2_000,
}


def quick_scale(max_iters: int, batch_size: int = 32, train_subset: int = 10_000, eval_subset: int = 2_000,
                log_every: int = 10, evals: int = 5) -> dict:
    """A CPU-sized version of the recipe, changing sizes only.

    * ``max_iters`` iterations with the paper's schedule SHAPE: lr /10 at 50% and 75% of the run
      (as 32k and 48k of 64k).
    * Mini-batches of 32 instead of 128: on a 2-core CPU a ResNet-56 step costs nearly the same
      per image at either size (measured 281 vs 319 img/s), so small batches buy 4x more updates
      in the same minutes. The learning rate follows the batch by the linear scaling rule (Goyal
      et al. 2017), 0.1 x 32/128 = 0.025, so the lr per image stays the paper's. (With batch 128
      and lr 0.1, ResNet-56 did not leave chance level, 90% error, in 150 iterations.)
    * A stratified training subset of 10k images and a stratified 2k test subset, evaluated
      ``evals`` times (evaluation is a quarter of the CPU time otherwise).
    """
    eval_every = max(log_every, (max_iters // evals) // log_every * log_every)
    return {
        "max_iters": max_iters,
        "milestones": (max_iters // 2, (3 * max_iters) // 4),
        "batch_size": batch_size,
        "lr": reference.CIFAR_RECIPE["lr"] * batch_size / reference.CIFAR_RECIPE["batch_size"],
        "train_subset": train_subset,
        "eval_subset": eval_subset,
        "log_every": log_every,
        "eval_every": eval_every,
        "checkpoint_every": eval_every,
    }


WARMUP_110 = {"warmup_lr": reference.CIFAR_RECIPE["warmup_lr"]}  # Sec. 4.2: ResNet-110 only


@dataclass(frozen=True)
class RunSpec:
    model: str
    model_kwargs: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)  # recipe changes for this run (not sizes)
    label: str = ""
    scales: tuple[str, ...] = ("quick", "paper")  # scales at which this run exists

    @property
    def name(self) -> str:
        return self.label or self.model


@dataclass(frozen=True)
class Experiment:
    name: str
    title: str
    source: str  # the paper's table/figure
    runs: tuple[RunSpec, ...]
    scales: dict  # scale name -> TrainConfig overrides (sizes only)
    measure: str | None = None  # an extra measurement stored in each record (see MEASURES)

    def runs_at(self, scale: str) -> list[RunSpec]:
        return [r for r in self.runs if scale in r.scales]


def _runs(*models: str, **kw) -> tuple[RunSpec, ...]:
    return tuple(RunSpec(m, **kw) for m in models)


R110 = RunSpec("resnet110", config=WARMUP_110, label="resnet110")

EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in [
    Experiment(
        "fig1", "Degradation: plain-20 vs plain-56", "He et al. 2015, Fig. 1",
        _runs("plain20", "plain56"),
        {"quick": quick_scale(300), "paper": PAPER_SCALE},
    ),
    Experiment(
        "fig6", "Plain vs residual nets of 20-56 layers (and plain-110)", "He et al. 2015, Fig. 6",
        _runs("plain20", "plain32", "plain44", "plain56", "resnet20", "resnet32", "resnet44", "resnet56")
        + (RunSpec("plain110", scales=("paper",)),),
        {"quick": quick_scale(300), "paper": PAPER_SCALE},
    ),
    Experiment(
        "table6", "CIFAR-10 test error of ResNet-20 ... 1202", "He et al. 2015, Table 6",
        _runs("resnet20", "resnet32", "resnet44", "resnet56") + (R110,)
        + (RunSpec("resnet1202", scales=("paper",)),),
        {"quick": quick_scale(300), "paper": PAPER_SCALE},
    ),
    Experiment(
        "fig7", "Standard deviation of layer responses", "He et al. 2015, Fig. 7",
        _runs("plain20", "plain56", "resnet20", "resnet56") + (R110,),
        {"quick": quick_scale(300), "paper": PAPER_SCALE},
        measure="layer_response_std",
    ),
    Experiment(
        "shortcuts", "Shortcut options A / B / C on a CIFAR ResNet", "He et al. 2015, Table 3 (ImageNet analogue)",
        # option A is the default: the same run as fig6's resnet32 (reused when that exists)
        (RunSpec("resnet32", label="resnet32-A"),)
        + tuple(RunSpec("resnet32", {"shortcut": s}, label=f"resnet32-{s}") for s in "BC"),
        {"quick": quick_scale(300), "paper": PAPER_SCALE},
    ),
    Experiment(
        "warmup110", "ResNet-110 with and without the lr 0.01 warm-up", "He et al. 2015, Sec. 4.2",
        (RunSpec("resnet110", config=WARMUP_110, label="resnet110-warmup"),
         RunSpec("resnet110", label="resnet110-no-warmup")),
        {"quick": quick_scale(300), "paper": PAPER_SCALE},
    ),
    Experiment(
        "resnet1202", "ResNet-1202: fits the training set, overfits the test set", "He et al. 2015, Sec. 4.2, Table 6",
        (RunSpec("resnet1202", scales=("paper",)),),
        {"quick": quick_scale(300), "paper": PAPER_SCALE},
    ),
    Experiment(
        "variants", "After ResNet: pre-activation, wide, ResNeXt, DenseNet-BC and SE at ResNet-56's cost",
        "He et al. 2016; Zagoruyko & Komodakis 2016; Xie et al. 2017; Huang et al. 2017; Hu et al. 2018",
        # A small member of each family (at most ResNet-56's multiply-adds), all on ONE recipe, the
        # paper's Sec. 4.2 (the variants' own papers train longer, some with other weight decays).
        _runs("resnet56", "preact_resnet56", "wrn16_2", "resnext29_8x4d_narrow", "densenet_bc28_12", "se_resnet56"),
        {"quick": quick_scale(300), "paper": PAPER_SCALE},
    ),
]}

SCALES = ("quick", "paper")


def get_experiment(name: str) -> Experiment:
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; known experiments: {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def default_scale() -> str:
    """``paper`` on a CUDA machine, ``quick`` otherwise."""
    return "paper" if torch.cuda.is_available() else "quick"


def check_scale(scale: str) -> str:
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; known scales: {', '.join(SCALES)}")
    return scale


_LR_FIELDS = ("lr", "warmup_lr")  # recipe learning rates, stated at the paper's batch of 128


def run_config(exp: Experiment, run: RunSpec, scale: str, seed: int, device: str = "auto",
               overrides: dict | None = None) -> TrainConfig:
    """The TrainConfig of one run: paper defaults <- scale sizes <- the run's recipe <- user overrides.

    A run's recipe states learning rates at the paper's batch size (ResNet-110's warm-up lr 0.01
    at batch 128); at a scale with another batch size they follow the linear scaling rule, like
    the base lr does, so that warm-up/base keeps the paper's ratio of 1/10.
    """
    cfg = TrainConfig().replace(**exp.scales[check_scale(scale)])
    k = cfg.batch_size / reference.CIFAR_RECIPE["batch_size"]
    recipe = {key: (v * k if key in _LR_FIELDS and v is not None else v) for key, v in run.config.items()}
    cfg = cfg.replace(**recipe)
    return cfg.replace(**(overrides or {})).replace(seed=seed, device=device)


_NOT_IDENTITY = ("device", "compile", "checkpoint_every")  # how a run is executed, not what it is


_NONE_DEFAULT_TYPES = {"warmup_lr": float, "train_subset": int, "eval_subset": int}


def parse_overrides(text: str) -> list[tuple[str, object]]:
    """``"max_iters=300,lr=0.05,milestones=150:225"`` -> typed TrainConfig overrides.

    Values are cast to the field's type; ``milestones`` takes ``:``-separated iterations;
    ``none`` clears an optional field.
    """
    defaults = TrainConfig().to_dict()
    pairs = []
    for item in filter(None, (t.strip() for t in text.split(","))):
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep:
            raise ValueError(f"--set takes key=value pairs separated by commas, got {item!r}")
        if key not in defaults:
            raise ValueError(f"unknown TrainConfig field {key!r}; known: {', '.join(defaults)}")
        try:
            if key == "milestones":
                cast = tuple(int(v) for v in value.split(":") if v)
            elif value.lower() == "none" and (defaults[key] is None or key in _NONE_DEFAULT_TYPES):
                cast = None
            elif key == "amp" and value.lower() == "auto":
                cast = "auto"
            elif isinstance(defaults[key], bool) or key in ("augment", "channels_last", "compile", "amp"):
                if value.lower() not in ("true", "false", "1", "0"):
                    raise ValueError
                cast = value.lower() in ("true", "1")
            else:
                typ = _NONE_DEFAULT_TYPES.get(key) or type(defaults[key])
                cast = typ(float(value)) if typ is int and value.replace(".", "", 1).isdigit() else typ(value)
        except ValueError:
            raise ValueError(f"--set {key}={value!r}: not a valid value for {key} (default {defaults[key]!r})") from None
        pairs.append((key, cast))
    return pairs


def run_id(run: RunSpec, cfg: TrainConfig, scale: str, fingerprint: str) -> str:
    """``<scale>-<label>-s<seed>-<hash>``: the hash covers model, kwargs, config and data."""
    ident = {k: v for k, v in cfg.to_dict().items() if k not in _NOT_IDENTITY}
    blob = json.dumps({"model": run.model, "kwargs": run.model_kwargs, "config": ident, "data": fingerprint},
                      sort_keys=True)
    return f"{scale}-{run.name}-s{cfg.seed}-{hashlib.sha256(blob.encode()).hexdigest()[:10]}"


def build_model(run: RunSpec, seed: int) -> torch.nn.Module:
    """The run's model with its initialisation fixed by ``seed``."""
    torch.manual_seed(seed)
    return get_model(run.model, **run.model_kwargs)


# --- extra measurements stored in records ---------------------------------------------------------
def _measure_layer_response_std(model, data: DeviceData) -> list:
    idx = torch.from_numpy(stratified_indices(data.y_eval.cpu().numpy(), min(500, len(data.y_eval)), 7))
    x = data.to_input(data.x_eval[idx.to(data.device)])
    return [[name, std] for name, std in layer_response_std(model, x)]


MEASURES = {"layer_response_std": _measure_layer_response_std}


def plan(name: str, scale: str | None = None, seeds=(0,), runs=None) -> list[tuple[RunSpec, int]]:
    """The (run, seed) pairs of an experiment at a scale (optionally only the runs named in ``runs``)."""
    exp = get_experiment(name)
    scale = check_scale(scale or default_scale())
    chosen = exp.runs_at(scale)
    if runs:
        names = [r.name for r in exp.runs]
        for r in runs:
            if r not in names:
                raise ValueError(f"no run named {r!r} in {name}; its runs: {', '.join(names)}")
        chosen = [r for r in chosen if r.name in runs]
    return [(run, seed) for run in chosen for seed in seeds]


def run_experiment(
    name: str,
    scale: str | None = None,
    seeds=(0,),
    device: str = "auto",
    data_dir: str | os.PathLike | None = None,
    out: str | os.PathLike | None = None,
    progress: bool | None = None,
    log=print,
    runs=None,
    overrides: dict | None = None,
) -> list[dict]:
    """Run (or reuse) every run of experiment ``name`` at ``scale`` for ``seeds``; return the records.

    ``runs``: only these run names; ``overrides``: TrainConfig fields to change (they become part
    of each run's identity and record).
    """
    exp = get_experiment(name)
    scale = check_scale(scale or default_scale())
    seeds = [int(s) for s in seeds]
    pairs = plan(name, scale, seeds, runs)
    for run in exp.runs:  # validate overrides before loading any data
        run_config(exp, run, scale, 0, "cpu", overrides)
    dev = resolve_device(device)
    data = load_cifar10(data_dir)
    root = results_root(out)
    folder = root / exp.name
    device_cache: dict = {}
    records = []
    if not pairs:
        log(f"{name}: no runs at the {scale} scale (runs exist at: "
            f"{', '.join(sorted({s for r in exp.runs for s in r.scales}))})")
    for i, (run, seed) in enumerate(pairs, 1):
        cfg = run_config(exp, run, scale, seed, str(dev), overrides)
        rid = run_id(run, cfg, scale, data.fingerprint)
        path = folder / f"{rid}.json"
        if path.exists():
            records.append(load_record(path))
            log(f"[{i}/{len(pairs)}] {rid}: done before, reusing {path}")
            continue
        # The same run under another experiment (or another label: the hash covers everything
        # that determines the result, the label is only its name on this page).
        same = f"{scale}-*-s{seed}-{rid.rsplit('-', 1)[1]}.json"
        other = next((p for p in sorted(root.glob(f"*/{same}")) if p != path), None)
        if other is not None:
            rec = dict(load_record(other), experiment=exp.name, run_id=rid, label=run.name,
                       reused_from=str(other.relative_to(root)))
            if weights_path(other).exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(weights_path(other), weights_path(path))
            if exp.measure and exp.measure not in rec.get("extra", {}):
                if not weights_path(path).exists():
                    raise FileNotFoundError(f"{other} has no saved weights to measure {exp.measure} on; "
                                            f"delete it and run `python -m resnet_book run {exp.name}` again")
                ddata = _device_data(device_cache, data, run_config(exp, run, scale, seed, str(dev), overrides), dev)
                model = get_model(run.model, **run.model_kwargs)
                model.load_state_dict(load_checkpoint_file(weights_path(path), "cpu"))
                model.to(dev)
                rec["extra"] = {**rec.get("extra", {}), exp.measure: MEASURES[exp.measure](model, ddata)}
            write_json_atomic(path, rec)
            records.append(rec)
            log(f"[{i}/{len(pairs)}] {rid}: same run as {other.relative_to(root)}, reusing it")
            continue
        ddata = _device_data(device_cache, data, cfg, dev)
        model = build_model(run, seed)
        ckpt = folder / f"{rid}.ckpt"
        log(f"[{i}/{len(pairs)}] {rid}: training {run.name} for {cfg.max_iters} iterations on {dev}"
            + (" (resuming from checkpoint)" if ckpt.exists() else ""))
        history = train(model, ddata, cfg, checkpoint=ckpt, progress=progress, desc=f"{run.name} s{seed}")
        rec = {
            "schema": SCHEMA_VERSION, "run_id": rid, "experiment": exp.name, "model": run.model,
            "model_kwargs": run.model_kwargs, "label": run.name, "scale": scale, "seed": seed,
            "config": cfg.to_dict(),
            "provenance": {
                "device": device_name(dev), "torch": torch.__version__, "git_commit": git_commit(),
                "package_hash": package_hash(),
                "data_fingerprint": data.fingerprint, "data_dir": str(data.folder),
                "data_note": "JPEG-derived copy of CIFAR-10: not the original pixels" if data.jpeg_copy else "", "created": now_iso(),
                "source": exp.source,
            },
            "history": history.to_dict(),
            "final": {
                "train_error": history.final_train_error(), "eval_error": history.final_eval_error,
                "eval_name": ddata.eval_name, "params": count_params(model), "iterations": history.iterations_done,
                "wall_time": history.wall_time,
            },
            "status": "stopped" if history.stopped else "complete",
        }
        if exp.measure:
            rec["extra"] = {exp.measure: MEASURES[exp.measure](model, ddata)}
        save_checkpoint(weights_path(path), model.state_dict())  # final weights, for pages that probe the model
        write_json_atomic(path, rec)
        ckpt.unlink(missing_ok=True)
        records.append(rec)
        log(f"    train error {rec['final']['train_error']:.3f}, {ddata.eval_name} error "
            f"{rec['final']['eval_error']:.3f}, {history.wall_time:.0f} s")
    return records


# --- what a paper-scale run costs -------------------------------------------------------------------
# An ESTIMATE, not a measurement (no GPU was available to the authors of this function): training
# costs about 3x the forward multiply-adds (forward + two backward products), 2 FLOPs each; we
# assume a sustained 10 TFLOP/s, a conservative figure for small CIFAR convolutions at batch 128
# on a recent data-centre GPU with bf16 autocast (they use a small fraction of its peak).
ASSUMED_GPU_TFLOPS = 10.0


def _forward_macs(run: RunSpec) -> int:
    from .analysis import count_flops

    depth = int("".join(c for c in run.model if c.isdigit()) or 0)
    if run.model.startswith(("resnet", "plain")) and depth in reference.CIFAR_PARAMS_OPTION_A and not run.model_kwargs:
        return reference.cifar_macs(depth)
    return count_flops(get_model(run.model, **run.model_kwargs))


def estimate_gpu_hours(name: str, seeds: int = 1) -> tuple[float, str]:
    """(hours, basis) -- a rough GPU time for experiment ``name`` at the paper scale, ``seeds`` seeds each."""
    exp = get_experiment(name)
    cfg = TrainConfig().replace(**exp.scales["paper"])
    images = cfg.max_iters * cfg.batch_size
    flops = sum(6 * _forward_macs(r) * images for r in exp.runs_at("paper")) * seeds
    hours = flops / (ASSUMED_GPU_TFLOPS * 1e12) / 3600
    basis = (f"estimate: {len(exp.runs_at('paper'))} run(s) x {seeds} seed(s) x {cfg.max_iters:,} iterations of "
             f"{cfg.batch_size} images, 3x forward multiply-adds at an assumed {ASSUMED_GPU_TFLOPS:g} TFLOP/s; not measured")
    return hours, basis


def _device_data(cache: dict, data, cfg: TrainConfig, dev) -> DeviceData:
    key = (cfg.split, cfg.train_subset, cfg.eval_subset, cfg.subset_seed, cfg.normalize, cfg.channels_last)
    if key not in cache:
        split = make_split(data, cfg.split, cfg.train_subset, cfg.eval_subset, cfg.subset_seed)
        cache[key] = DeviceData(split, dev, cfg.normalize, cfg.channels_last)
    return cache[key]


def weights_path(record_path: Path) -> Path:
    return Path(record_path).with_suffix(".weights.pt")


def trained_model(record: dict, out: str | os.PathLike | None = None, device: str = "cpu") -> torch.nn.Module:
    """The model of a finished run with its final weights (eval mode)."""
    path = weights_path(results_root(out) / record["experiment"] / f"{record['run_id']}.json")
    if not path.exists():
        raise FileNotFoundError(f"no saved weights for run {record['run_id']} at {path}; "
                                f"delete its record and run `python -m resnet_book run {record['experiment']}` again")
    model = get_model(record["model"], **record["model_kwargs"])
    model.load_state_dict(load_checkpoint_file(path, device))
    return model.to(device).eval()


# --- report --------------------------------------------------------------------------------------------
def paper_number(model: str) -> tuple[str, str]:
    """(value, source) of the paper's test error for a CIFAR model name, or ("-", "")."""
    depth = int("".join(c for c in model if c.isdigit()) or 0)
    if model.startswith("resnet") and depth in reference.TABLE6["resnet"]:
        return f"{reference.TABLE6['resnet'][depth]['error']:.2f}", "Table 6"
    if model.startswith("plain") and depth in reference.FIG6["plain_test_error_read_from_plot"]:
        return f"≈{reference.FIG6['plain_test_error_read_from_plot'][depth]:.1f}", "Fig. 6, read from plot"
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
    return out


def report(name: str, records: list[dict]) -> str:
    """A Markdown table: the paper's number beside this book's runs, with provenance."""
    exp = get_experiment(name)
    if not records:
        return f"No records for {name}. Run `python -m resnet_book run {name}` first."
    lines = [f"### {exp.title} ({exp.source})", "",
             "| run | params | iterations | seeds | train error % | test/val error % | paper test error % | paper source |",
             "|---|---:|---:|---|---:|---:|---:|---|"]
    for row in summarize(records):
        value, src = paper_number(row["model"]) if not row["label"].endswith(("-B", "-C")) else ("-", "")
        pm = lambda m, s: f"{m:.2f} ± {s:.2f}" if len(row["seeds"]) > 1 else f"{m:.2f}"  # noqa: E731
        stopped = f" (stopped: seeds {row['stopped']})" if row["stopped"] else ""
        lines.append(f"| {row['label']}{stopped} | {row['params']:,} | {row['iterations']:,} | "
                     f"{','.join(map(str, row['seeds']))} | {pm(row['train_error'], row['train_error_std'])} | "
                     f"{pm(row['eval_error'], row['eval_error_std'])} ({row['eval_name']}) | {value} | {src} |")
    prov = {k: sorted({str(r["provenance"][k] if k in r["provenance"] else r[k]) for r in records})
            for k in ("device", "torch", "git_commit", "data_fingerprint")}
    scales = sorted({r["scale"] for r in records})
    lines += ["", f"This book's runs: scale {', '.join(scales)}; device {'; '.join(prov['device'])}; "
              f"torch {', '.join(prov['torch'])}; commit {', '.join(c[:12] for c in prov['git_commit'])}; "
              f"data fingerprint {', '.join(f[:12] for f in prov['data_fingerprint'])}.",
              f"Paper: {reference.HE2015}. Train error = mean over the last 10% of iterations "
              "(augmented mini-batches, as plotted in the paper)."]
    if any(r["provenance"].get("data_note") for r in records):
        lines.append("Data: the JPEG-derived developer copy of CIFAR-10 (exact labels and split, lossy pixels; "
                     "costs about 2-3 points of accuracy) -- not for accuracy claims.")
    if "quick" in scales:
        lines.append("Quick scale: a short CPU run on a training subset -- shows trends, not the paper's accuracy.")
    return "\n".join(lines)

