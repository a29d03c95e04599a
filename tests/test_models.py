"""Models: the paper's architectures, exactly (parameter counts, shapes, FLOPs, torchvision parity)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import torch
import torchvision
from torch import nn

from resnet_book import reference
from resnet_book.analysis import count_flops, count_params, layer_response_std, response_taps
from resnet_book.models import (
    VARIANT_MODELS,
    BasicBlock,
    CifarResNet,
    UnknownModelError,
    ZeroPadShortcut,
    cifar_resnet,
    display_name,
    get_model,
    list_models,
    model_config,
)

CIFAR_DEPTHS = [20, 32, 44, 56, 110, 1202]
PLAIN_DEPTHS = [20, 32, 44, 56, 110]
IMAGENET_DEPTHS = [18, 34, 50, 101, 152]
EXPECTED_BUILDERS = (
    [f"resnet{d}" for d in CIFAR_DEPTHS]
    + [f"plain{d}" for d in PLAIN_DEPTHS]
    + [f"resnet{d}" for d in IMAGENET_DEPTHS]
    + ["plain18", "plain34"]
    + [f"tv_resnet{d}" for d in IMAGENET_DEPTHS]
)
# Small enough for a CPU forward/backward in well under a second each. The variants after the paper
# (CIFAR networks of chapter 6) are tested in tests/test_variants.py.
FAST_MODELS = [m for m in list_models()
               if m not in ("resnet1202", "resnet101", "resnet152", "resnet110", "plain110") and m not in VARIANT_MODELS]


def _input_for(name: str) -> torch.Tensor:
    c, h, w = model_config(name).input_size  # what the model is built for (64x64 stands in for ImageNet's 224)
    return torch.randn(2, c, min(h, 64), min(w, 64))


def test_registry_lists_every_builder():
    assert set(EXPECTED_BUILDERS) <= set(list_models())
    assert len(list_models()) == 43 and len(EXPECTED_BUILDERS) == 23  # nothing lost, nothing new (20 variants: test_variants)


@pytest.mark.parametrize("name, shown", [
    ("resnet56", "ResNet-56"), ("plain20", "plain-20"), ("resnet50", "ResNet-50"), ("wrn16_2", "WRN-16-2"),
    ("preact_resnet56", "pre-act ResNet-56"), ("se_resnet110", "SE-ResNet-110"),
    ("resnext29_8x64d", "ResNeXt-29 8×64d"), ("densenet_bc100_12", "DenseNet-BC-100 (k=12)"),
    ("resnet110-warmup", "ResNet-110-warmup"), ("resnet32-B", "ResNet-32-B"), ("resnet21", "resnet21"),
])
def test_display_names(name, shown):
    assert display_name(name) == shown


def test_every_model_has_its_own_display_name():
    shown = [display_name(n) for n in list_models()]
    assert len(set(shown)) == len(shown) and all(s != n for s, n in zip(shown, list_models()))


@pytest.mark.parametrize("name", FAST_MODELS)
def test_forward_backward_reaches_every_parameter(name):
    torch.manual_seed(0)
    model = get_model(name)
    x = _input_for(name)
    out = model(x)
    n_classes = 10 if x.shape[-1] == 32 else 1000
    assert out.shape == (2, n_classes)
    assert torch.isfinite(out).all()
    out.square().mean().backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not missing, f"parameters without a finite gradient: {missing[:5]}"


# --- CIFAR family: Sec. 4.2 ---------------------------------------------------------------
@pytest.mark.parametrize("depth", CIFAR_DEPTHS)
def test_cifar_option_a_param_counts_match_paper(depth):
    assert count_params(get_model(f"resnet{depth}")) == reference.CIFAR_PARAMS_OPTION_A[depth]


@pytest.mark.parametrize("depth", PLAIN_DEPTHS)
def test_plain_net_has_exactly_the_resnets_parameters(depth):
    assert count_params(get_model(f"plain{depth}")) == count_params(get_model(f"resnet{depth}"))


def _option_b_c_counts(n: int) -> tuple[int, int]:
    """Hand-derived extra parameters of options B and C (1x1 conv + BN per projection)."""
    proj = lambda cin, cout: cin * cout + 2 * cout  # noqa: E731
    b = proj(16, 32) + proj(32, 64)
    c = n * proj(16, 16) + proj(16, 32) + (n - 1) * proj(32, 32) + proj(32, 64) + (n - 1) * proj(64, 64)
    return b, c


@pytest.mark.parametrize("depth, expected_b, expected_c", [
    (20, 272_474, 283_962), (32, 466_906, 489_594), (56, 855_770, 900_858), (110, 1_730_714, 1_826_202),
])
def test_cifar_option_b_and_c_param_counts(depth, expected_b, expected_c):
    n = (depth - 2) // 6
    extra_b, extra_c = _option_b_c_counts(n)
    base = reference.CIFAR_PARAMS_OPTION_A[depth]
    assert count_params(cifar_resnet(depth, shortcut="B")) == expected_b > base
    assert count_params(cifar_resnet(depth, shortcut="C")) == expected_c > expected_b


@pytest.mark.parametrize("name", ["resnet20", "plain20", "resnet56"])
def test_cifar_stage_shapes(name):
    model = get_model(name).eval()
    shapes = {}
    for stage in ("layer1", "layer2", "layer3"):
        getattr(model, stage).register_forward_hook(lambda m, i, o, s=stage: shapes.__setitem__(s, tuple(o.shape[1:])))
    model(torch.randn(2, 3, 32, 32))
    assert shapes == {"layer1": (16, 32, 32), "layer2": (32, 16, 16), "layer3": (64, 8, 8)}


@pytest.mark.parametrize("depth", [20, 56, 110])
def test_cifar_structure_is_6n_plus_2(depth):
    model = get_model(f"resnet{depth}")
    n = (depth - 2) // 6
    assert [len(model.layer1), len(model.layer2), len(model.layer3)] == [n, n, n]
    weighted = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert len(weighted) == depth  # option A: every conv/fc is one of the 6n+2 layers


def test_option_a_adds_no_parameters_and_zero_pads():
    block = get_model("resnet20").layer2[0]
    assert isinstance(block.downsample, ZeroPadShortcut)
    assert count_params(block.downsample) == 0
    x = torch.randn(2, 16, 32, 32)
    y = block.downsample(x)
    assert y.shape == (2, 32, 16, 16)
    assert torch.equal(y[:, :16], x[:, :, ::2, ::2])
    assert torch.count_nonzero(y[:, 16:]) == 0


def test_plain_blocks_have_no_shortcut():
    model = get_model("plain20")
    assert all(b.plain and b.downsample is None for b in model.modules() if isinstance(b, BasicBlock))


def test_the_se_hook_point_adds_no_module_to_the_paper_block():
    # chapters draw and tabulate a block from its children: the paper's block has exactly these
    assert [n for n, _ in BasicBlock(16, 16).named_children()] == [
        "conv1", "bn1", "relu1", "conv2", "bn2", "residual", "shortcut", "relu_out"]


def test_block_taps_see_both_branches_and_sum():
    block = get_model("resnet20").layer1[0].eval()
    seen = {}
    for tap in ("residual", "shortcut", "bn1", "bn2"):
        getattr(block, tap).register_forward_hook(lambda m, i, o, t=tap: seen.__setitem__(t, o))
    x = torch.relu(torch.randn(2, 16, 32, 32))
    out = block(x)
    assert torch.equal(seen["shortcut"], x)
    assert torch.equal(seen["residual"], seen["bn2"])
    assert torch.allclose(out, torch.relu(seen["residual"] + seen["shortcut"]))


def test_response_taps_cover_every_3x3_layer():
    model = get_model("resnet20")
    taps = response_taps(model)
    assert len(taps) == 19  # stem + 18 layers in blocks (the FC is not a 3x3 layer)
    stds = layer_response_std(model, torch.randn(8, 3, 32, 32))
    assert len(stds) == 19 and all(s > 0 for _, s in stds)


@pytest.mark.parametrize("depth", [20, 56, 110])
def test_cifar_macs_match_architecture(depth):
    assert count_flops(get_model(f"resnet{depth}"), (3, 32, 32)) == reference.cifar_macs(depth)


# --- ImageNet family: Table 1 ----------------------------------------------------------------
@pytest.mark.parametrize("depth", IMAGENET_DEPTHS)
def test_imagenet_param_counts_equal_torchvision(depth):
    ours = count_params(get_model(f"resnet{depth}"))
    assert ours == reference.IMAGENET_PARAMS[depth]
    assert ours == count_params(getattr(torchvision.models, f"resnet{depth}")())


@pytest.mark.parametrize("depth", IMAGENET_DEPTHS)
def test_imagenet_flops_within_5_percent_of_table1(depth):
    macs = count_flops(get_model(f"resnet{depth}"), (3, 224, 224))
    paper = reference.TABLE1["flops"][depth]
    assert abs(macs - paper) / paper < 0.05, f"{macs / 1e9:.2f}e9 vs paper {paper / 1e9}e9"


@pytest.mark.parametrize("depth", [18, 50])
def test_torchvision_state_dict_loads_and_outputs_match(depth):
    # The documented path: torchvision's ResNets are get_model("tv_resnetNN"); their state_dicts load
    # there and give torchvision's outputs.
    torch.manual_seed(0)
    tv = getattr(torchvision.models, f"resnet{depth}")().eval()
    # Perturb BN statistics so that the comparison is not trivially about identity BNs.
    for m in tv.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    ours = get_model(f"tv_resnet{depth}")
    ours.load_state_dict(tv.state_dict(), strict=True)
    ours.eval()
    x = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        assert (ours(x) - tv(x)).abs().max().item() < 1e-5


@pytest.mark.parametrize("depth", [50, 101])
def test_a_torchvision_state_dict_is_refused_by_the_papers_stride_placement(depth):
    # Same names, same shapes, another network (the stride in the 3x3 conv): loading it into the paper's
    # ResNet-50 would "match all keys" and then compute something else. It is refused in one line.
    tv = getattr(torchvision.models, f"resnet{depth}")()
    paper = get_model(f"resnet{depth}")
    with pytest.raises(ValueError, match=r"stride.*3x3.*tv_resnet"):
        paper.load_state_dict(tv.state_dict())
    # ... and the paper's own weights load into the paper's network, also after a save and load
    import io

    buf = io.BytesIO()
    torch.save(get_model(f"resnet{depth}").state_dict(), buf)
    buf.seek(0)
    paper.load_state_dict(torch.load(buf, weights_only=True))
    with pytest.raises(ValueError, match=r"stride.*1x1"):
        get_model(f"tv_resnet{depth}").load_state_dict(paper.state_dict())


def test_get_model_speaks_torchvisions_language():
    # names as pages print them, globs, validated keywords, a config per model
    assert type(get_model("ResNet-56")) is type(get_model("resnet56")) and get_model("ResNet-56").depth == 56
    assert get_model("WRN-16-2").model_config.name == "wrn16_2"
    assert list_models("*resnet5*") == ["preact_resnet56", "resnet50", "resnet56", "sd_resnet56", "se_resnet56",
                                        "tv_resnet50"]
    assert list_models("wrn") == ["wrn16_2", "wrn16_4", "wrn16_8", "wrn28_10", "wrn40_4"]
    with pytest.raises(ValueError, match=r"get_model\('wrn16_2'\) takes no shortcut; its keyword arguments: dropout"):
        get_model("wrn16_2", shortcut="B")
    with pytest.raises(UnknownModelError, match="unknown model 'resnet21'"):
        get_model("resnet21")
    for name in list_models():
        cfg = model_config(name)
        assert cfg.input_size in ((3, 32, 32), (3, 224, 224)) and cfg.num_classes in (10, 1000), name
        assert cfg.num_classes == (1000 if cfg.input_size[1] == 224 else 10)


def test_get_model_with_released_weights_or_a_clear_line(monkeypatch):
    from resnet_book.models import UnknownWeightsError

    with pytest.raises(UnknownWeightsError, match="unknown weights 'bogus' for resnet20; known: resnet20.akamaster"):
        get_model("resnet20", weights="bogus")
    with pytest.raises(ValueError, match="fixes the architecture"):
        get_model("resnet20", weights="akamaster", shortcut="B")
    with pytest.raises(UnknownWeightsError, match="no released weights for model 'wrn16_2'"):
        get_model("wrn16_2", weights="akamaster")


def test_paper_stride_placement_differs_from_torchvision():
    paper = get_model("resnet50")
    v15 = get_model("resnet50", stride_at="3x3")
    assert paper.layer2[0].conv1.stride == (2, 2) and paper.layer2[0].conv2.stride == (1, 1)
    assert v15.layer2[0].conv1.stride == (1, 1) and v15.layer2[0].conv2.stride == (2, 2)
    # same parameters, and the paper's (V1) placement is the cheaper one
    assert count_params(paper) == count_params(v15)
    assert count_flops(paper, (3, 224, 224)) < count_flops(v15, (3, 224, 224))


# --- Bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [21, 0, 7, 19, "20"])
def test_bad_depth_names_valid_depths(depth):
    with pytest.raises(ValueError, match="6n\\+2"):
        cifar_resnet(depth)


def test_unknown_shortcut_letter():
    with pytest.raises(ValueError, match="unknown shortcut option 'D'.*A = identity"):
        cifar_resnet(20, shortcut="D")


def test_plain_net_rejects_a_shortcut_option():
    with pytest.raises(ValueError, match="plain net has no shortcuts"):
        cifar_resnet(20, plain=True, shortcut="B")


def test_unknown_model_lists_known_ones():
    with pytest.raises(UnknownModelError, match="unknown model 'resnet21'.*resnet20.*resnet56"):
        get_model("resnet21")


def test_bad_stride_at():
    with pytest.raises(ValueError, match="stride_at"):
        get_model("resnet50", stride_at="7x7")


def test_he_init_std():
    conv = CifarResNet(20).layer3[1].conv1  # 64 -> 64, 3x3: fan_out = 9 * 64
    expected = (2.0 / (9 * 64)) ** 0.5
    assert abs(conv.weight.std().item() - expected) / expected < 0.05


# --- initialisation is pinned: a run id promises the same result --------------------------------------
INIT_DIGESTS = json.loads((Path(__file__).parent / "fixtures" / "model_init_digests.json").read_text())


def _init_digest(model) -> dict:
    """State-dict keys and shapes exactly; values through two position-weighted sums (tolerant of the
    last bits of another CPU, not of a changed initialisation order)."""
    h = hashlib.sha256()
    s1 = s2 = 0.0
    for i, (k, v) in enumerate(model.state_dict().items(), 1):
        h.update(k.encode() + str(tuple(v.shape)).encode())
        v = v.detach().double()
        s1 += i * float(v.sum())
        s2 += i * float((v * v).sum())
    return {"keys": h.hexdigest()[:16], "sum": s1, "sumsq": s2}


@pytest.mark.parametrize("case", sorted(INIT_DIGESTS))
def test_initial_weights_are_pinned(case):
    # A run id covers the model's name and options, not its code: a refactor of the models must keep
    # the parameters, their names and the order in which they are drawn from the seed, or a run with
    # an existing id would silently give another result. (Digests written by tests/fixtures/README.md's recipe.)
    name, _, opts = case.partition("-")
    kwargs = dict(kv.split("=") for kv in opts.split(",")) if opts else {}
    torch.manual_seed(0)
    got, want = _init_digest(get_model(name, **kwargs)), INIT_DIGESTS[case]
    assert got["keys"] == want["keys"], f"{case}: state_dict keys or shapes changed"
    assert got["sum"] == pytest.approx(want["sum"], rel=1e-7) and got["sumsq"] == pytest.approx(want["sumsq"], rel=1e-7), \
        f"{case}: initial weights changed"
