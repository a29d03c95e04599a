"""The paper's CIFAR-10 training recipe (Sec. 4.2) as one config and one loop.

Everything a chapter changes is a field of :class:`TrainConfig`; the defaults are the paper's.
``train(model, data, cfg)`` returns a :class:`History` of training and evaluation curves. Read
:func:`train` from top to bottom: set up (device, optimizer, schedule, a resumed state), then the
loop (a step, a log window, an evaluation, a checkpoint), each a named helper below it.
The same code runs on a 2-core CPU and on a GPU; how it computes (device, bf16, compile, threads)
is resolved from the hardware in :mod:`resnet_book.engine.device`, never from the scale.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections import deque
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import ConfigError
from ..files import now_iso
from ..models.utils import eval_mode
from .checkpoints import load_checkpoint, save_checkpoint
from .data import NORMALIZATIONS, SPLITS, DeviceData, Split
from .device import cpu_threads, resolve_compile, resolve_device, resolve_dtype
from .distributed import World

MAX_SEED = 2**63 - 1  # torch.manual_seed and numpy take seeds up to this
# A mean training loss above this is divergence, not learning (chance on 10 classes is ln 10 = 2.3;
# on ImageNet's 1,000, 6.9): the run stops with the reason, and its record says "stopped".
DIVERGED_LOSS = 1_000.0


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
    # The order of the mini-batches and their augmentation. (train() does not touch the weights'
    # initialisation: the caller builds the model; the experiment runner seeds it with this same
    # seed, experiments.registry.build_model.)
    seed: int = 0
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
        problems = _check_fields(self)
        if problems:
            raise ConfigError(f"invalid {type(self).__name__}: " + "; ".join(problems))

    def replace(self, **changes) -> "TrainConfig":
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ConfigError(f"unknown {type(self).__name__} field(s) {sorted(unknown)}; known: {sorted(known)}")
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


_INT_FIELDS = ("batch_size", "max_iters", "warmup_window", "log_every", "eval_every", "checkpoint_every", "seed",
               "subset_seed")
_OPTIONAL_INT_FIELDS = ("train_subset", "eval_subset")
_NUMBER_FIELDS = ("lr", "momentum", "weight_decay", "lr_decay", "warmup_until_error")


def _whole(value) -> int | None:
    """``value`` as an int if it is a whole number (``3`` or ``3.0``; never a bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_fields(cfg: "TrainConfig") -> list[str]:
    """Every problem of ``cfg``, in words (types first: no float silently becomes an int; then ranges).
    Whole-number floats (``300.0``, as JSON may give them) are stored as ints."""
    problems = []
    for name in _INT_FIELDS + _OPTIONAL_INT_FIELDS:
        value = getattr(cfg, name)
        if value is None and name in _OPTIONAL_INT_FIELDS:
            continue
        whole = _whole(value)
        if whole is None:
            problems.append(f"{name} must be a whole number (got {value!r})")
        else:
            object.__setattr__(cfg, name, whole)
    try:
        milestones = tuple(cfg.milestones)
    except TypeError:
        milestones = (cfg.milestones,)
    if any(_whole(m) is None for m in milestones):
        problems.append(f"milestones must be whole numbers (got {list(milestones)})")
    else:
        cfg.milestones = tuple(_whole(m) for m in milestones)
    for name in _NUMBER_FIELDS + ("warmup_lr",):
        value = getattr(cfg, name)
        if not (value is None and name == "warmup_lr") and not _number(value):
            problems.append(f"{name} must be a finite number (got {value!r})")
    if problems:  # the ranges below assume the types
        return problems
    for name in ("batch_size", "max_iters", "log_every", "eval_every", "checkpoint_every", "warmup_window"):
        if getattr(cfg, name) < 1:
            problems.append(f"{name} must be >= 1 (got {getattr(cfg, name)})")
    for name in _OPTIONAL_INT_FIELDS:
        if getattr(cfg, name) is not None and getattr(cfg, name) < 1:
            problems.append(f"{name} must be >= 1 or none for all images (got {getattr(cfg, name)})")
    for name in ("seed", "subset_seed"):
        if not 0 <= getattr(cfg, name) <= MAX_SEED:
            problems.append(f"{name} must lie in 0..2**63-1 (got {getattr(cfg, name)})")
    if not cfg.lr > 0:
        problems.append(f"lr must be > 0 (got {cfg.lr})")
    if cfg.warmup_lr is not None and not cfg.warmup_lr > 0:
        problems.append(f"warmup_lr must be > 0 or none (got {cfg.warmup_lr})")
    if not 0 < cfg.lr_decay <= 1:
        problems.append(f"lr_decay must lie in (0, 1] (got {cfg.lr_decay})")
    if not 0 <= cfg.momentum < 1:
        problems.append(f"momentum must lie in [0, 1) (got {cfg.momentum})")
    if not cfg.weight_decay >= 0:
        problems.append(f"weight_decay must be >= 0 (got {cfg.weight_decay})")
    if not 0 < cfg.warmup_until_error <= 1:
        problems.append(f"warmup_until_error must lie in (0, 1] (got {cfg.warmup_until_error})")
    if any(b <= a for a, b in zip(cfg.milestones, cfg.milestones[1:])):
        problems.append(f"milestones must increase (got {list(cfg.milestones)})")
    late = [m for m in cfg.milestones if not 0 < m < cfg.max_iters]
    if late:
        problems.append(f"milestones must lie between 0 and max_iters = {cfg.max_iters} (got {late}: the lr would "
                        "never drop there); set milestones with max_iters, e.g. max_iters=2000,milestones=1000:1500")
    if cfg.log_every >= 1 and cfg.checkpoint_every % cfg.log_every:
        problems.append(f"checkpoint_every ({cfg.checkpoint_every}) must be a multiple of log_every ({cfg.log_every})")
    if type(cfg) is TrainConfig and cfg.split not in SPLITS:
        problems.append(f"split must be one of {', '.join(SPLITS)} (got {cfg.split!r})")
    if cfg.normalize not in NORMALIZATIONS:
        problems.append(f"normalize must be one of {', '.join(NORMALIZATIONS)} (got {cfg.normalize!r})")
    for name in ("amp", "compile"):
        if getattr(cfg, name) not in (True, False, "auto"):
            problems.append(f"{name} must be true, false or auto (got {getattr(cfg, name)!r})")
    for name in ("augment", "channels_last", "deterministic"):
        if not isinstance(getattr(cfg, name), bool):
            problems.append(f"{name} must be true or false (got {getattr(cfg, name)!r})")
    return problems


def execution_fields() -> tuple[str, ...]:
    """Config fields that say how a run is executed, not what it computes (not part of its identity)."""
    return ("device", "amp", "compile", "deterministic", "checkpoint_every", "workers", "skip_bad_images")


def identity(cfg: "TrainConfig", device: torch.device, threads: int | None = None) -> dict:
    """What decides a run's result: the config without execution fields, plus the resolved dtype and
    device type (a bf16 or CUDA run must never stand in for an fp32 CPU run) and, on a CPU, the
    thread count (``threads``, default: this process's).

    The thread count is part of what a CPU run computes: oneDNN splits a convolution's reductions
    by thread, so five SGD steps of ResNet-20 end with other weights at one thread than at two, in
    fp32 and in bf16 alike (tests/test_runner.py). One thread is the reference and adds nothing to
    the identity: runs trained that way (every committed cpu-scale record) keep the ids they had
    before the thread count joined it. Likewise a compiled run is another computation (its fused
    kernels round in another order): ``compiled`` joins the identity where compilation is on.
    """
    d = {k: v for k, v in cfg.to_dict().items() if k not in execution_fields()}
    ident = {**d, "dtype": resolve_dtype(cfg, device), "device_type": device.type}
    n = cpu_threads(device) if threads is None else threads
    if device.type == "cpu" and n != 1:
        ident["cpu_threads"] = n
    if resolve_compile(cfg, device):  # compiled kernels round in another order (benchmarks/README.md)
        ident["compiled"] = True
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
    n = len(data.y_eval)
    wrong = torch.zeros((), device=data.device)
    loss = torch.zeros((), device=data.device)
    with eval_mode(model):
        for s in range(0, n, batch_size):
            x, y = data.to_input(data.x_eval[s:s + batch_size]), data.y_eval[s:s + batch_size]
            with torch.autocast(data.device.type, dtype=torch.bfloat16, enabled=amp):
                out = model(x)
            loss += F.cross_entropy(out.float(), y, reduction="sum")
            wrong += (out.argmax(1) != y).sum()
    wrong_n, loss_sum = torch.stack([wrong, loss]).tolist()
    return wrong_n / n, loss_sum / n


def train(
    model: nn.Module,
    data: DeviceData | Split,
    cfg: TrainConfig | None = None,
    checkpoint: str | os.PathLike | None = None,
    progress: bool | None = None,
    desc: str | None = None,
    position: int | None = None,
    world: World | None = None,
    code: dict | None = None,
) -> History:
    """Train ``model`` with ``cfg`` (paper defaults) and return its :class:`History`.

    ``checkpoint``: a file path; the run saves there every ``cfg.checkpoint_every`` iterations
    (atomically) and, if the file already exists, resumes from it -- ending with the same
    history and weights as an uninterrupted run (on a CPU at the same thread count; another
    count is refused). ``progress``: a tqdm bar (default: on unless the environment variable
    ``RESNET_BOOK_QUIET`` is set); ``position``: its line when several runs train at once.

    ``data``: a CIFAR split, or any data source with ``device``, ``eval_name``, ``batch(seed,
    iteration, batch_size, augment)`` and ``evaluate(model, amp, final)`` (e.g.
    :class:`resnet_book.engine.imagenet.ImageNetData`). ``world``: a
    :class:`resnet_book.engine.distributed.World` of torchrun processes (default: this process
    alone): each process trains on its share of every mini-batch in a DistributedDataParallel
    model; curves are averaged over the processes; only rank 0 writes the checkpoint, and a
    resumed run must have as many processes as the one that wrote it. ``code``: the git commit
    and package hash of the code this process runs, kept in ``History.segments`` (and so in the
    checkpoint). The model's initial weights are the caller's (seed them before building it).
    """
    world = world or World()
    cfg = cfg or TrainConfig()
    device = resolve_device(cfg.device)
    amp = resolve_dtype(cfg, device) == "bf16"
    data = _on_device(data, cfg, device)
    with _backend_flags(cfg, device):
        # --- set up: the model on its device, SGD, the schedule, and a resumed state if there is one
        model.to(device)
        if cfg.channels_last:
            model.to(memory_format=torch.channels_last)
        optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
        schedule = LRSchedule(cfg)
        history = History(eval_name=data.eval_name)
        state = world.on_main(lambda: _resume_state(checkpoint, cfg, device, world.size)) if checkpoint is not None else None
        if state is not None:
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            schedule.load_state_dict(state["schedule"])
            history = History.from_dict(state["history"])
        start = history.iterations_done
        segment = {"start": start, "end": start, "started": now_iso(), **(code or {})}
        history.segments.append(segment)
        step_model = _compiled(world.wrap(model), cfg, device)  # DDP for several processes; compiled if resolved
        bar = _progress_bar(cfg, start, desc, position, progress, world.is_main)
        window = _Window(device)
        clock = _Clock()
        model.train()
        # --- the loop: one SGD step per iteration; a log window, an evaluation, a checkpoint when due
        for it in range(start, cfg.max_iters):
            lr = schedule.lr_at(it)
            for group in optimizer.param_groups:
                group["lr"] = lr
            x, y = data.batch(cfg.seed, it, cfg.batch_size, cfg.augment)
            loss, out = train_step(step_model, optimizer, x, y, amp)
            wrong = window.add(loss, out, y)
            if schedule.warming:  # needs the error now (one host sync per iteration, only while warming)
                n_wrong = world.all_sum(wrong.float()).item() if world.size > 1 else wrong.item()
                schedule.observe(it, n_wrong / cfg.batch_size)
                history.warmup_end = schedule.warmup_end
            done = it + 1
            if done % cfg.log_every == 0 or done == cfg.max_iters:
                _log_window(history, window, world, cfg, lr, done, bar)
                if history.stopped:
                    history.iterations_done = segment["end"] = done
                    break
            if done % cfg.eval_every == 0 or done == cfg.max_iters:
                _evaluate_into(history, model, data, amp, done, final=done == cfg.max_iters)
            bar.update(1)
            history.iterations_done = segment["end"] = done
            if checkpoint is not None and done % cfg.checkpoint_every == 0 and done < cfg.max_iters:
                clock.add_to(history)
                if world.is_main:  # the processes hold the same weights and optimizer state
                    _save(checkpoint, cfg, model, optimizer, schedule, history, world, device)
        bar.close()
        clock.add_to(history)
    return history


# --- the steps of train(), in the order it takes them ------------------------------------------------
def _on_device(data, cfg: TrainConfig, device: torch.device):
    """A CIFAR split moved to the device (uint8, augmented there); another data source as it is."""
    if isinstance(data, Split):
        return DeviceData(data, device, cfg.normalize, cfg.channels_last)
    if data.device != device:
        raise ConfigError(f"data lives on {data.device} but the config trains on {device}")
    return data


@contextlib.contextmanager
def _backend_flags(cfg: TrainConfig, device: torch.device):
    """cuDNN's autotuner on by default on a GPU; deterministic kernels when ``cfg.deterministic``
    (so that a resumed GPU run is bitwise the uninterrupted one). The global flags are put back
    as they were when training ends. (A CPU run is deterministic at a fixed thread count.)"""
    if device.type != "cuda":
        yield
        return
    saved = (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic,
             torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled(),
             os.environ.get("CUBLAS_WORKSPACE_CONFIG"))
    torch.backends.cudnn.benchmark = not cfg.deterministic
    torch.backends.cudnn.deterministic = cfg.deterministic
    if cfg.deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = saved[0], saved[1]
        torch.use_deterministic_algorithms(saved[2], warn_only=saved[3])
        if saved[4] is None:
            os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
        else:
            os.environ["CUBLAS_WORKSPACE_CONFIG"] = saved[4]


def _compiled(step_model: nn.Module, cfg: TrainConfig, device: torch.device) -> nn.Module:
    """``torch.compile(step_model)`` where :func:`resolve_compile` says so. Dynamo keeps compiled
    graphs per code object, shared by every model of a class: each compiled run starts from an
    empty cache (``dynamo.reset``, which drops this process's other compiled graphs too), so the
    ninth model of an experiment does not hit the recompile limit and silently run eager."""
    if not resolve_compile(cfg, device):
        return step_model
    import torch._dynamo as dynamo

    dynamo.reset()
    return torch.compile(step_model)


def _tqdm():
    """tqdm's notebook bar where ipywidgets exists, else the text bar (tqdm.auto would warn on stderr)."""
    try:
        import ipywidgets  # noqa: F401

        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm


def _progress_bar(cfg: TrainConfig, start: int, desc, position, progress: bool | None, main: bool):
    """A tqdm bar on the main process (default: on unless ``RESNET_BOOK_QUIET`` is set)."""
    show = (not os.environ.get("RESNET_BOOK_QUIET")) if progress is None else progress
    return _tqdm()(total=cfg.max_iters, initial=start, desc=desc, disable=not (show and main), leave=False, mininterval=1.0,
                   position=position)


class _Window:
    """Training loss and errors summed on the device over one log window (read once per window)."""

    def __init__(self, device: torch.device) -> None:
        self.loss = torch.zeros((), device=device)
        self.wrong = torch.zeros((), device=device)
        self.steps = 0

    def add(self, loss: torch.Tensor, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        wrong = (out.argmax(1) != y).sum()
        self.loss += loss
        self.wrong += wrong
        self.steps += 1
        return wrong

    def reset(self) -> None:
        self.loss.zero_(), self.wrong.zero_()
        self.steps = 0


def _log_window(history: History, window: _Window, world: World, cfg: TrainConfig, lr: float, done: int, bar) -> None:
    """Append the window's mean loss and error to the curves (summed over the processes: each loss
    is the mean over its share, the batch is global); stop the run if it diverged."""
    loss_sum, wrong_sum = world.all_sum(torch.stack([window.loss, window.wrong])).tolist()
    mean_loss = loss_sum / (window.steps * world.size)
    history.iters.append(done)
    history.train_loss.append(mean_loss)
    history.train_error.append(wrong_sum / (window.steps * cfg.batch_size))
    history.lr.append(lr)
    first = done - window.steps + 1
    window.reset()
    bar.set_postfix(loss=f"{mean_loss:.3f}", err=f"{history.train_error[-1]:.3f}", lr=f"{lr:g}", refresh=False)
    if not math.isfinite(mean_loss):
        history.stopped = f"non-finite training loss in iterations {first}..{done}"
    elif mean_loss > DIVERGED_LOSS:
        history.stopped = f"diverged: mean training loss {mean_loss:.3g} in iterations {first}..{done}"


def _evaluate_into(history: History, model: nn.Module, data, amp: bool, done: int, final: bool) -> None:
    """Evaluate on the eval split and append to the eval curves. A data source with its own
    evaluation (ImageNet: centre crop, and 10-crop at the end) uses it."""
    own = getattr(data, "evaluate", None)
    err, eval_loss = own(model, amp, final=final) if own else evaluate(model, data, amp)
    history.eval_iters.append(done)
    history.eval_error.append(err)
    history.eval_loss.append(eval_loss)


class _Clock:
    """Wall and CPU seconds since the last reading, added to the history (summed over resumes)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def add_to(self, history: History) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        history.wall_time += wall - self.wall
        history.cpu_time += cpu - self.cpu
        self.wall, self.cpu = wall, cpu


def _save(checkpoint, cfg: TrainConfig, model, optimizer, schedule: LRSchedule, history: History, world: World,
          device: torch.device) -> None:
    save_checkpoint(checkpoint, {
        "config": cfg.to_dict(), "model": model.state_dict(), "optimizer": optimizer.state_dict(),
        "schedule": schedule.state_dict(), "history": history.to_dict(), "world_size": world.size,
        "threads": cpu_threads(device),
    })


def _resume_state(checkpoint: str | os.PathLike, cfg: TrainConfig, device: torch.device, world_size: int) -> dict | None:
    """The state in ``checkpoint``, if the file exists, after checking that this config (and as many
    processes) wrote it. (A run resumed on another number of processes would splice two data orders
    and BatchNorm groupings into a run no single configuration produces.)"""
    if not Path(checkpoint).exists():
        return None
    state = load_checkpoint(checkpoint, device if world_size == 1 else "cpu")
    cls = type(cfg)
    if identity(cls.from_dict(state["config"]), device) != identity(cfg, device):
        raise ConfigError(f"checkpoint {checkpoint} was written by a different config; delete it to start over")
    threads, written_at = cpu_threads(device), state.get("threads")
    if threads is not None and written_at is not None and written_at != threads:
        raise ConfigError(f"checkpoint {checkpoint} was written by a run on {written_at} CPU thread(s), this process has "
                         f"{threads}: the two would compute different numbers; resume it with {written_at} "
                         f"(OMP_NUM_THREADS={written_at}), or delete it to start over")
    written_by = state.get("world_size", 1)
    if written_by != world_size:
        raise ConfigError(f"checkpoint {checkpoint} was written by {written_by} process(es), this run has {world_size}: "
                         f"resume it with the same world size (torchrun --nnodes x --nproc-per-node = {written_by}), "
                         "or delete it to start over")
    return state
