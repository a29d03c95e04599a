"""The paper's CIFAR-10 training recipe (Sec. 4.2) as one config and one loop.

Everything a chapter changes is a field of :class:`TrainConfig`; the defaults are the paper's.
``train(model, data, cfg)`` returns a :class:`History` of training and evaluation curves.
The same code runs on a 2-core CPU and on a GPU. Two speed options are resolved from the
hardware, never from the scale: bf16 autocast where the device computes bf16 natively
(:func:`resolve_dtype`) and ``torch.compile`` where it pays back its compile time
(:func:`resolve_compile`: long GPU runs). Both are departures from the paper (fp32 on Caffe), recorded in
every run's provenance.
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .data import DeviceData, Split


@dataclass
class TrainConfig:
    """Paper Sec. 4.2 defaults. Schedules count iterations (mini-batches), as the paper does."""

    batch_size: int = 128
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 1e-4  # applied to every parameter, BN included (as in the original code)
    max_iters: int = 64_000  # "terminate training at 64k iterations"
    milestones: tuple[int, ...] = (32_000, 48_000)  # lr divided by 10 at each
    lr_decay: float = 0.1
    # ResNet-110 warm-up: "we use 0.01 to warm up the training until the training error is below
    # 80% (about 400 iterations), and then go back to 0.1". None = no warm-up (all other depths).
    warmup_lr: float | None = None
    warmup_until_error: float = 0.80
    warmup_window: int = 20  # mini-batches whose mean training error decides the end of warm-up
    # Data. "full" = 50k train / 10k test; "val45k" = the paper's 45k/5k split (see data.SPLITS).
    split: str = "full"
    train_subset: int | None = None  # stratified, seeded subset of the training split (quick scale)
    eval_subset: int | None = None  # stratified subset of the eval split (never "the first N")
    subset_seed: int = 0  # which subset: fixed across model seeds so runs compare on equal data
    augment: bool = True  # pad 4 + random 32x32 crop + horizontal flip (paper)
    normalize: str = "pixel"  # "pixel": per-pixel mean subtracted (paper); "channel": mean/std
    # Bookkeeping.
    log_every: int = 50  # training loss/error are averaged over windows of this many iterations
    eval_every: int = 2_000  # iterations between evaluations (and always at the end)
    checkpoint_every: int = 2_000  # iterations between checkpoints (when a path is given)
    seed: int = 0  # fixes init (see experiments.build_model), data order and augmentation
    # Device. "auto" picks CUDA when present. bf16 autocast and torch.compile are speed options
    # (not in the paper, which used fp32 on Caffe).
    device: str = "auto"
    # bf16 autocast. "auto": on where the hardware has native bf16 (a CUDA GPU of compute
    # capability >= 8.0; a CPU with AVX-512 BF16 or AMX), fp32 elsewhere (see resolve_dtype).
    amp: bool | str = "auto"
    channels_last: bool = True  # memory layout only (~10% faster on CPU, more on GPU)
    # torch.compile. "auto": on a GPU for runs of >= COMPILE_MIN_IMAGES training images; never on
    # a CPU, where it measured no faster (see resolve_compile).
    compile: bool | str = "auto"
    # CUDA only: deterministic kernels (cudnn.benchmark off), so that a resumed GPU run is bitwise
    # the uninterrupted one. A CPU run is deterministic anyway.
    deterministic: bool = False

    def __post_init__(self) -> None:
        self.milestones = tuple(int(m) for m in self.milestones)
        problems = []
        if self.batch_size < 1:
            problems.append(f"batch_size must be >= 1 (got {self.batch_size})")
        if self.max_iters < 1:
            problems.append(f"max_iters must be >= 1 (got {self.max_iters})")
        if not self.lr > 0:
            problems.append(f"lr must be > 0 (got {self.lr})")
        if any(b <= a for a, b in zip(self.milestones, self.milestones[1:])):
            problems.append(f"milestones must increase (got {self.milestones})")
        for name in ("log_every", "eval_every", "checkpoint_every", "warmup_window"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be >= 1 (got {getattr(self, name)})")
        if self.log_every >= 1 and self.checkpoint_every % self.log_every:
            problems.append(f"checkpoint_every ({self.checkpoint_every}) must be a multiple of log_every ({self.log_every})")
        if problems:
            raise ValueError(f"invalid {type(self).__name__}: " + "; ".join(problems))

    def replace(self, **changes) -> "TrainConfig":
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown {type(self).__name__} field(s) {sorted(unknown)}; known: {sorted(known)}")
        return type(self)(**{**asdict(self), **changes})

    def to_dict(self) -> dict:
        d = asdict(self)
        d["milestones"] = list(self.milestones)
        return d

    @classmethod
    def from_dict(cls, d: dict):
        """A stored config (a record's or checkpoint's); fields added since take their defaults."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``auto`` -> CUDA when present, else the CPU; ``cuda`` -> ``cuda:0``; ``cuda:N`` is checked."""
    name = str(device).strip().lower()
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        dev = torch.device(name)
    except RuntimeError:
        raise ValueError(f"unknown device {device!r}; use auto, cpu, cuda or cuda:N") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"--device {device} was asked for, but CUDA is not available on this machine")
        n = torch.cuda.device_count()
        if (dev.index or 0) >= n:
            raise ValueError(f"--device {device}: this machine has {n} CUDA device(s), cuda:0..cuda:{n - 1}")
        return torch.device("cuda", dev.index or 0)
    if dev.type != "cpu":
        raise ValueError(f"unsupported device {device!r}; use auto, cpu, cuda or cuda:N")
    return dev


