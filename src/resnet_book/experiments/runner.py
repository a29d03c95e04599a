"""Running experiments: which runs are done, training the others (one at a time or several at
once), and the records they leave. CIFAR-10 here; ImageNet experiments go to
:mod:`resnet_book.experiments.imagenet`. What one run is (its id, its lock, its record) is
:mod:`resnet_book.experiments.runs`'s.

``jobs=N`` trains N runs at once in worker processes, each with 1/N of the CPU threads (on a
2-core CPU two one-thread runs train ~1.2-1.5x more images per second than one two-thread run:
benchmarks/README.md) or, on a machine with several GPUs, one run per GPU.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import torch

from ..engine.checkpoints import load_checkpoint_file
from ..engine.data import Cifar10, DeviceData, load_cifar10, make_split
from ..engine.device import cpu_threads, resolve_compile, resolve_device, resolve_dtype
from ..engine.train import TrainConfig, identity, train
from ..errors import ConfigError, RecordError
from ..files import now_iso, writable_folder, write_json_atomic
from .imagenet import run_imagenet
from .measures import check_measure, load_trained, take
from .records import git_commit, load_record, load_records, results_root
from .registry import build_model, get_experiment, plan, resolve_scale
from .runs import Task, adopt, code_in_this_process, find_done, make_record, run_id, train_once, weights_path


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
    ImageNet experiments (``table2``, ``table3``) go to :func:`resnet_book.experiments.imagenet.run_imagenet`
    (``data_dir``: the ImageFolder; under torchrun, with every process).

    This trains what is not done on this machine (a run's id covers its dtype, data and threads).
    To show the committed records of a scale whatever the machine, read them:
    :func:`resnet_book.experiments.records.load_records`.
    """
    exp = get_experiment(name)
    if int(jobs) < 1:
        raise ConfigError(f"--jobs must be >= 1 (got {jobs})")
    scale = resolve_scale(exp, scale, device)
    if exp.dataset == "imagenet":
        return run_imagenet(exp, scale, seeds, device, data_dir, out, progress, log, runs, overrides, jobs)
    if int(os.environ.get("WORLD_SIZE", "1") or 1) > 1:
        raise ConfigError(f"{name} trains on CIFAR-10, one process per run: torchrun is for table2/table3; "
                          "train several CIFAR runs at once with --jobs N")
    dev = resolve_device(device)
    planned = plan(exp, scale, seeds, runs, str(dev), overrides)  # checks runs and overrides before any data loads
    if not planned:
        log(f"{name}: no runs at the {scale} scale (runs exist at: "
            f"{', '.join(sorted({s for r in exp.runs for s in r.scales}))})")
        return []
    root = writable_folder(results_root(out))
    data = load_cifar10(data_dir)
    # Each run's share of the CPU threads: fixed by --jobs (not by how many runs are left), because on a
    # CPU the thread count is part of what a run computes, and so of its id (engine.train.identity).
    threads = max(1, torch.get_num_threads() // int(jobs))
    tasks = [Task(exp.name, p.run, p.seed, scale, p.cfg, run_id(p.run, p.cfg, scale, data.fingerprint, threads), root,
                  f"[{i}/{len(planned)}]") for i, p in enumerate(planned, 1)]
    cache: dict = {}
    records = [_reuse(t, data, cache, log) for t in tasks]
    todo = [i for i, r in enumerate(records) if r is None]
    for i in todo:
        _say_if_committed_elsewhere(tasks[i], log)
    workers = min(int(jobs), len(todo)) or 1
    if workers == 1:
        with _num_threads(threads):
            for i in todo:
                records[i] = _train(tasks[i], data, cache, log, progress, int(jobs))
        return records
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("spawn")  # fresh interpreters: no forked OpenMP/CUDA state
    slots = ctx.Queue()
    for s in range(workers):
        slots.put(s)
    log(f"{name}: training {len(todo)} runs, {workers} at a time ({threads} thread(s) each"
        + (", one GPU each" if dev.type == "cuda" else "") + ")")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init,
                             initargs=(slots, threads, _job_devices(dev, workers), data.folder, progress)) as pool:
        futures = {i: pool.submit(_worker_train, tasks[i], int(jobs)) for i in todo}
        for i, f in futures.items():
            records[i] = f.result()
    return records


# --- one CIFAR run ----------------------------------------------------------------------------------
def _device_data(cache: dict, data: Cifar10, cfg: TrainConfig, dev) -> DeviceData:
    key = (cfg.split, cfg.train_subset, cfg.eval_subset, cfg.subset_seed, cfg.normalize, cfg.channels_last, str(dev))
    if key not in cache:
        split = make_split(data, cfg.split, cfg.train_subset, cfg.eval_subset, cfg.subset_seed)
        cache[key] = DeviceData(split, dev, cfg.normalize, cfg.channels_last)
    return cache[key]


def _reuse(task: Task, data: Cifar10, cache: dict, log) -> dict | None:
    """The task's record if the run is done (its own, or the same run under another experiment),
    with this experiment's measure taken on its saved weights where it lacks it."""
    found = find_done(task)
    if found is None:
        return None
    where = found.relative_to(task.root)
    if found == task.path:
        log(f"{task.tag} {task.rid}: done before, reusing {where}")
        return load_record(found)
    rec = adopt(task, found)
    measure = get_experiment(task.experiment).measure
    if measure and measure not in rec.get("extra", {}):
        if weights_path(task.path).exists():
            ddata = _device_data(cache, data, task.cfg, resolve_device(task.cfg.device))
            rec["extra"] = {**rec.get("extra", {}),
                            measure: take(measure, load_trained(rec, weights_path(task.path), ddata.device), ddata)}
        else:
            log(f"{task.tag} {task.rid}: {where} has no saved weights (a committed record carries none), so its "
                f"{measure} is not taken; `python -m resnet_book measure {task.experiment} {measure}` adds it where "
                "the weights are")
    write_json_atomic(task.path, rec)
    log(f"{task.tag} {task.rid}: same run as {where}, reusing it")
    return rec


