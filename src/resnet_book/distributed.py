"""Training on many processes with PyTorch's own tools: torchrun + DistributedDataParallel.

::

    torchrun --nproc-per-node=8 -m resnet_book run table2 --scale imagenet --data /data/imagenet

torchrun starts one process per GPU (or, on a CPU, per ``--nproc-per-node``) and tells each its
``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; on several nodes its rendezvous flags
(``--nnodes``, ``--rdzv-backend c10d``, ``--rdzv-endpoint HOST:PORT``, ``--rdzv-id``) join them.
Each process runs the same command: :func:`run_imagenet` plans the runs, rank 0 alone decides
what the file system says (finished records, checkpoints, the per-pixel mean) and tells the
others, and :func:`resnet_book.train.train` trains each run with

* a ``DistributedDataParallel`` model: NCCL between GPUs, gloo between CPU processes;
* the GLOBAL batch (256 in the paper) split equally over the processes, in the order of
  ``torch.utils.data.DistributedSampler`` with a seed per epoch (see ``imagenet.EpochBatches``);
* BatchNorm per device, as in the paper's multi-GPU Caffe training: each process normalises over
  its own share of the batch (no SyncBN); the running statistics used for evaluation and saved
  with the weights are rank 0's (DDP broadcasts them at every step);
* bf16 autocast and channels_last where the GPU has native bf16 (train.resolve_dtype);
* checkpoints and records written by rank 0 only, atomically. A job killed on any rank (torchrun
  then stops the others) resumes from the last checkpoint when started again with the same
  world size; another world size is refused (exit 2).

Without torchrun the same command trains on one process (no process group, no DDP).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import pickle
import platform

import torch

from .data import DataError
from .results import RecordError, git_commit, load_record, package_hash, results_root
from .train import resolve_device


class World:
    """This process's place among torchrun's processes (from ``RANK``, ``WORLD_SIZE``,
    ``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``); ``World()`` is one process on its own."""

    def __init__(self, rank: int = 0, size: int = 1, local_rank: int = 0, local_size: int = 1) -> None:
        self.rank, self.size, self.local_rank, self.local_size = rank, size, local_rank, local_size
        self.backend: str | None = None  # set by start(): "nccl" or "gloo" (None: one process, no group)

    @classmethod
    def from_env(cls, env=None) -> "World":
        env = os.environ if env is None else env
        try:
            size = int(env.get("WORLD_SIZE", 1))
            w = cls(int(env.get("RANK", 0)), size, int(env.get("LOCAL_RANK", 0)), int(env.get("LOCAL_WORLD_SIZE", size)))
        except ValueError:
            raise ValueError("RANK, WORLD_SIZE, LOCAL_RANK must be integers (torchrun sets them)") from None
        if not (0 <= w.rank < w.size and 0 <= w.local_rank < w.local_size):
            raise ValueError(f"inconsistent torchrun environment: RANK={w.rank} WORLD_SIZE={w.size} LOCAL_RANK={w.local_rank}")
        return w

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def nodes(self) -> int:
        return max(1, self.size // self.local_size)

    def device(self, device: str = "auto") -> torch.device:
        """The device of this process: under torchrun on GPUs, the GPU of its ``LOCAL_RANK``."""
        dev = resolve_device(device)
        if dev.type != "cuda" or self.size == 1:
            return dev
        n = torch.cuda.device_count()
        if self.local_size > n:
            raise ValueError(f"torchrun starts {self.local_size} processes on this node, which has {n} GPU(s): "
                             f"use --nproc-per-node={n} (one process per GPU)")
        if ":" in str(device):
            raise ValueError(f"--device {device}: under torchrun every process takes the GPU of its LOCAL_RANK; "
                             "use --device cuda (or auto)")
        return torch.device("cuda", self.local_rank)

    def start(self, device: torch.device) -> None:
        """Join the process group (after the local checks, so that bad input fails fast everywhere)."""
        if self.size == 1:
            return
        self.backend = "nccl" if device.type == "cuda" else "gloo"
        import torch.distributed as dist

        if device.type == "cuda":
            torch.cuda.set_device(device)
        if not dist.is_initialized():
            # env:// (address and port from torchrun). One hour, not NCCL's 10 minutes: while rank 0
            # lists and fingerprints 1.3M files on a network file system, the others wait.
            dist.init_process_group(self.backend, timeout=datetime.timedelta(hours=1))

    def close(self) -> None:
        import torch.distributed as dist

        if self.size > 1 and dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()

    def check_batch(self, global_batch: int) -> int:
        """The per-process share of ``global_batch``; a world size that does not divide it is an error."""
        if global_batch % self.size:
            divisors = [d for d in range(1, min(global_batch, 64) + 1) if global_batch % d == 0]
            raise ValueError(f"the global batch of {global_batch} does not split over {self.size} processes: use a "
                             f"world size that divides it ({', '.join(map(str, divisors))}, ...) or --set batch_size=...")
        return global_batch // self.size

    # --- collectives (no-ops for one process) ------------------------------------------------------
    def on_main(self, fn):
        """``fn()`` on rank 0 only, its result sent to every process; an exception raised there is
        raised on every process (marked ``from_rank0`` on the others, which then stay quiet)."""
        if self.size == 1:
            return fn()
        import torch.distributed as dist

        box = [None]
        if self.is_main:
            try:
                box = [(True, fn())]
            except Exception as e:  # noqa: BLE001 - every process must leave the collective below
                try:
                    pickle.dumps(e)
                    box = [(False, e)]
                except Exception:  # noqa: BLE001
                    box = [(False, RuntimeError(f"{type(e).__name__}: {e}"))]
        dist.broadcast_object_list(box, src=0)
        ok, value = box[0]
        if ok:
            return value
        if not self.is_main:
            value.from_rank0 = True
        raise value

    def all_sum(self, t: torch.Tensor) -> torch.Tensor:
        """``t`` summed over the processes (in place)."""
        if self.size > 1:
            import torch.distributed as dist

            dist.all_reduce(t)
        return t

    def sync_buffers(self, model: torch.nn.Module) -> None:
        """Give every process rank 0's buffers (BatchNorm's running statistics)."""
        if self.size > 1:
            import torch.distributed as dist

            for b in model.buffers():
                dist.broadcast(b, 0)

    def wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        """``model`` in DistributedDataParallel (the model itself for one process).

        BatchNorm stays per device: no ``convert_sync_batchnorm`` (the paper's BN statistics are
        per GPU). DDP broadcasts rank 0's parameters and buffers when it wraps the model (so a
        resumed run starts from rank 0's checkpoint everywhere) and rank 0's buffers before each
        forward pass; it averages the gradients over the processes in the backward pass.
        """
        if self.size == 1:
            return model
        from torch.nn.parallel import DistributedDataParallel

        dev = next(model.parameters()).device
        return DistributedDataParallel(model, device_ids=[dev.index] if dev.type == "cuda" else None)

    def speaks(self, error: Exception) -> bool:
        """Does this process print ``error``? One line per failure: rank 0 for what it decided, and
        local rank 0 of each node for what every process found by itself (a missing folder)."""
        return self.local_rank == 0 and (self.is_main or not getattr(error, "from_rank0", False))


def device_kind(device: torch.device) -> str:
    return torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({platform.machine()})"


# --- the ImageNet experiments ------------------------------------------------------------------
def run_imagenet(name: str, scale: str | None = None, seeds=(0,), device: str = "auto", data_dir=None, out=None,
                 progress: bool | None = None, log=print, runs=None, overrides: dict | None = None,
                 jobs: int = 1) -> list[dict]:
    """Run (or reuse) the runs of ImageNet experiment ``name`` on this torchrun job (or on this
    process alone). Returns the records on rank 0 and ``[]`` on the other processes.

    User errors raise ``ValueError``/``DataError`` on the process that reports them (see
    :meth:`World.speaks`); the other processes exit with status 2 without a message.
    """
    world = World.from_env()
    try:
        return _run_imagenet(world, name, scale, seeds, device, data_dir, out, progress,
                             log if world.is_main else (lambda m: None), runs, overrides or {}, jobs)
    except (ValueError, DataError, RecordError) as e:
        if world.speaks(e):
            raise
        raise SystemExit(2) from None
    finally:
        world.close()


def _run_imagenet(world: World, name, scale, seeds, device, data_dir, out, progress, log, runs, overrides, jobs):
    from . import experiments as ex
    from .imagenet import find_imagefolder
    from .runner import _reuse, _Task, run_id

    exp = ex.get_experiment(name)
    if int(jobs) != 1:
        raise ValueError("--jobs is for CIFAR runs; an ImageNet run uses all processes of its torchrun job "
                         "(torchrun --nproc-per-node=N -m resnet_book run ...)")
    dev = world.device(device)
    scale = ex.check_scale(scale or ex.default_scale(str(dev), exp))
    pairs = ex.plan(name, scale, [int(s) for s in seeds], runs)
    for run in exp.runs:  # validate overrides before touching any data
        world.check_batch(ex.run_config(exp, run, scale, 0, "cpu", overrides).batch_size)
    cfg0 = ex.run_config(exp, exp.runs[0], scale, 0, str(dev), overrides)
    folder = find_imagefolder(data_dir, cfg0.num_classes)
    world.start(dev)
    fingerprint = world.on_main(folder.fingerprint)
    root = results_root(out)
    records = []
    for i, (run, seed) in enumerate(pairs, 1):
        cfg = ex.run_config(exp, run, scale, seed, str(dev), overrides)
        task = _Task(exp.name, run, seed, scale, cfg, run_id(run, cfg, scale, fingerprint), root, f"[{i}/{len(pairs)}]")
        rec = world.on_main(lambda: _reuse(task, None, {}, log))
        records.append(rec if rec is not None else _train_run(world, task, folder, fingerprint, log, progress))
    return records if world.is_main else []


def _train_run(world: World, task, folder, fingerprint: str, log, progress) -> dict | None:
    """Train one run on every process; rank 0 holds the run's lock and writes its record."""
    from . import reference
    from .experiments import build_model
    from .imagenet import IMAGENET_CLASSES, ImageNetData, pixel_stats, scaling_note
    from .runner import make_record, run_lock, save_run
    from .train import resolve_compile, resolve_dtype, train

    cfg, dev = task.cfg, resolve_device(task.cfg.device)
    folder_path = task.path.parent
    lock = run_lock(folder_path, task.rid, log) if world.is_main else contextlib.nullcontext()
    with lock:
        done = world.on_main(lambda: load_record(task.path) if task.path.exists() else None)
        if done is not None:  # another job finished it while we waited for the lock
            log(f"{task.tag} {task.rid}: trained by another process meanwhile, reusing it")
            return done
        ckpt = folder_path / f"{task.rid}.ckpt"
        resuming = world.on_main(lambda: _tidy(ckpt))
        stats = world.on_main(lambda: pixel_stats(folder, cfg, task.root / ".imagenet-stats", fingerprint))
        kwargs = dict(task.run.model_kwargs)
        if len(folder.classes) != IMAGENET_CLASSES:
            kwargs["num_classes"] = len(folder.classes)
        model = build_model(dataclasses.replace(task.run, model_kwargs=kwargs), task.seed)
        data = ImageNetData(folder, cfg, dev, world, stats)
        dtype, compiled = resolve_dtype(cfg, dev), resolve_compile(cfg, dev)
        log(f"{task.tag} {task.rid}: training {task.run.name} for {cfg.max_iters:,} iterations on {world.size} "
            f"process(es) x {dev.type} ({world.backend or 'no process group'}; {dtype}"
            + (", compiled" if compiled else "") + f"), global batch {cfg.batch_size} ({data.per_process} per process), "
            f"{cfg.workers} loader workers each" + (" (resuming from checkpoint)" if resuming else ""))
        # the code that trains: read now, not when the run ends (the tree may change during a long run)
        code = world.on_main(lambda: {"git_commit": git_commit(), "package_hash": package_hash()})
        try:
            history = train(model, data, cfg, checkpoint=ckpt, progress=progress, desc=f"{task.run.name} s{task.seed}",
                            world=world, code=code)
        finally:
            data.close()
        if not world.is_main:
            return None
        m = data.final_metrics
        ten = "ten_crop_error" in m
        r = reference.IMAGENET_RECIPE
        rec = make_record(task, history, model, dtype, compiled, "val, 10-crop" if ten else data.eval_name, {
            "data_fingerprint": fingerprint, "data_dir": str(folder.root),
            "data_note": "" if len(folder.classes) == IMAGENET_CLASSES else f"an ImageFolder of {len(folder.classes)} classes, not ImageNet"},
            code=code)
        rec["dataset"] = "imagenet"
        rec["model_kwargs"] = kwargs
        rec["provenance"].update({
            "world_size": world.size, "nodes": world.nodes, "processes_per_node": world.local_size,
            "global_batch": cfg.batch_size, "per_device_batch": data.per_process, "device_kind": device_kind(dev),
            "backend": world.backend or "none", "batchnorm": "per device (no SyncBN)",
            "loader_workers_per_process": cfg.workers, "lr_rule": scaling_note(cfg, r["batch_size"], r["lr"]),
            "pixel_mean_images": stats["images"], "classes": len(folder.classes),
        })
        rec["final"].update({
            "eval_error": m["ten_crop_error"] if ten else m["center_crop_error"],
            "top5_error": m["ten_crop_top5_error"] if ten else m["center_crop_top5_error"],
            "center_crop_error": m["center_crop_error"], "center_crop_top5_error": m["center_crop_top5_error"],
        })
        save_run(task, rec, model, ckpt)
    log(f"{task.tag} {task.rid}: train error {rec['final']['train_error']:.3f}, {rec['final']['eval_name']} top-1 error "
        f"{rec['final']['eval_error']:.3f} (centre crop {m['center_crop_error']:.3f}), {history.wall_time:.0f} s")
    return rec


def _tidy(ckpt) -> bool:
    """Remove temporary files a killed rank 0 left mid-write (we hold the run's lock); is there a checkpoint?"""
    for tmp in ckpt.parent.glob(f".{ckpt.name}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return ckpt.exists()