def native_bf16(device: torch.device) -> bool:
    """Does ``device`` compute in bf16 natively? (Emulated bf16 is slower than fp32.)

    CUDA: compute capability 8.0 or newer (Ampere, Hopper, ...). CPU: AVX-512 BF16 or AMX-BF16
    (Intel Cooper Lake / Sapphire Rapids and newer, AMD Zen 4 and newer), as reported by PyTorch.
    """
    if device.type == "cuda":
        return torch.cuda.get_device_capability(device) >= (8, 0)
    caps = torch.cpu.get_capabilities() if hasattr(torch.cpu, "get_capabilities") else {}
    return bool(caps.get("avx512_bf16") or caps.get("amx_bf16"))


def resolve_dtype(cfg: "TrainConfig", device: torch.device) -> str:
    """``"bf16"`` (autocast) or ``"fp32"``: what ``cfg.amp`` means on ``device``."""
    if cfg.amp == "auto":
        return "bf16" if native_bf16(device) else "fp32"
    return "bf16" if cfg.amp else "fp32"


# torch.compile pays back its compile time only where it makes a step faster. On the 2-core CPU
# (benchmarks/README.md) it did not: ResNet-56 in bf16 trained at 231 img/s compiled vs 246 eager
# (280 vs 288 with two runs at once), ResNet-20 at 203 vs 541 -- so "auto" never compiles on a
# CPU. On a GPU it fuses BN/ReLU/add around cuDNN's convolutions; it is used there for runs long
# enough to repay a compile of a few minutes (not measured here: no GPU was available).
COMPILE_MIN_IMAGES = 500_000


def resolve_compile(cfg: "TrainConfig", device: torch.device) -> bool:
    """Whether this run is compiled: ``cfg.compile``; ``"auto"`` = a GPU run of >= COMPILE_MIN_IMAGES images."""
    if cfg.compile != "auto":
        return bool(cfg.compile)
    return device.type == "cuda" and cfg.max_iters * cfg.batch_size >= COMPILE_MIN_IMAGES


def execution_fields() -> tuple[str, ...]:
    """Config fields that say how a run is executed, not what it computes (not part of its identity)."""
    return ("device", "amp", "compile", "deterministic", "checkpoint_every", "workers")


def cpu_threads(device: torch.device) -> int | None:
    """The intra-op thread count a run on ``device`` computes with (None on a GPU, where it does not matter)."""
    return torch.get_num_threads() if device.type == "cpu" else None


