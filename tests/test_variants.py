"""Variants after the paper (chapter 6): exact sizes against their papers, every parameter trained, options."""

from __future__ import annotations

import os

import pytest
import torch
from torch import nn

from resnet_book import reference
from resnet_book.analysis import count_flops, count_params
from resnet_book.models import (
    PLACEMENTS,
    SHORTCUT_VARIANTS,
    VARIANT_MODELS,
    BasicBlock,
    Bottleneck,
    CifarResNet,
    DenseNetBC,
    PreActBasicBlock,
    PreActBottleneck,
    ResidualUnit,
    ResNeXtBottleneck,
    SEBasicBlock,
    StochasticDepth,
    add_stochastic_depth,
    cifar_resnext,
    display_name,
    get_model,
    list_models,
    preact_resnet,
    se_resnet,
    wide_resnet,
)
from resnet_book.models.variants import SqueezeExcitation, residual_blocks

# Exact counts (bias-free convolutions, affine BN, FC with bias). The papers print them rounded;
# each line names the published figure.
EXACT_PARAMS = {
    "preact_resnet20": 272_282,
    "preact_resnet56": 855_578,
    "preact_resnet110": 1_730_522,  # Identity Mappings, Table 4: "1.7M"
    "preact_resnet164": 1_703_258,  # Identity Mappings, Table 4: "1.7M"
    "preact_resnet1001": 10_327_706,  # Identity Mappings, Table 4: "10.2M" (= the count without BN, see below)
    "wrn16_2": 691_674,
    "wrn16_4": 2_748_890,  # WRN paper, Table 4: "2.7M"
    "wrn16_8": 10_961_370,  # WRN paper, Table 4: "11.0M"
    "wrn28_10": 36_479_194,  # WRN paper / official README: "36.5M"
    "wrn40_4": 8_949_210,  # WRN paper, Table 4: "8.9M"
    "resnext29_8x4d_narrow": 359_898,  # ours (quick runs), no published figure
    "resnext29_8x64d": 34_426_698,  # ResNeXt, Table 7: "34.4M"
    "resnext29_16x64d": 68_155_210,  # ResNeXt, Table 7: "68.1M" (= the count without BN, see below)
    "densenet_bc28_12": 102_730,
    "densenet_bc100_12": 769_162,  # DenseNet, Table 2 / official README: "0.8M"
    "se_resnet20": 272_095,
    "se_resnet56": 860_137,
    "se_resnet110": 1_742_200,
    "sd_resnet56": 853_018,  # stochastic depth adds no parameter: = ResNet-56
    "sd_resnet110": 1_727_962,  # = ResNet-110
}

# (model, published size in millions, source) -- the published rounding of the exact counts above.
PUBLISHED = [
    ("wrn28_10", reference.VARIANTS["WRN-28-10"]["params_m"]),
    ("wrn16_8", reference.VARIANTS["WRN-16-8"]["params_m"]),
    ("wrn40_4", reference.VARIANTS["WRN-40-4"]["params_m"]),
    ("resnext29_8x64d", reference.VARIANTS["ResNeXt-29 8x64d"]["params_m"]),
    ("densenet_bc100_12", reference.VARIANTS["DenseNet-BC L=100 k=12"]["params_m"]),
    ("preact_resnet164", reference.IDENTITY_MAPPINGS["params_m"]["preact_resnet164"]),
    ("preact_resnet110", reference.IDENTITY_MAPPINGS["params_m"]["preact_resnet110"]),
]

# Models too big for a quick CPU forward/backward in the default test run.
BIG = {"preact_resnet1001", "wrn28_10", "wrn16_8", "wrn40_4", "resnext29_8x64d", "resnext29_16x64d"}


def _bn_params(model: nn.Module) -> int:
    return sum(p.numel() for m in model.modules() if isinstance(m, nn.BatchNorm2d) for p in m.parameters())


def test_every_variant_is_registered_and_has_an_exact_count():
    # the families of chapter 6, named here (not read back from the registry)
    assert set(VARIANT_MODELS) == {
        "preact_resnet20", "preact_resnet56", "preact_resnet110", "preact_resnet164", "preact_resnet1001",
        "wrn16_2", "wrn16_4", "wrn16_8", "wrn28_10", "wrn40_4", "resnext29_8x64d", "resnext29_16x64d",
        "resnext29_8x4d_narrow", "densenet_bc100_12", "densenet_bc28_12", "se_resnet20", "se_resnet56",
        "se_resnet110", "sd_resnet56", "sd_resnet110"}
    assert set(EXACT_PARAMS) == set(VARIANT_MODELS)