def _say_if_committed_elsewhere(task: Task, log) -> None:
    """Training is what the user asked for; say so when a record of this run (same experiment, label,
    scale, length and seed) exists, trained on another dtype, data copy or thread count."""
    if task.scale == "quick":
        return
    try:
        others = [r for r in load_records(task.experiment, task.root, task.scale)
                  if r["label"] == task.run.name and r["seed"] == task.seed
                  and r["config"].get("max_iters") == task.cfg.max_iters]
    except RecordError:
        return
    for r in others[:1]:
        p = r["provenance"]
        log(f"{task.tag} {task.rid}: note: {task.experiment}/{r['run_id']}.json holds this run as trained elsewhere "
            f"({p['dtype']}, {p['threads']} thread(s), data {p['data_fingerprint'][:12]}); this machine computes "
            "another run of it, which is trained now (pages show the committed record)")


def _refuse_other_threads(task: Task, dev) -> None:
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
            raise ConfigError(f"{other.name} holds this run trained on {written_at} CPU thread(s), this process has "
                              f"{cpu_threads(dev)}: resume it with {written_at} (OMP_NUM_THREADS={written_at}), "
                              "or delete it to start over")


def _train(task: Task, data: Cifar10, cache: dict, log, progress, jobs: int = 1, position: int | None = None) -> dict:
    """Train one run (see runs.train_once), take its experiment's measure, and return its record."""
    def train_run(ckpt: Path):
        cfg, run, dev = task.cfg, task.run, resolve_device(task.cfg.device)
        ddata = _device_data(cache, data, cfg, dev)
        if not ckpt.exists():
            _refuse_other_threads(task, dev)
        model = build_model(run, task.seed)
        dtype, compiled = resolve_dtype(cfg, dev), resolve_compile(cfg, dev)
        log(f"{task.tag} {task.rid}: training {run.name} for {cfg.max_iters:,} iterations on {dev} ({dtype}"
            + (", compiled" if compiled else "") + f", {torch.get_num_threads()} thread(s))"
            + (" (resuming from checkpoint)" if ckpt.exists() else ""))
        code = code_in_this_process()
        history = train(model, ddata, cfg, checkpoint=ckpt, progress=progress, desc=f"{run.name} s{task.seed}",
                        position=position, code=code)
        rec = make_record(task, history, model, dtype, compiled, ddata.eval_name, {
            "data_fingerprint": data.fingerprint, "data_dir": str(data.folder),
            "data_note": "JPEG-derived copy of CIFAR-10: not the original pixels" if data.jpeg_copy else ""}, jobs, code)
        measure = get_experiment(task.experiment).measure
        if measure and rec["status"] == "complete":
            rec["extra"] = {measure: take(measure, model, ddata)}
        return rec, model

    return train_once(task, log, train_run, reuse=lambda t: _reuse(t, data, cache, log))


@contextlib.contextmanager
def _num_threads(n: int):
    """Run the body with ``n`` intra-op threads (restored afterwards)."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


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


def _worker_train(task: Task, jobs: int) -> dict:
    w = _WORKER
    task.cfg = task.cfg.replace(device=w["device"])
    return _train(task, w["data"], w["cache"], lambda m: print(m, flush=True), w["progress"], jobs, position=w["slot"])


def _job_devices(dev: torch.device, jobs: int) -> list[str]:
    if dev.type == "cuda" and jobs > 1:
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return [str(dev)]


# --- finished runs ---------------------------------------------------------------------------------
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
        raise RecordError(f"no saved weights for run {record['run_id']} ({record['experiment']}/{path.name}): "
                          f"a committed record carries none; `python -m resnet_book run {record['experiment']} "
                          f"--scale {record.get('scale', 'quick')}` trains the run on this machine")
    return load_trained(record, path, device)


def add_measure(record_path: str | os.PathLike, measure: str, data_dir: str | os.PathLike | None = None,
                device: str = "cpu") -> dict:
    """Take ``measure`` (see measures.MEASURES) on a finished run from its saved weights and store it
    in its record (atomically); a record that has it already is returned unchanged. For records
    trained before their experiment took the measure (the measurement is of the final weights, so
    taking it later gives what taking it at the end of training would have given)."""
    path = Path(record_path)
    rec = load_record(path)
    if measure in rec.get("extra", {}):
        return rec
    check_measure(measure)
    weights = weights_path(path)
    if not weights.exists():
        raise RecordError(f"no saved weights for run {rec['run_id']} ({path.parent.name}/{weights.name}) "
                          f"to measure {measure} on")
    data = load_cifar10(data_dir)
    if data.fingerprint != rec["provenance"]["data_fingerprint"]:
        raise ConfigError(f"{path.name} was trained on data {rec['provenance']['data_fingerprint']}, "
                          f"{data.folder} is {data.fingerprint}: measure it on the data it was evaluated on")
    ddata = _device_data({}, data, TrainConfig.from_dict(rec["config"]), resolve_device(device))
    value = take(measure, load_trained(rec, weights, ddata.device), ddata)
    if isinstance(value, dict):  # say that it was taken later, and by which code
        value["taken_after_training"] = {"git_commit": git_commit(), "created": now_iso()}
    rec["extra"] = {**rec.get("extra", {}), measure: value}
    write_json_atomic(path, rec)
    return rec