def identity(cfg: "TrainConfig", device: torch.device, threads: int | None = None) -> dict:
    """What decides a run's result: the config without execution fields, plus the resolved dtype and
    device type (a bf16 or CUDA run must never stand in for an fp32 CPU run) and, on a CPU, the
    thread count (``threads``, default: this process's).

    The thread count is part of what a CPU run computes: oneDNN splits a convolution's reductions
    by thread, so five SGD steps of ResNet-20 end with other weights at one thread than at two, in
    fp32 and in bf16 alike (tests/test_runner.py). One thread is the reference and adds nothing to
    the identity: runs trained that way (every committed cpu-scale record) keep the ids they had
    before the thread count joined it.
    """
    d = {k: v for k, v in cfg.to_dict().items() if k not in execution_fields()}
    ident = {**d, "dtype": resolve_dtype(cfg, device), "device_type": device.type}
    n = cpu_threads(device) if threads is None else threads
    if device.type == "cpu" and n != 1:
        ident["cpu_threads"] = n
    return ident


class LRSchedule:
    """Step schedule of the paper, with the optional ResNet-110 warm-up.

    ``lr_at(it)`` gives the learning rate of iteration ``it`` (0-based); ``observe(err)`` feeds the
    training error of each mini-batch so that the warm-up can end when the mean error of the last
    ``warmup_window`` mini-batches drops below ``warmup_until_error``.
    """

    def __init__(self, cfg: TrainConfig) -> None:
        self.cfg = cfg
        self.warming = cfg.warmup_lr is not None
        self.warmup_end: int | None = None  # first iteration trained at the full lr
        self.recent: deque[float] = deque(maxlen=cfg.warmup_window)

    def lr_at(self, it: int) -> float:
        base = self.cfg.warmup_lr if self.warming else self.cfg.lr
        return base * self.cfg.lr_decay ** sum(it >= m for m in self.cfg.milestones)

    def observe(self, it: int, batch_error: float) -> None:
        if not self.warming:
            return
        self.recent.append(batch_error)
        if len(self.recent) == self.recent.maxlen and sum(self.recent) / len(self.recent) < self.cfg.warmup_until_error:
            self.warming, self.warmup_end = False, it + 1

    def state_dict(self) -> dict:
        return {"warming": self.warming, "warmup_end": self.warmup_end, "recent": list(self.recent)}

    def load_state_dict(self, state: dict) -> None:
        self.warming, self.warmup_end = state["warming"], state["warmup_end"]
        self.recent = deque(state["recent"], maxlen=self.cfg.warmup_window)


@dataclass
class History:
    """Curves of one run. ``iters[i]`` is the iteration count at the END of log window i."""

    iters: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_error: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    eval_iters: list[int] = field(default_factory=list)
    eval_loss: list[float] = field(default_factory=list)
    eval_error: list[float] = field(default_factory=list)
    eval_name: str = "test"
    warmup_end: int | None = None
    iterations_done: int = 0
    wall_time: float = 0.0  # seconds spent training and evaluating (summed over resumes)
    cpu_time: float = 0.0  # CPU seconds of this process (all threads) over the same spans
    stopped: str | None = None  # why a run ended early (e.g. a non-finite loss), else None
    # One entry per process that trained a stretch of the run (more than one after a resume):
    # {"start": first iteration, "end": iterations done when it stopped, "started": when, and the
    # code it ran: "git_commit", "package_hash"}. A resumed run's record names every commit.
    segments: list = field(default_factory=list)

    def final_train_error(self, fraction: float = 0.1) -> float:
        """Mean training error over the log windows that end in the last ``fraction`` of the run."""
        if not self.iters:
            return math.nan
        cutoff = self.iters[-1] * (1 - fraction)
        tail = [e for i, e in zip(self.iters, self.train_error) if i > cutoff] or self.train_error[-1:]
        return sum(tail) / len(tail)

    @property
    def final_eval_error(self) -> float:
        return self.eval_error[-1] if self.eval_error else math.nan

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "History":
        return cls(**{f.name: d[f.name] for f in fields(cls) if f.name in d})


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
               amp: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """One SGD step on a mini-batch; returns the (detached) loss and logits."""
    with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=amp):
        out = model(x)
    loss = F.cross_entropy(out.float(), y)  # the loss in fp32 even under autocast
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.detach(), out.detach()


