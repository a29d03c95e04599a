"""The ImageNet experiments (Tables 2 and 3): their runs on one process or on a torchrun job.

::

    torchrun --nproc-per-node=8 -m resnet_book run table2 --scale imagenet --data /data/imagenet

Every process runs the same command: :func:`run_imagenet` plans the runs; rank 0 alone decides what
the file system says (finished records, checkpoints, the per-pixel mean) and tells the others
(:meth:`resnet_book.engine.distributed.World.on_main`); every process trains each run
(:func:`resnet_book.engine.train.train` with the job's :class:`~resnet_book.engine.distributed.World`);
rank 0 writes the record through the same end of a run as CIFAR's (:func:`.runs.train_once`).
"""

from __future__ import annotations

import dataclasses

from .. import reference
from ..engine.device import resolve_compile, resolve_dtype
from ..engine.distributed import World, device_kind
from ..engine.imagenet import IMAGENET_CLASSES, ImageNetData, check_images, find_imagefolder, pixel_stats, scaling_note
from ..engine.train import train
from ..errors import ConfigError, UserError
from ..files import writable_folder, write_json_atomic
from .records import load_record, results_root
from .registry import Experiment, build_model, plan
from .runs import Task, adopt, code_in_this_process, find_done, make_record, run_id, train_once


def run_imagenet(exp: Experiment, scale: str, seeds=(0,), device: str = "auto", data_dir=None, out=None,
                 progress: bool | None = None, log=print, runs=None, overrides: dict | None = None,
                 jobs: int = 1) -> list[dict]:
    """Run (or reuse) the runs of ImageNet experiment ``exp`` at ``scale`` (resolved) on this torchrun
    job (or on this process alone). Returns the records on rank 0 and ``[]`` on the other processes.

    User errors raise on the process that reports them (see :meth:`World.speaks`); the other
    processes exit with status 2 without a message.
    """
    world = World.from_env()
    try:
        return _run_imagenet(world, exp, scale, seeds, device, data_dir, out, progress,
                             log if world.is_main else (lambda m: None), runs, overrides or {}, jobs)
    except UserError as e:
        if world.speaks(e):
            raise
        raise SystemExit(2) from None
    finally:
        world.close()


def _run_imagenet(world: World, exp: Experiment, scale, seeds, device, data_dir, out, progress, log, runs, overrides,
                  jobs) -> list[dict]:
    if int(jobs) != 1:
        raise ConfigError("--jobs is for CIFAR runs; an ImageNet run uses all processes of its torchrun job "
                          "(torchrun --nproc-per-node=N -m resnet_book run ...)")
    dev = world.device(device)
    planned = plan(exp, scale, seeds, runs, str(dev), overrides)  # checks runs and overrides before any data
    for p in planned:
        world.check_batch(p.cfg.batch_size)
    if not planned:
        log(f"{exp.name}: no runs at the {scale} scale")
        return []
    cfg = planned[0].cfg
    folder = find_imagefolder(data_dir, cfg.num_classes)
    world.start(dev)
    root = world.on_main(lambda: writable_folder(results_root(out)))
    # every image readable, before any training (rank 0 checks, cached per folder; the others follow)
    folder = world.on_main(lambda: check_images(folder, root / ".imagenet-stats", cfg.workers, cfg.skip_bad_images))
    if folder.skipped:
        log(f"{exp.name}: {folder.skipped} unreadable image(s) left out (skip_bad_images)")
    fingerprint = world.on_main(folder.fingerprint)
    records = []
    for i, p in enumerate(planned, 1):
        task = Task(exp.name, p.run, p.seed, scale, p.cfg, run_id(p.run, p.cfg, scale, fingerprint), root,
                    f"[{i}/{len(planned)}]")
        rec = world.on_main(lambda: _reuse(task, log))
        records.append(rec if rec is not None else _train_run(world, task, folder, fingerprint, log, progress))
    return records if world.is_main else []


def _reuse(task: Task, log) -> dict | None:
    found = find_done(task)
    if found is None:
        return None
    if found == task.path:
        log(f"{task.tag} {task.rid}: done before, reusing {found.relative_to(task.root)}")
        return load_record(found)
    rec = adopt(task, found)
    write_json_atomic(task.path, rec)
    log(f"{task.tag} {task.rid}: same run as {found.relative_to(task.root)}, reusing it")
    return rec


def _train_run(world: World, task: Task, folder, fingerprint: str, log, progress) -> dict | None:
    """Train one run on every process; rank 0 holds the run's lock and writes its record."""
    cfg = task.cfg
    dev = world.device(cfg.device)

    def train_run(ckpt):
        resuming = world.on_main(ckpt.exists)
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
        code = world.on_main(code_in_this_process)
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
            "pixel_mean_images": stats["images"], "classes": len(folder.classes), "skipped_images": folder.skipped,
        })
        if m:
            rec["final"].update({
                "eval_error": m["ten_crop_error"] if ten else m["center_crop_error"],
                "top5_error": m["ten_crop_top5_error"] if ten else m["center_crop_top5_error"],
                "center_crop_error": m["center_crop_error"], "center_crop_top5_error": m["center_crop_top5_error"],
            })
        return rec, model

    return train_once(task, log, train_run, world=world)
