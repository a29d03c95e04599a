"""The runner: run identity (dtype and device type included, pinned), scales, --jobs, one lock per run."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import torch

from resnet_book import experiments as ex
from resnet_book.experiments import records as R
from resnet_book.cli import main, parse_overrides
from resnet_book.experiments import run_experiment
from resnet_book.experiments.runs import run_id
from resnet_book.engine.device import resolve_compile, resolve_device, resolve_dtype
from resnet_book.engine.train import identity, TrainConfig

TINY = "max_iters=12,log_every=3,eval_every=6,checkpoint_every=3,train_subset=256,eval_subset=100,batch_size=32,milestones=8"


def _fig1_plain20(scale="quick", **overrides):
    exp = ex.get_experiment("fig1")
    run = exp.runs[0]
    return run, ex.run_config(exp, run, scale, 0, "cpu", overrides)


# --- identity -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("amp, threads, expected", [
    (False, 1, "quick-plain20-s0-8ac386f4ba"), (True, 1, "quick-plain20-s0-378a1b0df1"),
    (False, 2, "quick-plain20-s0-fa2b56c19d"), (True, 2, "quick-plain20-s0-d5511dc5cb"),
])
def test_run_id_is_pinned(amp, threads, expected):
    # A change to what the id covers would orphan every committed record (and retrain it): on purpose
    # only, with a new schema version. The dtype and thread count are fixed here so the pin holds on
    # any machine; one thread hashes as before the thread count joined the identity.
    run, cfg = _fig1_plain20(amp=amp)
    assert run_id(run, cfg, "quick", "0" * 64, threads=threads) == expected


def test_committed_cpu_records_keep_their_ids():
    # every committed cpu-scale record was trained on one thread: its id is what this code computes for it
    fp = {}
    for path in sorted((R.results_root() / "").glob("*/cpu-*.json")):
        rec = R.load_record(path)
        exp = ex.get_experiment(rec["experiment"])
        run = next(r for r in exp.runs if r.name == rec["label"])
        cfg = ex.run_config(exp, run, "cpu", rec["seed"], "cpu").replace(amp=rec["provenance"]["dtype"] == "bf16")
        assert rec["provenance"]["threads"] == 1, path.name
        assert run_id(run, cfg, "cpu", rec["provenance"]["data_fingerprint"], threads=1) == rec["run_id"], path.name
        fp[str(path)] = rec["run_id"]
    assert len(fp) >= 25


def _five_steps(threads: int, amp: bool) -> list:
    from resnet_book.models import get_model
    from resnet_book.engine.train import train_step

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        torch.manual_seed(0)
        model = get_model("resnet20").to(memory_format=torch.channels_last)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
        g = torch.Generator().manual_seed(1)
        for _ in range(5):
            x = torch.randn(128, 3, 32, 32, generator=g).to(memory_format=torch.channels_last)
            train_step(model, opt, x, torch.randint(0, 10, (128,), generator=g), amp)
        return [p.detach().clone() for p in model.parameters()]
    finally:
        torch.set_num_threads(before)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to compare one thread with two")
@pytest.mark.parametrize("amp", [False, True], ids=["fp32", "bf16"])
def test_cpu_results_depend_on_the_thread_count_so_the_id_covers_it(amp):
    # Why the thread count is in a CPU run's identity: the same five steps end elsewhere at 1 and 2 threads
    # (and identically twice at the same count). If a future torch made them equal, this test says so.
    one, two, again = _five_steps(1, amp), _five_steps(2, amp), _five_steps(1, amp)
    assert all(torch.equal(a, b) for a, b in zip(one, again))
    assert not all(torch.equal(a, b) for a, b in zip(one, two))
    run, cfg = _fig1_plain20(amp=amp)
    assert run_id(run, cfg, "quick", "f", threads=1) != run_id(run, cfg, "quick", "f", threads=2)
    cuda = torch.device("cuda", 0)  # a GPU run's numbers do not depend on the host's threads
    assert identity(cfg, cuda, threads=1) == identity(cfg, cuda, threads=2)


def test_run_id_covers_dtype_and_device_type_not_execution_options():
    run, cfg = _fig1_plain20()
    fp32, bf16 = cfg.replace(amp=False), cfg.replace(amp=True)
    assert run_id(run, fp32, "quick", "f") != run_id(run, bf16, "quick", "f")  # bf16 never stands in for fp32
    # amp="auto" is hashed as the dtype it resolves to here, not as the string "auto"
    auto = cfg.replace(amp="auto")
    same = fp32 if resolve_dtype(auto, torch.device("cpu")) == "fp32" else bf16
    assert run_id(run, auto, "quick", "f") == run_id(run, same, "quick", "f")
    # a CUDA run is another run (identity computed for a CUDA device; amp fixed so no GPU is needed)
    assert identity(fp32, torch.device("cuda", 0))["device_type"] == "cuda"
    assert identity(fp32, torch.device("cuda", 0)) != identity(fp32, torch.device("cpu"))
    # how a run is executed does not change what it is
    for change in (dict(compile=False), dict(checkpoint_every=20), dict(deterministic=True)):
        assert run_id(run, fp32.replace(**change), "quick", "f") == run_id(run, fp32, "quick", "f"), change
    # ... but a compiled run is another computation (its kernels round in another order)
    assert run_id(run, fp32.replace(compile=True), "quick", "f") != run_id(run, fp32, "quick", "f")
    for change in (dict(max_iters=400), dict(lr=0.2), dict(seed=1), dict(train_subset=512)):
        assert run_id(run, fp32.replace(**change), "quick", "f") != run_id(run, fp32, "quick", "f"), change


def test_cpu_scale_is_the_paper_recipe_on_all_images_with_a_compressed_schedule():
    exp = ex.get_experiment("table6")
    r110 = next(r for r in exp.runs if r.name == "resnet110")
    cpu, paper = ex.run_config(exp, r110, "cpu", 0), ex.run_config(exp, r110, "paper", 0)
    for key in ("batch_size", "lr", "momentum", "weight_decay", "normalize", "augment", "warmup_lr", "split"):
        assert getattr(cpu, key) == getattr(paper, key), key
    assert cpu.train_subset is None and cpu.eval_subset is None  # all 50k / all 10k
    assert cpu.max_iters < paper.max_iters
    assert [m / cpu.max_iters for m in cpu.milestones] == [m / paper.max_iters for m in paper.milestones] == [0.5, 0.75]
    # sizes only: the scales differ in no field but sizes and bookkeeping
    sizes = {"max_iters", "milestones", "log_every", "eval_every", "checkpoint_every", "batch_size", "lr",
             "train_subset", "eval_subset"}
    quick = ex.run_config(exp, r110, "quick", 0)
    assert {k for k, v in cpu.to_dict().items() if v != paper.to_dict()[k]} <= sizes
    assert {k for k, v in quick.to_dict().items() if v != paper.to_dict()[k]} <= sizes | {"warmup_lr"}


def test_default_scale_follows_the_resolved_device(monkeypatch):
    assert ex.default_scale("cpu") == "quick"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert ex.default_scale("auto") == "quick"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert ex.default_scale("auto") == "paper" and ex.default_scale("cpu") == "quick"
    assert ex.default_scale("cpu", ex.get_experiment("table2")) == "imagenet"


@pytest.mark.parametrize("text, ok", [("cpu", "cpu"), ("CPU", "cpu"), ("auto", None)])
def test_devices_are_normalised(text, ok):
    dev = resolve_device(text)
    assert dev.type in ("cpu", "cuda") and (ok is None or str(dev) == ok)


@pytest.mark.parametrize("text", ["tpu", "cuda:x", "mps:0:1"])
def test_unknown_devices_are_clear_errors(text):
    with pytest.raises(ValueError, match="device"):
        resolve_device(text)


def test_compile_auto_only_where_it_pays_back():
    cpu, gpu = torch.device("cpu"), torch.device("cuda", 0)
    _, quick = _fig1_plain20("quick")
    _, long = _fig1_plain20("cpu")
    assert resolve_compile(quick, cpu) is False and resolve_compile(long, cpu) is False  # no faster on a CPU
    assert resolve_compile(long, gpu) is True and resolve_compile(quick, gpu) is False  # long GPU runs only
    assert resolve_compile(quick.replace(compile=True), cpu) is True
    assert resolve_compile(long.replace(compile=False), gpu) is False


def test_compiling_resets_dynamo_between_models(monkeypatch, cifar):
    # Dynamo keeps compiled graphs per code object; without a reset the 9th model of an experiment
    # hits its recompile limit and silently runs eager. Every compiled run starts from a reset.
    import torch._dynamo as dynamo

    from resnet_book.engine import data as D
    from resnet_book.models import get_model
    from resnet_book.engine.train import train

    calls = []
    monkeypatch.setattr(dynamo, "reset", lambda: calls.append("reset"))
    monkeypatch.setattr(torch, "compile", lambda m, **kw: (calls.append("compile"), m)[1])
    data = D.DeviceData(D.make_split(cifar, "full", train_subset=64, eval_subset=20), "cpu")
    cfg = TrainConfig(batch_size=16, max_iters=2, milestones=(), log_every=1, eval_every=2, checkpoint_every=2,
                      compile=True, device="cpu")
    for _ in range(2):
        train(get_model("resnet20"), data, cfg, progress=False)
    assert calls == ["reset", "compile", "reset", "compile"]


# --- several runs at once, and one lock per run ------------------------------------------------------------
def test_jobs_2_trains_runs_concurrently_with_a_share_of_the_threads(tmp_path, capsys):
    assert main(["run", "fig1", "--scale", "quick", "--out", str(tmp_path), "--quiet", "--jobs", "2", "--set", TINY]) == 0
    out = capsys.readouterr().out
    assert "2 at a time" in out
    recs = [R.load_record(p) for p in sorted((tmp_path / "fig1").glob("*.json"))]
    assert [r["label"] for r in recs] == ["plain20", "plain56"]
    share = max(1, torch.get_num_threads() // 2)
    for r in recs:
        assert r["status"] == "complete" and r["provenance"]["concurrent_runs"] == 2
        assert r["provenance"]["threads"] == share and r["provenance"]["dtype"] in ("fp32", "bf16")
    # finished: a rerun trains nothing
    assert main(["run", "fig1", "--scale", "quick", "--out", str(tmp_path), "--quiet", "--jobs", "2", "--set", TINY]) == 0
    assert capsys.readouterr().out.count("done before, reusing fig1/") == 2


@pytest.mark.parametrize("second_experiment", ["fig1", "fig6"])  # the same run asked for by another experiment
def test_a_second_process_waits_for_the_first_instead_of_training_the_same_run(tmp_path, second_experiment,
                                                                              synthetic_cifar):
    env = dict(os.environ, PYTHONUNBUFFERED="1", RESNET_BOOK_DATA=str(synthetic_cifar))
    args = [sys.executable, "-m", "resnet_book", "run", "fig1", "--scale", "quick", "--out", str(tmp_path),
            "--quiet", "--runs", "plain20", "--set",
            "max_iters=60,milestones=40,log_every=5,eval_every=60,checkpoint_every=5,train_subset=256,eval_subset=100,batch_size=16"]
    first = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    args[4] = second_experiment
    deadline = time.time() + 240
    while time.time() < deadline and not list((tmp_path / "fig1").glob("*.ckpt")):
        assert first.poll() is None, first.communicate()[0]
        time.sleep(0.2)
    second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    first_out = first.communicate(timeout=600)[0]
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "training plain20" in first_out
    assert "another process is training this run" in second.stdout
    assert ("trained by another process meanwhile, reusing it" if second_experiment == "fig1"
            else "same run as fig1/") in second.stdout
    assert "training plain20" not in second.stdout
    assert len(list((tmp_path / "fig1").glob("*.json"))) == 1
    assert len(list((tmp_path / second_experiment).glob("*.json"))) == 1


def test_bad_jobs_value_is_a_clear_error(capsys, tmp_path):
    assert main(["run", "fig1", "--jobs", "0", "--out", str(tmp_path)]) == 2
    assert "--jobs takes a whole number >= 1" in capsys.readouterr().err


def test_overrides_accept_auto_for_amp_and_compile():
    assert parse_overrides("amp=auto,compile=auto,compile=false") == [("amp", "auto"), ("compile", "auto"),
                                                                      ("compile", False)]


def test_records_of_an_older_schema_are_left_out_not_errors(tmp_path):
    (tmp_path / "fig1").mkdir()
    (tmp_path / "fig1" / "quick-plain20-s0-old.json").write_text('{"schema": 1, "run_id": "x"}')
    assert R.load_records("fig1", tmp_path) == []


def test_a_record_names_the_code_its_process_runs(tmp_path, monkeypatch):
    """A long run outlives commits made meanwhile: its record names the commit and package hash read
    when the process's first run started, not when it ended -- nor when the next run of the same
    queue starts (the code in memory is still what the process imported)."""
    import resnet_book.experiments.runner as runner
    import resnet_book.experiments.runs as runs

    monkeypatch.setattr(runs, "_CODE", None)  # a fresh process
    real_train = runner.train
    monkeypatch.setattr(runs, "git_commit", lambda: "start-commit")
    monkeypatch.setattr(runs, "package_hash", lambda: "start-hash")

    def train_then_commit(*a, **k):
        history = real_train(*a, **k)
        monkeypatch.setattr(runs, "git_commit", lambda: "later-commit")  # committed during the run
        monkeypatch.setattr(runs, "package_hash", lambda: "later-hash")
        return history

    monkeypatch.setattr(runner, "train", train_then_commit)
    recs = run_experiment("fig1", "quick", (0,), device="cpu", out=tmp_path, progress=False,
                          runs=["plain20", "plain56"], overrides=dict(parse_overrides(TINY)))
    assert len(recs) == 2
    for rec in recs:
        assert (rec["provenance"]["git_commit"], rec["provenance"]["package_hash"]) == ("start-commit", "start-hash")


def test_has_weights_tells_a_committed_record_without_weights_from_a_run_trained_here(tmp_path):
    from resnet_book.experiments import has_weights, trained_model
    rec = {"experiment": "fig6", "run_id": "cpu-plain56-s0-0000000000", "model": "plain56", "model_kwargs": {},
           "scale": "cpu"}
    (tmp_path / "fig6").mkdir()
    assert not has_weights(rec, tmp_path)
    with pytest.raises(R.RecordError, match="no saved weights"):
        trained_model(rec, tmp_path)
    (tmp_path / "fig6" / "cpu-plain56-s0-0000000000.weights.pt").write_bytes(b"")
    assert has_weights(rec, tmp_path)


# --- lengths are sizes: depth_length stretches the schedule, its 1x runs are table6's ------------------------
def test_depth_length_stretches_the_schedule_keeping_its_shape():
    exp, t6 = ex.get_experiment("depth_length"), ex.get_experiment("table6")
    runs = {r.name: r for r in exp.runs_at("cpu")}
    assert set(runs) == {"resnet20", "resnet56", "resnet20-x2", "resnet56-x2", "resnet20-x4", "resnet56-x4"}
    base = ex.run_config(exp, runs["resnet56"], "cpu", 0, "cpu")
    for k in (2, 4):
        cfg = ex.run_config(exp, runs[f"resnet56-x{k}"], "cpu", 0, "cpu")
        assert cfg.max_iters == k * base.max_iters == k * 6_000
        assert [m / cfg.max_iters for m in cfg.milestones] == [0.5, 0.75]
        assert cfg.max_iters // cfg.eval_every == base.max_iters // base.eval_every  # as many test points
        changed = {key for key, v in cfg.to_dict().items() if v != base.to_dict()[key]}
        assert changed == {"max_iters", "milestones", "eval_every"}  # sizes only
    for name in ("resnet20", "resnet56"):  # the 1x points are the committed table6 runs (same id: reused)
        a = ex.run_config(exp, runs[name], "cpu", 0, "cpu")
        b = ex.run_config(t6, next(r for r in t6.runs if r.name == name), "cpu", 0, "cpu")
        assert run_id(runs[name], a, "cpu", "f", threads=1) == run_id(runs[name], b, "cpu", "f", threads=1)
    with pytest.raises(ValueError, match="whole iterations"):
        ex.stretch(base, 1.0001)


def test_jobs_share_of_threads_decides_the_ids_so_one_thread_runs_find_the_committed_records(tmp_path):
    # `run depth_length --scale cpu --jobs N` on an N-core CPU trains one-thread runs: their ids are the
    # committed (one-thread) table6 records' ids, so the 1x points are reused, not retrained. (The ids
    # are computed with each run's share of the threads, not with the parent's.)
    import shutil

    shutil.copytree(R.results_root() / "table6", tmp_path / "table6")
    logs = []
    recs = run_experiment("depth_length", "cpu", runs=["resnet20", "resnet56"], jobs=torch.get_num_threads(),
                          out=tmp_path, progress=False, log=logs.append)
    assert [r["reused_from"] for r in recs] == [f"table6/{r['run_id']}.json" for r in recs], logs
    assert not list(tmp_path.rglob("*.ckpt"))


def test_the_last_run_of_a_jobs_2_queue_trains_with_its_share_of_the_threads(tmp_path):
    # when one run is left, it trains in this process, still with 1/jobs of the threads (its id says so)
    if torch.get_num_threads() < 2:
        pytest.skip("needs two threads")
    assert main(["run", "fig1", "--scale", "quick", "--out", str(tmp_path), "--quiet", "--jobs", "2",
                 "--runs", "plain20", "--set", TINY]) == 0
    rec = R.load_record(next((tmp_path / "fig1").glob("*.json")))
    assert rec["provenance"]["threads"] == torch.get_num_threads() // 2
    assert torch.get_num_threads() >= 2  # restored