@torch.no_grad()
def evaluate(model: nn.Module, data: DeviceData, amp: bool = False, batch_size: int | None = None) -> tuple[float, float]:
    """(error, loss) of ``model`` on the eval split, single original 32x32 view, eval-mode BN.

    Batches of 100 on a CPU (batches of 1,000 ran 2x slower there: cache misses, measured for
    ResNet-56), 2,000 on a GPU; the sums stay on the device and are read once (one host sync).
    """
    batch_size = batch_size or (2_000 if data.device.type == "cuda" else 100)
    was_training = model.training
    model.eval()
    n = len(data.y_eval)
    wrong = torch.zeros((), device=data.device)
    loss = torch.zeros((), device=data.device)
    for s in range(0, n, batch_size):
        x, y = data.to_input(data.x_eval[s:s + batch_size]), data.y_eval[s:s + batch_size]
        with torch.autocast(data.device.type, dtype=torch.bfloat16, enabled=amp):
            out = model(x)
        loss += F.cross_entropy(out.float(), y, reduction="sum")
        wrong += (out.argmax(1) != y).sum()
    model.train(was_training)
    wrong_n, loss_sum = torch.stack([wrong, loss]).tolist()
    return wrong_n / n, loss_sum / n


def _tqdm():
    """tqdm's notebook bar where ipywidgets exists, else the text bar (tqdm.auto would warn on stderr)."""
    try:
        import ipywidgets  # noqa: F401

        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm


def train(
    model: nn.Module,
    data: DeviceData | Split,
    cfg: TrainConfig | None = None,
    checkpoint: str | os.PathLike | None = None,
    progress: bool | None = None,
    desc: str | None = None,
    position: int | None = None,
    world=None,
    code: dict | None = None,
) -> History:
    """Train ``model`` with ``cfg`` (paper defaults) and return its :class:`History`.

    ``checkpoint``: a file path; the run saves there every ``cfg.checkpoint_every`` iterations
    (atomically) and, if the file already exists, resumes from it -- ending with the same
    history and weights as an uninterrupted run. ``progress``: a tqdm bar (default: on unless
    the environment variable ``RESNET_BOOK_QUIET`` is set); ``position``: its line when several
    runs train at once.

    ``data``: a CIFAR split, or any data source with ``device``, ``eval_name``, ``batch(seed,
    iteration, batch_size, augment)`` and ``evaluate(model, amp, final)`` (e.g.
    :class:`resnet_book.imagenet.ImageNetData`). ``world``: a
    :class:`resnet_book.distributed.World` of torchrun processes (default: this process alone).
    Each process trains on its share of every mini-batch in a DistributedDataParallel model;
    curves are averaged over the processes; only rank 0 writes the checkpoint, and a resumed run
    must have as many processes as the one that wrote it. ``code``: the git commit and package hash
    of the code this process runs, kept in ``History.segments`` (and so in the checkpoint).
    """
    from .distributed import World
    from .results import now_iso, save_checkpoint

    world = world or World()
    cfg = cfg or TrainConfig()
    device = resolve_device(cfg.device)
    amp = resolve_dtype(cfg, device) == "bf16"
    if device.type == "cuda":  # fastest kernels by default; bitwise-reproducible ones on request
        torch.backends.cudnn.benchmark = not cfg.deterministic
        torch.backends.cudnn.deterministic = cfg.deterministic
        if cfg.deterministic:
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
            torch.use_deterministic_algorithms(True, warn_only=True)
    if isinstance(data, Split):
        data = DeviceData(data, device, cfg.normalize, cfg.channels_last)
    elif data.device != device:
        raise ValueError(f"data lives on {data.device} but the config trains on {device}")
    model.to(device)
    if cfg.channels_last:
        model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    schedule = LRSchedule(cfg)
    history = History(eval_name=data.eval_name)
    start = 0
    state = world.on_main(lambda: _resume_state(checkpoint, cfg, device, world.size)) if checkpoint is not None else None
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        history = History.from_dict(state["history"])
        start = history.iterations_done
    segment = {"start": start, "end": start, "started": now_iso(), **(code or {})}
    history.segments.append(segment)
    step_model = world.wrap(model)  # DistributedDataParallel when there are several processes
    if resolve_compile(cfg, device):
        import torch._dynamo as dynamo

        dynamo.reset()  # one model per compile: many runs in a process never hit the recompile limit
        step_model = torch.compile(step_model)

    if progress is None:
        progress = not os.environ.get("RESNET_BOOK_QUIET")
    bar = _tqdm()(total=cfg.max_iters, initial=start, desc=desc, disable=not progress or not world.is_main, leave=False,
                   mininterval=1.0, position=position)
    model.train()
    t0, c0 = time.perf_counter(), time.process_time()
    win_loss = torch.zeros((), device=device)
    win_wrong = torch.zeros((), device=device)
    win_n = 0
    for it in range(start, cfg.max_iters):
        lr = schedule.lr_at(it)
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = data.batch(cfg.seed, it, cfg.batch_size, cfg.augment)
        loss, out = train_step(step_model, optimizer, x, y, amp)
        wrong = (out.argmax(1) != y).sum()
        win_loss += loss
        win_wrong += wrong
        win_n += 1
        if schedule.warming:  # needs the error now (one sync per iteration, only while warming)
            schedule.observe(it, world.all_sum(wrong.float()).item() / cfg.batch_size if world.size > 1 else wrong.item() / len(y))
            history.warmup_end = schedule.warmup_end
        done = it + 1
        if done % cfg.log_every == 0 or done == cfg.max_iters:
            # sums over the processes: each loss is the mean over its share, the batch is global
            loss_sum, wrong_sum = world.all_sum(torch.stack([win_loss, win_wrong])).tolist()
            mean_loss = loss_sum / (win_n * world.size)
            history.iters.append(done)
            history.train_loss.append(mean_loss)
            history.train_error.append(wrong_sum / (win_n * cfg.batch_size))
            history.lr.append(lr)
            win_loss.zero_(), win_wrong.zero_()
            win_n = 0
            bar.set_postfix(loss=f"{mean_loss:.3f}", err=f"{history.train_error[-1]:.3f}", lr=f"{lr:g}", refresh=False)
            if not math.isfinite(mean_loss):
                history.stopped = f"non-finite training loss in iterations {done - cfg.log_every + 1}..{done}"
                history.iterations_done = segment["end"] = done
                break
        if done % cfg.eval_every == 0 or done == cfg.max_iters:
            own = getattr(data, "evaluate", None)  # a data source with its own (ImageNet: centre crop, 10-crop at the end)
            err, eval_loss = own(model, amp, final=done == cfg.max_iters) if own else evaluate(model, data, amp)
            history.eval_iters.append(done)
            history.eval_error.append(err)
            history.eval_loss.append(eval_loss)
        bar.update(1)
        history.iterations_done = segment["end"] = done
        if checkpoint is not None and done % cfg.checkpoint_every == 0 and done < cfg.max_iters:
            history.wall_time += time.perf_counter() - t0
            history.cpu_time += time.process_time() - c0
            t0, c0 = time.perf_counter(), time.process_time()
            if world.is_main:  # the processes hold the same weights and optimizer state
                save_checkpoint(checkpoint, {
                    "config": cfg.to_dict(), "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "schedule": schedule.state_dict(), "history": history.to_dict(), "world_size": world.size,
                    "threads": cpu_threads(device),
                })
    bar.close()
    history.wall_time += time.perf_counter() - t0
    history.cpu_time += time.process_time() - c0
    return history




