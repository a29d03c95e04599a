"""Running experiments: which runs are done, training the others (one at a time or several at
once), and the records they leave.

A run is identified by everything that decides its result (:func:`run_id`): model, recipe and
sizes, seed, data, the dtype it computes in and the kind of device. A finished run is never
trained twice, also when another experiment contains it. Two processes that ask for the same
run (``--jobs``, or two chapters executing at once) take a lock per run id: the second waits for
the first's record, it never trains the same run beside it or writes its checkpoint.

``jobs=N`` trains N runs at once in worker processes, each with its share of the CPU threads (on
a 2-core CPU two one-thread runs train ~1.2-1.5x more images per second than one two-thread run:
benchmarks/README.md) or, on a machine with several GPUs, one run per GPU.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import torch

from .analysis import count_params, layer_response_std, lesion_blocks
from .data import DeviceData, load_cifar10, make_split, stratified_indices
from .experiments import RunSpec, build_model, check_scale, default_scale, get_experiment, plan, run_config
from .models import get_model
from .results import (
    SCHEMA_VERSION, device_name, git_commit, load_checkpoint_file, load_record, now_iso, package_hash, results_root,
    save_checkpoint, write_json_atomic,
)
from .train import TrainConfig, cpu_threads, identity, resolve_compile, resolve_device, resolve_dtype, train


# --- identity -----------------------------------------------------------------------------------------
def run_id(run: RunSpec, cfg: TrainConfig, scale: str, fingerprint: str, threads: int | None = None) -> str:
    """``<scale>-<label>-s<seed>-<hash>``: the hash covers model, kwargs, config, dtype, device type, the
    CPU thread count (``threads``, default: this process's; see :func:`resnet_book.train.identity`)
    and data."""
    ident = identity(cfg, resolve_device(cfg.device), threads)
    blob = json.dumps({"model": run.model, "kwargs": run.model_kwargs, "config": ident, "data": fingerprint},
                      sort_keys=True)
    return f"{scale}-{run.name}-s{cfg.seed}-{hashlib.sha256(blob.encode()).hexdigest()[:10]}"


def weights_path(record_path: Path) -> Path:
    return Path(record_path).with_suffix(".weights.pt")


@contextlib.contextmanager
def run_lock(folder: Path, rid: str, log=print):
    """Hold the lock of run ``rid`` (a file lock: the OS drops it when its process dies, even by SIGKILL)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows has no flock: runs in one process only, no lock needed
        yield
        return
    with open(folder / f".{rid}.lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"    {rid}: another process is training this run; waiting for its record")
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# --- extra measurements stored in records ---------------------------------------------------------
def _measure_layer_response_std(model, data: DeviceData) -> list:
    idx = torch.from_numpy(stratified_indices(data.y_eval.cpu().numpy(), min(500, len(data.y_eval)), 7))
    x = data.to_input(data.x_eval[idx.to(data.device)])
    return [[name, std] for name, std in layer_response_std(model, x)]


LESION_IMAGES = 200  # enough to see which blocks matter, small enough for seconds (a 56-layer net)


def _measure_lesion(model, data: DeviceData) -> dict:
    """Delete each block in turn (analysis.lesion_blocks) on a stratified sample of the eval set: the
    same images as make_split(eval_subset=LESION_IMAGES, subset_seed=0). Stored in the record so
    that a page can show a trained net's lesion curve where its weights are not at hand."""
    idx = torch.from_numpy(stratified_indices(data.y_eval.cpu().numpy(), min(LESION_IMAGES, len(data.y_eval)), 1))
    dev_idx = idx.to(data.device)
    return lesion_blocks(model, data.to_input(data.x_eval[dev_idx]), data.y_eval[dev_idx], dtype=torch.bfloat16).to_dict()


MEASURES = {"layer_response_std": _measure_layer_response_std, "lesion": _measure_lesion}


def _load_trained(record: dict, weights: Path, device) -> torch.nn.Module:
    """The model of ``record`` with the final weights saved at ``weights`` (eval mode)."""
    model = get_model(record["model"], **record["model_kwargs"])
    model.load_state_dict(load_checkpoint_file(weights, "cpu"))
    return model.to(device).eval()


def _measure_saved(record: dict, weights: Path, measure: str, data: DeviceData):
    """Take ``measure`` on a finished run from its saved final weights (what taking it at the end of
    training gives: the measure reads the final weights only)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}")
    return MEASURES[measure](_load_trained(record, weights, data.device), data)


# --- one run --------------------------------------------------------------------------------------
@dataclass
class _Task:
    """One (run, seed) of an experiment, with where its record goes."""

    experiment: str
    run: RunSpec
    seed: int
    scale: str
    cfg: TrainConfig
    rid: str
    root: Path
    tag: str  # "[3/8]" in the log

    @property
    def path(self) -> Path:
        return self.root / self.experiment / f"{self.rid}.json"


def _device_data(cache: dict, data, cfg: TrainConfig, dev) -> DeviceData:
    key = (cfg.split, cfg.train_subset, cfg.eval_subset, cfg.subset_seed, cfg.normalize, cfg.channels_last, str(dev))
    if key not in cache:
        split = make_split(data, cfg.split, cfg.train_subset, cfg.eval_subset, cfg.subset_seed)
        cache[key] = DeviceData(split, dev, cfg.normalize, cfg.channels_last)
    return cache[key]


def _reuse(task: _Task, data, cache: dict, log) -> dict | None:
    """The task's record if it is done: its own, or the same run under another experiment/label."""
    root, path = task.root, task.path
    if path.exists():
        log(f"{task.tag} {task.rid}: done before, reusing {path.relative_to(root)}")
        return load_record(path)
    same = f"{task.scale}-*-s{task.seed}-{task.rid.rsplit('-', 1)[1]}.json"
    other = next((p for p in sorted(root.glob(f"*/{same}")) if p != path), None)
    if other is None:
        return None
    rec = dict(load_record(other), experiment=task.experiment, run_id=task.rid, label=task.run.name,
               reused_from=str(other.relative_to(root)))
    if weights_path(other).exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(weights_path(other), weights_path(path))
    measure = get_experiment(task.experiment).measure
    if measure and measure not in rec.get("extra", {}):
        if not weights_path(path).exists():
            raise FileNotFoundError(f"{other.relative_to(root)} has no saved weights to measure {measure} on; "
                                    f"delete it and run `python -m resnet_book run {task.experiment}` again")
        dev = resolve_device(task.cfg.device)
        rec["extra"] = {**rec.get("extra", {}),
                        measure: _measure_saved(rec, weights_path(path), measure, _device_data(cache, data, task.cfg, dev))}
    write_json_atomic(path, rec)
    log(f"{task.tag} {task.rid}: same run as {other.relative_to(root)}, reusing it")
    return rec


def _train(task: _Task, data, cache: dict, log, progress, jobs: int = 1, position: int | None = None) -> dict:
    """Train one run (under its lock), write its record and final weights, return the record."""
    folder = task.path.parent
    # One lock per run, whatever experiment asks for it (fig1, fig6 and fig7 share plain-20): the key
    # is the run's identity without its experiment and label, as _reuse matches it.
    with run_lock(task.root / ".locks", f"{task.scale}-s{task.seed}-{task.rid.rsplit('-', 1)[1]}", log):
        if task.path.exists():  # another process finished it while we waited
            log(f"{task.tag} {task.rid}: trained by another process meanwhile, reusing it")
            return load_record(task.path)
        rec = _reuse(task, data, cache, log)  # ... or finished it under another experiment
        if rec is not None:
            return rec
        cfg, run, dev = task.cfg, task.run, resolve_device(task.cfg.device)
        ddata = _device_data(cache, data, cfg, dev)
        model = build_model(run, task.seed)
        ckpt = folder / f"{task.rid}.ckpt"
        if not ckpt.exists():
            _refuse_other_threads(task, dev)
        dtype, compiled = resolve_dtype(cfg, dev), resolve_compile(cfg, dev)
        log(f"{task.tag} {task.rid}: training {run.name} for {cfg.max_iters:,} iterations on {dev} ({dtype}"
            + (", compiled" if compiled else "") + f", {torch.get_num_threads()} threads)"
            + (" (resuming from checkpoint)" if ckpt.exists() else ""))
        code = code_in_this_process()
        history = train(model, ddata, cfg, checkpoint=ckpt, progress=progress, desc=f"{run.name} s{task.seed}",
                        position=position, code=code)
        rec = make_record(task, history, model, dtype, compiled, ddata.eval_name, {
            "data_fingerprint": data.fingerprint, "data_dir": str(data.folder),
            "data_note": "JPEG-derived copy of CIFAR-10: not the original pixels" if data.jpeg_copy else ""}, jobs, code)
        exp = get_experiment(task.experiment)
        if exp.measure:
            rec["extra"] = {exp.measure: MEASURES[exp.measure](model, ddata)}
        save_run(task, rec, model, ckpt)
    log(f"{task.tag} {task.rid}: train error {rec['final']['train_error']:.3f}, {ddata.eval_name} error "
        f"{rec['final']['eval_error']:.3f}, {history.wall_time:.0f} s")
    return rec


def _refuse_other_threads(task: _Task, dev) -> None:
    """Refuse to start a run afresh beside a checkpoint of the same run at another CPU thread count
    (another run id: the thread count is part of a CPU run's identity). Resuming it here would
    splice two computations; starting over silently would orphan hours of training."""
    if cpu_threads(dev) is None:
        return
    for other in sorted(task.path.parent.glob(f"{task.scale}-{task.run.name}-s{task.seed}-*.ckpt")):
        state = load_checkpoint_file(other, "cpu")
        written_at = state.get("threads") if isinstance(state, dict) else None
        if written_at is None or written_at == cpu_threads(dev) or "config" not in state:
            continue
        stored = type(task.cfg).from_dict(state["config"])
        if identity(stored, dev, written_at) == identity(task.cfg, dev, written_at):
            raise ValueError(f"{other.name} holds this run trained on {written_at} CPU thread(s), this process has "
                             f"{cpu_threads(dev)}: resume it with {written_at} (OMP_NUM_THREADS={written_at}), "
                             "or delete it to start over")


_CODE: dict | None = None


def code_in_this_process() -> dict:
    """The git commit and package hash of the code this process runs: read once, at its first run.
    Not at each run's start or end: in a queue of long runs the tree may change (a commit, an edit)
    while the code in memory stays what the process imported."""
    global _CODE
    if _CODE is None:
        _CODE = {"git_commit": git_commit(), "package_hash": package_hash()}
    return dict(_CODE)


def make_record(task: _Task, history, model, dtype: str, compiled: bool, eval_name: str, data_provenance: dict,
                jobs: int = 1, code: dict | None = None) -> dict:
    """The record of a finished run: its config, provenance (device, code, data) and results.
    ``code``: the git commit and package hash of the code that trained (default: this process's)."""
    code = code or code_in_this_process()
    exp, run, dev = get_experiment(task.experiment), task.run, resolve_device(task.cfg.device)
    return {
        "schema": SCHEMA_VERSION, "run_id": task.rid, "experiment": exp.name, "model": run.model,
        "model_kwargs": run.model_kwargs, "label": run.name, "scale": task.scale, "seed": task.seed,
        "config": task.cfg.to_dict(),
        "provenance": {
            "device": device_name(dev), "device_type": dev.type, "dtype": dtype, "compiled": compiled,
            "threads": torch.get_num_threads(), "concurrent_runs": jobs,
            "torch": torch.__version__, "python": sys.version.split()[0], **code,
            **data_provenance, "created": now_iso(), "source": exp.source,
        },
        "history": history.to_dict(),
        "final": {
            "train_error": history.final_train_error(), "eval_error": history.final_eval_error,
            "eval_name": eval_name, "params": count_params(model), "iterations": history.iterations_done,
            "wall_time": history.wall_time, "cpu_time": history.cpu_time,
        },
        "status": "stopped" if history.stopped else "complete",
    }


def save_run(task: _Task, rec: dict, model, checkpoint: Path) -> None:
    """Final weights (for pages that probe the model), then the record; the checkpoint goes."""
    save_checkpoint(weights_path(task.path), model.state_dict())
    write_json_atomic(task.path, rec)
    checkpoint.unlink(missing_ok=True)


# --- several runs at once (worker processes) ------------------------------------------------------
_WORKER: dict = {}


def _worker_init(slots, threads: int, devices: list[str], data_dir, progress) -> None:
    """Each worker takes a slot: its device (one GPU each) and its share of the CPU threads."""
    if sys.platform.startswith("linux"):  # die with the parent (kill -9 included): no orphan keeps training
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    slot = slots.get()
    torch.set_num_threads(threads)
    _WORKER.update(slot=slot, device=devices[slot % len(devices)], data=load_cifar10(data_dir), cache={},
                   progress=progress)


def _worker_train(task: _Task, jobs: int) -> dict:
    w = _WORKER
    task.cfg = task.cfg.replace(device=w["device"])
    return _train(task, w["data"], w["cache"], lambda m: print(m, flush=True), w["progress"], jobs, position=w["slot"])


def _job_devices(dev: torch.device, jobs: int) -> list[str]:
    if dev.type == "cuda" and jobs > 1:
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return [str(dev)]


# --- an experiment -------------------------------------------------------------------------------
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
    jobs: int = 1,
) -> list[dict]:
    """Run (or reuse) every run of experiment ``name`` at ``scale`` for ``seeds``; return the records.

    ``runs``: only these run names; ``overrides``: TrainConfig fields to change (they become part
    of each run's identity and record); ``jobs``: how many runs train at once (see the module
    docstring). The default scale follows the device: ``paper`` on a GPU, ``quick`` on a CPU.
    ImageNet experiments (``table2``, ``table3``) go to :func:`resnet_book.distributed.run_imagenet`
    (``data_dir``: the ImageFolder; under torchrun, with every process).
    """
    exp = get_experiment(name)
    if exp.dataset == "imagenet":
        from .distributed import run_imagenet

        return run_imagenet(name, scale, seeds, device, data_dir, out, progress, log, runs, overrides, jobs)
    if int(os.environ.get("WORLD_SIZE", "1") or 1) > 1:
        raise ValueError(f"{name} trains on CIFAR-10, one process per run: torchrun is for table2/table3; "
                         "train several CIFAR runs at once with --jobs N")
    dev = resolve_device(device)
    scale = check_scale(scale or default_scale(str(dev)))
    if int(jobs) < 1:
        raise ValueError(f"--jobs must be >= 1 (got {jobs})")
    pairs = plan(name, scale, [int(s) for s in seeds], runs)
    for run in exp.runs:  # validate overrides before loading any data
        run_config(exp, run, scale, 0, "cpu", overrides)
    data = load_cifar10(data_dir)
    root = results_root(out)
    if not pairs:
        log(f"{name}: no runs at the {scale} scale (runs exist at: "
            f"{', '.join(sorted({s for r in exp.runs for s in r.scales}))})")
    # Each run's share of the CPU threads: fixed by --jobs (not by how many runs are left), because on a
    # CPU the thread count is part of what a run computes, and so of its id (train.identity).
    threads = max(1, torch.get_num_threads() // int(jobs))
    tasks = []
    for i, (run, seed) in enumerate(pairs, 1):
        cfg = run_config(exp, run, scale, seed, str(dev), overrides)
        tasks.append(_Task(exp.name, run, seed, scale, cfg, run_id(run, cfg, scale, data.fingerprint, threads), root,
                           f"[{i}/{len(pairs)}]"))
    cache: dict = {}
    records = [_reuse(t, data, cache, log) for t in tasks]
    todo = [i for i, r in enumerate(records) if r is None]
    jobs = min(int(jobs), len(todo)) or 1
    if jobs == 1:
        with _num_threads(threads):
            for i in todo:
                records[i] = _train(tasks[i], data, cache, log, progress)
        return records
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("spawn")  # fresh interpreters: no forked OpenMP/CUDA state
    slots = ctx.Queue()
    for s in range(jobs):
        slots.put(s)
    log(f"{name}: training {len(todo)} runs, {jobs} at a time ({threads} thread(s) each"
        + (f", one GPU each" if dev.type == "cuda" else "") + ")")
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_worker_init,
                             initargs=(slots, threads, _job_devices(dev, jobs), data.folder, progress)) as pool:
        futures = {i: pool.submit(_worker_train, tasks[i], jobs) for i in todo}
        for i, f in futures.items():
            records[i] = f.result()
    return records


@contextlib.contextmanager
def _num_threads(n: int):
    """Run the body with ``n`` intra-op threads (restored afterwards)."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _weights_of(record: dict, out: str | os.PathLike | None = None) -> Path:
    """Where the final weights of this run are saved, under the results folder ``out``."""
    return weights_path(results_root(out) / record["experiment"] / f"{record['run_id']}.json")


def has_weights(record: dict, out: str | os.PathLike | None = None) -> bool:
    """Are the final weights of this run at hand? (Committed records carry none: they are JSON only.)"""
    return _weights_of(record, out).exists()


def trained_model(record: dict, out: str | os.PathLike | None = None, device: str = "cpu") -> torch.nn.Module:
    """The model of a finished run with its final weights (eval mode)."""
    path = _weights_of(record, out)
    if not path.exists():
        raise FileNotFoundError(f"no saved weights for run {record['run_id']} ({record['experiment']}/{path.name}); "
                                f"delete its record and run `python -m resnet_book run {record['experiment']}` again")
    return _load_trained(record, path, device)


def add_measure(record_path: str | os.PathLike, measure: str, data_dir: str | os.PathLike | None = None,
                device: str = "cpu") -> dict:
    """Take ``measure`` (see MEASURES) on a finished run from its saved weights and store it in its
    record (atomically); a record that has it already is returned unchanged. For records trained
    before their experiment took the measure (the measurement is of the final weights, so taking it
    later gives what taking it at the end of training would have given)."""
    path = Path(record_path)
    rec = load_record(path)
    if measure in rec.get("extra", {}):
        return rec
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}")
    weights = weights_path(path)
    if not weights.exists():
        raise FileNotFoundError(f"no saved weights for run {rec['run_id']} ({path.parent.name}/{weights.name}) "
                                f"to measure {measure} on")
    data = load_cifar10(data_dir)
    if data.fingerprint != rec["provenance"]["data_fingerprint"]:
        raise ValueError(f"{path.name} was trained on data {rec['provenance']['data_fingerprint']}, "
                         f"{data.folder} is {data.fingerprint}: measure it on the data it was evaluated on")
    cfg = TrainConfig.from_dict(rec["config"])
    value = _measure_saved(rec, weights, measure, _device_data({}, data, cfg, resolve_device(device)))
    if isinstance(value, dict):  # say that it was taken later, and by which code
        value["taken_after_training"] = {"git_commit": git_commit(), "created": now_iso()}
    rec["extra"] = {**rec.get("extra", {}), measure: value}
    write_json_atomic(path, rec)
    return rec
