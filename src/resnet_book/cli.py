"""Command line: ``python -m resnet_book {list,run,report,data}`` (also the ``resnet-book`` script).

Every error a user can cause (unknown experiment, scale or model, bad seeds, missing or corrupt
data, a corrupt record) prints one clear line and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys

from . import experiments as ex


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: one line + usage hint, exit 2
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds must be comma-separated integers, e.g. 0,1,2 (got {text!r})")
    if not seeds or any(s < 0 for s in seeds):
        raise argparse.ArgumentTypeError(f"seeds must be non-negative integers, e.g. 0,1,2 (got {text!r})")
    return seeds


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m resnet_book", description="Re-run the CIFAR-10 experiments of He et al. (2015).")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="list experiments, their runs and scales")
    common = dict(scale=dict(choices=ex.SCALES, default=None,
                             help="quick (CPU minutes) or paper (exact recipe); default: paper with CUDA, else quick"),
                  out=dict(default=None, help="results folder (default: $RESNET_BOOK_RESULTS or the repository's results/)"))
    r = sub.add_parser("run", help="train the runs of an experiment (finished runs are reused, killed runs resume)")
    r.add_argument("experiment")
    r.add_argument("--scale", **common["scale"])
    r.add_argument("--seeds", type=_seeds, default=[0], help="comma-separated seeds (default 0)")
    r.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    r.add_argument("--data", default=None, help="CIFAR-10 folder (default: $RESNET_BOOK_DATA, else the user cache)")
    r.add_argument("--out", **common["out"])
    r.add_argument("--runs", type=lambda t: [x for x in t.split(",") if x], default=None,
                   help="only these runs of the experiment, comma-separated (see `list`)")
    r.add_argument("--set", dest="overrides", default="", metavar="KEY=VALUE,...",
                   help="change TrainConfig fields, e.g. max_iters=2000,milestones=1000:1500 (recorded in each run)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    rep = sub.add_parser("report", help="Markdown table: the paper vs this book's runs, with provenance")
    rep.add_argument("experiment")
    rep.add_argument("--scale", choices=ex.SCALES, default=None, help="only records of this scale")
    rep.add_argument("--out", **common["out"])
    d = sub.add_parser("data", help="find or download CIFAR-10 and verify it")
    d.add_argument("--data", default=None, help="CIFAR-10 folder (default: $RESNET_BOOK_DATA, else the user cache)")
    return p


def _cmd_list(args) -> None:
    for e in ex.EXPERIMENTS.values():
        print(f"{e.name:10s} {e.title}  [{e.source}]")
        for scale in ex.SCALES:
            runs = e.runs_at(scale)
            if runs:
                cfg = ex.run_config(e, runs[0], scale, 0)
                print(f"    {scale:5s}: {len(runs)} runs x {cfg.max_iters:,} iterations: {', '.join(r.name for r in runs)}")
            else:
                print(f"    {scale:5s}: no runs")


def _cmd_run(args) -> None:
    records = ex.run_experiment(args.experiment, args.scale, args.seeds, args.device, args.data, args.out,
                                progress=False if args.quiet else None, runs=args.runs,
                                overrides=dict(ex.parse_overrides(args.overrides)))
    if records:
        print()
        print(ex.report(args.experiment, records))


def _cmd_report(args) -> None:
    from .results import load_records

    ex.get_experiment(args.experiment)
    print(ex.report(args.experiment, load_records(args.experiment, args.out, args.scale)))


def _cmd_data(args) -> None:
    from .data import load_cifar10

    d = load_cifar10(args.data)
    print(f"CIFAR-10 in {d.folder}: {len(d.y_train):,} train and {len(d.y_test):,} test images, all files readable")
    print(f"data fingerprint {d.fingerprint}")
    if d.jpeg_copy:
        print("note: this is the JPEG-derived developer copy (exact labels and split, lossy pixels): fine for "
              "tests and quick runs, not for accuracy claims")


def main(argv=None) -> int:
    from .data import DataError
    from .results import RecordError

    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # --help (0) or a usage error (2), already printed by argparse
        return int(e.code or 0)
    try:
        {"list": _cmd_list, "run": _cmd_run, "report": _cmd_report, "data": _cmd_data}[args.command](args)
    except (ValueError, DataError, RecordError) as e:  # user errors: one clear line, exit 2
        print(f"python -m resnet_book: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; finished runs are saved, the current run resumes from its last checkpoint", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