def _resume_state(checkpoint: str | os.PathLike, cfg: TrainConfig, device: torch.device, world_size: int) -> dict | None:
    """The state in ``checkpoint``, if the file exists, after checking that this config (and as many
    processes) wrote it. (A run resumed on another number of processes would splice two data orders
    and BatchNorm groupings into a run no single configuration produces.)"""
    from .results import load_checkpoint

    if not Path(checkpoint).exists():
        return None
    state = load_checkpoint(checkpoint, device if world_size == 1 else "cpu")
    cls = type(cfg)
    if identity(cls.from_dict(state["config"]), device) != identity(cfg, device):
        raise ValueError(f"checkpoint {checkpoint} was written by a different config; delete it to start over")
    threads, written_at = cpu_threads(device), state.get("threads")
    if threads is not None and written_at is not None and written_at != threads:
        raise ValueError(f"checkpoint {checkpoint} was written by a run on {written_at} CPU thread(s), this process has "
                         f"{threads}: the two would compute different numbers; resume it with {written_at} "
                         f"(OMP_NUM_THREADS={written_at}), or delete it to start over")
    written_by = state.get("world_size", 1)
    if written_by != world_size:
        raise ValueError(f"checkpoint {checkpoint} was written by {written_by} process(es), this run has {world_size}: "
                         f"resume it with the same world size (torchrun --nnodes x --nproc-per-node = {written_by}), "
                         "or delete it to start over")
    return state
