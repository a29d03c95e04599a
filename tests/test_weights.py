"""Released weights: registry, download/verify, the option-A channel permutation, accuracy, bad input, CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from resnet_book import analysis as A
from resnet_book.models import get_model
from resnet_book.models import weights as W
from resnet_book.cli import main
from resnet_book.files import file_sha256
from resnet_book.models import get_model as build

ALL = list(W.WEIGHTS)
DEPTHS = {n: int(W.WEIGHTS[n].model.removeprefix("resnet")) for n in ALL}


def _local_or_skip(name: str) -> Path:
    w = W.WEIGHTS[name]
    path = W.locate(w)
    if path is None:
        pytest.skip(f"{w.file} is not here (download-only, no network in this test): put it at {W.cache_path(w)} "
                    f"or in $RESNET_BOOK_WEIGHTS/{w.tag}/")
    return path


# --- an independent implementation of THEIR network (akamaster/pytorch_resnet_cifar10, resnet.py) -----
class _TheirBlock(nn.Module):
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.pad = planes // 4 if (stride != 1 or in_planes != planes) else None

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        # their option A: subsample, zero channels on BOTH sides (ours appends them)
        short = x if self.pad is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad), "constant", 0)
        return F.relu(out + short)


class _TheirResNet(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, inp = [], 16
        for planes, stride in ((16, 1), (32, 2), (64, 2)):
            blocks = []
            for i in range(n):
                blocks.append(_TheirBlock(inp, planes, stride if i == 0 else 1))
                inp = planes
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = layers
        self.linear = nn.Linear(64, 10)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = F.avg_pool2d(out, out.size()[3]).view(out.size(0), -1)
        return self.linear(out)


def _theirs_random(depth: int, seed: int = 0) -> _TheirResNet:
    """Their network with random weights AND random BN statistics (so every permuted axis matters)."""
    torch.manual_seed(seed)
    net = _TheirResNet((depth - 2) // 6)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0, 0.3)
            m.running_mean.normal_(0, 0.3)
            m.running_var.uniform_(0.5, 2.0)
    return net.eval()


def _as_saved(net: nn.Module) -> dict:
    """Their state_dict as their trainer saved it: DataParallel prefix, no num_batches_tracked."""
    return {f"module.{k}": v for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}


# --- registry ------------------------------------------------------------------------------------
def test_registry_knows_all_six_releases_with_provenance():
    from resnet_book import reference

    assert [W.WEIGHTS[n].model for n in ALL] == ["resnet20", "resnet32", "resnet44", "resnet56", "resnet110", "resnet1202"]
    for name, w in W.WEIGHTS.items():
        assert w.reported_error == reference.AKAMASTER_CIFAR10["error"][DEPTHS[name]]
        local = W.locate(w)
        if local is not None:  # the file on disk is the one the registry names
            assert file_sha256(local).startswith(w.sha256) and w.file.split("-")[1].split(".")[0] == w.sha256[:8]
        assert "BSD-2-Clause" in w.licence and "akamaster/pytorch_resnet_cifar10" in w.source
        assert w.mean == (0.485, 0.456, 0.406) and w.std == (0.229, 0.224, 0.225)
    assert [W.WEIGHTS[n].full_hash for n in ALL] == [True] * 4 + [False] * 2


def test_transform_is_their_per_channel_normalize():
    w = W.get_weights("resnet20")
    x = torch.randint(0, 256, (2, 3, 4, 4), dtype=torch.uint8)
    mean, std = torch.tensor(w.mean).view(1, 3, 1, 1), torch.tensor(w.std).view(1, 3, 1, 1)
    torch.testing.assert_close(w.transform(x), (x.float() / 255 - mean) / std)


def test_unknown_weights_and_models_without_weights_list_what_exists():
    with pytest.raises(W.UnknownWeightsError, match=r"unknown weights 'imagenet' for resnet56; known: resnet56.akamaster"):
        get_model("resnet56", weights="imagenet")
    with pytest.raises(W.UnknownWeightsError, match=r"no released weights for model 'plain20'; models with released "
                                                    r"weights: resnet20, resnet32, resnet44, resnet56, resnet110, resnet1202"):
        get_model("plain20", weights="akamaster")
    with pytest.raises(ValueError, match="fixes the architecture"):
        get_model("resnet20", weights="akamaster", shortcut="B")


# --- the permutation -------------------------------------------------------------------------------
def test_permutation_is_a_permutation_that_puts_their_middle_channels_first():
    p = W.option_a_permutations([16, 32, 64])
    assert [sorted(x.tolist()) for x in p] == [list(range(16)), list(range(32)), list(range(64))]
    assert p[1][:16].tolist() == list(range(8, 24))  # their 16->32 pad puts the old channels at 8..23
    assert p[2][:32].tolist() == [c + 16 for c in p[1].tolist()]  # and 32->64 shifts them by 16 more


@pytest.mark.parametrize("depth", [20, 32])
def test_converted_random_weights_compute_their_function(depth):
    theirs = _theirs_random(depth, seed=depth)
    ours = build(f"resnet{depth}").eval()
    ours.load_state_dict(W.convert_state_dict(_as_saved(theirs), ours), strict=True)
    x = torch.randn(8, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), rtol=1e-4, atol=1e-4)


def test_without_the_permutation_the_function_differs():
    """The permutation is needed: renaming alone gives another function (so the test above can fail)."""
    theirs = _theirs_random(20)
    ours = build("resnet20").eval()
    naive = {k.removeprefix("module.").replace("linear.", "fc."): v for k, v in _as_saved(theirs).items()}
    ours.load_state_dict(naive, strict=False)
    x = torch.randn(8, 3, 32, 32)
    with torch.no_grad():
        assert (ours(x) - theirs(x)).abs().max() > 0.1


def test_a_state_dict_that_does_not_fit_is_one_clear_error():
    sd = _as_saved(_theirs_random(20))
    with pytest.raises(W.WeightsError, match="does not fit"):
        W.convert_state_dict(sd, build("resnet32"))
    del sd["module.linear.bias"]
    with pytest.raises(W.WeightsError, match="missing fc.bias"):
        W.convert_state_dict(sd, build("resnet20"))


@pytest.mark.parametrize("name", ALL)
def test_released_file_in_our_model_equals_their_forward(name):
    _local_or_skip(name)
    theirs_sd, _ = W.load_released(name, download=False)
    theirs = _TheirResNet((DEPTHS[name] - 2) // 6).eval()
    missing, unexpected = theirs.load_state_dict({k.removeprefix("module."): v for k, v in theirs_sd.items()}, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing)
    ours = get_model(W.WEIGHTS[name].model, weights="akamaster")
    assert not ours.training and ours.released_weights is W.WEIGHTS[name]
    x = torch.randn(4, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), rtol=1e-4, atol=1e-4)


# --- acceptance: accuracy on the lossless 1,000 ------------------------------------------------------
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if DEPTHS[n] >= 110 else n for n in ALL])
def test_released_weights_reach_their_best_prec1_on_the_lossless_images(name, cifar):
    _local_or_skip(name)
    _, meta = W.load_released(name, download=False)
    ev = A.evaluate_released(W.WEIGHTS[name].model, "test_lossless1k", data=cifar)
    assert ev.original_pixels and ev.n == (10_000 if cifar.lossless_test else 1_000)
    print(f"{name}: {ev.accuracy:.2f}% on {ev.n} lossless test images, best_prec1 {meta['best_prec1']:.2f}, {ev.seconds:.1f} s")
    assert abs(ev.accuracy - meta["best_prec1"]) <= 1.5
    if W.WEIGHTS[name].best_prec1 is not None:
        assert W.WEIGHTS[name].best_prec1 == pytest.approx(meta["best_prec1"], abs=0.005)


def test_evaluation_helpers_agree_with_the_evaluation(cifar):
    _local_or_skip("resnet20.akamaster")
    ev = A.evaluate_released("resnet20", "test_lossless1k", data=cifar)
    assert A.evaluate_released("resnet20", "test_lossless1k", data=cifar) is ev  # kept per process
    cm = ev.confusion()
    assert cm.sum() == ev.n and np.trace(cm) == (ev.predictions == ev.labels).sum()
    assert cm.sum(1).tolist() == np.bincount(ev.labels, minlength=10).tolist()
    classes, probs = ev.top_k(3)
    assert (classes[:, 0] == ev.predictions).all() and (np.diff(probs, axis=1) <= 0).all()
    assert np.allclose(ev.probs.sum(1), 1, atol=1e-5)
    per_class = ev.per_class_accuracy()
    assert list(per_class) == list(__import__("resnet_book.engine.data", fromlist=["CLASSES"]).CLASSES)
    assert sum(v * c / 100 for v, c in zip(per_class.values(), cm.sum(1))) == pytest.approx(np.trace(cm))


def test_lesion_of_a_released_resnet_matches_a_deleted_forward(cifar):
    """Each lesion point equals an explicit forward with that block replaced by its shortcut."""
    from resnet_book.analysis import lesion_blocks

    _local_or_skip("resnet20.akamaster")
    model = get_model("resnet20", weights="akamaster")
    x, y = A.released_inputs("resnet20", "test_lossless1k", data=cifar, eval_subset=100)
    les = lesion_blocks(model, x, y, batch_size=64)
    assert len(les.blocks) == 9 and les.changes_shape.tolist() == [False] * 3 + [True] + [False] * 2 + [True] + [False] * 2
    with torch.no_grad():
        base = (model(x).argmax(1) != y).float().mean().item() * 100
        for k in (0, 3, 8):  # a first block, a downsampling block, the last
            stage, i = les.blocks[k].split(".")
            block = getattr(model, stage)[int(i)]
            getattr(model, stage)[int(i)] = nn.Sequential(block.downsample) if block.downsample is not None else nn.Identity()
            err = (model(x).argmax(1) != y).float().mean().item() * 100
            getattr(model, stage)[int(i)] = block
            assert les.errors[k] == pytest.approx(err)
    assert les.base_error == pytest.approx(base)
    assert [n for n, _ in model.named_children()] == ["conv1", "bn1", "relu", "layer1", "layer2", "layer3", "avgpool", "fc"]


def test_lesion_of_a_plain_net_keeps_shapes_and_restores_the_model():
    from resnet_book.analysis import lesion_blocks

    torch.manual_seed(0)
    model = build("plain20").eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x, y = torch.randn(16, 3, 32, 32), torch.randint(0, 10, (16,))
    les = lesion_blocks(model, x, y, batch_size=7)
    assert len(les.errors) == 9 and les.changes_shape.sum() == 2
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(type(b).__name__ == "BasicBlock" for b in model.layer2)


# --- files: local folder, cache, download, corruption, no network ------------------------------------
def _served_from(src: Path, name="resnet20.akamaster") -> W.Weights:
    """The registry entry with its URL pointing at a local file (file://), so torch.hub's real download runs."""
    return dataclasses.replace(W.WEIGHTS[name], url=src.as_uri())


def test_download_verifies_and_keeps_a_good_file(tmp_path, monkeypatch):
    src = _local_or_skip("resnet20.akamaster")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("RESNET_BOOK_WEIGHTS")
    w = _served_from(src)
    path = W.weights_file(w, progress=False)  # a file:// URL through torch.hub's download-and-verify
    assert path == tmp_path / "cache" / "resnet_book" / "weights" / "akamaster" / w.file
    assert file_sha256(path) == w.sha256
    assert W.weights_file(w) == path  # found in the cache the second time


def test_a_truncated_download_is_a_hash_error_and_is_not_kept(tmp_path, monkeypatch):
    src = _local_or_skip("resnet20.akamaster")
    bad = tmp_path / "srv" / src.name
    bad.parent.mkdir()
    bad.write_bytes(src.read_bytes()[:100_000])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("RESNET_BOOK_WEIGHTS")
    with pytest.raises(W.WeightsError, match="hash does not match.*the file was not kept"):
        W.weights_file(_served_from(bad), progress=False)
    folder = tmp_path / "cache" / "resnet_book" / "weights" / "akamaster"
    assert not folder.exists() or list(folder.iterdir()) == []  # not the file, not a .partial


def test_a_corrupt_cached_file_is_removed(tmp_path, monkeypatch):
    src = _local_or_skip("resnet20.akamaster")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RESNET_BOOK_WEIGHTS")
    w = W.WEIGHTS["resnet20.akamaster"]
    cached = W.cache_path(w)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(src.read_bytes()[:-10])
    with pytest.raises(W.WeightsError, match="hash mismatch.*removed from the cache"):
        get_model("resnet20", weights="akamaster")
    assert not cached.exists()


def test_a_corrupt_file_in_the_local_folder_is_named_and_left_alone(tmp_path, monkeypatch):
    src = _local_or_skip("resnet32.akamaster")
    (tmp_path / "akamaster").mkdir()
    bad = tmp_path / "akamaster" / src.name
    bad.write_bytes(src.read_bytes()[:1000])
    monkeypatch.setenv("RESNET_BOOK_WEIGHTS", str(tmp_path))
    with pytest.raises(W.WeightsError, match=rf"{bad}: hash mismatch.*replace it with a good copy"):
        W.weights_file("resnet32.akamaster")
    assert bad.exists()


def test_no_network_and_no_local_copy_says_which_file_to_put_where(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("RESNET_BOOK_WEIGHTS", str(tmp_path / "mine"))
    w = dataclasses.replace(W.WEIGHTS["resnet110.akamaster"], url=(tmp_path / "offline" / "x.th").as_uri())
    with pytest.raises(W.WeightsError) as err:
        W.weights_file(w, progress=False)
    msg = str(err.value)
    assert "\n" not in msg and "resnet110-1d1ed7c2.th is not here" in msg and "downloading" in msg
    assert f"put resnet110-1d1ed7c2.th at {tmp_path}/resnet_book/weights/akamaster/resnet110-1d1ed7c2.th" in msg


def test_a_file_that_is_not_their_format_is_refused(tmp_path, monkeypatch):
    import hashlib

    path = tmp_path / "akamaster" / "resnet20-12fca82f.th"
    path.parent.mkdir()
    torch.save({"weights": torch.zeros(1)}, path)
    w = dataclasses.replace(W.WEIGHTS["resnet20.akamaster"], sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    monkeypatch.setenv("RESNET_BOOK_WEIGHTS", str(tmp_path))
    with pytest.raises(W.WeightsError, match="expected a dict with a 'state_dict' entry"):
        W.load_released(w, download=False)


# --- CLI ---------------------------------------------------------------------------------------------
def test_cli_weights_lists_every_release_and_where_it_is(capsys):
    assert main(["weights"]) == 0
    out = capsys.readouterr().out
    for w in W.WEIGHTS.values():
        assert w.file in out
    assert "BSD-2-Clause" in out and "Normalize" in out
    if W.locate(W.WEIGHTS["resnet110.akamaster"]) is None:
        assert "not here (download-only)" in out


def test_cli_weights_verify(capsys):
    _local_or_skip("resnet20.akamaster")
    assert main(["weights", "--verify"]) == 0
    out = capsys.readouterr().out
    assert out.count("ok: SHA-256 matches") == sum(W.locate(w) is not None for w in W.WEIGHTS.values())


def test_cli_weights_verify_bad_file_exits_2_with_one_line(tmp_path, monkeypatch, capsys):
    src = _local_or_skip("resnet20.akamaster")
    (tmp_path / "akamaster").mkdir()
    (tmp_path / "akamaster" / src.name).write_bytes(src.read_bytes()[:5000])
    monkeypatch.setenv("RESNET_BOOK_WEIGHTS", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main(["weights", "--verify"]) == 2
    out, err = capsys.readouterr()
    err = err.strip().splitlines()
    assert len(err) == 1 and "resnet20.akamaster" in err[0] and err[0].startswith("python -m resnet_book: error:")
    assert "resnet20.akamaster: BAD:" in out and "hash mismatch" in out  # the reason, beside the other files' lines


def test_figures_draw_an_evaluation_and_a_lesion(cifar, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from resnet_book.book import figures
    from resnet_book.analysis import Lesion

    _local_or_skip("resnet20.akamaster")
    ev = A.evaluate_released("resnet20", "test_lossless1k", data=cifar)
    classes, probs = ev.top_k(3, index=slice(0, 8))
    fig = figures.plot_topk_grid(ev.images[:8], ev.labels[:8], classes, probs, ncols=4)
    assert len(fig.axes) == 8 and fig.axes[0].get_title() == "true: cat"  # canonical test image 0 is a cat
    fig2, ax = plt.subplots()
    figures.plot_confusion_matrix(ax, ev.confusion())
    les = Lesion(["layer1.0", "layer2.0"], np.array([9.0, 20.0]), 8.5, np.array([False, True]), 10, 0.1)
    figures.plot_lesion(plt.subplots()[1], {"ResNet-20": les})
    fig.savefig(tmp_path / "grid.png")
    fig2.savefig(tmp_path / "cm.png")
    plt.close("all")


def test_jpeg1k_pairs_each_lossless_image_with_its_jpeg_copy(cifar):
    for subset in (None, 100):
        xl, yl, nl, _ = A.eval_arrays("test_lossless1k", cifar, eval_subset=subset)
        xj, yj, nj, _ = A.eval_arrays("test_jpeg1k", cifar, eval_subset=subset)
        assert (nl, nj) == ("test_lossless1k", "test_jpeg1k") and (yl == yj).all()
        assert 5.0 < np.abs(xl.astype(int) - xj.astype(int)).mean() < 6.5  # same photos, JPEG-degraded (README: 5.8)
    with pytest.raises(ValueError, match="unknown evaluation split 'val45k'; known: test_lossless1k, full, test, test_jpeg1k"):
        A.eval_arrays("val45k", cifar)
