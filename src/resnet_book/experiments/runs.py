"""One run of an experiment, from its identity to its record: what CIFAR's runner and ImageNet's
share.

A run is identified by everything that decides its result (:func:`run_id`): model, recipe and
sizes, seed, data, the dtype it computes in, the kind of device and, on a CPU, the thread count.
A finished run is never trained twice, also when another experiment contains it
(:func:`find_done`). Two processes that ask for the same run take a lock per run (:func:`run_lock`):
the second waits for the first's record, it never trains the same run beside it or writes its
checkpoint. :func:`train_once` is the one skeleton of a run: lock, reuse or train, record.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch

from ..engine.checkpoints import save_checkpoint
from ..engine.device import resolve_device
from ..engine.distributed import World
from ..engine.train import TrainConfig, identity
from ..files import now_iso, remove_stale_temporaries, write_json_atomic
from ..analysis import count_params
from .records import SCHEMA_VERSION, device_name, git_commit, load_record, package_hash
from .registry import RunSpec, get_experiment


# --- identity -----------------------------------------------------------------------------------------
def run_id(run: RunSpec, cfg: TrainConfig, scale: str, fingerprint: str, threads: int | None = None) -> str:
    """``<scale>-<label>-s<seed>-<hash>``: the hash covers model, kwargs, config, dtype, device type, the
    CPU thread count (``threads``, default: this process's; see :func:`resnet_book.engine.train.identity`)
    and data."""
    ident = identity(cfg, resolve_device(cfg.device), threads)
    blob = json.dumps({"model": run.model, "kwargs": run.model_kwargs, "config": ident, "data": fingerprint},
                      sort_keys=True)
    return f"{scale}-{run.name}-s{cfg.seed}-{hashlib.sha256(blob.encode()).hexdigest()[:10]}"


@dataclass
class Task:
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

    @property
    def checkpoint(self) -> Path:
        return self.path.with_suffix(".ckpt")

    @property
    def same_run(self) -> str:
        """The run's identity without its experiment and label (fig1, fig6 and fig7 share plain-20)."""
        return f"{self.scale}-s{self.seed}-{self.rid.rsplit('-', 1)[1]}"


def weights_path(record_path: Path) -> Path:
    """Where the final weights of the run recorded at ``record_path`` are saved."""
    return Path(record_path).with_suffix(".weights.pt")


@contextlib.contextmanager
def run_lock(task: Task, log=print):
    """Hold the lock of ``task``'s run, whatever experiment asks for it (a file lock: the OS drops it
    when its process dies, even by SIGKILL)."""
    folder = task.root / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows has no flock: runs in one process only, no lock needed
        yield
        return
    with open(folder / f".{task.same_run}.lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"    {task.rid}: another process is training this run; waiting for its record")
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def find_done(task: Task) -> Path | None:
    """The record of this run if it is done: its own, or the same run under another experiment/label."""
    if task.path.exists():
        return task.path
    same = f"{task.scale}-*-s{task.seed}-{task.rid.rsplit('-', 1)[1]}.json"
    return next((p for p in sorted(task.root.glob(f"*/{same}")) if p != task.path), None)


def adopt(task: Task, other: Path) -> dict:
    """The record at ``other`` (the same run under another experiment), as this task's: labelled
    for this experiment, ``reused_from`` naming the original; its weights copied beside it."""
    rec = dict(load_record(other), experiment=task.experiment, run_id=task.rid, label=task.run.name,
               reused_from=str(other.relative_to(task.root)))
    if weights_path(other).exists():
        task.path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(weights_path(other), weights_path(task.path))
    return rec


# --- the code that trains --------------------------------------------------------------------------
_CODE: dict | None = None


def code_in_this_process() -> dict:
    """The git commit and package hash of the code this process runs: read once, at its first run.
    Not at each run's start or end: in a queue of long runs the tree may change (a commit, an edit)
    while the code in memory stays what the process imported."""
    global _CODE
    if _CODE is None:
        _CODE = {"git_commit": git_commit(), "package_hash": package_hash()}
    return dict(_CODE)


# --- the record ------------------------------------------------------------------------------------
def make_record(task: Task, history, model, dtype: str, compiled: bool, eval_name: str, data_provenance: dict,
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


# --- the skeleton of one run ------------------------------------------------------------------------
def train_once(task: Task, log, train_run: Callable[[Path], tuple[dict, torch.nn.Module] | None],
               reuse: Callable[[Task], dict | None] | None = None, world: World | None = None) -> dict | None:
    """One run, end to end, for CIFAR and ImageNet alike: hold its lock (rank 0 of a torchrun job);
    if another process finished it meanwhile (``reuse``, default: its own record), return that;
    else remove what a killed writer left, ``train_run(checkpoint)`` -> (record, model) -- None on
    the processes other than rank 0 -- and save the final weights, then the record, then drop the
    checkpoint."""
    world = world or World()
    reuse = reuse or (lambda t: load_record(t.path) if t.path.exists() else None)
    with run_lock(task, log) if world.is_main else contextlib.nullcontext():
        done = world.on_main(lambda: reuse(task))
        if done is not None:
            log(f"{task.tag} {task.rid}: trained by another process meanwhile, reusing it")
            return done
        if world.is_main:
            remove_stale_temporaries(task.path.parent)
        out = train_run(task.checkpoint)
        if out is None:
            return None
        rec, model = out
        save_checkpoint(weights_path(task.path), model.state_dict())
        write_json_atomic(task.path, rec)
        task.checkpoint.unlink(missing_ok=True)
    final = rec["final"]
    log(f"{task.tag} {task.rid}: train error {final['train_error']:.3f}, {final['eval_name']} error "
        f"{final['eval_error']:.3f}, {final['wall_time']:.0f} s" + (f" (stopped: {rec['history']['stopped']})"
                                                                  if rec["status"] == "stopped" else ""))
    return rec
