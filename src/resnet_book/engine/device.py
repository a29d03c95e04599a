"""Where and how a run computes: the device, bf16 or fp32, compiled or eager, how many CPU threads.

These are resolved from the hardware, never from the scale. bf16 autocast and ``torch.compile``
are speed options, departures from the paper (fp32 on Caffe) recorded in every run's provenance.
"""

from __future__ import annotations

import torch

from ..errors import ConfigError


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``auto`` -> CUDA when present, else the CPU; ``cuda`` -> ``cuda:0``; ``cuda:N`` is checked."""
    name = str(device).strip().lower()
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        dev = torch.device(name)
    except RuntimeError:
        raise ConfigError(f"unknown device {device!r}; use auto, cpu, cuda or cuda:N") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"--device {device} was asked for, but CUDA is not available on this machine")
        n = torch.cuda.device_count()
        if (dev.index or 0) >= n:
            raise ConfigError(f"--device {device}: this machine has {n} CUDA device(s), cuda:0..cuda:{n - 1}")
        return torch.device("cuda", dev.index or 0)
    if dev.type != "cpu":
        raise ConfigError(f"unsupported device {device!r}; use auto, cpu, cuda or cuda:N")
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


def resolve_dtype(cfg, device: torch.device) -> str:
    """``"bf16"`` (autocast) or ``"fp32"``: what ``cfg.amp`` means on ``device``."""
    if cfg.amp == "auto":
        return "bf16" if native_bf16(device) else "fp32"
    return "bf16" if cfg.amp else "fp32"


# torch.compile pays back its compile time only where it makes a step faster. On a 2-core CPU
# (benchmarks/README.md) it barely does: oneDNN's convolutions are ~70% of a bf16 step and inductor
# calls the same kernels; it fuses only BN/ReLU/add (1.1-1.3x at one thread, slower at two) after
# minutes of compiling -- so "auto" never compiles on a CPU. On a GPU it fuses BN/ReLU/add around
# cuDNN's convolutions; it is used there for runs long enough to repay a compile of a few minutes
# (not measured here: no GPU was available).
COMPILE_MIN_IMAGES = 500_000


def resolve_compile(cfg, device: torch.device) -> bool:
    """Whether this run is compiled: ``cfg.compile``; ``"auto"`` = a GPU run of >= COMPILE_MIN_IMAGES images."""
    if cfg.compile != "auto":
        return bool(cfg.compile)
    return device.type == "cuda" and cfg.max_iters * cfg.batch_size >= COMPILE_MIN_IMAGES


def cpu_threads(device: torch.device) -> int | None:
    """The intra-op thread count a run on ``device`` computes with (None on a GPU, where it does not matter)."""
    return torch.get_num_threads() if device.type == "cpu" else None
