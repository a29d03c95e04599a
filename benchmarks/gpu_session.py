"""For the day a GPU is at hand: measure paper-scale training speed, then train what fits.

A prepared script for a short GPU session (a rented cloud GPU for half an hour, a shared
lab machine between other jobs):

1. img/s of ResNet-20/56/110 at batch 128 with bf16 autocast and channels_last: eager and
   ``torch.compile``, one process and several processes sharing the GPU (``--copies``);
2. with the time left (``--budget`` seconds in all), the paper-scale runs that fit, trained with
   the project's own CLI -- ``run EXP --scale paper --device cuda --jobs K`` (K runs at once on
   one GPU) -- so that their records land in ``--out`` with full provenance.

    python benchmarks/gpu_session.py --budget 480 --out "$OUT/results" --json "$OUT/gpu.json"

On a CPU (``--device cpu``) it exercises the same code paths with tiny sizes (``--smoke``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import cpu_scale  # the per-process timing of benchmarks/cpu_scale.py (same folder)

from resnet_book.reference import cifar_macs

# Paper-scale runs in the order worth training first (cheapest first, so that a short session
# lands whole records): Fig. 1 / Fig. 6's pairs, then Table 6's deeper ResNets.
QUEUE = [("fig6", "plain20,resnet20"), ("fig6", "plain32,resnet32"), ("fig6", "plain44,resnet44"),
         ("fig6", "plain56,resnet56"), ("table6", "resnet110")]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--budget", type=float, default=480, help="seconds for the whole session (measure + train)")
    p.add_argument("--device", default="cuda")
    p.add_argument("--copies", type=int, default=4, help="processes sharing the GPU in the several-runs layout")
    p.add_argument("--out", default=None, help="results folder for the trained records")
    p.add_argument("--json", default=None)
    p.add_argument("--smoke", action="store_true", help="tiny sizes (to check the script on a CPU)")
    args = p.parse_args()
    t0 = time.perf_counter()
    steps = 3 if args.smoke else 30
    rows = []
    for name in ("resnet20", "resnet56", "resnet110"):
        for label, comp, copies in (("bf16", False, 1), ("bf16 + compile", True, 1),
                                    (f"bf16, {args.copies} runs on one GPU", False, args.copies)):
            if args.smoke and comp:
                continue
            res = cpu_scale.spawn(name, True, comp, steps, 1, copies, False, args.device)
            row = {"model": name, "variant": label, "img_s": sum(r["img_s"] for r in res),
                   "warmup_s": max(r["warmup_s"] for r in res)}
            rows.append(row)
            print(f"{name:10s} {label:28s} {row['img_s']:8.0f} img/s (warm-up {row['warmup_s']:.0f} s)", flush=True)
    rate = {r["model"]: r["img_s"] for r in rows if "runs on one GPU" in r["variant"]}
    trained = []
    iters = 24 if args.smoke else 64_000
    for exp, runs in QUEUE:
        depths = [int("".join(c for c in r if c.isdigit())) for r in runs.split(",")]
        per_img = max(cifar_macs(d) for d in depths) / cifar_macs(56) / (rate.get("resnet56") or 1.0)
        need = iters * 128 * len(depths) * per_img * 1.15  # +15% for evaluation and start-up
        left = args.budget - (time.perf_counter() - t0)
        if need > left:
            print(f"{exp} {runs}: needs ~{need:.0f} s, {left:.0f} s left: stop here", flush=True)
            break
        cmd = [sys.executable, "-m", "resnet_book", "run", exp, "--scale", "paper", "--device", args.device,
               "--jobs", str(len(depths)), "--runs", runs, "--quiet"] + (["--out", args.out] if args.out else []) \
            + (["--set", "max_iters=24,milestones=12:18,eval_every=12,log_every=6,checkpoint_every=12,"
                         "train_subset=512,eval_subset=200"] if args.smoke else [])
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        trained.append([exp, runs])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "trained": trained, "seconds": time.perf_counter() - t0}, f, indent=1)


if __name__ == "__main__":
    main()
