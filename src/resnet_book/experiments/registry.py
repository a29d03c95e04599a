"""The paper's experiments, each defined once, and the scales they run at.

An :class:`Experiment` is a list of runs (a model name plus, rarely, a recipe change such as
ResNet-110's warm-up). A *scale* is data: TrainConfig overrides for sizes only (iterations,
training subset, evaluation cadence). ``paper`` is the exact recipe of Sec. 4.2; ``cpu`` is the
same recipe on all 50k images with a schedule compressed to what a 2-core CPU can afford;
``quick`` fits a chapter's budget. No code path depends on the scale.

The ImageNet experiments (Tables 2 and 3) run at ``imagenet`` (the recipe of Sec. 3.4 on the
1,000 classes) and ``imagenet-small`` (the same recipe at a quarter of the resolution on any
ImageFolder), on one process or many (torchrun, :mod:`resnet_book.engine.distributed`).

Running them is :mod:`resnet_book.experiments.runner`'s job (CIFAR; ImageNet:
:mod:`resnet_book.experiments.imagenet`); tables of their results are
:mod:`resnet_book.experiments.report`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from .. import reference
from ..engine.device import resolve_device
from ..engine.imagenet import ImageNetConfig, linear_scaling
from ..engine.train import TrainConfig
from ..errors import ConfigError
from ..models import get_model

# --- scales ------------------------------------------------------------------------------------------
PAPER_SCALE: dict = {
    # Sec. 4.2 exactly: 64k iterations, lr /10 at 32k and 48k, batch 128, all 50k training images,
    # evaluated on the 10k test images (the paper chose 64k on a 45k/5k split; use split="val45k"
    # to redo that choice).
    "log_every": 100, "eval_every": 1_000, "checkpoint_every": 2_000,
}

CPU_SCALE: dict = {
    # The paper's recipe unchanged (batch 128, lr 0.1, momentum 0.9, wd 1e-4, per-pixel mean,
    # pad-4 crop + flip, ResNet-110's warm-up) on all 50k training images, evaluated on all 10k
    # test images; only the LENGTH is compressed, keeping the schedule's shape (lr /10 at 50% and
    # 75%, as 32k and 48k of 64k).
    # Why 6,000 iterations (~15 epochs; the paper's 64k are ~164): every run must fit in ONE
    # evening on a 2-core laptop CPU, what a reader who wants to reproduce a page has. The longest
    # run, ResNet-110, trains at ~138 img/s in bf16 on two threads (benchmarks/README.md): 6,000 x
    # 128 images take ~95 min; 12,000 would take ~3 h. All 13 runs of fig6, table6, shortcuts and
    # warmup110 cost ~8 hours of the 2-core CPU at the fastest layout (two one-thread runs at once).
    # What 6,000 cannot show: the depth ordering of Table 6 is a long-training effect; the
    # depth_length experiment trains ResNet-20 and ResNet-56 at 2x and 4x this length to show from
    # which length on the deeper net is ahead.
    "max_iters": 6_000, "milestones": (3_000, 4_500),
    "log_every": 25,  # 240 points per training curve
    "eval_every": 400, "checkpoint_every": 200,  # 15 test points; a checkpoint every 2-8 minutes
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

# ImageNet. The recipe (Sec. 3.4) is ImageNetConfig's defaults; the scales set sizes only.
IMAGENET_SCALE: dict = {
    # The paper's recipe exactly (batch 256, lr 0.1 /10 at 150k, 300k, 450k; 600k iterations) on
    # the 1,000 classes; the final evaluation is 10-crop testing on the 50k val images.
    "num_classes": 1_000,
}
IMAGENET_SMALL_SCALE: dict = {
    # The recipe at a quarter of the resolution, on any ImageFolder (Tiny-ImageNet's 64x64 images,
    # Imagenette, a class subset): shorter side in [64, 120], crops of 56, tested at 64. The
    # schedule keeps its shape (lr /10 at 1/4, 1/2, 3/4 of the run) at 1/15 of the length:
    # 40k iterations of 256 are ~100 epochs of Tiny-ImageNet's 100k images.
    "crop": 56, "scale_min": 64, "scale_max": 120, "test_size": 64, "num_classes": None,
    "max_iters": 40_000, "milestones": (10_000, 20_000, 30_000),
    "log_every": 20, "eval_every": 1_000, "checkpoint_every": 500,
}
IMAGENET_SCALES = {"imagenet": IMAGENET_SCALE, "imagenet-small": IMAGENET_SMALL_SCALE}
DATASET_CONFIGS = {"cifar10": TrainConfig, "imagenet": ImageNetConfig}


@dataclass(frozen=True)
class RunSpec:
    model: str
    model_kwargs: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)  # recipe changes for this run (not sizes)
    label: str = ""
    scales: tuple[str, ...] = ("quick", "cpu", "paper")  # scales at which this run exists (see Experiment.scales)
    # The schedule's length as a multiple of the scale's (a size): iterations, lr milestones and the
    # evaluation cadence stretch together, so the schedule keeps its shape (see stretch()).
    length: float = 1

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
    dataset: str = "cifar10"  # "cifar10" (TrainConfig) or "imagenet" (ImageNetConfig, an ImageFolder)

    def runs_at(self, scale: str) -> list[RunSpec]:
        return [r for r in self.runs if scale in r.scales and scale in self.scales]


def _runs(*models: str, **kw) -> tuple[RunSpec, ...]:
    return tuple(RunSpec(m, **kw) for m in models)


SCALE_SIZES = {"quick": quick_scale(300), "cpu": CPU_SCALE, "paper": PAPER_SCALE}
R110 = RunSpec("resnet110", config=WARMUP_110, label="resnet110")
_IN = tuple(IMAGENET_SCALES)

EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in [
    Experiment(
        "fig1", "Degradation: plain-20 vs plain-56", "He et al. 2015, Fig. 1",
        _runs("plain20", "plain56"),
        SCALE_SIZES,
    ),
    Experiment(
        "fig6", "Plain vs residual nets of 20-56 layers (and plain-110)", "He et al. 2015, Fig. 6",
        _runs("plain20", "plain32", "plain44", "plain56", "resnet20", "resnet32", "resnet44", "resnet56")
        + (RunSpec("plain110", scales=("paper",)),),
        SCALE_SIZES,
        measure="lesion",  # each run's lesion curve (chapter 2 shows it beside the released ResNet-56)
    ),
    Experiment(
        "table6", "CIFAR-10 test error of ResNet-20 ... 1202", "He et al. 2015, Table 6",
        _runs("resnet20", "resnet32", "resnet44", "resnet56") + (R110,)
        + (RunSpec("resnet1202", scales=("paper",)),),
        SCALE_SIZES,
    ),
    Experiment(
        "depth_length", "When does depth pay? ResNet-20 vs ResNet-56 at 1x, 2x and 4x the schedule's length",
        "He et al. 2015, Table 6 and Fig. 6 (the paper's 64k iterations as the reference length)",
        # The 1x runs are table6's (reused); 2x and 4x stretch the schedule, keeping its shape
        # (lr /10 at 50% and 75%). At the cpu scale: 6k, 12k and 24k iterations (~15, 31, 61 epochs).
        # Listed in the order `--jobs 2` finishes them soonest: the 2x pair first, then ResNet-56's
        # 4x on the core that ResNet-20's 2x frees, ResNet-20's 4x on the other.
        _runs("resnet20", "resnet56")
        + tuple(RunSpec(m, label=f"{m}-x{k}", length=k, scales=("quick", "cpu"))
                for m, k in (("resnet20", 2), ("resnet56", 2), ("resnet56", 4), ("resnet20", 4))),
        SCALE_SIZES,
    ),
    Experiment(
        "fig7", "Standard deviation of layer responses", "He et al. 2015, Fig. 7",
        _runs("plain20", "plain56", "resnet20", "resnet56") + (R110,),
        SCALE_SIZES,
        measure="layer_response_std",
    ),
    Experiment(
        "shortcuts", "Shortcut options A / B / C on a CIFAR ResNet", "He et al. 2015, Table 3 (ImageNet analogue)",
        # option A is the default: the same run as fig6's resnet32 (reused when that exists)
        (RunSpec("resnet32", label="resnet32-A"),)
        + tuple(RunSpec("resnet32", {"shortcut": s}, label=f"resnet32-{s}") for s in "BC"),
        SCALE_SIZES,
    ),
    Experiment(
        "warmup110", "ResNet-110 with and without the lr 0.01 warm-up", "He et al. 2015, Sec. 4.2",
        (RunSpec("resnet110", config=WARMUP_110, label="resnet110-warmup"),
         RunSpec("resnet110", label="resnet110-no-warmup")),
        SCALE_SIZES,
    ),
    Experiment(
        "resnet1202", "ResNet-1202: fits the training set, overfits the test set", "He et al. 2015, Sec. 4.2, Table 6",
        (RunSpec("resnet1202", scales=("paper",)),),
        SCALE_SIZES,
    ),
    Experiment(
        "variants", "After ResNet: pre-activation, wide, ResNeXt, DenseNet-BC and SE at ResNet-56's cost",
        "He et al. 2016; Zagoruyko & Komodakis 2016; Xie et al. 2017; Huang et al. 2017; Hu et al. 2018",
        # A small member of each family (at most ResNet-56's multiply-adds), all on ONE recipe, the
        # paper's Sec. 4.2 (the variants' own papers train longer, some with other weight decays).
        _runs("resnet56", "preact_resnet56", "wrn16_2", "resnext29_8x4d_narrow", "densenet_bc28_12", "se_resnet56"),
        SCALE_SIZES,
    ),
    Experiment(
        "table2", "ImageNet: plain-18/34 vs ResNet-18/34", "He et al. 2015, Table 2 (and Fig. 4)",
        # "In the first comparison (Table 2 and Fig. 4 right), we use identity mapping for all
        # shortcuts and zero-padding for increasing dimensions (option A)."
        _runs("plain18", "plain34", scales=_IN) + _runs("resnet18", "resnet34", model_kwargs={"shortcut": "A"}, scales=_IN),
        IMAGENET_SCALES, dataset="imagenet",
    ),
    Experiment(
        "table3", "ImageNet: ResNet-34 with shortcut options A/B/C, ResNet-50/101/152", "He et al. 2015, Table 3",
        # option A is the same run as table2's resnet34 (reused when that exists); the bottleneck
        # nets use option B ("we use option B for increasing dimensions").
        tuple(RunSpec("resnet34", {"shortcut": s}, label=f"resnet34-{s}", scales=_IN) for s in "ABC")
        + _runs("resnet50", "resnet101", "resnet152", scales=_IN),
        IMAGENET_SCALES, dataset="imagenet",
    ),
]}

SCALES = tuple(SCALE_SIZES) + tuple(IMAGENET_SCALES)


def get_experiment(name: str) -> Experiment:
    if name not in EXPERIMENTS:
        raise ConfigError(f"unknown experiment {name!r}; known experiments: {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def default_scale(device: str | torch.device = "auto", exp: Experiment | None = None) -> str:
    """``paper`` when the run's device is a GPU, ``quick`` otherwise (``--device cpu`` on a GPU
    machine is a CPU run, so it gets the CPU's default); ``imagenet`` for an ImageNet experiment."""
    if exp is not None and exp.dataset == "imagenet":
        return "imagenet"
    return "paper" if resolve_device(device).type == "cuda" else "quick"