@pytest.mark.parametrize("name", sorted(EXACT_PARAMS))
def test_exact_param_counts(name):
    assert count_params(get_model(name)) == EXACT_PARAMS[name]


@pytest.mark.parametrize("name, published_m", PUBLISHED)
def test_counts_round_to_the_published_sizes(name, published_m):
    if name in BIG and not os.environ.get("RESNET_BOOK_BIG_MODELS"):
        assert round(EXACT_PARAMS[name] / 1e6, 1) == published_m  # the exact count is built in test_exact_param_counts
    else:
        assert round(count_params(get_model(name)) / 1e6, 1) == published_m


def test_two_published_sizes_leave_out_batchnorm():
    """ResNet-1001 "10.2M" and ResNeXt-29 16x64d "68.1M" are the counts of conv + FC weights only."""
    pre1001 = get_model("preact_resnet1001")
    assert round((EXACT_PARAMS["preact_resnet1001"] - _bn_params(pre1001)) / 1e6, 1) == \
        reference.IDENTITY_MAPPINGS["params_m"]["preact_resnet1001"]
    rx16 = get_model("resnext29_16x64d")
    assert round((EXACT_PARAMS["resnext29_16x64d"] - _bn_params(rx16)) / 1e6, 1) == \
        reference.VARIANTS["ResNeXt-29 16x64d"]["params_m"]


# --- independent derivations: a wrong width or depth changes the count --------------------------
def _wrn_count(d: int, k: int) -> int:
    """WRN-d-k by hand: stem, n pre-activation units per stage (+ 1x1 projection), final BN, FC."""
    n = (d - 4) // 6
    total, cin = 3 * 16 * 9, 16
    for w in (16 * k, 32 * k, 64 * k):
        total += 2 * cin + 9 * cin * w + 2 * w + 9 * w * w + (cin * w if cin != w or w != 16 * k else 0)
        total += (n - 1) * (2 * w + 9 * w * w + 2 * w + 9 * w * w)
        cin = w
    return total + 2 * cin + cin * 10 + 10


