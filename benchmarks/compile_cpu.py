"""Why is ``torch.compile`` slower than eager for bf16 training on this CPU? (issue: depth runs)

Measures, for ResNet-20 and ResNet-56 (batch 128, channels_last, bf16 autocast, the paper's SGD
step), the training step time of eager mode and of compiled variants, INTERLEAVED (eager, compiled,
eager, compiled, ...) in one process so that other load on the machine affects both alike; then
what the compiled graph contains (graph breaks, recompiles, which aten ops the profiler sees most
time in: convolution backward fallbacks, layout copies) and whether the numbers agree.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/compile_cpu.py --models resnet20 resnet56 --rounds 5

Writes a Markdown report to stdout (benchmarks/README.md keeps the finding).
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from resnet_book.engine.train import train_step
from resnet_book.models import get_model

VARIANTS = {
    "eager": None,
    "compile (default)": {},
    "compile (max-autotune-no-cudagraphs)": {"mode": "max-autotune-no-cudagraphs"},
}


def batch(n=128, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, 32, 32, generator=g).contiguous(memory_format=torch.channels_last)
    return x, torch.randint(0, 10, (n,), generator=g)


def make(name, options):
    torch.manual_seed(0)
    model = get_model(name).to(memory_format=torch.channels_last).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    step_model = model if options is None else torch.compile(model, **options)
    return model, step_model, opt


def steps_per_s(step_model, opt, x, y, n):
    t = time.perf_counter()
    for _ in range(n):
        train_step(step_model, opt, x, y, amp=True)
    return n / (time.perf_counter() - t)


def breaks(name):
    import torch._dynamo as dynamo

    model = get_model(name).to(memory_format=torch.channels_last).train()
    x, y = batch()

    def loss_fn(x, y):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = model(x)
        return F.cross_entropy(out.float(), y)

    e = dynamo.explain(loss_fn)(x, y)
    return e.graph_count, e.graph_break_count, [str(b.reason)[:80] for b in e.break_reasons[:3]]


def top_ops(step_model, opt, x, y, k=8):
    from torch.profiler import ProfilerActivity, profile

    for _ in range(2):
        train_step(step_model, opt, x, y, amp=True)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(3):
            train_step(step_model, opt, x, y, amp=True)
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)[:k]
    total = sum(e.self_cpu_time_total for e in prof.key_averages())
    return [(e.key, e.self_cpu_time_total / total) for e in rows]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", nargs="+", default=["resnet20", "resnet56"])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--variants", nargs="+", default=list(VARIANTS))
    args = p.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), bf16 autocast, channels_last, batch 128\n")
    x, y = batch()
    for name in args.models:
        built = {v: make(name, VARIANTS[v]) for v in args.variants}
        compile_s = {}
        for v, (_, sm, opt) in built.items():  # warm-up: the compile happens here
            t = time.perf_counter()
            for _ in range(2):
                train_step(sm, opt, x, y, amp=True)
            compile_s[v] = time.perf_counter() - t
        rates = {v: [] for v in built}
        for _ in range(args.rounds):  # interleaved: other load hits every variant alike
            for v, (_, sm, opt) in built.items():
                rates[v].append(steps_per_s(sm, opt, x, y, args.steps) * 128)
        eager = statistics.median(rates["eager"])
        print(f"### {name}\n\n| variant | img/s (median of {args.rounds}) | vs eager | first two steps (s) |\n|---|---:|---:|---:|")
        for v, r in rates.items():
            print(f"| {v} | {statistics.median(r):.0f} | {statistics.median(r) / eager:.2f}x | {compile_s[v]:.1f} |")
        # the same step, same weights: do the numbers agree?
        m0, s0, o0 = make(name, None)
        m1, s1, o1 = make(name, {})
        l0, _ = train_step(s0, o0, x, y, amp=True)
        l1, _ = train_step(s1, o1, x, y, amp=True)
        diff = max((a - b).abs().max().item() for a, b in zip(m0.parameters(), m1.parameters()))
        print(f"\nOne step from the same weights: loss eager {l0.item():.5f}, compiled {l1.item():.5f}; "
              f"largest weight difference after the step {diff:.2e}")
        g, nb, reasons = breaks(name)
        print(f"Dynamo: {g} graph(s), {nb} graph break(s) {reasons}")
        for v in ("eager", "compile (default)"):
            _, sm, opt = built[v]
            print(f"\nTop ops by self CPU time, {v}:")
            for key, share in top_ops(sm, opt, x, y):
                print(f"- {key}: {share:.0%}")
        print()


if __name__ == "__main__":
    main()
