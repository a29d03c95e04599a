"""How fast can this CPU train the paper's CIFAR ResNets? (the measurements behind ``--scale cpu``)

For ResNet-20/56/110 (batch 128, the engine's ``train_step``: forward, loss, backward, SGD step,
channels_last) it times, each in a fresh process:

* fp32 eager, bf16 autocast eager, fp32 + ``torch.compile``, bf16 + ``torch.compile``, with all
  the CPU threads in one process;
* the best of those as ``--jobs N`` would run it: N processes at once with 1/N of the threads
  each (aggregate img/s of the N);

and, in the same run, this machine's fp32 and bf16 matmul peak (4096^2 x 4096^2). Achieved
GFLOP/s counts 3x the forward multiply-adds per image (forward + two backward products), 2 FLOPs
each -- the FLOPs a direct convolution does.

    python benchmarks/cpu_scale.py                   # everything (about 30 minutes on 2 cores)
    python benchmarks/cpu_scale.py --models resnet56 --profile   # + where a step's time goes
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def matmul_peak(dtype: torch.dtype, n: int = 4096, reps: int = 5) -> float:
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(reps))
    return 2 * n**3 / best / 1e9


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def one(model_name: str, amp: bool, compile: bool, steps: int, profile: bool, device: str = "cpu") -> dict:
    """Time ``steps`` training steps in this process (after warm-up, and compiling if asked)."""
    from resnet_book.models import get_model
    from resnet_book.engine.train import train_step

    dev = torch.device(device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    torch.manual_seed(0)
    model = get_model(model_name).to(dev, memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    step_model = torch.compile(model) if compile else model
    x = torch.randn(128, 3, 32, 32, device=dev).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (128,), device=dev)
    t0 = time.perf_counter()
    for _ in range(3):  # warm-up: oneDNN/cuDNN primitives, the compile
        train_step(step_model, opt, x, y, amp)
    sync()
    warm = time.perf_counter() - t0
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        train_step(step_model, opt, x, y, amp)
        sync()
        times.append(time.perf_counter() - t)
    out = {"img_s": 128 / statistics.median(times), "warmup_s": warm, "threads": torch.get_num_threads()}
    if profile:
        from torch.profiler import ProfilerActivity
        from torch.profiler import profile as prof

        with prof(activities=[ProfilerActivity.CPU]) as p:
            for _ in range(3):
                train_step(step_model, opt, x, y, amp)
        groups: dict[str, float] = {}
        total = 0.0
        for e in p.key_averages():
            total += e.self_cpu_time_total
            key = next((g for g, names in PROFILE_GROUPS.items() if any(n in e.key for n in names)), "other")
            groups[key] = groups.get(key, 0.0) + e.self_cpu_time_total
        out["profile"] = {k: round(100 * v / total, 1) for k, v in sorted(groups.items(), key=lambda kv: -kv[1])}
    return out


PROFILE_GROUPS = {
    "convolution (fwd+bwd)": ("convolution", "conv2d", "mkldnn_conv", "Convolution"),
    "batch norm (fwd+bwd)": ("batch_norm", "BatchNorm"),
    "relu (fwd+bwd)": ("relu", "clamp_min", "threshold_backward"),
    "additions, copies, casts": ("aten::add", "aten::copy_", "aten::_to_copy", "aten::to", "aten::mul"),
    "optimizer step": ("SGD", "_foreach", "sgd"),
    "compiled kernels (fused BN/ReLU/add)": ("CompiledFunction", "Torch-Compiled", "cpp_fused", "graph_"),
}


def spawn(model_name: str, amp: bool, compile: bool, steps: int, threads: int, copies: int, profile: bool,
          device: str = "cpu") -> list[dict]:
    """Run ``copies`` fresh processes at once, each with ``threads`` threads; their results."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    cmd = [sys.executable, os.path.join(HERE, "cpu_scale.py"), "--one", model_name, "--steps", str(steps),
           "--threads", str(threads), "--device", device] + (["--amp"] if amp else []) \
        + (["--compile"] if compile else []) + (["--profile"] if profile else [])
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
             for _ in range(copies)]
    results = []
    for p in procs:
        out, _ = p.communicate()
        if p.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default="resnet20,resnet56,resnet110")
    p.add_argument("--steps", type=int, default=12, help="timed steps per measurement (median reported)")
    p.add_argument("--jobs", type=int, default=2, help="processes for the several-runs-at-once layout")
    p.add_argument("--profile", action="store_true", help="also break a step's time down by operator")
    p.add_argument("--json", default=None, help="also write the results here")
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)  # internal: one measurement
    p.add_argument("--amp", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--compile", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--device", default="cpu", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        if args.threads:
            torch.set_num_threads(args.threads)
        print(json.dumps(one(args.one, args.amp, args.compile, args.steps, args.profile, args.device)))
        return

    from resnet_book.analysis import count_flops
    from resnet_book.models import get_model
    from resnet_book.engine.device import native_bf16

    threads = torch.get_num_threads()
    peaks = {"fp32": matmul_peak(torch.float32), "bf16": matmul_peak(torch.bfloat16)}
    print(f"{threads} threads, torch {torch.__version__}, native bf16: {native_bf16(torch.device('cpu'))}; "
          f"matmul peak fp32 {peaks['fp32']:.0f} GFLOP/s, bf16 {peaks['bf16']:.0f} GFLOP/s", flush=True)
    rows = []
    for name in args.models.split(","):
        gflop_per_img = 6 * count_flops(get_model(name)) / 1e9
        for label, amp, comp, thr, copies in [
            ("fp32", False, False, threads, 1), ("bf16", True, False, threads, 1),
            ("fp32 + compile", False, True, threads, 1), ("bf16 + compile", True, True, threads, 1),
            (f"bf16 + compile, {args.jobs} runs x {max(1, threads // args.jobs)} thread", True, True,
             max(1, threads // args.jobs), args.jobs),
            (f"bf16, {args.jobs} runs x {max(1, threads // args.jobs)} thread", True, False,
             max(1, threads // args.jobs), args.jobs),
        ]:
            res = spawn(name, amp, comp, args.steps, thr, copies, args.profile and copies == 1)
            img_s = sum(r["img_s"] for r in res)
            gflops = img_s * gflop_per_img
            row = {"model": name, "variant": label, "img_s": img_s, "per_run_img_s": [r["img_s"] for r in res],
                   "gflops": gflops, "of_fp32_peak": gflops / peaks["fp32"], "of_bf16_peak": gflops / peaks["bf16"],
                   "warmup_s": max(r["warmup_s"] for r in res), "profile": res[0].get("profile")}
            rows.append(row)
            print(f"{name:10s} {label:36s} {img_s:6.0f} img/s  {gflops:6.1f} GFLOP/s = {100 * row['of_fp32_peak']:5.1f}% "
                  f"of fp32 peak, {100 * row['of_bf16_peak']:5.1f}% of bf16 peak  (warm-up/compile "
                  f"{row['warmup_s']:.0f} s)" + (f"\n           profile: {row['profile']}" if row["profile"] else ""),
                  flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": threads, "peaks": peaks, "torch": torch.__version__, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
