"""Results store (atomic, validated, reused) and the command line (every error path exits 2)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from resnet_book import experiments as ex
from resnet_book import files as F
from resnet_book.engine.checkpoints import load_checkpoint
from resnet_book.errors import RecordError
from resnet_book.experiments import records as R
from resnet_book.cli import main, parse_overrides
from resnet_book.experiments import run_experiment
from resnet_book.experiments.runs import run_id

ROOT = Path(__file__).resolve().parents[1]
TINY = "max_iters=12,log_every=3,eval_every=6,checkpoint_every=3,train_subset=256,eval_subset=100,batch_size=32,milestones=8"


# --- atomic writes -----------------------------------------------------------------------------------
def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "rec.json"
    F.write_json_atomic(target, {"a": 1})

    def dies_midway(f):
        f.write(b'{"a": 2, "half')
        raise KeyboardInterrupt  # killed in the middle of writing

    with pytest.raises(KeyboardInterrupt):
        F.atomic_write(target, dies_midway)
    assert json.loads(target.read_text()) == {"a": 1}  # the old record is intact
    assert [p.name for p in tmp_path.iterdir()] == ["rec.json"]  # and no temp file is left behind
    with pytest.raises(KeyboardInterrupt):
        F.atomic_write(tmp_path / "new.json", dies_midway)
    assert not (tmp_path / "new.json").exists()


def test_corrupt_checkpoint_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.ckpt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(RecordError, match=r"cannot read checkpoint .*x.ckpt.*delete it"):
        load_checkpoint(bad)


# --- a real (tiny) experiment run through the CLI ----------------------------------------------------
@pytest.fixture(scope="module")
def fig1_records(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    assert main(["run", "fig1", "--scale", "quick", "--out", str(out), "--quiet", "--set", TINY]) == 0
    return out


def test_run_writes_valid_records_with_provenance(fig1_records):
    paths = sorted((fig1_records / "fig1").glob("*.json"))
    assert [p.name.split("-s0-")[0] for p in paths] == ["quick-plain20", "quick-plain56"]
    for p in paths:
        rec = R.load_record(p)
        prov = rec["provenance"]
        assert rec["scale"] == "quick" and rec["seed"] == 0 and rec["status"] == "complete"
        assert len(prov["data_fingerprint"]) == 64 and prov["device"].startswith("cpu")
        assert prov["git_commit"] != "" and prov["torch"]
        assert rec["config"]["max_iters"] == 12 and rec["final"]["iterations"] == 12
        seg, = rec["history"]["segments"]  # one process trained it all, with the code the record names
        assert (seg["start"], seg["end"], seg["git_commit"]) == (0, 12, prov["git_commit"])
        assert rec["history"]["iters"] == [3, 6, 9, 12] and rec["history"]["eval_iters"] == [6, 12]
    assert not list((fig1_records / "fig1").glob("*.ckpt"))  # checkpoints go once the record is written


def test_a_resumed_run_names_every_commit_that_trained_it(fig1_records):
    from resnet_book.book import provenance
    from resnet_book.experiments.report import report

    rec = R.load_record(next((fig1_records / "fig1").glob("quick-plain20-*.json")))
    rec["history"]["segments"] = [dict(start=0, end=6, git_commit="aaaaaaaaaaaa1"),
                                  dict(start=6, end=12, git_commit="bbbbbbbbbbbb2")]
    rec["provenance"]["git_commit"] = "bbbbbbbbbbbb2"
    assert R.commits_of(rec) == ["aaaaaaaaaaaa1", "bbbbbbbbbbbb2"]
    assert "commit aaaaaaaaaa, bbbbbbbbbb" in provenance([rec])
    assert "commit aaaaaaaaaaaa, bbbbbbbbbbbb;" in report("fig1", [rec])
    del rec["history"]["segments"]  # records trained before segments were kept
    assert R.commits_of(rec) == ["bbbbbbbbbbbb2"]


def test_finished_runs_are_reused_not_retrained(fig1_records, capsys):
    before = {p: p.stat().st_mtime_ns for p in (fig1_records / "fig1").glob("*.json")}
    assert main(["run", "fig1", "--scale", "quick", "--out", str(fig1_records), "--quiet", "--set", TINY]) == 0
    assert "done before, reusing" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_runs_shared_between_experiments_are_reused(fig1_records, capsys):
    records = run_experiment("fig6", "quick", [0], out=fig1_records, progress=False, runs=["plain20"],
                                overrides=dict(parse_overrides(TINY)))
    assert records[0]["reused_from"].startswith("fig1/") and records[0]["experiment"] == "fig6"
    assert len(records[0]["extra"]["lesion"]["blocks"]) == 9  # fig6's measure, taken on the reused weights
    assert "same run as fig1/" in capsys.readouterr().out


def test_reused_run_gets_the_experiments_measurement(fig1_records, capsys):
    # fig7 measures layer responses; plain20 was trained by fig1 (no measurement): reusing it must
    # measure on its saved weights, not silently drop the measurement.
    records = run_experiment("fig7", "quick", [0], out=fig1_records, progress=False, runs=["plain20"],
                                overrides=dict(parse_overrides(TINY)))
    stds = records[0]["extra"]["layer_response_std"]
    assert records[0]["reused_from"].startswith("fig") and len(stds) == 19
    assert all(s > 0 for _, s in stds)


def test_fig6_runs_carry_their_lesion_curve_and_older_records_get_it_from_their_weights(fig1_records, tmp_path, capsys):
    import shutil

    from resnet_book.analysis import Lesion
    from resnet_book.experiments import add_measure
    from resnet_book.experiments.runs import weights_path
    srcs = sorted((fig1_records / "fig1").glob("quick-*.json"))  # plain20, plain56
    (tmp_path / "fig1").mkdir()
    for src in srcs:  # copies: the module's records stay as trained
        shutil.copyfile(src, tmp_path / "fig1" / src.name)
    src = next(p for p in srcs if "plain56" in p.name)
    path = tmp_path / "fig1" / src.name
    shutil.copyfile(weights_path(src), weights_path(path))  # plain-20 is like a committed record: no weights
    assert "lesion" not in R.load_record(path).get("extra", {})  # fig1 takes no measure
    assert main(["measure", "fig1", "lesion", "--out", str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert "plain20" in said and "no saved weights here" in said and "lesion taken" in said
    assert "lesion" not in R.load_record(tmp_path / "fig1" / srcs[0].name).get("extra", {})
    rec = add_measure(path, "lesion")  # the CLI took it: the record has it, taken once
    les = Lesion.from_dict(rec["extra"]["lesion"])
    assert R.load_record(path)["extra"]["lesion"] == rec["extra"]["lesion"]  # written to the record
    assert len(les.blocks) == 27 and les.errors.shape == (27,) and les.changes_shape.sum() == 2
    assert les.n == 100 and les.dtype == "bfloat16"  # all of TINY's 100 eval images (fewer than 200)
    # the intact net on the same images it was evaluated on: the record's own test error (bf16 may flip one)
    assert les.base_error == pytest.approx(100 * rec["final"]["eval_error"], abs=2.0)
    assert rec["extra"]["lesion"]["taken_after_training"]["created"]
    assert main(["measure", "fig1", "lesion", "--out", str(tmp_path)]) == 0
    assert "has lesion already" in capsys.readouterr().out and R.load_record(path) == rec
    with pytest.raises(ValueError, match="unknown measure"):
        add_measure(path, "nonsense")
    with pytest.raises(R.RecordError, match="no saved weights"):
        add_measure(tmp_path / "fig1" / srcs[0].name, "lesion")
    assert main(["measure", "fig1", "nonsense", "--out", str(tmp_path)]) == 2
    assert main(["measure", "fig1", "lesion", "--out", str(tmp_path / "empty")]) == 2


def test_warmup_lr_follows_the_batch_like_the_base_lr():
    exp = ex.get_experiment("warmup110")
    warm = next(r for r in exp.runs if r.config)
    quick, paper = ex.run_config(exp, warm, "quick", 0), ex.run_config(exp, warm, "paper", 0)
    assert paper.warmup_lr == 0.01 and paper.lr == 0.1  # the paper's numbers at batch 128
    assert quick.warmup_lr / quick.lr == pytest.approx(0.1) and quick.batch_size == 32


def test_same_run_under_another_label_is_reused(fig1_records):
    # shortcuts' "resnet32-A" is fig6's "resnet32" (option A is the default): one training.
    exp = ex.get_experiment("shortcuts")
    a = next(r for r in exp.runs if r.name == "resnet32-A")
    b = next(r for r in ex.get_experiment("fig6").runs if r.name == "resnet32")
    cfg = ex.run_config(exp, a, "quick", 0)
    assert run_id(a, cfg, "quick", "x").rsplit("-", 1)[1] == run_id(b, cfg, "quick", "x").rsplit("-", 1)[1]


def test_report_prints_paper_vs_this_run(fig1_records, capsys):
    assert main(["report", "fig1", "--out", str(fig1_records)]) == 0
    out = capsys.readouterr().out
    assert "| plain20 | 269,722 | 12 | 0 |" in out and "| plain56 | 853,018 |" in out
    assert "Fig. 6, read from plot" in out and "data fingerprint" in out and "scale quick" in out


def test_corrupt_record_is_reported_not_used(fig1_records, tmp_path, capsys):
    out = tmp_path / "copy"
    (out / "fig1").mkdir(parents=True)
    src = next((fig1_records / "fig1").glob("*.json"))
    (out / "fig1" / src.name).write_text(src.read_text()[:200])
    assert main(["report", "fig1", "--out", str(out)]) == 2
    assert "is corrupt" in capsys.readouterr().err
    rec = json.loads(src.read_text())
    del rec["provenance"]["data_fingerprint"]
    (out / "fig1" / src.name).write_text(json.dumps(rec))
    assert main(["report", "fig1", "--out", str(out)]) == 2
    assert "missing field provenance.data_fingerprint" in capsys.readouterr().err


# --- error paths: one clear line, exit 2 ----------------------------------------------------------
@pytest.mark.parametrize("argv, message", [
    (["run", "fig99"], "unknown experiment 'fig99'; known experiments: fig1"),
    (["report", "fig99"], "unknown experiment 'fig99'"),
    (["run", "fig1", "--scale", "huge"], "invalid choice: 'huge'"),
    (["run", "fig1", "--seeds", "a,b"], "seeds must be comma-separated whole numbers"),
    (["run", "fig1", "--seeds", "-1"], "seeds must lie in 0..2**63-1"),
    (["run", "fig1", "--device", "tpu"], "invalid choice: 'tpu'"),
    (["run", "fig1", "--data", "/nonexistent/cifar"], "CIFAR-10 not found in /nonexistent/cifar"),
    (["run", "fig1", "--set", "max_iters=ten"], "max_iters"),
    (["run", "fig1", "--set", "learning_rate=0.1"], "unknown TrainConfig field"),
    (["run", "fig1", "--runs", "resnet21"], "no run named 'resnet21' in fig1"),
    (["data", "--data", "/nonexistent/cifar"], "CIFAR-10 not found"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "required"),
])
def test_cli_errors_exit_2_with_a_clear_message(argv, message, capsys, tmp_path):
    code = main(argv + (["--out", str(tmp_path)] if argv[:1] == ["run"] else []))
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err


def test_cli_uncaught_argparse_exit_codes_are_2():
    # argparse exits through SystemExit; the console entry point must still give 2, not 1
    proc = subprocess.run([sys.executable, "-m", "resnet_book", "run"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "experiment" in proc.stderr


def test_cuda_device_without_cuda_is_a_clear_error(capsys, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert main(["run", "fig1", "--device", "cuda", "--out", str(tmp_path)]) == 2
    assert "CUDA is not available" in capsys.readouterr().err


def test_list_names_every_experiment(capsys):
    assert main(["list", "--names"]) == 0
    out = capsys.readouterr().out
    for name in ("fig1", "fig6", "table6", "fig7", "shortcuts", "warmup110", "resnet1202"):
        assert name in out


# --- SIGKILL mid-run, then re-run: finishes without starting over -----------------------------------
def test_sigkill_then_rerun_resumes(tmp_path, synthetic_cifar):
    env = dict(os.environ, PYTHONUNBUFFERED="1", RESNET_BOOK_DATA=str(synthetic_cifar))
    args = [sys.executable, "-m", "resnet_book", "run", "fig1", "--scale", "quick", "--out", str(tmp_path),
            "--quiet", "--runs", "plain20", "--set",
            "max_iters=120,milestones=60,log_every=2,eval_every=120,checkpoint_every=2,train_subset=256,eval_subset=100,batch_size=16"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 240
    ckpt = None
    while time.time() < deadline and proc.poll() is None:
        found = list((tmp_path / "fig1").glob("*.ckpt")) if (tmp_path / "fig1").exists() else []
        if found:
            ckpt = found[0]
            time.sleep(0.3)  # let it train past a few more checkpoints
            break
        time.sleep(0.2)
    assert ckpt is not None and proc.poll() is None, "the run never wrote a checkpoint"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert not list((tmp_path / "fig1").glob("*.json"))  # killed before any record was written
    import torch

    done_at_kill = torch.load(ckpt, weights_only=True)["history"]["iterations_done"]
    assert 0 < done_at_kill < 120
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming from checkpoint" in rerun.stdout
    rec = R.load_record(next((tmp_path / "fig1").glob("*.json")))
    assert rec["final"]["iterations"] == 120 and rec["history"]["iters"][-1] == 120
    # who trained which stretch: the killed process up to its last checkpoint, then the rerun
    assert [(g["start"], g["end"]) for g in rec["history"]["segments"]] == [(0, done_at_kill), (done_at_kill, 120)]


def test_a_run_killed_at_two_threads_is_not_restarted_at_one(tmp_path, capsys):
    # A run killed at two threads leaves its checkpoint under the two-thread run id; the same command at
    # one thread (--jobs 2 gives each run one) is another run id. It must neither resume that checkpoint
    # (another computation) nor silently start over beside it: one line naming both, exit 2.
    from resnet_book.engine.data import DeviceData, load_cifar10, make_split
    from resnet_book.models import get_model
    from resnet_book.engine.train import train

    class DiesAt7:  # a SIGKILL after the checkpoint at iteration 6
        def __init__(self, data):
            self.data = data

        def __getattr__(self, name):
            return getattr(self.data, name)

        def batch(self, seed, it, *a, **k):
            if it == 7:
                raise KeyboardInterrupt
            return self.data.batch(seed, it, *a, **k)

    exp = ex.get_experiment("fig1")
    cfg = ex.run_config(exp, exp.runs[0], "quick", 0, "cpu", dict(parse_overrides(TINY)))
    data = load_cifar10()
    split = DeviceData(make_split(data, cfg.split, cfg.train_subset, cfg.eval_subset, cfg.subset_seed), "cpu")
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        ckpt = tmp_path / "fig1" / f"{run_id(exp.runs[0], cfg, 'quick', data.fingerprint)}.ckpt"
        ckpt.parent.mkdir(parents=True)
        torch.manual_seed(0)
        with pytest.raises(KeyboardInterrupt):
            train(get_model("plain20"), DiesAt7(split), cfg, checkpoint=ckpt, progress=False)
        torch.set_num_threads(1)
        argv = ["run", "fig1", "--scale", "quick", "--out", str(tmp_path), "--quiet", "--runs", "plain20", "--set", TINY]
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "2 CPU thread(s), this process has 1" in err and ckpt.name in err
        assert not list((tmp_path / "fig1").glob("*.json"))
        torch.set_num_threads(2)  # with the count it was trained at, it resumes and finishes
        assert main(argv) == 0
        assert "resuming from checkpoint" in capsys.readouterr().out
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("text, expected", [
    ("max_iters=300,lr=0.05", [("max_iters", 300), ("lr", 0.05)]),
    ("milestones=150:225", [("milestones", (150, 225))]),
    ("milestones=", [("milestones", ())]),
    ("warmup_lr=0.01,train_subset=none", [("warmup_lr", 0.01), ("train_subset", None)]),
    ("amp=auto,augment=false,amp=true", [("amp", "auto"), ("augment", False), ("amp", True)]),
])
def test_parse_overrides_types(text, expected):
    assert parse_overrides(text) == expected


@pytest.mark.parametrize("text", ["augment=maybe", "amp=sometimes", "batch_size=big", "lr"])
def test_parse_overrides_rejects_bad_values(text):
    with pytest.raises(ValueError):
        parse_overrides(text)
