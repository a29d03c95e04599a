"""Command line: ``python -m resnet_book {list,run,report,data,weights}`` (also the ``resnet-book`` script).

``--set KEY=VALUE,...`` values are parsed here (:func:`parse_overrides`) into typed TrainConfig fields.

Every failure a user can fix (:class:`resnet_book.errors.UserError`: unknown experiment, scale or
model, bad seeds or config values, missing or corrupt data, records, checkpoints or weights, a full
disk or a read-only results folder) prints one clear line and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import experiments as ex
from .engine.data import load_cifar10
from .engine.device import resolve_device, resolve_dtype
from .engine.imagenet import ImageNetConfig
from .engine.train import MAX_SEED, TrainConfig
from .errors import ConfigError, UserError
from .experiments import report as rp
from .experiments.measures import check_measure
from .experiments.records import load_records, results_root
from .experiments.report import report
from .experiments.runner import add_measure, has_weights, run_experiment
from .models import weights as W
from .tables import duration, markdown_table


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: one line + usage hint, exit 2
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _seeds(text: str) -> list[int]:
    parts = [s.strip() for s in text.split(",")]
    try:
        seeds = [int(s) for s in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds must be comma-separated whole numbers, e.g. 0,1,2 (got {text!r})")
    if any(not 0 <= s <= MAX_SEED for s in seeds):
        raise argparse.ArgumentTypeError(f"seeds must lie in 0..2**63-1, e.g. 0,1,2 (got {text!r})")
    if len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"a seed is given twice (got {text!r})")
    return seeds


def _runs(text: str) -> list[str]:
    names = [x.strip() for x in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"--runs takes run names separated by commas, e.g. plain20,resnet20 (got {text!r})")
    return names


_NONE_DEFAULT_TYPES = {"warmup_lr": float, "train_subset": int, "eval_subset": int, "num_classes": int}
_AUTO_FIELDS = ("amp", "compile")  # true, false or auto


def parse_overrides(text: str) -> list[tuple[str, object]]:
    """``"max_iters=300,lr=0.05,milestones=150:225"`` -> typed TrainConfig overrides.

    Values are cast to the field's type; ``milestones`` takes ``:``-separated iterations;
    ``none`` clears an optional field.
    """
    defaults = {**ImageNetConfig().to_dict(), **TrainConfig().to_dict()}  # CIFAR fields + ImageNet's input fields
    pairs = []
    for item in filter(None, (t.strip() for t in text.split(","))):
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep:
            raise ConfigError(f"--set takes key=value pairs separated by commas, got {item!r}")
        if key not in defaults:
            raise ConfigError(f"unknown TrainConfig field {key!r}; known: {', '.join(defaults)}")
        try:
            if key == "milestones":
                cast = tuple(int(v) for v in value.split(":") if v)
            elif value.lower() == "none" and (defaults[key] is None or key in _NONE_DEFAULT_TYPES):
                cast = None
            elif key in _AUTO_FIELDS and value.lower() == "auto":
                cast = "auto"
            elif isinstance(defaults[key], bool) or key in _AUTO_FIELDS:
                if value.lower() not in ("true", "false", "1", "0"):
                    raise ValueError
                cast = value.lower() in ("true", "1")
            else:
                typ = _NONE_DEFAULT_TYPES.get(key) or type(defaults[key])
                cast = typ(value)  # int("1.5") fails: no float silently becomes an int
        except ValueError:
            raise ConfigError(f"--set {key}={value!r}: not a valid value for {key} (default {defaults[key]!r}"
                              + (", a whole number" if (_NONE_DEFAULT_TYPES.get(key) or type(defaults[key])) is int else "")
                              + ")") from None
        pairs.append((key, cast))
    return pairs


def _device(text: str) -> str:
    t = text.strip().lower()
    if t in ("auto", "cpu", "cuda") or (t.startswith("cuda:") and t[5:].isdigit()):
        return t
    raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (use auto, cpu, cuda or cuda:N)")


def _jobs(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"--jobs takes a whole number >= 1 (got {text!r})")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m resnet_book", description="Re-run the CIFAR-10 and ImageNet experiments of He et al. (2015).")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    lst = sub.add_parser("list", help="list experiments, their runs and scales, with time estimates for this machine")
    lst.add_argument("--names", action="store_true", help="names only: no speed probe, no estimates (instant)")
    common = dict(scale=dict(choices=ex.SCALES, default=None,
                             help="quick (CPU minutes), cpu (the recipe on all 50k images, CPU hours), paper "
                                  "(the exact recipe, GPU); for table2/table3 imagenet or imagenet-small; default: paper on a GPU, "
                                  "else quick (imagenet for table2/table3)"),
                  out=dict(default=None, help="results folder (default: $RESNET_BOOK_RESULTS or the repository's results/)"))
    r = sub.add_parser("run", help="train the runs of an experiment (finished runs are reused, killed runs resume)")
    r.add_argument("experiment")
    r.add_argument("--scale", **common["scale"])
    r.add_argument("--seeds", type=_seeds, default=[0], help="comma-separated seeds (default 0)")
    r.add_argument("--device", type=_device, default="auto", help="auto (a GPU when there is one), cpu, cuda or cuda:N")
    r.add_argument("--data", default=None, help="CIFAR-10 folder (default: $RESNET_BOOK_DATA, else the user cache); for "
                   "table2/table3 the ImageNet folder with train/<class>/ and val/<class>/ (default: $RESNET_BOOK_IMAGENET)")
    r.add_argument("--out", **common["out"])
    r.add_argument("--runs", type=_runs, default=None,
                   help="only these runs of the experiment, comma-separated (see `list`)")
    r.add_argument("--set", dest="overrides", default="", metavar="KEY=VALUE,...",
                   help="change TrainConfig fields, e.g. max_iters=2000,milestones=1000:1500 (recorded in each run)")
    r.add_argument("--jobs", type=_jobs, default=1,
                   help="train N runs at once, each with 1/N of the CPU threads (or one GPU each); "
                        "on a 2-core CPU --jobs 2 is the fastest layout (benchmarks/README.md)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    rep = sub.add_parser("report", help="Markdown table: the paper vs this book's runs, with provenance")
    rep.add_argument("experiment")
    rep.add_argument("--scale", choices=ex.SCALES, default=None, help="only records of this scale")
    rep.add_argument("--out", **common["out"])
    m = sub.add_parser("measure", help="take a measure (layer_response_std, lesion) on the finished runs of an "
                       "experiment from their saved weights and store it in their records")
    m.add_argument("experiment")
    m.add_argument("measure", help="layer_response_std (Fig. 7) or lesion (delete each block in turn)")
    m.add_argument("--scale", choices=ex.SCALES, default=None, help="only records of this scale")
    m.add_argument("--data", default=None, help="CIFAR-10 folder the runs were evaluated on (default: $RESNET_BOOK_DATA, "
                   "else the user cache)")
    m.add_argument("--out", **common["out"])
    d = sub.add_parser("data", help="find or download CIFAR-10 and verify it")
    d.add_argument("--data", default=None, help="CIFAR-10 folder (default: $RESNET_BOOK_DATA, else the user cache)")
    w = sub.add_parser("weights", help="released pretrained CIFAR ResNets: list them and where they are, verify them")
    w.add_argument("--verify", action="store_true",
                   help="check each local file's SHA-256, load it (weights_only) and convert it into our model")
    w.add_argument("--download", action="store_true", help="download the missing files into the user cache (verified)")
    return p


def _iterations(e, runs, scale) -> str:
    """"6,000" -- or "6,000-24,000" where the runs have lengths of their own (depth_length)."""
    n = sorted({ex.run_config(e, r, scale, 0, "cpu").max_iters for r in runs})
    return f"{n[0]:,}" if len(n) == 1 else f"{n[0]:,}-{n[-1]:,}"


def _cmd_list(args) -> None:
    if args.names:
        for e in ex.EXPERIMENTS.values():
            print(f"{e.name:12s} {e.title}  [{e.source}]")
            for scale in e.scales:
                runs = e.runs_at(scale)
                print(f"    {scale:14s}: " + (", ".join(r.name for r in runs) if runs else "no runs"))
        return
    dev = resolve_device("cpu")
    dtype = resolve_dtype(TrainConfig(), dev)
    rate = rp.probe_img_per_s("cpu", dtype)
    print(f"Estimates for this CPU: ResNet-20 trains at {rate:.0f} img/s here ({dtype}, {torch_threads()} threads, "
          "eager; a 3-step probe), other nets scaled by multiply-adds; compile and --jobs 2 are faster.")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 0.5 * (os.cpu_count() or 1):  # the probe shares the CPU: its rate, and so the estimates, are low
        print(f"The CPU is busy (load average {load:.1f} on {os.cpu_count()} cores): the probe got a share of it, "
              "so these estimates are too long; run `list` on an idle machine for the real ones.")
    print()
    for e in ex.EXPERIMENTS.values():
        print(f"{e.name:10s} {e.title}  [{e.source}]")
        for scale in e.scales:
            runs = e.runs_at(scale)
            if not runs:
                print(f"    {scale:5s}: no runs")
                continue
            print(f"    {scale:5s}: {len(runs)} runs x {_iterations(e, runs, scale)} iterations: {', '.join(r.name for r in runs)}")
            if scale == "cpu":
                est = rp.estimate_cpu_seconds(e.name, scale, rate)
                print("           on this CPU, about: " + ", ".join(f"{k} {duration(v)}" for k, v in est.items())
                      + f" (total {duration(sum(est.values()))})")
            elif scale == "paper":
                hours, _ = rp.estimate_gpu_hours(e.name)
                print(f"           on a GPU, roughly {hours:.1f} h in all (an estimate, not measured)")
            elif scale == "imagenet":
                hours, _ = rp.estimate_gpu_hours(e.name)
                print(f"           roughly {hours:.0f} GPU-hours in all (an estimate, not measured); "
                      "torchrun --nproc-per-node=N divides the wall time by about N")


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def _cmd_run(args) -> None:
    records = run_experiment(args.experiment, args.scale, args.seeds, args.device, args.data, args.out,
                             progress=False if args.quiet else None, runs=args.runs,
                             overrides=dict(parse_overrides(args.overrides)), jobs=args.jobs)
    if records:
        print()
        print(report(args.experiment, records))


def _cmd_report(args) -> None:
    ex.get_experiment(args.experiment)
    records = load_records(args.experiment, args.out, args.scale)
    if not records:
        raise ConfigError(f"no records of {args.experiment}" + (f" at the {args.scale} scale" if args.scale else "")
                          + f" in {results_root(args.out)}")
    print(report(args.experiment, records))


def _cmd_measure(args) -> None:
    ex.get_experiment(args.experiment)
    check_measure(args.measure)
    records = load_records(args.experiment, args.out, args.scale)
    if not records:
        raise ConfigError(f"no records of {args.experiment}" + (f" at the {args.scale} scale" if args.scale else "")
                         + f" in {results_root(args.out)}")
    for rec in records:
        rid = rec["run_id"]
        if args.measure in rec.get("extra", {}):
            print(f"{rid}: has {args.measure} already")
        elif not has_weights(rec, args.out):
            print(f"{rid}: no saved weights here (a committed record carries none): skipped")
        else:
            add_measure(results_root(args.out) / args.experiment / f"{rid}.json", args.measure, args.data)
            print(f"{rid}: {args.measure} taken and stored in its record")


def _cmd_data(args) -> None:
    d = load_cifar10(args.data)
    print(f"CIFAR-10 in {d.folder}: {len(d.y_train):,} train and {len(d.y_test):,} test images, all files readable")
    print(f"data fingerprint {d.fingerprint}")
    if d.jpeg_copy:
        print("note: this is the JPEG-derived developer copy (exact labels and split, lossy pixels): fine for "
              "tests and quick runs, not for accuracy claims")


def _cmd_weights(args) -> None:
    if args.verify or args.download:
        results = W.verify_all(download=args.download)
        for w, line in results:
            print(f"{w.name}: {line}")
        bad = W.bad_files(results)
        if bad:
            raise W.WeightsError(f"{len(bad)} of {len(results)} weights files are bad: {', '.join(bad)} (see above)")
        return
    print(f"Released weights of {W.AKAMASTER_REPO} (commit {W.AKAMASTER_COMMIT[:7]}, Yerlan Idelbayev, BSD-2-Clause):")
    print(markdown_table(["weights", "file", "their error %", "best_prec1 in file", "SHA-256", "here"], W.status_rows(),
                         align="llrrll"))
    w0 = next(iter(W.WEIGHTS.values()))
    print(f"\ninput: {w0.preprocessing}\ntrained: {w0.trained}")
    print(f"found in ${W.ENV_VAR}/akamaster/ (set: {os.environ.get(W.ENV_VAR) or 'no'}), then {W.default_cache_dir()}/akamaster/, "
          "else downloaded there on first use; `weights --verify` checks the local files")


def main(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # --help (0) or a usage error (2), already printed by argparse
        return int(e.code or 0)
    try:
        {"list": _cmd_list, "run": _cmd_run, "report": _cmd_report, "measure": _cmd_measure, "data": _cmd_data,
         "weights": _cmd_weights}[args.command](args)
    except UserError as e:  # bad input or an environment fault: one clear line, exit 2
        print(f"python -m resnet_book: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; finished runs are saved, the current run resumes from its last checkpoint", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