def _densenet_bc_count(L: int, k: int) -> int:
    """DenseNet-BC by hand: stem 2k, dense layers (BN, 1x1 to 4k, BN, 3x3 to k), transitions (theta 0.5)."""
    n, c = (L - 4) // 6, 2 * k
    total = 3 * c * 9
    for b in range(3):
        for _ in range(n):
            total += 2 * c + c * 4 * k + 2 * 4 * k + 4 * k * k * 9
            c += k
        if b < 2:
            total += 2 * c + c * (c // 2)
            c //= 2
    return total + 2 * c + c * 10 + 10


def _preact_bottleneck_count(depth: int) -> int:
    """Pre-act ResNet (9n+2) by hand: bottleneck units 1x1-3x3-1x1 with 1x1 projections at shape changes."""
    n = (depth - 2) // 9
    total, cin = 3 * 16 * 9, 16
    for p in (16, 32, 64):
        for j in range(n):
            total += 2 * cin + cin * p + 2 * p + 9 * p * p + 2 * p + p * 4 * p + (cin * 4 * p if j == 0 else 0)
            cin = 4 * p
    return total + 2 * cin + cin * 10 + 10


def _resnext29_count(c: int, d: int, stem: int = 64) -> int:
    """ResNeXt-29 by hand: grouped 3x3 has C*d * d * 9 weights; projections conv + BN."""
    total, cin = 3 * stem * 9 + 2 * stem, stem
    for s in range(3):
        w, out = c * d * 2**s, 4 * stem * 2**s
        for j in range(3):
            total += cin * w + 2 * w + w * (w // c) * 9 + 2 * w + w * out + 2 * out
            total += cin * out + 2 * out if j == 0 else 0
            cin = out
    return total + cin * 10 + 10


@pytest.mark.parametrize("d, k", [(16, 2), (16, 4), (16, 8), (28, 10), (40, 4)])
def test_wrn_counts_match_hand_derivation(d, k):
    assert _wrn_count(d, k) == EXACT_PARAMS[f"wrn{d}_{k}"]


@pytest.mark.parametrize("L, k", [(28, 12), (100, 12)])
def test_densenet_counts_match_hand_derivation(L, k):
    assert _densenet_bc_count(L, k) == EXACT_PARAMS[f"densenet_bc{L}_{k}"]


@pytest.mark.parametrize("depth", [164, 1001])
def test_preact_bottleneck_counts_match_hand_derivation(depth):
    assert _preact_bottleneck_count(depth) == EXACT_PARAMS[f"preact_resnet{depth}"]


@pytest.mark.parametrize("c, d, stem, name", [(8, 64, 64, "resnext29_8x64d"), (16, 64, 64, "resnext29_16x64d"),
                                              (8, 4, 16, "resnext29_8x4d_narrow")])
def test_resnext_counts_match_hand_derivation(c, d, stem, name):
    assert _resnext29_count(c, d, stem) == EXACT_PARAMS[name]


@pytest.mark.parametrize("build, neighbours", [
    (lambda: wide_resnet(28, 10), [lambda: wide_resnet(28, 9), lambda: wide_resnet(22, 10), lambda: wide_resnet(34, 10)]),
    (lambda: cifar_resnext(29, 8, 64), [lambda: cifar_resnext(29, 8, 32), lambda: cifar_resnext(29, 4, 64),
                                       lambda: cifar_resnext(20, 8, 64)]),
    (lambda: DenseNetBC(100, 12), [lambda: DenseNetBC(100, 11), lambda: DenseNetBC(94, 12),
                                   lambda: DenseNetBC(100, 12, compression=0.6)]),
    (lambda: preact_resnet(164, "bottleneck"), [lambda: preact_resnet(155, "bottleneck"),
                                               lambda: preact_resnet(164, "bottleneck", widths=(16, 32, 65))]),
])
def test_neighbouring_configs_have_different_counts(build, neighbours):
    target = count_params(build())
    assert all(count_params(nb()) != target for nb in neighbours)


def test_stochastic_depth_and_se_sizes():
    assert EXACT_PARAMS["sd_resnet110"] == reference.CIFAR_PARAMS_OPTION_A[110]
    # SE adds two small FCs per block: C -> C/16 -> C (with biases) at C = 16, 32, 64, n blocks each.
    for depth in (20, 56, 110):
        n = (depth - 2) // 6
        extra = n * sum(c * (c // 16) + c // 16 + (c // 16) * c + c for c in (16, 32, 64))
        assert EXACT_PARAMS[f"se_resnet{depth}"] == reference.CIFAR_PARAMS_OPTION_A[depth] + extra


# --- forward / backward: every registered variant, every parameter gets a gradient -------------------
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in BIG else n for n in VARIANT_MODELS])
def test_forward_backward_reaches_every_parameter(name):
    torch.manual_seed(0)
    model = get_model(name)
    x = torch.randn(2, 3, 32, 32)
    out = model(x)
    assert out.shape == (2, 10) and torch.isfinite(out).all()
    out.square().mean().backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not missing, f"parameters without a finite gradient: {missing[:5]}"


SMALL = ["preact_resnet20", "wrn16_2", "resnext29_8x4d_narrow", "densenet_bc28_12", "se_resnet20"]


@pytest.mark.parametrize("name", SMALL)
def test_stage_shapes(name):
    model = get_model(name).eval()
    shapes = []
    stages = ([model.features.denseblock1, model.features.denseblock2, model.features.denseblock3]
              if name.startswith("densenet") else [model.layer1, model.layer2, model.layer3])
    for s in stages:
        s.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape[2:])))
    model(torch.randn(1, 3, 32, 32))
    assert shapes == [(32, 32), (16, 16), (8, 8)]


def test_num_classes_is_passed_through():
    for name in SMALL:
        assert get_model(name, num_classes=100)(torch.randn(1, 3, 32, 32)).shape == (1, 100)


# --- pre-activation: the clean blocks, the ablation unit, the taps ------------------------------------
def test_preact_block_has_nothing_after_the_addition():
    block = PreActBasicBlock(16, 16).eval()
    seen = {}
    for tap in ("residual", "shortcut"):
        getattr(block, tap).register_forward_hook(lambda m, i, o, t=tap: seen.__setitem__(t, o))
    x = torch.randn(2, 16, 8, 8)  # negative entries too: no ReLU may touch the identity path
    out = block(x)
    assert torch.equal(seen["shortcut"], x)
    assert torch.equal(out, seen["residual"] + seen["shortcut"])
    with torch.no_grad():
        block.conv2.weight.zero_()  # F = 0 -> the unit is exactly the identity, for ANY input
    assert torch.equal(block(x), x)