def resolve_scale(exp: Experiment, scale: str | None, device: str | torch.device = "auto") -> str:
    """The scale ``exp`` runs at: ``scale`` (checked), else the device's default (:func:`default_scale`)."""
    scale = scale or default_scale(device, exp)
    if scale not in SCALES:
        raise ConfigError(f"unknown scale {scale!r}; known scales: {', '.join(SCALES)}")
    if scale not in exp.scales:
        raise ConfigError(f"{exp.name} runs at the {', '.join(exp.scales)} scale(s), not at {scale!r}")
    return scale


_LR_FIELDS = ("lr", "warmup_lr")  # recipe learning rates, stated at the paper's batch of 128
# Config fields that each run sets itself: an override would be silently replaced.
_NOT_OVERRIDES = {"seed": "a run's seed comes from --seeds (run_experiment(seeds=...))",
                  "device": "use --device (run_experiment(device=...))"}


def run_config(exp: Experiment, run: RunSpec, scale: str, seed: int, device: str = "auto",
               overrides: dict | None = None) -> TrainConfig:
    """The TrainConfig of one run: paper defaults <- scale sizes <- the run's recipe <- user overrides.

    A run's recipe states learning rates at the paper's batch size (ResNet-110's warm-up lr 0.01
    at batch 128); at a scale with another batch size they follow the linear scaling rule, like
    the base lr does, so that warm-up/base keeps the paper's ratio of 1/10.

    ImageNet: a global batch other than the paper's 256 scales the lr linearly and the schedule
    inversely (:func:`resnet_book.engine.imagenet.linear_scaling`), unless the overrides set them.
    """
    if scale not in exp.scales:
        raise ConfigError(f"{exp.name} runs at the {', '.join(exp.scales)} scale(s), not at {scale!r}")
    for key, how in _NOT_OVERRIDES.items():
        if key in (overrides or {}):
            raise ConfigError(f"{key} is not set with --set/overrides: {how}")
    cfg = DATASET_CONFIGS[exp.dataset]().replace(**exp.scales[scale])
    k = cfg.batch_size / reference.CIFAR_RECIPE["batch_size"]
    recipe = {key: (v * k if key in _LR_FIELDS and v is not None else v) for key, v in run.config.items()}
    cfg = stretch(cfg.replace(**recipe).replace(**(overrides or {})), run.length)
    if exp.dataset == "imagenet":
        r = reference.IMAGENET_RECIPE
        cfg = linear_scaling(cfg, overrides or {}, r["batch_size"], r["lr"])
    return cfg.replace(seed=seed, device=device)


