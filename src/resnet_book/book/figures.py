"""Figures the chapters draw: of trained networks (top-k grids, confusion matrices, lesion curves)
and diagrams drawn from data (the course's concept map and the reading guide's map of the paper).

Each function draws into matplotlib axes (or returns a new figure) and returns them; sentences
and captions stay in the chapters. matplotlib is imported when a function is called.

The diagrams take plain lists of dicts (written in the page that shows them) and draw with matplotlib
only, so that the picture cannot drift from its data and needs no graph-layout package:

>>> nodes = [{"id": "a", "label": "problem", "layer": 0}, {"id": "b", "label": "idea", "layer": 1}]
>>> edges = [{"from": "a", "to": "b", "label": "motivates"}]
>>> import matplotlib.pyplot as plt
>>> pos = concept_map(plt.figure().gca(), nodes, edges)   # doctest: +SKIP

The layout is layered: a node's ``layer`` is its row (0 at the top); inside a row the nodes are
ordered to follow their parents (the barycentre heuristic of layered graph drawing), so that few
arrows cross.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..engine.data import CLASSES

# box colours, by group in order of first appearance (colour-blind-friendly pastel palette)
PALETTE = ["#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#fb9a99", "#ffff99", "#d9d9d9", "#8dd3c7", "#bebada"]


ARC_HEIGHT = 0.3  # how far above its row an arrow between two nodes of the same row rises (data units)


class DiagramError(ValueError):
    """The nodes/edges given to a diagram are inconsistent (unknown id, duplicate id, missing key)."""


@dataclass(frozen=True)
class Box:
    """A node's box in data coordinates: centre (x, y) and half-sizes (w, h)."""

    x: float
    y: float
    w: float
    h: float

    def border_towards(self, x: float, y: float) -> tuple[float, float]:
        """The point where the segment from the centre towards (x, y) leaves the box."""
        dx, dy = x - self.x, y - self.y
        ts = [t for t in ((self.w / abs(dx)) if dx else None, (self.h / abs(dy)) if dy else None) if t is not None]
        t = min(ts + [1.0]) if ts else 0.0
        return self.x + t * dx, self.y + t * dy


def _check_nodes(nodes: list[dict], required: tuple[str, ...]) -> dict[str, dict]:
    by_id: dict[str, dict] = {}
    for i, n in enumerate(nodes):
        missing = [k for k in required if k not in n]
        if missing:
            raise DiagramError(f"node {i + 1} ({n.get('id', '?')!r}) lacks {', '.join(missing)}")
        if n["id"] in by_id:
            raise DiagramError(f"duplicate node id {n['id']!r}")
        by_id[n["id"]] = n
    return by_id


def layered_layout(nodes: list[dict], edges: list[dict], row_gap: float = 1.0) -> dict[str, tuple[float, float]]:
    """Centre of every node: row ``-layer * row_gap``; columns 0, 1, ... centred on the widest row.

    Inside a row, each node goes to the mean column of its parents (nodes of earlier rows with an
    edge to it, in either direction), one sweep from the top row down; a node without parents keeps
    its place in the list (centred rows). Nodes are then pushed apart to unit spacing, the row
    shifted back towards where its nodes wanted to be and kept inside the widest row.
    """
    by_id = _check_nodes(nodes, ("id", "label", "layer"))
    for e in edges:
        for end in ("from", "to"):
            if e.get(end) not in by_id:
                raise DiagramError(f"edge {e.get('from')!r} -> {e.get('to')!r}: unknown node {e.get(end)!r}")
    rows: dict[int, list[str]] = {}
    for n in nodes:
        rows.setdefault(int(n["layer"]), []).append(n["id"])
    width = max(len(r) for r in rows.values())
    col: dict[str, float] = {}
    for layer in sorted(rows):
        ids = rows[layer]

        def bary(i: int, nid: str) -> tuple[float, int]:
            parents = [col[o] for e in edges for a, o in ((e["to"], e["from"]), (e["from"], e["to"]))
                       if a == nid and o in col and int(by_id[o]["layer"]) < layer]
            return (sum(parents) / len(parents) if parents else i + (width - len(ids)) / 2, i)

        ranked = sorted((bary(i, nid), nid) for i, nid in enumerate(ids))
        # each node as close to its parents as the unit spacing allows, the row kept inside [0, width - 1]
        want = [b for (b, _), _ in ranked]
        xs = []
        for w in want:
            xs.append(w if not xs else max(w, xs[-1] + 1))
        shift = sum(want) / len(want) - sum(xs) / len(xs)
        shift = min(max(shift, -xs[0]), width - 1 - xs[-1])
        for (_, nid), x in zip(ranked, xs):
            col[nid] = x + shift
    return {nid: (col[nid] + 0.5, -int(by_id[nid]["layer"]) * row_gap) for nid in col}