def test_preact_gradient_through_identity_path_is_exact():
    """With F = 0 the whole stack is the identity and dE/dx_l = dE/dx_L exactly (Eq. 5)."""
    model = get_model("preact_resnet20")
    for b in model.layer1:
        nn.init.zeros_(b.conv2.weight)
    x = torch.randn(2, 16, 32, 32, requires_grad=True)
    model.layer1(x).sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))


def test_downsampling_unit_projects_the_preactivated_input():
    block = get_model("preact_resnet164").layer2[0].eval()
    assert isinstance(block, PreActBottleneck) and block.conv1.stride == (2, 2)
    x = torch.randn(2, 64, 16, 16)
    seen = {}
    block.shortcut.register_forward_hook(lambda m, i, o: seen.__setitem__("s", o))
    block(x)
    assert torch.allclose(seen["s"], block.downsample(block.relu1(block.bn1(x))))


@pytest.mark.parametrize("bottleneck", [False, True])
def test_residual_unit_full_preact_equals_the_clean_blocks(bottleneck):
    torch.manual_seed(0)
    down = nn.Conv2d(16, 64 if bottleneck else 16, 1, bias=False) if bottleneck else None
    clean = (PreActBottleneck(16, 16, 1, down) if bottleneck else PreActBasicBlock(16, 16)).eval()
    unit = ResidualUnit(16, 16, 1, down, bottleneck=bottleneck, placement="full_preact").eval()
    unit.load_state_dict(clean.state_dict(), strict=True)
    x = torch.randn(2, 16, 8, 8)
    assert torch.allclose(unit(x), clean(x))


@pytest.mark.parametrize("bottleneck", [False, True])
def test_residual_unit_original_equals_the_2015_blocks(bottleneck):
    torch.manual_seed(0)
    planes, inplanes = (4, 16) if bottleneck else (16, 16)
    ref = (Bottleneck(inplanes, planes) if bottleneck else BasicBlock(inplanes, planes)).eval()
    unit = ResidualUnit(inplanes, planes, bottleneck=bottleneck, placement="original").eval()
    unit.load_state_dict(ref.state_dict(), strict=True)
    x = torch.randn(2, inplanes, 8, 8)
    assert torch.allclose(unit(x), ref(x))


@pytest.mark.parametrize("placement", list(PLACEMENTS))
@pytest.mark.parametrize("block", ["basic", "bottleneck"])
def test_every_placement_builds_trains_and_has_its_layer_order(placement, block):
    depth = 20 if block == "basic" else 29
    model = preact_resnet(depth, block, placement=placement)
    out = model(torch.randn(2, 3, 32, 32))
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    unit = model.layer1[1]
    relu_after_add = hasattr(unit, "relu_out")
    assert relu_after_add == (placement in ("original", "bn_after_add"))
    assert hasattr(model, "bn_final") == (placement in ("relu_preact", "full_preact"))


def test_relu_before_add_makes_the_residual_non_negative():
    unit = ResidualUnit(16, 16, placement="relu_before_add").eval()
    seen = {}
    unit.residual.register_forward_hook(lambda m, i, o: seen.__setitem__("F", o))
    unit(torch.randn(2, 16, 8, 8))
    assert seen["F"].min() >= 0  # Fig. 4(c): "the residual function ... is always non-negative"


