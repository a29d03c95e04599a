"""ImageNet (Tables 2-3): the folder and its errors, the Sec. 3.4 recipe and augmentation, 10-crop
testing, and torchrun + DDP on the CPU (gloo) with a tiny ImageFolder written by the tests.

The torchrun tests share one uninterrupted 2-process run (``ddp_run``): its record, its final
weights, its per-step curves. They cost three torchrun launches in all.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from resnet_book import experiments as ex
from resnet_book.engine import imagenet as inet
from resnet_book import reference
from resnet_book.experiments import records as R
from resnet_book.cli import main
from resnet_book.engine.distributed import World
from resnet_book.engine.imagenet import ImageNetConfig

# 8 iterations of a global batch of 8 (4 per process), a curve point per iteration, a checkpoint
# every 2; one loader worker per process (persistent), fp32 (bitwise comparisons).
TINY = "max_iters=8,milestones=4,batch_size=8,log_every=1,eval_every=8,checkpoint_every=2,workers=1,amp=false"
RUN = ["run", "table2", "--scale", "imagenet-small", "--runs", "resnet18", "--quiet", "--set", TINY]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """10 classes x (16 train + 2 val) JPEGs of 64x64."""
    return inet.write_tiny_imagefolder(tmp_path_factory.mktemp("tiny-imagenet"), val_per_class=2)


def _torchrun(args: list[str], nproc: int = 2) -> list[str]:
    return [sys.executable, "-m", "torch.distributed.run", f"--nproc-per-node={nproc}", "-m", "resnet_book", *args]


def _env() -> dict:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("WORLD_SIZE", None), env.pop("RANK", None)
    return env


@pytest.fixture(scope="module")
def ddp_run(tiny, tmp_path_factory):
    """One uninterrupted torchrun --nproc-per-node=2 run of table2's resnet18 on the tiny folder."""
    out = tmp_path_factory.mktemp("ddp")
    t = time.perf_counter()
    proc = subprocess.run(_torchrun(RUN + ["--data", str(tiny), "--out", str(out)]), env=_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    paths = sorted((out / "table2").glob("*.json"))
    return {"out": out, "paths": paths, "stdout": proc.stdout, "seconds": time.perf_counter() - t}


# --- the folder ---------------------------------------------------------------------------------------
def test_folder_listing_is_torchvisions_imagefolder(tiny):
    from torchvision.datasets import ImageFolder

    folder = inet.find_imagefolder(tiny)
    for split, samples in (("train", folder.train), ("val", folder.val)):
        tv = ImageFolder(str(tiny / split))
        assert tv.classes == folder.classes and tv.samples == samples
    assert len(folder.classes) == 10 and len(folder.train) == 160 and len(folder.val) == 20


def _flat_val(root: Path) -> None:
    for p in (root / "val").rglob("*.JPEG"):
        p.rename(root / "val" / p.name)
    for d in (root / "val").iterdir():
        if d.is_dir():
            d.rmdir()


@pytest.mark.parametrize("damage, scale, message", [
    (lambda r: os.rename(r / "train", r / "training"), "imagenet-small", "is not in ImageFolder layout: it has no train/"),
    (lambda r: __import__("shutil").rmtree(r / "val"), "imagenet-small", "has train/ but no val/ folder"),
    (_flat_val, "imagenet-small", "val has no class folders (the flat ILSVRC2012 val/ must first be sorted"),
    (lambda r: os.rename(r / "val" / "n0000003", r / "val" / "n9999999"), "imagenet-small",
     "train/ and val/ must have the same class folders; only in train/: n0000003; only in val/: n9999999"),
    (lambda r: None, "imagenet", "has 10 class folders; this scale needs 1,000"),
])
def test_bad_data_folders_are_one_clear_line_and_exit_2(tiny, tmp_path, capsys, damage, scale, message):
    import shutil

    root = tmp_path / "data"
    shutil.copytree(tiny, root)
    damage(root)
    rc = main(["run", "table2", "--scale", scale, "--data", str(root), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out").exists()  # nothing trained, nothing written


def test_missing_data_folder_names_the_layout_and_the_variable(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv(inet.ENV_VAR, raising=False)
    assert main(["run", "table2", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--data DIR or set $RESNET_BOOK_IMAGENET" in err and "train/<class>/<image>.JPEG" in err


def test_a_world_size_that_does_not_divide_the_global_batch_is_exit_2(tiny, tmp_path, capsys, monkeypatch):
    # what torchrun --nproc-per-node=3 sets; the check comes before the process group is joined
    for k, v in dict(RANK="0", WORLD_SIZE="3", LOCAL_RANK="0", LOCAL_WORLD_SIZE="3").items():
        monkeypatch.setenv(k, v)
    rc = main(["run", "table2", "--scale", "imagenet-small", "--data", str(tiny), "--out", str(tmp_path), "--set", "batch_size=8"])
    err = capsys.readouterr().err
    assert rc == 2 and "the global batch of 8 does not split over 3 processes" in err and len(err.strip().splitlines()) == 1
    assert World(size=8).check_batch(256) == 32


def test_one_line_per_failure_under_torchrun():
    own, decided = ValueError("no data folder"), ValueError("checkpoint written by 2 processes")
    decided.from_rank0 = True  # raised on rank 0 and sent to the others (World.on_main)
    rank0, rank1, node2_first = World(0, 4, 0, 2), World(1, 4, 1, 2), World(2, 4, 0, 2)
    assert rank0.speaks(own) and rank0.speaks(decided)
    assert not rank1.speaks(own) and not rank1.speaks(decided)
    assert node2_first.speaks(own) and not node2_first.speaks(decided)  # each node says what it found itself


# --- the recipe ---------------------------------------------------------------------------------------
def test_the_imagenet_scale_is_the_recipe_of_sec_3_4():
    cfg = ex.run_config(ex.get_experiment("table2"), ex.get_experiment("table2").runs[0], "imagenet", 0, "cpu")
    r = reference.IMAGENET_RECIPE
    assert (cfg.batch_size, cfg.lr, cfg.momentum, cfg.weight_decay, cfg.max_iters) == \
        (r["batch_size"], r["lr"], r["momentum"], r["weight_decay"], r["max_iters"])
    assert (cfg.scale_min, cfg.scale_max) == r["scale_aug"] and cfg.crop == 224 and cfg.test_size == 256
    assert cfg.normalize == "pixel" and cfg.color_std == 0.1 and cfg.ten_crop and cfg.num_classes == 1000
    assert cfg.warmup_lr is None and cfg.lr_decay == 0.1
    # the named milestones: 30, 60 and 90 epochs of ImageNet's 1,281,167 training images at batch 256
    epochs = [m * 256 / 1_281_167 for m in cfg.milestones]
    assert cfg.milestones == inet.IMAGENET_MILESTONES and [round(e) for e in epochs] == [30, 60, 90]
    # the small scale changes sizes only
    small = ex.run_config(ex.get_experiment("table2"), ex.get_experiment("table2").runs[0], "imagenet-small", 0, "cpu")
    sizes = {"crop", "scale_min", "scale_max", "test_size", "num_classes", "max_iters", "milestones", "log_every",
             "eval_every", "checkpoint_every"}
    assert {k for k, v in small.to_dict().items() if v != cfg.to_dict()[k]} == sizes
    assert [m / small.max_iters for m in small.milestones] == [m / cfg.max_iters for m in cfg.milestones] == [0.25, 0.5, 0.75]


def test_other_global_batches_scale_the_lr_linearly_and_the_schedule_inversely():
    exp = ex.get_experiment("table3")
    run = exp.runs[0]
    big = ex.run_config(exp, run, "imagenet", 0, "cpu", {"batch_size": 1024})
    assert big.lr == pytest.approx(0.4) and big.max_iters == 150_000 and big.milestones == (37_500, 75_000, 112_500)
    assert "lr 0.1 x 1024/256 = 0.4" in inet.scaling_note(big, 256, 0.1)
    mine = ex.run_config(exp, run, "imagenet", 0, "cpu", {"batch_size": 1024, "lr": 0.1, "max_iters": 9, "milestones": (4,)})
    assert (mine.lr, mine.max_iters) == (0.1, 9)  # what the user sets stays as set
    assert ex.run_config(exp, run, "imagenet", 0, "cpu").lr == 0.1


def test_tables_2_and_3_are_in_the_registry_with_the_papers_shortcuts():
    t2, t3 = ex.get_experiment("table2"), ex.get_experiment("table3")
    assert [(r.name, r.model, r.model_kwargs) for r in t2.runs] == [
        ("plain18", "plain18", {}), ("plain34", "plain34", {}),
        ("resnet18", "resnet18", {"shortcut": "A"}), ("resnet34", "resnet34", {"shortcut": "A"})]
    assert [r.name for r in t3.runs] == ["resnet34-A", "resnet34-B", "resnet34-C", "resnet50", "resnet101", "resnet152"]
    assert t2.runs_at("quick") == [] and len(t3.runs_at("imagenet")) == 6 and ex.default_scale("cpu", t2) == "imagenet"
    # table3's option-A run is table2's resnet34: one run id, trained once
    fp = "0" * 64
    ids = [ex.run_config(e, r, "imagenet", 0, "cpu") for e, r in ((t2, t2.runs[3]), (t3, t3.runs[0]))]
    from resnet_book.experiments.runs import run_id

    assert run_id(t2.runs[3], ids[0], "imagenet", fp).rsplit("-", 1)[1] == run_id(t3.runs[0], ids[1], "imagenet", fp).rsplit("-", 1)[1]
    from resnet_book.analysis import count_params

    params = {r.name: count_params(ex.build_model(r, 0)) for r in (t3.runs[0], t3.runs[1], t3.runs[2], t2.runs[1])}
    assert params["resnet34-B"] == reference.IMAGENET_PARAMS[34]  # torchvision's ResNet-34
    assert params["plain34"] == params["resnet34-A"] < params["resnet34-B"] < params["resnet34-C"]  # A adds no parameters


def test_fields_of_the_imagenet_config_can_be_set_from_the_command_line():
    from resnet_book.cli import parse_overrides

    assert parse_overrides("crop=56,workers=2,num_classes=none,color_std=0") == [
        ("crop", 56), ("workers", 2), ("num_classes", None), ("color_std", 0.0)]
    with pytest.raises(ValueError, match="crop <= scale_min"):
        ImageNetConfig(crop=300)


# --- augmentation and testing --------------------------------------------------------------------------
def _photo(w=400, h=300, seed=0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


def test_training_augmentation_is_sec_3_4(monkeypatch):
    sizes = []
    real = inet.resize_shorter
    monkeypatch.setattr(inet, "resize_shorter", lambda img, s: sizes.append(s) or real(img, s))
    t = inet.TrainTransform(ImageNetConfig())
    img = _photo()
    outs = [t(img, random.Random(i)) for i in range(200)]
    assert all(x.shape == (224, 224, 3) and x.dtype == np.uint8 for x, _ in outs)
    assert 256 <= min(sizes) < 270 and 466 < max(sizes) <= 480  # shorter side uniform in [256, 480]
    resized = real(img, 256)
    assert resized.size == (341, 256)  # aspect kept, as torchvision's Resize(256)
    x, _ = t(img, random.Random(0))
    assert np.array_equal(t(img, random.Random(0))[0], x)  # the seed decides everything
    offsets = np.stack([o for _, o in outs])
    # Krizhevsky's colour noise: offset = eigvec @ (alpha * eigval), alpha ~ N(0, 0.1)
    assert np.abs(offsets.mean(0)).max() < 0.01 and 0.01 < offsets.std(0).min() < 0.03
    cov = np.cov(offsets.T)
    pcs = np.array(inet.PCA_EIGVEC) * np.array(inet.PCA_EIGVAL)
    assert np.allclose(cov, 0.01 * pcs @ pcs.T, atol=2e-4)
    assert not np.any(inet.TrainTransform(ImageNetConfig(color_std=0))(img, random.Random(0))[1])


def test_flips_happen_half_of_the_time():
    t = inet.TrainTransform(ImageNetConfig(scale_min=224, scale_max=224, crop=224, test_size=224))
    img = _photo(224, 224)
    base = np.asarray(img)
    outs = [t(img, random.Random(i))[0] for i in range(100)]
    same, mirrored = sum(np.array_equal(o, base) for o in outs), sum(np.array_equal(o, base[:, ::-1]) for o in outs)
    assert same + mirrored == 100 and 35 < mirrored < 65


def test_ten_crop_and_centre_crop_are_torchvisions_and_the_centre_is_crop_4():
    import torchvision.transforms.functional as TF

    img = _photo(333, 256)
    crops = inet.ten_crop(img, 224)
    assert [np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(crops, TF.ten_crop(img, 224))] == [True] * 10
    big = _photo(500, 375, 1)
    assert np.array_equal(np.asarray(inet.resize_shorter(big, 256)), np.asarray(TF.resize(big, 256)))
    cfg = ImageNetConfig()
    ten, _ = inet.CenterTransform(cfg, ten=True)(big)
    one, _ = inet.CenterTransform(cfg)(big)
    assert ten.shape == (10, 224, 224, 3) and np.array_equal(ten[4], one)


def test_ten_crop_scores_average_the_softmax_over_the_crops():
    y = torch.tensor([0, 1])
    logits = torch.zeros(2, 10, 3)
    logits[0, :, 0] = 2.0  # image 0: every crop says class 0 (right)
    logits[1, :, 1] = 1.0  # image 1: most crops say class 1 (right) ...
    logits[1, 4, 2] = 9.0  # ... but the centre crop says class 2 (wrong)
    n, c1, c5, _, t1, t5, _ = inet.crop_scores(logits, y).tolist()
    assert (n, c1, t1) == (2, 1, 0) and c5 == t5 == 0  # 3 classes: top-5 is never wrong
    n, c1, *_ = inet.crop_scores(logits[:, 4:5], y).tolist()  # the centre crop alone
    assert (n, c1) == (2, 1)


def test_a_samples_pixels_depend_on_seed_epoch_and_index_only(tiny):
    folder = inet.find_imagefolder(tiny)
    ds = inet.Images(folder.train, inet.TrainTransform(ImageNetConfig(crop=56, scale_min=64, scale_max=120, test_size=64)), 0)
    a, b, c = ds[(0, 3)], ds[(0, 3)], ds[(1, 3)]
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[2], b[2]) and a[1] == 3 // 16
    assert not np.array_equal(a[0], c[0])  # another epoch, other crops
    # the processes' shares of a global batch are one process's batch (DistributedSampler order)
    def share(size, rank, per):
        s = torch.utils.data.DistributedSampler(ds, num_replicas=size, rank=rank, shuffle=True, seed=0, drop_last=True)
        batches = inet.EpochBatches(s, per)
        batches.epoch = 2
        return list(batches)
    one = share(1, 0, 8)
    two = [share(2, r, 4) for r in (0, 1)]
    assert len(one) == len(two[0]) == 20
    assert all(sorted(one[k]) == sorted(two[0][k] + two[1][k]) for k in range(20))
    resumed = inet.EpochBatches(torch.utils.data.DistributedSampler(ds, 2, 1, seed=0, drop_last=True), 4)
    resumed.epoch, resumed.skip = 2, 7
    assert list(resumed) == two[1][7:] and len(resumed) == 13


# --- torchrun, 2 processes, gloo -----------------------------------------------------------------------
def test_torchrun_two_processes_finish_and_write_one_valid_record(ddp_run, capsys):
    assert len(ddp_run["paths"]) == 1
    rec = R.load_record(ddp_run["paths"][0])  # schema-checked, the ImageNet provenance included
    p = rec["provenance"]
    assert rec["dataset"] == "imagenet" and rec["status"] == "complete" and rec["final"]["iterations"] == 8
    assert (p["world_size"], p["global_batch"], p["per_device_batch"], p["backend"]) == (2, 8, 4, "gloo")
    assert p["device_kind"].startswith("cpu") and p["batchnorm"] == "per device (no SyncBN)"
    assert "lr 0.1 x 8/256 = 0.003125" in p["lr_rule"] and rec["config"]["lr"] == pytest.approx(0.003125)
    assert rec["final"]["eval_name"] == "val, 10-crop" and 0 <= rec["final"]["top5_error"] <= rec["final"]["eval_error"]
    assert rec["model_kwargs"] == {"shortcut": "A", "num_classes": 10}
    assert rec["history"]["iters"] == list(range(1, 9)) and rec["history"]["eval_iters"] == [8]
    assert "2 process(es) x cpu (gloo; fp32), global batch 8 (4 per process)" in ddp_run["stdout"]
    assert ddp_run["stdout"].count("### ImageNet: plain-18/34") == 1  # the report, from rank 0 only
    assert main(["report", "table2", "--out", str(ddp_run["out"])]) == 0
    out = capsys.readouterr().out
    assert "| resnet18 | 11,007,818 | 8 | 0 |" in out and f"{reference.TABLE2['resnet18']:.2f} | Table 2 |" in out
    assert "world size 2; global batch 8" in out


def test_two_processes_of_batch_b_match_one_process_of_batch_2b(ddp_run, tiny):
    """The first 8 steps of the 2-process run (4 images per process) against one process with the
    same 8 images per step, from the same initial weights.

    What makes the comparison exact: BatchNorm. With per-device BN (the paper's, and DDP's without
    SyncBN) each process normalises over its own 4 images, so the 2-process step is NOT the step
    of one process normalising over all 8 -- the per-sample losses depend on the batch statistics.
    It IS the step of one process that runs the same 8 images as the two halves the processes got
    (BN statistics per half) and averages the two halves' mean losses: DDP averages the processes'
    gradients, and the gradient of the average is the average of the gradients. Rank 0's running
    statistics are the ones kept (DDP broadcasts them before every forward pass), so the reference
    keeps the first half's update. Everything else -- the samples, their crops and colour noise, the
    order, the lr schedule, weight decay and momentum -- is the engine's own, and the reference
    builds the halves from torch's DistributedSampler, not from the engine's sampler.

    One step of the same reference with BN over all 8 images is also computed: it must differ
    from the per-half step by far more than the tolerance, or this test could not fail.
    """
    from torch.utils.data import DistributedSampler, default_collate

    from resnet_book.experiments import RunSpec, build_model
    from resnet_book.engine.train import LRSchedule

    rec = R.load_record(ddp_run["paths"][0])
    cfg = ImageNetConfig(**rec["config"])
    folder = inet.find_imagefolder(tiny)
    stats = inet.pixel_stats(folder, cfg, ddp_run["out"] / ".imagenet-stats", rec["provenance"]["data_fingerprint"])
    data = inet.ImageNetData(folder, cfg, torch.device("cpu"), World(), stats)
    halves = []
    for rank in (0, 1):
        s = DistributedSampler(data.train_set, num_replicas=2, rank=rank, shuffle=True, seed=cfg.seed, drop_last=True)
        s.set_epoch(0)
        halves.append(list(s))

    def batch(rank, it):
        x, y, off = default_collate([data.train_set[(0, i)] for i in halves[rank][4 * it:4 * it + 4]])
        return data.to_input(x, off), y

    def train(ghost: bool, steps: int):
        model = build_model(RunSpec("resnet18", {"shortcut": "A", "num_classes": 10}), 0).to(memory_format=torch.channels_last)
        opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
        schedule, losses, states = LRSchedule(cfg), [], []
        for it in range(steps):
            for g in opt.param_groups:
                g["lr"] = schedule.lr_at(it)
            (x0, y0), (x1, y1) = batch(0, it), batch(1, it)
            kept = {}
            if ghost:
                l0 = torch.nn.functional.cross_entropy(model(x0), y0)
                kept = {k: v.clone() for k, v in model.named_buffers()}  # rank 0's running statistics
                loss = (l0 + torch.nn.functional.cross_entropy(model(x1), y1)) / 2
            else:
                loss = torch.nn.functional.cross_entropy(model(torch.cat([x0, x1])), torch.cat([y0, y1]))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():  # (after backward: autograd saved the buffers it was given)
                for k, v in model.named_buffers():
                    v.copy_(kept.get(k, v))
            losses.append(loss.item())
            states.append({k: v.detach().clone() for k, v in model.named_parameters()})
        return model.state_dict(), losses, states

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as each torchrun process
    try:
        ref, ref_losses, ref_states = train(ghost=True, steps=cfg.max_iters)
        _, naive_losses, naive_states = train(ghost=False, steps=1)
    finally:
        torch.set_num_threads(threads)
        data.close()
    ddp = torch.load(ddp_run["paths"][0].with_suffix(".weights.pt"), weights_only=True)
    diff = max((ddp[k].double() - ref[k].double()).abs().max().item() for k in ref)  # weights and BN statistics
    bn_matters = max((ref_states[0][k] - naive_states[0][k]).abs().max().item() for k in naive_states[0])
    print(f"max |2 x B - 1 x 2B (per-half BN)| after 8 steps = {diff:.2e}; "
          f"one step with BN over all 2B moves the weights by up to {bn_matters:.2e} more")
    assert diff < 1e-5, diff
    assert bn_matters > 100 * max(diff, 1e-7), (diff, bn_matters)
    assert all(torch.equal(ddp[k], ref[k]) for k in ref if k.endswith("num_batches_tracked"))
    losses = rec["history"]["train_loss"]  # the 2-process run's loss of every step
    assert losses == pytest.approx(ref_losses, rel=1e-5, abs=1e-6)
    assert abs(losses[0] - naive_losses[0]) > 100 * max(abs(losses[0] - ref_losses[0]), 1e-7)


def _children(pid: int) -> dict[int, int]:
    """{rank: pid} of torchrun's worker processes (direct children of the agent ``pid``)."""
    ranks = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) != pid:
                continue
            env = dict(kv.split("=", 1) for kv in (d / "environ").read_text().split("\0") if "=" in kv)
            ranks[int(env["RANK"])] = int(d.name)
        except (OSError, KeyError, ValueError, IndexError):
            continue
    return ranks


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds torchrun's workers in /proc")
def test_kill_9_of_one_rank_then_rerun_resumes_and_ends_with_the_same_record(ddp_run, tiny, tmp_path, capsys):
    out = tmp_path / "out"
    args = RUN + ["--data", str(tiny), "--out", str(out)]
    proc = subprocess.Popen(_torchrun(args), env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline, ckpt = time.time() + 300, None
    while time.time() < deadline and proc.poll() is None:
        found = list((out / "table2").glob("*.ckpt")) if (out / "table2").exists() else []
        if found:
            ckpt = found[0]
            break
        time.sleep(0.05)
    assert ckpt is not None and proc.poll() is None, "the run never wrote a checkpoint"
    ranks = _children(proc.pid)
    assert sorted(ranks) == [0, 1], ranks
    os.kill(ranks[1], signal.SIGKILL)  # not rank 0: the one that writes is not the one that dies
    proc.communicate(timeout=120)
    assert proc.returncode != 0  # torchrun reports the failed worker and stops the other
    assert not list((out / "table2").glob("*.json"))
    done_at_kill = torch.load(ckpt, weights_only=True)["history"]["iterations_done"]
    assert done_at_kill in (2, 4, 6)

    # resuming with another world size is refused: one line, exit 2, the checkpoint kept
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "was written by 2 process(es), this run has 1: resume it with the same world size" in err
    assert len(err.strip().splitlines()) == 1 and ckpt.exists()

    rerun = subprocess.run(_torchrun(args), env=_env(), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert "(resuming from checkpoint)" in rerun.stdout and not ckpt.exists()
    resumed = R.load_record(next((out / "table2").glob("*.json")))
    whole = R.load_record(ddp_run["paths"][0])
    timing = {"wall_time", "cpu_time", "segments"}  # when, and by which processes: not what was trained
    strip = lambda d: {k: v for k, v in d.items() if k not in timing}  # noqa: E731
    assert resumed["run_id"] == whole["run_id"] and resumed["config"] == whole["config"]
    assert strip(resumed["history"]) == strip(whole["history"]) and strip(resumed["final"]) == strip(whole["final"])
    spans = lambda rec: [(g["start"], g["end"]) for g in rec["history"]["segments"]]  # noqa: E731
    assert spans(whole) == [(0, whole["final"]["iterations"])]
    assert spans(resumed) == [(0, done_at_kill), (done_at_kill, whole["final"]["iterations"])]
    w1 = torch.load(ddp_run["paths"][0].with_suffix(".weights.pt"), weights_only=True)
    w2 = torch.load(next((out / "table2").glob("*.weights.pt")), weights_only=True)
    assert all(torch.equal(w1[k], w2[k]) for k in w1)  # bitwise the uninterrupted run's weights
    json.dumps(resumed)