def stretch(cfg: TrainConfig, length: float) -> TrainConfig:
    """``cfg`` with its schedule ``length`` times as long: iterations, lr milestones and the
    evaluation cadence (the same number of test points). Sizes only; ``length=1`` changes nothing."""
    if length == 1:
        return cfg
    k = float(length)
    if not k > 0 or not (cfg.max_iters * k).is_integer() or any(not (m * k).is_integer() for m in cfg.milestones):
        raise ConfigError(f"length {length} does not stretch {cfg.max_iters} iterations (milestones "
                         f"{list(cfg.milestones)}) to whole iterations")
    return cfg.replace(max_iters=int(cfg.max_iters * k), milestones=tuple(int(m * k) for m in cfg.milestones),
                       eval_every=max(1, round(cfg.eval_every * k)))


def build_model(run: RunSpec, seed: int) -> torch.nn.Module:
    """The run's model with its initialisation fixed by ``seed``."""
    torch.manual_seed(seed)
    return get_model(run.model, **run.model_kwargs)


@dataclass(frozen=True)
class PlannedRun:
    """One (run, seed) of an experiment at a scale, with its resolved config."""

    run: RunSpec
    seed: int
    cfg: TrainConfig


def plan(exp: Experiment, scale: str, seeds=(0,), runs=None, device: str = "cpu",
         overrides: dict | None = None) -> list[PlannedRun]:
    """Every (run, seed) of ``exp`` at ``scale`` (a resolved scale, :func:`resolve_scale`) with its
    config, optionally only the runs named in ``runs``. Unknown run names and bad overrides raise
    here, before any data is read."""
    names = [r.name for r in exp.runs]
    for r in runs or ():
        if r not in names:
            raise ConfigError(f"no run named {r!r} in {exp.name}; its runs: {', '.join(names)}")
    chosen = [r for r in exp.runs_at(scale) if not runs or r.name in runs]
    return [PlannedRun(run, seed, run_config(exp, run, scale, seed, device, overrides)) for run in chosen for seed in seeds]
