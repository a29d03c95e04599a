"""The image a link to the site shows when it is shared (Open Graph ``og:image``): 1200×630 pixels.

Drawn at staging (``booktools.site.stage`` writes it to the staged ``_static/preview.png``; the
``ogp_image`` of ``_config.yml`` names it): the book's title beside the paper's building block, its
Fig. 2 -- two weight layers, the identity shortcut around them and the sum F(x) + x.
"""

from __future__ import annotations

from pathlib import Path

SIZE = (1200, 630)  # what chat and social sites show in full (1.91:1)
INK, PAPER, ACCENT, LAYER = "#1b2a3a", "#fbfaf7", "#c2410c", "#e8eef5"


def draw_preview(path: Path, title: str = "Deep Residual Learning,\nexecutable",
                 subtitle: str = "The ResNet paper (He et al., 2015)\nchapter by chapter, with code that runs") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Circle

    dpi = 100
    fig = plt.figure(figsize=(SIZE[0] / dpi, SIZE[1] / dpi), dpi=dpi, facecolor=PAPER)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, SIZE[0])
    ax.set_ylim(0, SIZE[1])
    ax.axis("off")
    ax.text(64, 430, title, fontsize=36, fontweight="bold", color=INK, va="center", linespacing=1.15)
    ax.text(64, 235, subtitle, fontsize=21, color=INK, va="center", linespacing=1.4)
    ax.plot([66, 600], [320, 320], color=ACCENT, lw=4, solid_capstyle="round")

    # Fig. 2 of the paper: x -> weight layer -> relu -> weight layer -> (+) <- x, then relu
    cx, w, h = 935, 210, 60
    arrow = dict(arrowstyle="-|>", mutation_scale=22, color=INK, lw=2.5)

    def layer(y, label):
        ax.add_patch(FancyBboxPatch((cx - w / 2, y - h / 2), w, h, boxstyle="round,pad=4,rounding_size=10",
                                    facecolor=LAYER, edgecolor=INK, lw=2.5))
        ax.text(cx, y, label, fontsize=21, color=INK, ha="center", va="center")

    ax.text(cx, 582, "x", fontsize=26, style="italic", color=INK, ha="center", va="center")
    ax.add_patch(FancyArrowPatch((cx, 562), (cx, 478), **arrow))
    layer(440, "weight layer")
    ax.add_patch(FancyArrowPatch((cx, 402), (cx, 338), **arrow))
    ax.text(cx + 14, 370, "relu", fontsize=19, color=INK, va="center")
    layer(300, "weight layer")
    ax.add_patch(FancyArrowPatch((cx, 262), (cx, 186), **arrow))
    ax.text(cx - 75, 222, r"$\mathcal{F}(x)$", fontsize=24, color=INK, ha="center", va="center")
    ax.add_patch(Circle((cx, 164), 22, facecolor=PAPER, edgecolor=INK, lw=2.5))
    ax.text(cx, 164, "+", fontsize=28, color=INK, ha="center", va="center")
    # the identity shortcut, drawn in the accent colour: the paper's point
    ax.add_patch(FancyArrowPatch((cx + 8, 540), (cx + 22, 164), connectionstyle="arc3,rad=-0.6",
                                 arrowstyle="-|>", mutation_scale=22, color=ACCENT, lw=3.5))
    ax.text(cx + 140, 352, "x\nidentity", fontsize=21, color=ACCENT, ha="left", va="center", style="italic")
    ax.add_patch(FancyArrowPatch((cx, 142), (cx, 78), **arrow))
    ax.text(cx + 14, 112, "relu", fontsize=19, color=INK, va="center")
    ax.text(cx, 52, r"$\mathcal{F}(x) + x$", fontsize=26, color=INK, ha="center", va="center")

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, facecolor=PAPER, metadata={"Software": None})  # no version: same bytes each build
    plt.close(fig)
    return path


if __name__ == "__main__":
    import sys

    print(draw_preview(Path(sys.argv[1] if len(sys.argv) > 1 else "preview.png")))
