"""The line under a figure that says where its numbers come from: this book's runs (scale, seeds,
device, every commit that trained them, data) or the paper."""

from __future__ import annotations

from ..experiments.records import commits_of


def provenance(records: list[dict]) -> str:
    """One line naming where the numbers of a figure/table come from (for captions)."""
    if not records:
        return ""
    scales = sorted({r["scale"] for r in records})
    seeds = sorted({r["seed"] for r in records})
    devices = sorted({r["provenance"]["device"] for r in records})
    commits = sorted({c[:10] for r in records for c in commits_of(r)})
    fps = sorted({r["provenance"]["data_fingerprint"][:12] for r in records})
    jpeg = any(r["provenance"].get("data_note") for r in records)
    return (f"Runs of this book: scale {', '.join(scales)}, seeds {', '.join(map(str, seeds))}, "
            f"device {'; '.join(devices)}, commit {', '.join(commits)}, data {', '.join(fps)}"
            + (" (JPEG-derived developer copy of CIFAR-10)" if jpeg else "") + ".")


def stamp(fig, records: list[dict] | None = None, text: str | None = None):
    """Write the provenance line under a matplotlib figure (runs) or a source line (the paper)."""
    line = text if text is not None else provenance(records or [])
    fig.text(0.01, -0.02, line, fontsize=7, color="0.35", ha="left", va="top", wrap=True)
    return fig
