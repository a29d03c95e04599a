"""No silent wrong results, no tracebacks for what a user can fix, nothing left behind.

One test (or more) per defect of the reliability review; the number in each test's comment is the
defect's. Runs use a small synthetic CIFAR-10 folder (tests/conftest.py): what is tested is the
plumbing, not the images.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from resnet_book import files as F
from resnet_book.cli import main
from resnet_book.engine.train import TrainConfig
from resnet_book.errors import DataError, StorageError
from resnet_book.experiments import records as R

TINY = "max_iters=4,log_every=2,eval_every=4,checkpoint_every=2,train_subset=64,eval_subset=20,batch_size=16,milestones=2"


@pytest.fixture()
def data(synthetic_cifar, monkeypatch):
    monkeypatch.setenv("RESNET_BOOK_DATA", str(synthetic_cifar))
    return synthetic_cifar


def _run(tmp_path, *extra, sets=TINY, capsys=None):
    argv = ["run", "fig1", "--scale", "quick", "--runs", "plain20", "--quiet", "--out", str(tmp_path / "out"),
            "--set", sets, *extra]
    return main(argv)


def _one_line_error(capsys, *words) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("python -m resnet_book") and ": error: " in err, err
    for w in words:
        assert w in err, (w, err)
    return err


# --- silent wrong results --------------------------------------------------------------------------------
def test_2_a_seed_in_set_is_refused_not_dropped(tmp_path, data, capsys):
    assert _run(tmp_path, sets=TINY + ",seed=5") == 2
    _one_line_error(capsys, "seed", "--seeds")


@pytest.mark.parametrize("field", ["train_subset=-5", "eval_subset=-3", "eval_subset=0", "train_subset=0"])
def test_3_11_subsets_below_one_are_refused(tmp_path, data, capsys, field):
    assert _run(tmp_path, sets=TINY + "," + field) == 2
    _one_line_error(capsys, field.split("=")[0], ">= 1")
    assert not (tmp_path / "out" / "fig1").exists() or not list((tmp_path / "out" / "fig1").iterdir())


@pytest.mark.parametrize("field", ["warmup_lr=-0.01", "lr_decay=-0.1", "lr=-0.1", "lr_decay=0", "momentum=1.5"])
def test_4_gradient_ascent_is_refused(tmp_path, data, capsys, field):
    assert _run(tmp_path, sets=TINY + "," + field) == 2
    _one_line_error(capsys, field.split("=")[0])


def test_4_a_diverged_run_is_never_complete(tmp_path, data):
    # a legal but absurd learning rate: the loss explodes; the record says "stopped", with the reason
    assert _run(tmp_path, sets=TINY.replace("max_iters=4", "max_iters=8") + ",lr=1e6,log_every=1,checkpoint_every=2") == 0
    rec = R.load_record(next((tmp_path / "out" / "fig1").glob("*.json")))
    assert rec["status"] == "stopped" and ("diverged" in rec["history"]["stopped"] or "non-finite" in rec["history"]["stopped"])


@pytest.mark.parametrize("field, word", [("max_iters=1.5", "max_iters"), ("batch_size=16.5", "batch_size"),
                                         ("milestones=2:9", "milestones"), ("milestones=3:2", "milestones")])
def test_5_16_no_float_becomes_an_int_and_milestones_lie_inside_the_run(tmp_path, data, capsys, field, word):
    assert _run(tmp_path, sets=TINY + "," + field) == 2
    _one_line_error(capsys, word)


def test_5_whole_number_floats_from_json_are_ints():
    assert TrainConfig(max_iters=300.0, milestones=(150.0,)).max_iters == 300
    with pytest.raises(ValueError, match="max_iters must be a whole number"):
        TrainConfig(max_iters=1.5)
    with pytest.raises(ValueError, match="milestones must lie between 0 and max_iters"):
        TrainConfig(max_iters=100)  # the default milestones (32k, 48k) of a 100-iteration run


@pytest.mark.parametrize("labels, word", [
    (lambda n: (np.arange(n) % 10).astype(np.float32), "integer labels"),
    (lambda n: (np.arange(n) % 10).astype(np.int64).reshape(n, 1), "labels int64 (10000, 1)"),
    (lambda n: (np.arange(n) % 11).astype(np.int64), "0..9"),
])
def test_5_labels_of_the_wrong_dtype_shape_or_range_are_a_data_error(tmp_path, synthetic_cifar, capsys, labels, word):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(synthetic_cifar, bad)
    with np.load(bad / "cifar10_test.npz") as f:
        images = f["images"]
    np.savez_compressed(bad / "cifar10_test.npz", images=images, labels=labels(len(images)))
    assert main(["data", "--data", str(bad)]) == 2
    _one_line_error(capsys, word)


def test_6_pages_show_committed_records_whatever_the_machine(monkeypatch):
    # committed records are read by what they are (experiment, scale), with no data and no training:
    # not looked up by this machine's dtype, threads or data fingerprint
    from resnet_book.book import pages

    monkeypatch.setenv("RESNET_BOOK_DATA", "/nonexistent")
    recs = pages.cpu_records("table6")
    assert {r["label"] for r in recs} >= {"resnet20", "resnet56", "resnet110"}
    src = "".join(p.read_text() for p in (Path(__file__).parents[1] / "chapters").glob("[0-9]*.py"))
    assert 'scale="cpu"' not in src and "scale='cpu'" not in src  # no page trains at the cpu scale


# --- one line, exit 2, instead of a traceback --------------------------------------------------------------
def test_8_a_reused_record_without_weights_is_reused_without_its_measure(tmp_path, data, capsys):
    assert _run(tmp_path) == 0
    for w in (tmp_path / "out" / "fig1").glob("*.weights.pt"):
        w.unlink()  # as a committed record: JSON only
    capsys.readouterr()
    assert main(["run", "fig6", "--scale", "quick", "--runs", "plain20", "--quiet", "--out", str(tmp_path / "out"),
                 "--set", TINY]) == 0
    out = capsys.readouterr().out
    assert "no saved weights" in out and "python -m resnet_book measure fig6 lesion" in out
    rec = R.load_record(next((tmp_path / "out" / "fig6").glob("*.json")))
    assert "lesion" not in rec.get("extra", {}) and rec["reused_from"].startswith("fig1/")


def test_9_out_that_is_a_file_is_one_line(tmp_path, data, capsys):
    f = tmp_path / "a-file"
    f.write_text("x")
    assert main(["run", "fig1", "--scale", "quick", "--runs", "plain20", "--quiet", "--out", str(f), "--set", TINY]) == 2
    _one_line_error(capsys, "cannot write", str(f))


def test_10_a_full_disk_is_one_line_and_the_old_file_stays(tmp_path, monkeypatch):
    target = tmp_path / "rec.json"
    F.write_json_atomic(target, {"old": True})

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError, match="No space left on device"):
        F.write_json_atomic(target, {"new": True})
    assert R.json.loads(target.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["rec.json"]  # no temporary file left


def test_12_a_23_digit_seed_is_one_line(tmp_path, data, capsys):
    assert _run(tmp_path, "--seeds", "12345678901234567890123") == 2
    _one_line_error(capsys, "seeds", "2**63-1")


# --- files ------------------------------------------------------------------------------------------
def test_13_atomic_writes_keep_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        F.write_json_atomic(tmp_path / "r.json", {})
        assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o644  # readable by colleagues, as a new file is
        os.umask(0o077)
        F.write_json_atomic(tmp_path / "p.json", {})
        assert stat.S_IMODE((tmp_path / "p.json").stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_14_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".x.ckpt.{dead.stdout.strip()}.k2j3.tmp"
    stale.write_bytes(b"\0" * 1000)
    alive = tmp_path / ".y.ckpt.1.abcd.tmp"  # pid 1 lives: another writer, maybe on its way
    alive.write_bytes(b"\0")
    F.write_json_atomic(tmp_path / "z.json", {})
    assert not stale.exists() and alive.exists()


# --- clear words ------------------------------------------------------------------------------------------
def test_15_report_with_no_records_is_exit_2(tmp_path, capsys):
    assert main(["report", "fig1", "--out", str(tmp_path / "typo")]) == 2
    _one_line_error(capsys, "no records of fig1")


@pytest.mark.parametrize("argv, word", [
    (["--runs", ""], "--runs"), (["--seeds", "0,,0"], "seeds"), (["--seeds", "1,1"], "twice"),
])
def test_16_bad_lists_are_one_line(tmp_path, data, capsys, argv, word):
    assert main(["run", "fig1", "--scale", "quick", "--quiet", "--out", str(tmp_path), "--set", TINY, *argv]) == 2
    err = capsys.readouterr().err
    assert word in err and len(err.strip().splitlines()) == 1


def test_16_a_corrupt_weights_file_gives_the_right_advice(tmp_path, data, capsys):
    from resnet_book.experiments import trained_model

    assert _run(tmp_path) == 0
    rec = R.load_record(next((tmp_path / "out" / "fig1").glob("*.json")))
    w = next((tmp_path / "out" / "fig1").glob("*.weights.pt"))
    w.write_bytes(b"garbage")
    with pytest.raises(ValueError, match="saved weights") as e:
        trained_model(rec, tmp_path / "out")
    assert "start the run over" not in str(e.value) and "record" in str(e.value)


def test_16_weights_verify_checks_every_file_and_hides_none(tmp_path, monkeypatch, capsys):
    import shutil

    src = os.environ.get("RESNET_BOOK_WEIGHTS")
    if not src or not (Path(src) / "akamaster").is_dir():
        pytest.skip("needs the shared released weights")
    copy = tmp_path / "weights"
    shutil.copytree(src, copy)
    files = sorted((copy / "akamaster").glob("*.th"))
    files[0].write_bytes(b"corrupt")
    monkeypatch.setenv("RESNET_BOOK_WEIGHTS", str(copy))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main(["weights", "--verify"]) == 2
    out, err = capsys.readouterr()
    assert out.count(": BAD:") == 1 and out.count(": ok:") == len(files) - 1
    assert "1 of" in err and len(err.strip().splitlines()) == 1


def test_the_cli_turns_every_user_error_into_one_line():
    # one base class the CLI catches; each family derives from it (and from what it refines)
    from resnet_book import errors

    for name in ("ConfigError", "DataError", "RecordError", "StorageError"):
        assert issubclass(getattr(errors, name), errors.UserError)
    assert issubclass(DataError, RuntimeError) and issubclass(StorageError, OSError)
    assert torch.get_num_threads() >= 1


# --- an unreadable image in an ImageFolder: named before any training, or skipped on request -----------
IMAGENET_TINY = "max_iters=4,milestones=2,batch_size=8,log_every=1,eval_every=4,checkpoint_every=2,workers=0,amp=false"


@pytest.fixture()
def tiny_folder(tmp_path):
    from resnet_book.engine.imagenet import write_tiny_imagefolder

    root = write_tiny_imagefolder(tmp_path / "tiny", classes=4, train_per_class=6, val_per_class=2, size=64)
    bad = sorted((root / "val").rglob("*.JPEG"))[1]
    bad.write_bytes(b"\xff\xd8 not a JPEG any more")
    return root, bad


def test_7_a_corrupt_image_is_named_before_training_and_every_resume(tiny_folder, tmp_path, capsys):
    root, bad = tiny_folder
    argv = ["run", "table2", "--scale", "imagenet-small", "--runs", "resnet18", "--data", str(root),
            "--out", str(tmp_path / "out"), "--quiet", "--set", IMAGENET_TINY]
    for _ in range(2):  # and again: the verdict is cached per folder, the message the same
        assert main(argv) == 2
        err = _one_line_error(capsys, "cannot be read", bad.name, "skip_bad_images=true")
        assert "1 image(s)" in err
    assert not list((tmp_path / "out").rglob("*.ckpt")) and not list((tmp_path / "out").rglob("cpu-*.json"))


def test_7_training_without_the_unreadable_images_on_request(tiny_folder, tmp_path, capsys):
    root, bad = tiny_folder
    argv = ["run", "table2", "--scale", "imagenet-small", "--runs", "resnet18", "--data", str(root),
            "--out", str(tmp_path / "out"), "--quiet", "--set", IMAGENET_TINY + ",skip_bad_images=true"]
    assert main(argv) == 0
    assert "1 unreadable image(s) left out" in capsys.readouterr().out
    rec = R.load_record(next((tmp_path / "out" / "table2").glob("*.json")))
    assert rec["provenance"]["skipped_images"] == 1 and rec["status"] == "complete"