def _groups(items: list[dict], key: str = "group") -> dict[str, str]:
    out: dict[str, str] = {}
    for it in items:
        g = it.get(key)
        if g is not None and g not in out:
            out[g] = PALETTE[len(out) % len(PALETTE)]
    return out


def concept_map(ax, nodes: list[dict], edges: list[dict], colors: dict[str, str] | None = None,
                box_size: tuple[float, float] = (0.86, 0.5), row_gap: float = 1.25, fontsize: float = 7.5,
                legend: bool = True) -> dict[str, Box]:
    """Draw a concept map on ``ax``; return each node's :class:`Box`.

    ``nodes``: dicts with ``id``, ``label`` (may contain newlines), ``layer`` (row, 0 at the top)
    and optionally ``group`` (colour and legend entry, e.g. the chapter that teaches it).
    ``edges``: dicts with ``from``, ``to`` and optionally ``label`` (written on the arrow) and
    ``style`` (``"dashed"`` for a weaker or later link).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path

    centres = layered_layout(nodes, edges, row_gap)
    colors = colors or _groups(nodes)
    w, h = box_size[0] / 2, box_size[1] / 2
    boxes = {nid: Box(x, y, w, h) for nid, (x, y) in centres.items()}
    for n in nodes:
        b = boxes[n["id"]]
        ax.add_patch(FancyBboxPatch((b.x - w, b.y - h), 2 * w, 2 * h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    fc=colors.get(n.get("group"), "white"), ec="0.35", lw=0.8, zorder=3))
        ax.text(b.x, b.y, n["label"], ha="center", va="center", fontsize=fontsize, zorder=4)
    for e in edges:
        a, b = boxes[e["from"]], boxes[e["to"]]
        same_row = abs(a.y - b.y) < 1e-9
        style = dict(arrowstyle="-|>", mutation_scale=9, lw=0.9, color="0.3", zorder=2,
                     linestyle="--" if e.get("style") == "dashed" else "-")
        if same_row:  # along the row: from top edge to top edge, over the boxes in between (a curve in data units)
            start, end = (a.x, a.y + h), (b.x, b.y + h)
            ctrl = ((a.x + b.x) / 2, a.y + h + 2 * ARC_HEIGHT)
            ax.add_patch(FancyArrowPatch(path=Path([start, ctrl, end], [Path.MOVETO, Path.CURVE3, Path.CURVE3]), **style))
            mx, my = (start[0] + end[0]) / 2, a.y + h + ARC_HEIGHT  # the top of the curve
        else:
            start, end = a.border_towards(b.x, b.y), b.border_towards(a.x, a.y)
            ax.add_patch(FancyArrowPatch(start, end, **style))
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        if e.get("label"):
            ax.text(mx, my, e["label"], ha="center", va="center", fontsize=fontsize - 1.5, style="italic",
                    color="0.2", zorder=5, bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))
    xs = [b.x for b in boxes.values()]
    ys = [b.y for b in boxes.values()]
    top = ARC_HEIGHT if any(abs(boxes[e["to"]].y - boxes[e["from"]].y) < 1e-9 for e in edges) else 0.0
    ax.set(xlim=(min(xs) - w - 0.1, max(xs) + w + 0.1), ylim=(min(ys) - h - 0.15, max(ys) + h + top + 0.2))
    ax.axis("off")
    if legend and colors:
        handles = [Line2D([], [], marker="s", ls="", ms=8, mfc=c, mec="0.35", label=g) for g, c in colors.items()]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(len(handles), 5),
                  fontsize=fontsize, frameon=False)
    return boxes


def paper_map(ax, elements: list[dict], sections: list[str], passes: dict[int, str], roles: dict[str, str],
              fontsize: float = 7.0) -> dict[str, Box]:
    """The parts of a paper in reading order (x, grouped by section) against the pass that reads them (y).

    ``elements``: dicts with ``name`` (e.g. "Fig. 1"), ``section`` (one of ``sections``, in the
    paper's order), ``pass`` (a key of ``passes``: 1 = first pass, at the top) and ``role`` (a key
    of ``roles``, which maps each role to its colour). Returns each element's :class:`Box`.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch

    for i, el in enumerate(elements):
        missing = [k for k in ("name", "section", "pass", "role") if k not in el]
        if missing:
            raise DiagramError(f"element {i + 1} ({el.get('name', '?')!r}) lacks {', '.join(missing)}")
        if el["section"] not in sections:
            raise DiagramError(f"{el['name']!r}: unknown section {el['section']!r}")
        if el["pass"] not in passes or el["role"] not in roles:
            raise DiagramError(f"{el['name']!r}: unknown pass {el['pass']!r} or role {el['role']!r}")
    ordered = sorted(elements, key=lambda el: sections.index(el["section"]))  # stable: keeps the order inside a section
    boxes: dict[str, Box] = {}
    w, h = 0.46, 0.32
    x = 0.0
    for s in sections:
        members = [el for el in ordered if el["section"] == s]
        if not members:
            continue
        left = x
        for el in members:
            b = Box(x + 0.5, -float(el["pass"]), w, h)
            boxes[el["name"]] = b
            ax.add_patch(FancyBboxPatch((b.x - w, b.y - h), 2 * w, 2 * h, boxstyle="round,pad=0.02,rounding_size=0.06",
                                        fc=roles[el["role"]], ec="0.35", lw=0.8, zorder=3))
            label = el["name"].replace(" ", "\n", 1) if len(el["name"]) > 7 else el["name"]  # "Tables\n7–8"
            ax.text(b.x, b.y, label, ha="center", va="center", fontsize=fontsize, zorder=4, linespacing=1.0)
            x += 1.0
        ax.text((left + x) / 2, -0.35, s, ha="center", va="bottom", fontsize=fontsize, rotation=0, color="0.25")
        ax.axvline(x, color="0.85", lw=0.8, zorder=1)
    for p, name in passes.items():
        ax.text(-0.15, -p, name, ha="right", va="center", fontsize=fontsize + 0.5, fontweight="bold")
        ax.axhline(-p, color="0.92", lw=6, zorder=0)
    ax.set(xlim=(-2.6, x + 0.1), ylim=(-max(passes) - 0.6, 0.1))
    ax.axis("off")
    handles = [Line2D([], [], marker="s", ls="", ms=8, mfc=c, mec="0.35", label=r) for r, c in roles.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(handles), fontsize=fontsize,
              frameon=False)
    return boxes




