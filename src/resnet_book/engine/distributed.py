"""Training on many processes with PyTorch's own tools: torchrun + DistributedDataParallel.

::

    torchrun --nproc-per-node=8 -m resnet_book run table2 --scale imagenet --data /data/imagenet

torchrun starts one process per GPU (or, on a CPU, per ``--nproc-per-node``) and tells each its
``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; on several nodes its rendezvous flags
(``--nnodes``, ``--rdzv-backend c10d``, ``--rdzv-endpoint HOST:PORT``, ``--rdzv-id``) join them.
Each process runs the same command: :func:`resnet_book.experiments.imagenet.run_imagenet` plans
the runs, rank 0 alone decides what the file system says (finished records, checkpoints, the
per-pixel mean) and tells the others (:meth:`World.on_main`), and
:func:`resnet_book.engine.train.train` trains each run with

* a ``DistributedDataParallel`` model: NCCL between GPUs, gloo between CPU processes;
* the GLOBAL batch (256 in the paper) split equally over the processes, in the order of
  ``torch.utils.data.DistributedSampler`` with a seed per epoch (see ``engine.imagenet.EpochBatches``);
* BatchNorm per device, as in the paper's multi-GPU Caffe training: each process normalises over
  its own share of the batch (no SyncBN); the running statistics used for evaluation and saved
  with the weights are rank 0's (DDP broadcasts them at every step);
* bf16 autocast and channels_last where the GPU has native bf16 (engine.device.resolve_dtype);
* checkpoints and records written by rank 0 only, atomically. A job killed on any rank (torchrun
  then stops the others) resumes from the last checkpoint when started again with the same
  world size; another world size is refused (exit 2).

Without torchrun the same command trains on one process (no process group, no DDP).
"""

from __future__ import annotations

import datetime
import os
import pickle
import platform

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from ..errors import ConfigError
from .device import resolve_device


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
            raise ConfigError("RANK, WORLD_SIZE, LOCAL_RANK must be integers (torchrun sets them)") from None
        if not (0 <= w.rank < w.size and 0 <= w.local_rank < w.local_size):
            raise ConfigError(f"inconsistent torchrun environment: RANK={w.rank} WORLD_SIZE={w.size} LOCAL_RANK={w.local_rank}")
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
            raise ConfigError(f"torchrun starts {self.local_size} processes on this node, which has {n} GPU(s): "
                             f"use --nproc-per-node={n} (one process per GPU)")
        if ":" in str(device):
            raise ConfigError(f"--device {device}: under torchrun every process takes the GPU of its LOCAL_RANK; "
                             "use --device cuda (or auto)")
        return torch.device("cuda", self.local_rank)

    def start(self, device: torch.device) -> None:
        """Join the process group (after the local checks, so that bad input fails fast everywhere)."""
        if self.size == 1:
            return
        self.backend = "nccl" if device.type == "cuda" else "gloo"

        if device.type == "cuda":
            torch.cuda.set_device(device)
        if not dist.is_initialized():
            # env:// (address and port from torchrun). One hour, not NCCL's 10 minutes: while rank 0
            # lists and fingerprints 1.3M files on a network file system, the others wait.
            dist.init_process_group(self.backend, timeout=datetime.timedelta(hours=1))

    def close(self) -> None:

        if self.size > 1 and dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()

    def check_batch(self, global_batch: int) -> int:
        """The per-process share of ``global_batch``; a world size that does not divide it is an error."""
        if global_batch % self.size:
            divisors = [d for d in range(1, min(global_batch, 64) + 1) if global_batch % d == 0]
            raise ConfigError(f"the global batch of {global_batch} does not split over {self.size} processes: use a "
                             f"world size that divides it ({', '.join(map(str, divisors))}, ...) or --set batch_size=...")
        return global_batch // self.size

    # --- collectives (no-ops for one process) ------------------------------------------------------
    def on_main(self, fn):
        """``fn()`` on rank 0 only, its result sent to every process; an exception raised there is
        raised on every process (marked ``from_rank0`` on the others, which then stay quiet)."""
        if self.size == 1:
            return fn()

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

            dist.all_reduce(t)
        return t

    def sync_buffers(self, model: torch.nn.Module) -> None:
        """Give every process rank 0's buffers (BatchNorm's running statistics)."""
        if self.size > 1:

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

        dev = next(model.parameters()).device
        return DistributedDataParallel(model, device_ids=[dev.index] if dev.type == "cuda" else None)

    def speaks(self, error: Exception) -> bool:
        """Does this process print ``error``? One line per failure: rank 0 for what it decided, and
        local rank 0 of each node for what every process found by itself (a missing folder)."""
        return self.local_rank == 0 and (self.is_main or not getattr(error, "from_rank0", False))


def device_kind(device: torch.device) -> str:
    return torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({platform.machine()})"
