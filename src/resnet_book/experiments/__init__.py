"""The paper's experiments and the machinery that runs them: the registry of experiments and scales,
the runner (CIFAR-10; ImageNet on torchrun as its peer), the records with their provenance, the
measurements stored in them, and reports beside the paper's numbers. What a researcher reads to
re-run an ablation with one command.

* :mod:`.registry` -- every experiment defined once (:data:`EXPERIMENTS`) and the scales (sizes only);
* :mod:`.runner` -- :func:`run_experiment` (CIFAR-10, ``--jobs N``), :func:`trained_model`;
* :mod:`.imagenet` -- Tables 2 and 3 on one process or a torchrun job;
* :mod:`.runs` -- one run: its id, lock, record, and the end of a run both runners share;
* :mod:`.records` -- where records live, their schema, the code that made them;
* :mod:`.measures` -- Fig. 7's layer responses and lesion curves, stored in records;
* :mod:`.report` -- time estimates, and records as tables beside the paper.
"""

from .registry import (
    CPU_SCALE, EXPERIMENTS, IMAGENET_SCALE, IMAGENET_SMALL_SCALE, PAPER_SCALE, SCALE_SIZES, SCALES, WARMUP_110,
    Experiment, PlannedRun, RunSpec, build_model, default_scale, get_experiment, plan, quick_scale, resolve_scale,
    run_config, stretch,
)
from .records import load_record, load_records, results_root
from .runner import add_measure, has_weights, run_experiment, trained_model

__all__ = [
    "CPU_SCALE", "EXPERIMENTS", "IMAGENET_SCALE", "IMAGENET_SMALL_SCALE", "PAPER_SCALE", "SCALE_SIZES", "SCALES",
    "WARMUP_110", "Experiment", "PlannedRun", "RunSpec", "build_model", "default_scale", "get_experiment", "plan",
    "quick_scale", "resolve_scale", "run_config", "stretch", "load_record", "load_records", "results_root",
    "add_measure", "has_weights", "run_experiment", "trained_model",
]