def plot_topk_grid(images: np.ndarray, labels: Sequence[int], classes: np.ndarray, probs: np.ndarray,
                   names: Sequence[str] = CLASSES, ncols: int = 4, fig=None):
    """A grid of images (uint8 NHWC), each with its true class and the top-k classes and probabilities.

    ``classes``/``probs``: (N, k) as returned by ``analysis.top_k`` or ``Evaluation.top_k``. The
    top-1 line is green when it is the true class, red otherwise.
    """
    import matplotlib.pyplot as plt

    n, k = classes.shape
    nrows = -(-n // ncols)
    fig = fig or plt.figure(figsize=(2.4 * ncols, 2.4 * nrows + 0.35 * k * nrows))
    for i in range(n):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        ax.imshow(images[i], interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ok = classes[i, 0] == labels[i]
        ax.set_title(f"true: {names[labels[i]]}", fontsize=9)
        lines = [f"{names[c]} {_pct(p)}" for c, p in zip(classes[i], probs[i])]
        ax.set_xlabel("\n".join(lines), fontsize=8, color="tab:green" if ok else "tab:red", loc="left")
    fig.tight_layout()
    return fig


def _pct(p: float) -> str:
    return "<1%" if p < 0.005 else (">99%" if 0.995 <= p < 1 else f"{p:.0%}")


def plot_confusion_matrix(ax, cm: np.ndarray, names: Sequence[str] = CLASSES, normalize: bool = True):
    """The confusion matrix as an image (rows: true class, columns: predicted); off-diagonal counts printed.

    ``normalize``: colour by the fraction of each true class (rows sum to 1), so classes with
    different counts compare.
    """
    cm = np.asarray(cm)
    shown = cm / np.maximum(cm.sum(1, keepdims=True), 1) if normalize else cm
    im = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    for i in range(len(cm)):
        for j in range(len(cm)):
            if cm[i, j]:
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if shown[i, j] > 0.5 else "black")
    return im


def plot_lesion(ax, lesions: Mapping[str, object], colors: Sequence[str] | None = None):
    """Error after deleting each block in turn (one line per network), intact error dashed.

    ``lesions``: label -> ``analysis.Lesion``. Downsampling blocks (which change the shape) are
    marked with open circles: deleting them also removes a change of resolution.
    """
    colors = colors or ["tab:blue", "tab:red", "tab:green", "tab:purple"]
    for (label, les), color in zip(lesions.items(), colors):
        x = np.arange(1, len(les.errors) + 1)
        ax.plot(x, les.errors, "-o", color=color, ms=4, label=f"{label}: one block deleted")
        if les.changes_shape.any():
            ax.plot(x[les.changes_shape], les.errors[les.changes_shape], "o", ms=8, mfc="none", color=color)
        ax.axhline(les.base_error, ls="--", lw=1, color=color, label=f"{label}: intact ({les.base_error:.1f}%)")
    ax.set_xlabel("deleted block (forward order)")
    ax.set_ylabel("test error (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8)
    return ax


# --- block diagrams, drawn from a network's own modules (Chapter 3) ---------------------------------------
# A diagram is read off ``named_children()`` in the order the modules run, so it cannot drift from the code.

BLOCK_STYLE = {  # box colours by module type
    "Conv2d": "#9ecae1", "BatchNorm2d": "#fdd0a2", "ReLU": "#c7e9c0", "Identity": "#f0f0f0",
    "ZeroPadShortcut": "#dadaeb", "Sequential": "#dadaeb",
}
STAGE_COLORS = {1: "#c6dbef", 2: "#9ecae1", 3: "#6baed6"}  # the three stages of a CIFAR ResNet


def module_label(name: str, m) -> str:
    """The text in a module's box: its name, then kernel, width and stride where it has them."""
    from torch import nn

    if isinstance(m, nn.Conv2d):
        k = m.kernel_size[0]
        return f"{name}\n{k}×{k}, {m.out_channels}" + (f", /{m.stride[0]}" if m.stride[0] > 1 else "")
    if isinstance(m, nn.Sequential):  # a projection shortcut: 1x1 conv + BN
        conv = m[0]
        return f"{name}\n1×1 conv+BN, {conv.out_channels}" + (f", /{conv.stride[0]}" if conv.stride[0] > 1 else "")
    if type(m).__name__ == "ZeroPadShortcut":
        return f"{name}\nzero-pad {m.in_planes}→{m.out_planes}" + (f", /{m.stride}" if m.stride > 1 else "")
    return name


def draw_block(ax, block, title: str):
    """Residual branch (left column) and shortcut (right column) of a block, from its modules.

    Every child except ``downsample``, ``shortcut`` and ``relu_out`` is on the residual branch, in
    the order ``named_children()`` lists it; the shortcut column holds ``downsample`` (when the
    block has one, dashed) and the parameter-free ``shortcut`` tap. Both columns meet at the "+".
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    children = dict(block.named_children())
    branch = [n for n in children if n not in ("downsample", "shortcut", "relu_out")]
    short = (["downsample"] if children.get("downsample") is not None else []) + ["shortcut"]
    n = len(branch)

    def y(i):
        return n + 1 - i

    for i, name in enumerate(branch):
        m = children[name]
        ax.add_patch(FancyBboxPatch((0.05, y(i) - 0.35), 0.5, 0.7, boxstyle="round,pad=0.02",
                                    fc=BLOCK_STYLE.get(type(m).__name__, "white"), ec="0.3"))
        ax.text(0.3, y(i), module_label(name, m), ha="center", va="center", fontsize=7.5)
        if i:
            ax.annotate("", (0.3, y(i) + 0.37), (0.3, y(i - 1) - 0.37), arrowprops=dict(arrowstyle="->", color="0.3"))
    for j, name in enumerate(short):
        m = children[name]
        yy = y(n - len(short) + j)
        ax.add_patch(FancyBboxPatch((0.7, yy - 0.35), 0.45, 0.7, boxstyle="round,pad=0.02",
                                    fc=BLOCK_STYLE.get(type(m).__name__, "white"), ec="0.3",
                                    ls="--" if name == "downsample" else "-"))
        ax.text(0.925, yy, module_label(name, m), ha="center", va="center", fontsize=7.5)
    # input, the addition and the output ReLU
    ax.text(0.6, n + 1.9, "x", ha="center", fontsize=11)
    ax.annotate("", (0.3, y(0) + 0.37), (0.58, n + 1.8), arrowprops=dict(arrowstyle="->", color="0.3"))
    ax.add_patch(FancyArrowPatch((0.62, n + 1.8), (0.925, y(n - len(short)) + 0.37), arrowstyle="->",
                                 mutation_scale=10, color="C3", lw=1.5))
    add_y = y(n) + 0.1
    ax.text(0.6, add_y, "+", ha="center", va="center", fontsize=13, color="C3",
            bbox=dict(boxstyle="circle,pad=0.15", fc="white", ec="C3", lw=1.5))
    ax.annotate("", (0.45, add_y + 0.1), (0.3, y(n - 1) - 0.37), arrowprops=dict(arrowstyle="->", color="0.3"))
    ax.annotate("", (0.75, add_y + 0.1), (0.925, y(n - 1) - 0.37), arrowprops=dict(arrowstyle="->", color="C3"))
    ax.text(0.6, add_y - 0.75, "relu_out", ha="center", va="center", fontsize=8,
            bbox=dict(boxstyle="round", fc=BLOCK_STYLE["ReLU"], ec="0.3"))
    ax.annotate("", (0.6, add_y - 0.55), (0.6, add_y - 0.2), arrowprops=dict(arrowstyle="->", color="0.3"))
    ax.text(0.3, -0.35, "residual branch  F(x)", ha="center", fontsize=8, color="0.3")
    ax.text(0.925, -0.35, "shortcut", ha="center", fontsize=8, color="C3")
    ax.set(xlim=(0, 1.2), ylim=(-0.6, n + 2.2), title=title)
    ax.axis("off")
    return ax


def block_list(model) -> list[tuple]:
    """(stage, index, block, out channels, out map size) for each block of a CIFAR ResNet, in order
    (the sizes from forward hooks on one 32×32 input)."""
    import torch

    stages = (model.layer1, model.layer2, model.layer3)
    size = {}
    hooks = [b.register_forward_hook(lambda m, i, o, key=id(b): size.__setitem__(key, tuple(o.shape[1:])))
             for layer in stages for b in layer]
    try:
        with torch.no_grad():
            model(torch.zeros(1, 3, 32, 32))
    finally:
        for h in hooks:
            h.remove()
    return [(s, j, b, *size[id(b)][:2]) for s, layer in enumerate(stages, 1) for j, b in enumerate(layer)]


def draw_network(ax, model, title: str):
    """A CIFAR ResNet as a row of boxes: stem, one box per block (stage.block, channels, map size),
    pooling + FC; a red arc per shortcut, dashed where the block changes the shape."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    blocks = block_list(model)
    xs = np.arange(len(blocks)) + 1
    ax.add_patch(FancyBboxPatch((-0.35, -0.3), 0.7, 0.6, boxstyle="round,pad=0.02", fc="#fdd0a2", ec="0.3"))
    ax.text(0, 0, f"conv1\n3×3, {model.conv1.out_channels}", ha="center", va="center", fontsize=7)
    for x, (s, j, b, c, hw) in zip(xs, blocks):
        ax.add_patch(FancyBboxPatch((x - 0.35, -0.3), 0.7, 0.6, boxstyle="round,pad=0.02", fc=STAGE_COLORS[s], ec="0.3"))
        ax.text(x, 0, f"{s}.{j}\n{c}ch\n{hw}²", ha="center", va="center", fontsize=6.5)
        changes = b.downsample is not None
        ax.add_patch(FancyArrowPatch((x - 0.5, 0.32), (x + 0.45, 0.32), connectionstyle="arc3,rad=-0.6",
                                     arrowstyle="->", mutation_scale=8, color="C3", ls="--" if changes else "-"))
    end = len(blocks) + 1
    ax.add_patch(FancyBboxPatch((end - 0.35, -0.3), 0.7, 0.6, boxstyle="round,pad=0.02", fc="#c7e9c0", ec="0.3"))
    ax.text(end, 0, f"avgpool\nfc {model.fc.out_features}", ha="center", va="center", fontsize=7)
    ax.set(xlim=(-0.6, end + 0.6), ylim=(-0.6, 0.9), title=title)
    ax.axis("off")
    return ax
