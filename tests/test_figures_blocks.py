"""Chapter 3's block diagrams (``resnet_book.figures.draw_block`` / ``draw_network``) and the shape
helpers behind its tables (``resnet_book.pages.shapes_through`` / ``stage_sizes``): drawn and read
from the models' own modules, so they follow the code."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from resnet_book import reference  # noqa: E402
from resnet_book.book import figures
from resnet_book.book import pages
from resnet_book.models import BasicBlock, Bottleneck, get_model, make_shortcut  # noqa: E402


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_module_labels_name_kernel_width_and_stride():
    assert figures.module_label("conv1", torch.nn.Conv2d(16, 32, 3, stride=2)) == "conv1\n3×3, 32, /2"
    assert figures.module_label("conv2", torch.nn.Conv2d(32, 32, 3)) == "conv2\n3×3, 32"
    assert figures.module_label("downsample", make_shortcut("A", 16, 32, 2)) == "downsample\nzero-pad 16→32, /2"
    assert figures.module_label("downsample", make_shortcut("B", 16, 32, 2)) == "downsample\n1×1 conv+BN, 32, /2"
    assert figures.module_label("relu", torch.nn.ReLU()) == "relu"


@pytest.mark.parametrize("option", [None, "A", "B"])
def test_draw_block_puts_every_child_in_one_box_on_its_side(option):
    block = BasicBlock(16, 16) if option is None else BasicBlock(16, 32, 2, make_shortcut(option, 16, 32, 2))
    ax = figures.draw_block(plt.figure().gca(), block, "t")
    names = [n for n, _ in block.named_children()]
    boxes = [p for p in ax.patches if type(p).__name__ == "FancyBboxPatch"]
    assert len(boxes) == len(names) - 1  # every child but relu_out, which is drawn as a labelled "+" -> ReLU
    labels = _texts(ax)
    for name, m in block.named_children():
        assert any(t.split("\n")[0] == name for t in labels), name
    # shortcut column (x > 0.6) holds exactly the shortcut modules; dashed when it changes the shape
    right = [p for p in boxes if p.get_x() > 0.6]
    assert len(right) == (2 if option else 1)
    assert [p.get_linestyle() for p in right].count("--") == (1 if option else 0)
    assert ax.get_title() == "t" and not ax.axison


def test_draw_network_has_a_box_and_a_shortcut_arc_per_block():
    model = get_model("resnet20")
    ax = figures.draw_network(plt.figure().gca(), model, "ResNet-20")
    blocks = figures.block_list(model)
    assert [(s, j, c, hw) for s, j, _, c, hw in blocks] == [
        (s, j, c, hw) for s, (c, hw) in enumerate([(16, 32), (32, 16), (64, 8)], 1) for j in range(3)]
    arcs = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arcs) == 9 and sum(p.get_linestyle() == "--" for p in arcs) == 2  # two stage transitions
    boxes = [p for p in ax.patches if type(p).__name__ == "FancyBboxPatch"]
    assert len(boxes) == 9 + 2  # the stem and the pooling/FC box
    assert not model._forward_hooks and all(not b._forward_hooks for _, _, b, _, _ in blocks)  # hooks removed


def test_shapes_through_follows_the_block_in_order():
    block = Bottleneck(256, 64)
    seen = pages.shapes_through(block, torch.randn(1, 256, 8, 8))
    assert [n for n, _, _ in seen] == [n for n, _ in block.named_children()]  # defined in the order they run
    assert [t for _, t, _ in seen][:3] == ["Conv2d", "BatchNorm2d", "ReLU"]
    assert dict((n, s) for n, _, s in seen)["conv2"] == (1, 64, 8, 8)
    assert seen[-1][2] == (1, 256, 8, 8)


@pytest.mark.parametrize("depth", [18, 50])
def test_stage_sizes_are_table_1s(depth):
    model = get_model(f"resnet{depth}")
    assert pages.stage_sizes(model) == reference.TABLE1["stage_output"]
    assert not any(m._forward_hooks for m in model.modules())
