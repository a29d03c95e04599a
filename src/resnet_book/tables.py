"""The one way this package writes a table: rows of cells as Markdown (pages glue it, the CLI prints it)."""

from __future__ import annotations

from typing import Iterable, Sequence


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]], align: str | None = None) -> str:
    """A GitHub/MyST Markdown table. ``align``: one letter per column, ``l`` or ``r`` (default: all ``l``).

    >>> print(markdown_table(["net", "params"], [["ResNet-20", "0.27M"]], align="lr"))
    | net | params |
    |---|---:|
    | ResNet-20 | 0.27M |
    """
    align = align or "l" * len(headers)
    if len(align) != len(headers):
        raise ValueError(f"align has {len(align)} letters for {len(headers)} columns")
    rule = {"l": "---", "r": "---:", "c": ":---:"}
    lines = ["| " + " | ".join(map(str, headers)) + " |", "|" + "|".join(rule[a] for a in align) + "|"]
    for row in rows:
        row = list(row)
        if len(row) != len(headers):
            raise ValueError(f"a row has {len(row)} cells for {len(headers)} columns: {row!r}")
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)


def duration(seconds: float) -> str:
    """A run's length for people: minutes up to 1.5 hours, then hours (``25 min``, ``2.6 h``)."""
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{seconds / 60:.0f} min"