@pytest.mark.parametrize("variant", list(SHORTCUT_VARIANTS))
def test_every_shortcut_variant_builds_and_trains(variant):
    model = preact_resnet(20, placement="original", shortcut_variant=variant)
    model(torch.randn(2, 3, 32, 32)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_shortcut_variants_compute_what_table1_says():
    torch.manual_seed(0)
    x = torch.relu(torch.randn(2, 16, 8, 8))
    taps = {}

    def run(variant, **kw):
        unit = ResidualUnit(16, 16, placement="original", shortcut_variant=variant, **kw).eval()
        unit.residual.register_forward_hook(lambda m, i, o: taps.__setitem__("F", o))
        unit.shortcut.register_forward_hook(lambda m, i, o: taps.__setitem__("h", o))
        unit(x)
        return unit

    run("constant_scaling")
    assert torch.allclose(taps["h"], 0.5 * x)
    unit = run("shortcut_only_gating")
    assert torch.allclose(unit.gate.bias, torch.full_like(unit.gate.bias, -6.0))
    g = torch.sigmoid(unit.gate(x))
    assert torch.allclose(taps["h"], (1 - g) * x)
    unit = run("conv1x1")
    assert isinstance(unit.downsample, nn.Conv2d) and torch.allclose(taps["h"], unit.downsample(x))
    assert count_params(preact_resnet(20, placement="original", shortcut_variant="conv1x1")) > \
        count_params(preact_resnet(20, placement="original"))


# --- one skeleton: a variant is a block plus a one-line builder -------------------------------------------
@pytest.mark.parametrize("name", VARIANT_MODELS)
def test_every_residual_variant_is_the_one_cifar_skeleton(name):
    with torch.device("meta"):
        model = get_model(name)
    assert type(model) is (DenseNetBC if name.startswith("densenet") else CifarResNet)


def test_se_and_resnext_blocks_keep_the_2015_forward():
    assert SEBasicBlock.forward is BasicBlock.forward and ResNeXtBottleneck.forward is Bottleneck.forward
    torch.manual_seed(0)
    block = SEBasicBlock(16, 16).eval()
    seen = {}
    for tap in ("bn2", "se", "residual"):
        getattr(block, tap).register_forward_hook(lambda m, i, o, t=tap: seen.__setitem__(t, o))
    x = torch.relu(torch.randn(2, 16, 8, 8))
    out = block(x)
    assert torch.equal(seen["se"], block.se(seen["bn2"])) and torch.equal(seen["residual"], seen["se"])
    assert torch.allclose(out, torch.relu(seen["se"] + x))  # y = relu(se(F(x)) + x), Hu et al. Fig. 3


# --- other variants -------------------------------------------------------------------------------------
def test_resnext_uses_grouped_convolutions_and_equals_the_split_form():
    model = get_model("resnext29_8x64d")
    conv = model.layer1[0].conv2
    assert conv.groups == 8 and conv.in_channels == 8 * 64 and model.layer3[0].conv2.in_channels == 8 * 256
    # Fig. 3(a) == Fig. 3(c): a grouped conv is C separate convolutions on C slices, concatenated.
    torch.manual_seed(0)
    g = nn.Conv2d(32, 32, 3, padding=1, groups=4, bias=False)
    x = torch.randn(1, 32, 8, 8)
    split = torch.cat([nn.functional.conv2d(x[:, 8 * i:8 * (i + 1)], g.weight[8 * i:8 * (i + 1)], padding=1)
                       for i in range(4)], 1)
    assert torch.allclose(g(x), split, atol=1e-6)


def test_densenet_concatenates_growth_rate_channels():
    model = get_model("densenet_bc100_12").eval()
    layer = model.features.denseblock1[0]
    x = torch.randn(1, 24, 8, 8)
    y = layer(x)
    assert y.shape[1] == 24 + 12 and torch.equal(y[:, :24], x)  # earlier features passed on unchanged
    assert len(model.features.denseblock1) == 16
    assert model.features.transition1.conv.out_channels == (24 + 16 * 12) // 2


def test_se_module_scales_channels_between_0_and_1():
    se = SqueezeExcitation(64, 16)
    assert se.fc1.out_features == 4
    u = torch.rand(2, 64, 8, 8) + 0.1
    ratio = se(u) / u
    assert torch.allclose(ratio, ratio[:, :, :1, :1].expand_as(ratio))  # one factor per channel
    assert ratio.min() > 0 and ratio.max() < 1


def test_the_quick_variants_cost_at_most_about_resnet56():
    """The live comparison of chapter 6 is fair on cost: no quick variant needs more multiply-adds."""
    r56 = count_flops(get_model("resnet56"))
    for name in ("preact_resnet56", "wrn16_2", "resnext29_8x4d_narrow", "densenet_bc28_12", "se_resnet56"):
        assert 0.3 < count_flops(get_model(name)) / r56 < 1.01, name


# --- stochastic depth --------------------------------------------------------------------------------
def test_linear_decay_rule():
    model = get_model("sd_resnet110")
    ps = [b.residual.p for b in residual_blocks(model)]
    L = len(ps)
    assert L == 54
    assert ps == pytest.approx([1 - l / L * 0.5 for l in range(1, L + 1)])
    assert ps[-1] == pytest.approx(0.5)


def test_stochastic_depth_eval_is_deterministic_and_scaled():
    torch.manual_seed(0)
    model = get_model("resnet20", stochastic_depth=0.5).eval()
    x = torch.randn(4, 3, 32, 32)
    assert torch.equal(model(x), model(x))
    sd = StochasticDepth(0.7)
    r = torch.randn(3, 4)
    assert torch.allclose(sd.eval()(r), 0.7 * r)  # the paper's test-time rule, Eq. (5)
    inv = StochasticDepth(0.7, inverted=True)
    assert torch.equal(inv.eval()(r), r)


def test_stochastic_depth_train_drops_whole_branches():
    torch.manual_seed(0)
    sd = StochasticDepth(0.5).train()
    r = torch.ones(8, 3, 4, 4)
    outs = [sd(r) for _ in range(200)]
    kept = [bool(o.all()) for o in outs]
    assert all(o.all() or not o.any() for o in outs)  # per mini-batch: all or nothing
    assert 60 < sum(kept) < 140  # about half
    row = StochasticDepth(0.5, mode="row").train()(r)
    per_example = row.flatten(1).amax(1)
    assert set(per_example.tolist()) <= {0.0, 1.0}
    inv = StochasticDepth(0.5, inverted=True).train()
    assert set(torch.unique(torch.stack([inv(r) for _ in range(50)])).tolist()) <= {0.0, 2.0}


def test_stochastic_depth_train_mode_varies_and_keeps_parameters():
    torch.manual_seed(0)
    model = get_model("sd_resnet56").train()
    x = torch.randn(4, 3, 32, 32)
    outs = [model(x) for _ in range(3)]
    assert not torch.equal(outs[0], outs[1]) or not torch.equal(outs[1], outs[2])
    assert count_params(model) == count_params(get_model("resnet56"))


def test_stochastic_depth_errors():
    with pytest.raises(ValueError, match="no residual blocks"):
        get_model("plain20", stochastic_depth=0.5)
    with pytest.raises(ValueError, match="no residual blocks"):
        get_model("densenet_bc28_12", stochastic_depth=0.5)
    with pytest.raises(ValueError, match=r"p_last \(p_L\) must be in \(0, 1\]"):
        add_stochastic_depth(get_model("resnet20"), 0.0)
    with pytest.raises(ValueError, match="mode must be 'batch'"):
        StochasticDepth(0.5, mode="layer")


# --- bad arguments -------------------------------------------------------------------------------------
@pytest.mark.parametrize("build, message", [
    (lambda: wide_resnet(27, 10), "6n\\+4"),
    (lambda: wide_resnet(28, 0), "widen factor"),
    (lambda: wide_resnet(28, 10, dropout=1.5), "dropout must be in"),
    (lambda: cifar_resnext(30), "9n\\+2"),
    (lambda: cifar_resnext(29, cardinality=0), "cardinality must be a positive integer"),
    (lambda: DenseNetBC(99), "6n\\+4"),
    (lambda: DenseNetBC(100, 12, compression=0.0), "compression"),
    (lambda: preact_resnet(163), "6n\\+2"),
    (lambda: preact_resnet(165, "bottleneck"), "9n\\+2"),
    (lambda: preact_resnet(20, "wide"), "block must be"),
    (lambda: preact_resnet(20, placement="relu_after_bn"), "unknown placement 'relu_after_bn'.*full_preact"),
    (lambda: preact_resnet(20, shortcut_variant="gating"), "unknown shortcut_variant 'gating'.*exclusive_gating"),
    (lambda: preact_resnet(20, placement="original", dropout=0.3), "dropout is an option"),
    (lambda: se_resnet(21), "6n\\+2"),
    (lambda: se_resnet(20, reduction=0), "reduction ratio"),
    (lambda: se_resnet(20, shortcut="D"), "unknown shortcut option"),
])
def test_bad_arguments_raise_clear_errors(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_wide_dropout_is_between_the_convolutions():
    model = get_model("wrn16_2", dropout=0.3)
    unit = model.layer1[0]
    assert isinstance(unit.dropout, nn.Dropout) and unit.dropout.p == 0.3
    model.eval()
    x = torch.randn(2, 3, 32, 32)
    assert torch.equal(model(x), model(x))
