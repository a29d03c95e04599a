"""Figures of trained networks that the chapters draw: top-k grids, confusion matrices, lesion curves.

Each function draws into matplotlib axes (or returns a new figure) and returns them; sentences
and captions stay in the chapters. matplotlib is imported when a function is called.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .data import CLASSES


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
